// Margin before sending, the second half (issue 12): an order that does not fit whole is shrunk
// to what fits (size decimals known) or held; modifies are checked like placements, against what
// the account has left plus what the old leg frees; a margin reject asks an account sync at once,
// counted by reason. Account 1000 USD at 20×, 5 % buffer: 19 000 USD of notional.
import { describe, expect, it } from "vitest";
import { Subject, VirtualTimeScheduler } from "rxjs";
import { initialSinkState, step } from "../../sinks/core.js";
import type { ExecutionSinkConfig } from "../../sinks/sinkTypes.js";
import type { SinkCommand } from "../../sinks/sinkTypes.js";
import type { QuoteIntent } from "../../streams/intent.js";
import { FakeVenue } from "./fakeVenue.js";
import { wiredSink } from "./sinkHarness.js";

const BTC20 = new Map([["BTC", 20]]);

function ladder(sz: number): QuoteIntent {
  return { asset: "BTC", time: 1, bids: [1, 2, 3].map((i) => ({ px: 100 - i, sz, source: "base_ladder" as const })), asks: [1, 2, 3].map((i) => ({ px: 100 + i, sz, source: "base_ladder" as const })) };
}

function run(szs: readonly number[], margin: ExecutionSinkConfig["margin"]) {
  const scheduler = new VirtualTimeScheduler(undefined, 0);
  const venue = new FakeVenue(scheduler);
  const intents = new Subject<QuoteIntent>();
  const mids = new Subject<{ asset: string; time: number; mid: number }>();
  const { sink } = wiredSink(venue, { cloidSeed: 4, awaitAccount: true, deadMan: false, ...(margin ? { margin } : {}), assets: { BTC: { maxPositionUsd: 1e9 } } }, scheduler, { intents$: intents, mids$: mids });
  szs.forEach((sz, k) =>
    scheduler.schedule(() => {
      mids.next({ asset: "BTC", time: 1, mid: 100 });
      intents.next(ladder(sz));
    }, 1 + k * 1000),
  );
  scheduler.maxFrames = 1 + szs.length * 1000 + 2000;
  scheduler.flush();
  const placed = venue.submitted.flatMap((b) => (b.type === "order" ? b.orders : []));
  const modified = venue.submitted.flatMap((b) => (b.type === "batchModify" ? b.modifies : []));
  const restingNotional = venue.open("BTC").reduce((n, o) => n + o.sz * o.spec.px, 0);
  return { sink, venue, placed, modified, restingNotional };
}

describe("margin: shrink or hold", () => {
  it("shrinks the order that does not fit whole to what fits (size step, ≥ 10 USD) and holds the rest", () => {
    const r = run([40], { leverage: BTC20, szDecimals: new Map([["BTC", 2]]) }); // ~4000 USD each
    expect(r.placed).toHaveLength(5);
    const shrunk = r.placed.filter((o) => o.sz < 40);
    expect(shrunk).toHaveLength(1);
    expect(Number.isInteger(shrunk[0]!.sz * 100)).toBe(true);
    expect(r.restingNotional).toBeLessThanOrEqual(19_000);
    expect(r.restingNotional).toBeGreaterThan(18_900);
    expect(r.sink.metrics).toMatchObject({ marginShrunk: 1 });
    expect(r.sink.metrics.marginHeld).toBeGreaterThanOrEqual(1);
  });

  it("a shrunk order keeps its level: re-sent intents neither cancel and re-place it nor modify it (no churn)", () => {
    // ~4500 USD each: 4 fit whole (~18 000), the 5th is shrunk to ~1000 USD (a 78 % size gap)
    const r = run([45, 45, 45, 45, 45], { leverage: BTC20, szDecimals: new Map([["BTC", 2]]) });
    expect(r.placed).toHaveLength(5);
    expect(r.venue.submitted.filter((b) => b.type === "cancel" || b.type === "cancelByCloid")).toEqual([]);
    expect(r.modified).toEqual([]);
    expect(r.sink.metrics.marginShrunk).toBe(1);
  });

  it("without size decimals it holds (the earlier behaviour); below the minimum notional it holds", () => {
    expect(run([40], { leverage: BTC20 }).placed).toHaveLength(4);
    const tiny = run([40], { leverage: BTC20, szDecimals: new Map([["BTC", 2]]), minNotionalUsd: 5_000 });
    expect(tiny.placed).toHaveLength(4);
    expect(tiny.sink.metrics.marginShrunk).toBe(0);
  });

  it("checks modifies against the margin: growing sizes past the account's margin are shrunk or held, never sent whole", () => {
    // 6 × ~2500 USD rest (15 000); then the ladder asks 6 × ~3500 (21 000 > 19 000) by modifies
    const r = run([25, 35], { leverage: BTC20, szDecimals: new Map([["BTC", 2]]) });
    expect(r.placed).toHaveLength(6);
    expect(r.modified.length).toBeGreaterThanOrEqual(4);
    expect(r.restingNotional).toBeLessThanOrEqual(19_000);
    expect(r.sink.metrics.marginHeld + r.sink.metrics.marginShrunk).toBeGreaterThanOrEqual(1);
    // unchecked, every modify goes out whole
    const unchecked = run([25, 35], undefined);
    expect(unchecked.modified).toHaveLength(6);
    expect(unchecked.restingNotional).toBeGreaterThan(20_000);
  });
});

describe("margin reject → account sync at once, counted by reason", () => {
  const syncs = (cs: readonly SinkCommand[]) => cs.filter((c) => c.kind === "fetchAccount").map((c) => (c.kind === "fetchAccount" ? c.trigger : ""));

  it("a PerpMargin order answer asks a sync at once, even right after another event-triggered sync", () => {
    const s = initialSinkState({ cloidSeed: 3, deadMan: false }, 0);
    step(s, { kind: "intent", intent: ladder(1) }, 0);
    const placed = step(s, { kind: "flush" }, 0).commands.find((c) => c.kind === "submit");
    if (!placed || placed.kind !== "submit" || placed.batch.type !== "order") throw new Error("expected a placement");
    const batch = placed.batch;
    // an event-triggered sync (reconnect) at 100 and its answer: the next one would wait 2 s
    step(s, { kind: "connection", state: { status: "reconnecting", attempt: 1, time: 90 } }, 90);
    expect(syncs(step(s, { kind: "connection", state: { status: "open", attempt: 0, time: 100 } }, 100).commands)).toEqual(["reconnect"]);
    step(s, { kind: "account", snapshot: { time: 150, accountValue: 1000, positions: [], openOrders: [] }, trigger: "reconnect", withOrders: true }, 150);
    const statuses = batch.orders.map((_, i) => (i === 0 ? { kind: "rejected" as const, code: "PerpMargin" as const, error: "Insufficient margin to place order. asset=0" } : { kind: "resting" as const, oid: 10 + i }));
    const out = step(s, { kind: "executor", event: { kind: "result", batch, result: { ok: true, type: "order", statuses }, time: 200, latencyMs: 100 } }, 200);
    expect(syncs(out.commands)).toEqual(["margin:PerpMargin"]);
    expect(out.events).toContainEqual({ type: "marginReject", asset: "BTC", reason: "PerpMargin", time: 200 });
    expect(s.metrics.marginRejectSyncs).toBe(1);
  });

  it("a marginCanceled orderUpdates status of one of our orders asks one too", () => {
    const s = initialSinkState({ cloidSeed: 3, deadMan: false }, 0);
    step(s, { kind: "intent", intent: ladder(1) }, 0);
    const placed = step(s, { kind: "flush" }, 0).commands.find((c) => c.kind === "submit");
    if (!placed || placed.kind !== "submit" || placed.batch.type !== "order") throw new Error("expected a placement");
    const o = placed.batch.orders[0]!;
    const out = step(s, { kind: "orderUpdate", update: { asset: "BTC", oid: 10, cloid: o.cloid, isBuy: o.isBuy, px: o.px, sz: o.sz, origSz: o.sz, status: "marginCanceled", time: 50 } }, 50);
    expect(syncs(out.commands)).toEqual(["margin:marginCanceled"]);
    expect(s.metrics.marginRejectSyncs).toBe(1);
  });
});
