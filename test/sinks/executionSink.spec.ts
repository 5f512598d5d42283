import { describe, expect, it } from "vitest";
import { Subject, VirtualTimeScheduler, identity } from "rxjs";
import type { ExecutionSinkConfig } from "../../sinks/executionSink.js";
import type { FillConsumers } from "../../sinks/fills.js";
import type { ExecutionEvent, ThrottleFactory } from "../../sinks/executor.js";
import type { QuoteIntent } from "../../streams/intent.js";
import type { ActionBatch } from "../../streams/actions.js";
import type { BookEvent, MidEvent } from "../../streams/market.js";
import { emptyIntent } from "../../streams/intent.js";
import { FakeVenue } from "./fakeVenue.js";
import { QuotaThrottleHandle, wiredSink } from "./sinkHarness.js";
import type { QuotaThrottleOptions } from "../../operators/quotaThrottle.js";

function intent(mid: number, levels = 2, sz = 1, asset = "BTC"): QuoteIntent {
  const bids = Array.from({ length: levels }, (_, i) => ({ px: +(mid * (1 - (10 + 10 * i) / 1e4)).toFixed(4), sz, source: "base_ladder" as const }));
  const asks = Array.from({ length: levels }, (_, i) => ({ px: +(mid * (1 + (10 + 10 * i) / 1e4)).toFixed(4), sz, source: "base_ladder" as const }));
  return { asset, time: 0, bids, asks };
}

function setup(config: Partial<ExecutionSinkConfig> = {}, quota?: Omit<QuotaThrottleOptions, "feedback" | "handle" | "onRefused">) {
  const scheduler = new VirtualTimeScheduler(undefined, 0);
  const venue = new FakeVenue(scheduler);
  const intents = new Subject<QuoteIntent>();
  const mids = new Subject<MidEvent>();
  const books = new Subject<BookEvent>();
  const handle = quota ? new QuotaThrottleHandle() : undefined;
  const { sink, seen, sub } = wiredSink(
    venue,
    { cloidSeed: 7, executor: { timeoutMs: 2000 }, deadMan: false, ...config },
    scheduler,
    { intents$: intents, mids$: mids, books$: books },
    quota && handle ? { handle, options: quota } : undefined,
  );
  /** Run virtual time up to `t` (absolute ms). */
  const until = (t: number) => {
    scheduler.maxFrames = t;
    scheduler.flush();
  };
  const at = (t: number, fn: () => void) => scheduler.schedule(fn, t - scheduler.now());
  return { scheduler, venue, sink, intents, mids, books, seen, until, at, sub, handle };
}

const sentOf = (actions: ExecutionEvent[], type: string) => actions.filter((a) => a.kind === "sent" && a.batch.type === type);

describe("ExecutionSink: quoting", () => {
  it("places the intent's ladder as ALO orders, tracked by CLOID", () => {
    const { venue, sink, intents, until, seen } = setup();
    intents.next(intent(100));
    until(100);
    expect(venue.open("BTC")).toHaveLength(4);
    expect(venue.open().every((o) => o.spec.tif === "Alo" && /^0x[0-9a-f]{32}$/.test(o.cloid))).toBe(true);
    expect(sink.liveOrders("BTC").map((o) => o.state)).toEqual(["resting", "resting", "resting", "resting"]);
    expect(sentOf(seen.actions, "order")).toHaveLength(1);
  });

  it("hands every planned batch to onPlanned once, before the executor sends it", () => {
    const planned: string[] = [];
    const order: string[] = [];
    const keys = (b: ActionBatch): string[] =>
      b.type === "order" ? b.orders.map((o) => o.cloid) : b.type === "batchModify" ? b.modifies.map((m) => m.order.cloid) : b.type === "cancel" ? b.cancels.map((c) => `oid:${c.oid}`) : b.type === "cancelByCloid" ? b.cancels.map((c) => c.cloid) : [];
    const { intents, until, seen, sink } = setup({
      onPlanned: (b) => {
        planned.push(...keys(b));
        order.push(`planned ${b.type}`);
      },
    });
    sink.eventsOf("action").subscribe((e) => {
      if (e.action.kind === "sent") order.push(`sent ${e.action.batch.type}`);
    });
    intents.next(intent(100)); // 4 placements
    until(100);
    intents.next(intent(100.35)); // 4 modifies
    until(200);
    intents.next(emptyIntent("BTC", 200, { kind: "StaleData", ageMs: 10_000, thresholdMs: 10_000 })); // 4 cancels
    until(300);
    const sent = seen.actions.filter((a) => a.kind === "sent").flatMap((a) => (a.kind === "sent" ? keys(a.batch) : []));
    expect(sent).toHaveLength(12);
    expect([...planned].sort()).toEqual([...sent].sort());
    expect(order.indexOf("planned order")).toBeLessThan(order.indexOf("sent order"));
    expect(order.indexOf("planned batchModify")).toBeLessThan(order.indexOf("sent batchModify"));
    expect(order.indexOf("planned cancel")).toBeLessThan(order.indexOf("sent cancel"));
  });

  it("leaves orders alone within tolerance, modifies within 50 bps (same CLOID, new OID)", () => {
    const { venue, sink, intents, until, seen } = setup();
    intents.next(intent(100));
    until(100);
    const before = new Map(venue.open().map((o) => [o.cloid, o.oid]));
    intents.next(intent(100.1));
    until(200);
    expect(sentOf(seen.actions, "batchModify")).toHaveLength(0);
    intents.next(intent(100.35));
    until(300);
    expect(sentOf(seen.actions, "batchModify")).toHaveLength(1);
    const after = venue.open();
    expect(after).toHaveLength(4);
    for (const o of after) {
      expect(before.has(o.cloid)).toBe(true);
      expect(before.get(o.cloid)).not.toBe(o.oid);
    }
    expect(sink.liveOrders().every((o) => o.state === "resting" && o.oldOids.length === 1)).toBe(true);
  });

  it("widens the keep/modify thresholds with volatility when configured", () => {
    const run = (moves: number) => {
      const { intents, mids, until, seen } = setup({ defaults: { thresholds: { volatility: { refVolBps: 2, maxScale: 4 } } } });
      // a mid that moves `moves` bps per update, back and forth: EWMA of |log return|
      for (let i = 0; i < 60; i++) mids.next({ asset: "BTC", time: 0, mid: 100 * (1 + (i % 2) * moves * 1e-4) });
      intents.next(intent(100));
      until(100);
      intents.next(intent(100.3)); // a 30 bps move: modify when calm
      until(200);
      return sentOf(seen.actions, "batchModify").length;
    };
    expect(run(0.5)).toBe(1);
    expect(run(8)).toBe(0); // 4× thresholds: 30 bps is within the 80 bps keep band
  });

  it("keeps an order at the front of its queue rather than moving it behind a long one (queue-aware, with books)", () => {
    const run = (withBooks: boolean) => {
      const { intents, mids, books, until, seen } = setup({ defaults: { thresholds: { queue: { turnover: 2 } } } });
      const lvl = (px: number) => ({ px, sz: 1, source: "base_ladder" as const });
      mids.next({ asset: "BTC", time: 0, mid: 100 });
      if (withBooks) books.next({ asset: "BTC", time: 0, bids: [{ px: 99.8, sz: 3, n: 1 }, { px: 99.7, sz: 50, n: 9 }], asks: [{ px: 100.2, sz: 3, n: 1 }] });
      intents.next({ asset: "BTC", time: 0, bids: [lvl(99.9)], asks: [lvl(100.1)] }); // we join 99.9 first in line
      until(100);
      if (withBooks) books.next({ asset: "BTC", time: 100, bids: [{ px: 99.9, sz: 1, n: 1 }, { px: 99.7, sz: 50, n: 9 }], asks: [{ px: 100.1, sz: 1, n: 1 }] });
      intents.next({ asset: "BTC", time: 100, bids: [lvl(99.7)], asks: [lvl(100.1)] }); // 20 bps away, behind 50
      until(200);
      return sentOf(seen.actions, "batchModify").length;
    };
    expect(run(false)).toBe(1);
    expect(run(true)).toBe(0);
  });

  it("cancels everything at once when a gate closes and re-places when it reopens", () => {
    const { venue, intents, until, seen } = setup();
    intents.next(intent(100));
    until(100);
    intents.next(emptyIntent("BTC", 100, { kind: "StaleData", ageMs: 10_000, thresholdMs: 10_000 }));
    until(200);
    expect(venue.open()).toHaveLength(0);
    expect(sentOf(seen.actions, "cancel")).toHaveLength(1);
    intents.next(intent(100));
    until(300);
    expect(venue.open()).toHaveLength(4);
  });

  it("refuses nothing twice: re-running the diff while actions are in flight sends nothing new", () => {
    const { intents, until, seen } = setup();
    intents.next(intent(100));
    intents.next(intent(100));
    intents.next(intent(100));
    until(100);
    expect(sentOf(seen.actions, "order")).toHaveLength(1);
  });
});

describe("ExecutionSink: inputs", () => {
  it("refuses a malformed intent with an error naming what and where, counts it, and changes nothing", () => {
    const { venue, sink, intents, until } = setup();
    const bad: unknown[] = [];
    sink.events$.subscribe((e) => e.type === "badInput" && bad.push(e.error));
    intents.next(intent(100));
    until(100);
    const before = venue.open().map((o) => o.oid);
    intents.next({ ...intent(100.5), bids: [{ px: Number.NaN, sz: 1, source: "base_ladder" }] });
    intents.next({ ...intent(100.5), bids: [{ px: 101, sz: 1, source: "base_ladder" }] });
    intents.next({ ...intent(100.5), bids: [{ px: 99, sz: 1, source: "base_ladder" }, { px: 99.5, sz: 1, source: "base_ladder" }] });
    until(300);
    expect(sink.metrics.badIntents).toBe(3);
    expect(bad.map((e) => (e as Error).message)).toEqual([
      expect.stringContaining("bids.0.px: expected FiniteNumber"),
      expect.stringContaining("crossed ladder"),
      expect.stringContaining("$.bids.1.px: bids must be strictly descending"),
    ]);
    expect(venue.open().map((o) => o.oid)).toEqual(before);
  });

  it("quotes several assets independently; a gate on one leaves the other alone", () => {
    const { venue, intents, until } = setup();
    intents.next(intent(100, 1, 1, "BTC"));
    intents.next(intent(20, 1, 1, "ETH"));
    until(100);
    expect(venue.open("BTC")).toHaveLength(2);
    expect(venue.open("ETH")).toHaveLength(2);
    intents.next(emptyIntent("ETH", 100, { kind: "CrossedBook", bestBid: 20, bestAsk: 19 }));
    until(200);
    expect(venue.open("ETH")).toHaveLength(0);
    expect(venue.open("BTC")).toHaveLength(2);
  });
});

describe("ExecutionSink: fills", () => {
  it("enriches fills with placement facts and moves position and PnL once", () => {
    const { venue, sink, intents, until, at, seen } = setup();
    intents.next(intent(100));
    until(100);
    const bid = venue.open().find((o) => o.spec.isBuy && o.spec.px === 99.9)!;
    at(150, () => venue.fill(bid.oid, 0.4));
    until(200);
    expect(seen.fills).toHaveLength(1);
    expect(seen.fills[0]).toMatchObject({ flag: "matched", fill: { source: "base_ladder", placementPrice: 99.9, size: 0.4 } });
    expect(seen.fills[0]!.fill.midAtPlacement).toBeCloseTo(100);
    expect(sink.positions.position("BTC")).toBeCloseTo(0.4);
    // a fill from before this session appears only in snapshots: never counted
    venue.history({ ...seen.fills[0]!.fill, tid: 999, time: -5 });
    // a snapshot replay (reconnect) is deduped: nothing counted twice
    at(250, () => venue.replaySnapshot());
    until(300);
    expect(seen.fills).toHaveLength(1);
    expect(sink.positions.position("BTC")).toBeCloseTo(0.4);
    expect(sink.pnl.get("BTC").position).toBeCloseTo(0.4);
  });

  it("flags a fill that lands while the cancel is in flight, pulls the same side and reconciles", () => {
    const { venue, sink, intents, until, at, seen } = setup();
    intents.next(intent(100));
    until(100);
    const accountsBefore = venue.accountCalls;
    // the ladder moves far: every order is cancelled and replaced; a bid fills before the cancel lands
    // the fill happens at the venue 1 ms before our cancel reaches it, and is delivered after
    const bid = venue.open().find((o) => o.spec.px === 99.9)!;
    at(199, () => venue.fill(bid.oid));
    at(200, () => intents.next(intent(103)));
    until(400);
    expect(seen.races.some((r) => r.kind === "race")).toBe(true);
    expect(seen.fills[0]).toMatchObject({ flag: "race" });
    expect(sink.positions.position("BTC")).toBeCloseTo(1);
    expect(venue.accountCalls).toBeGreaterThan(accountsBefore);
    // the bid side is held empty until the reconcile completes and the hold expires
    expect(venue.open().filter((o) => o.spec.isBuy)).toHaveLength(0);
    until(5000);
    expect(venue.open().filter((o) => o.spec.isBuy)).toHaveLength(2);
    expect(sink.store.get(bid.cloid)?.state).toBe("filled");
  });

  it("treats a fill of an unknown order as unmatched and reconciles at once", () => {
    const { venue, intents, until, at, seen } = setup();
    intents.next(intent(100));
    until(3500);
    const calls = venue.accountCalls;
    at(3600, () => {
      venue.orders.set(5, { oid: 5, cloid: "0x" + "f".repeat(32), spec: { asset: "BTC", isBuy: true, px: 90, sz: 1, tif: "Gtc", reduceOnly: false, cloid: "0x" + "f".repeat(32) }, sz: 1, status: "open" });
      venue.fill(5);
    });
    until(3700);
    expect(seen.fills[0]).toMatchObject({ flag: "unmatched", fill: { source: "unmatched" } });
    expect(venue.accountCalls).toBe(calls + 1);
  });
});

describe("ExecutionSink: executor recovery", () => {
  it("asks orderStatus after a lost answer, pauses the asset at 5 s (OrderStale), never re-sends a CLOID", () => {
    const { venue, sink, intents, until, seen } = setup({ executor: { timeoutMs: 8000 }, reconcile: { intervalMs: 60_000 } });
    venue.knobs.swallow = 1;
    venue.knobs.dropUpdates = true;
    until(50); // the first account sync (at 0) is done before we place
    const t0 = venue.scheduler.now();
    intents.next(intent(100, 1));
    until(t0 + 4999);
    expect(seen.gates.some((g) => g.reason?.kind === "OrderStale")).toBe(false);
    until(t0 + 5250); // the next housekeeping tick (every 250 ms) finds it
    const stale = seen.gates.find((g) => g.reason?.kind === "OrderStale")!;
    expect(stale.time - t0).toBeGreaterThanOrEqual(5000);
    expect(seen.gates.some((g) => g.reason?.kind === "OrderStale")).toBe(true);
    expect(venue.statusQueries.length).toBeGreaterThan(0);
    until(t0 + 9000);
    // no CLOID was ever sent twice (the stale gate may cancel and re-quote the level, with a new CLOID)
    const cloids = sentOf(seen.actions, "order").flatMap((e) => (e.kind === "sent" && e.batch.type === "order" ? e.batch.orders.map((o) => o.cloid) : []));
    expect(new Set(cloids).size).toBe(cloids.length);
    expect(sink.liveOrders().map((o) => o.state)).toEqual(["resting", "resting"]);
    expect(venue.open()).toHaveLength(2);
    expect(seen.gates.at(-1)?.reason).toBeNull();
  });

  it("re-places a level only after the venue says the lost placement never landed", () => {
    const { venue, intents, until, seen } = setup();
    venue.knobs.transportErrors = 1;
    intents.next(intent(100, 1));
    until(1000);
    expect(venue.statusQueries).toHaveLength(2);
    const sent = sentOf(seen.actions, "order");
    const answered = seen.actions.filter((a) => a.kind === "status").map((a) => a.time);
    expect(sent[0]!.time).toBe(0);
    // each level is placed again (new CLOID) only once the venue said the first never landed
    expect(sent.slice(1).every((e) => e.time >= Math.min(...answered))).toBe(true);
    expect(sent.slice(1).flatMap((e) => (e.kind === "sent" && e.batch.type === "order" ? e.batch.orders.map((o) => o.cloid) : []))).toHaveLength(2);
    expect(venue.open()).toHaveLength(2);
  });
});

describe("ExecutionSink: position reconciliation", () => {
  it("adopts the venue's position, records the drift, and trips the kill switch beyond the bound", () => {
    const { venue, sink, intents, until, seen } = setup({ defaults: { maxDriftUsd: 50 } });
    intents.next(intent(100));
    until(100);
    venue.positions.set("BTC", 0.3);
    until(3100);
    expect(seen.drift[0]).toMatchObject({ asset: "BTC", ours: 0, venue: 0.3 });
    expect(sink.positions.position("BTC")).toBeCloseTo(0.3);
    expect(sink.killSwitch.active).toBe(false);
    venue.positions.set("BTC", 2);
    until(6100);
    expect(sink.killSwitch.state).toMatchObject({ active: true, trip: { trigger: "PositionDivergence" } });
    until(6300);
    expect(venue.open()).toHaveLength(0);
  });

  it("cancels orders the venue has and we do not track; resolves ours it no longer has", () => {
    const { venue, sink, intents, until } = setup();
    intents.next(intent(100, 1));
    until(100);
    const orphanCloid = "0x" + "e".repeat(32);
    venue.orders.set(9, { oid: 9, cloid: orphanCloid, spec: { asset: "BTC", isBuy: true, px: 95, sz: 1, tif: "Gtc", reduceOnly: false, cloid: orphanCloid }, sz: 1, status: "open" });
    const gone = venue.open().find((o) => o.spec.isBuy && o.oid !== 9)!;
    venue.orders.delete(gone.oid); // vanished without an update
    until(3200);
    expect(venue.orders.has(9)).toBe(false);
    expect(sink.store.get(gone.cloid)?.state).toBe("cancelled");
    until(3400);
    expect(venue.open().filter((o) => o.spec.isBuy)).toHaveLength(1);
  });

  it("with openOrdersIntervalMs, fetches open orders every 15 s and on triggers, positions every 3 s; still resolves what the venue lost", () => {
    // a throttle that lets everything through and records the IP weight the executor charges it
    const charged: number[] = [];
    const recording: ThrottleFactory = (feedback) => {
      feedback.infoWeight$?.subscribe((w) => charged.push(w));
      return identity;
    };
    const { venue, sink, intents, until, at, seen } = setup({ reconcile: { openOrdersIntervalMs: 15_000 }, executor: { timeoutMs: 2000, throttle: recording } });
    const weights = () => seen.all.flatMap((e) => (e.type === "syncStarted" ? [e.infoWeight] : []));
    intents.next(intent(100, 1));
    until(100);
    const gone = venue.open().find((o) => o.spec.isBuy)!;
    at(1000, () => venue.orders.delete(gone.oid)); // vanished without an update
    until(14_500);
    // the periodic syncs at 3, 6, 9, 12 s asked for positions only: the loss is not seen yet
    expect(venue.accountRequests.map((r) => r.openOrders)).toEqual([true, false, false, false, false]);
    expect(seen.reconciles.map((r) => r.openOrdersIncluded)).toEqual([true, false, false, false, false]);
    expect(sink.store.get(gone.cloid)?.state).toBe("resting");
    until(15_200);
    expect(venue.accountRequests.at(-1)).toEqual({ time: 15_000, openOrders: true });
    expect(seen.reconciles.at(-1)?.missingQueried).toEqual([gone.cloid]);
    expect(sink.store.get(gone.cloid)?.state).toBe("cancelled");
    // a reconnect fetches the open orders at once, whatever the period
    at(16_000, () => venue.dropout(100));
    until(16_300);
    expect(seen.reconciles.at(-1)).toMatchObject({ trigger: "reconnect", openOrdersIncluded: true });
    // IP weight charged to the quota throttle: 2 for a positions-only sync, 2 + 20 with open orders
    expect(venue.accountRequests.filter((r) => r.openOrders)).toHaveLength(3);
    expect(weights()).toEqual(venue.accountRequests.map((r) => (r.openOrders ? 22 : 2)));
    // and the throttle was charged exactly that, plus 2 per orderStatus query
    expect(charged.reduce((a, b) => a + b, 0)).toBe(weights().reduce((a, b) => a + b, 0) + 2 * venue.statusQueries.length);
  });

  it("syncs at once on reconnect, but event-triggered syncs stay ≥ 2 s apart", () => {
    const { venue, intents, until, at, seen } = setup();
    intents.next(intent(100, 1));
    until(3500);
    const n = seen.reconciles.length;
    at(3600, () => venue.dropout(100));
    until(3800);
    expect(seen.reconciles.length).toBe(n + 1);
    expect(seen.reconciles.at(-1)?.trigger).toBe("reconnect");
    at(3900, () => venue.dropout(100));
    until(5000);
    expect(seen.reconciles.length).toBe(n + 1);
    until(5800);
    expect(seen.reconciles.at(-1)?.trigger).toBe("reconnect");
    expect(seen.reconciles.at(-1)!.time - seen.reconciles.at(-2)!.time).toBeGreaterThanOrEqual(2000);
  });
});

describe("ExecutionSink: quota", () => {
  it("holds placements while the quota breaker is open instead of re-placing refused orders in a loop", () => {
    const { venue, sink, intents, until, at, seen, handle } = setup({ executor: { timeoutMs: 2000 } }, { config: { ipWeightLimit: 20 }, random: () => 0.5 });
    // the ladder jumps 1% every 100 ms: every step is cancels + placements
    for (let i = 0; i < 40; i++) at(100 * i + 1, () => intents.next(intent(100 * (1 + 0.01 * (i % 2)))));
    until(5000);
    expect(seen.gates.some((g) => g.reason?.kind === "QuotaBreaker")).toBe(true);
    // the IP window (20 per minute) bounds what reached the venue; nothing looped
    expect(venue.submitted.length).toBeLessThanOrEqual(20);
    expect(handle!.counts.allowed).toBe(venue.submitted.length);
    // resting orders stay; nothing sits tracked as pending forever
    expect(sink.store.open().filter((o) => o.state === "pending-new" && o.oid === null).every((o) => o.placedAt > 0)).toBe(true);
  });
});

describe("ExecutionSink: kill switch", () => {
  it("cancels everything, stops quoting, says why, and only an explicit clear resumes", () => {
    const { venue, sink, intents, until } = setup();
    intents.next(intent(100));
    until(100);
    sink.kill("operator test");
    until(200);
    expect(venue.open()).toHaveLength(0);
    expect(sink.killSwitch.state).toMatchObject({ active: true, trip: { trigger: "Manual", detail: "operator test" } });
    intents.next(intent(101));
    until(300);
    expect(venue.open()).toHaveLength(0);
    sink.clearKillSwitch();
    until(400);
    expect(venue.open()).toHaveLength(4);
  });

  it("trips on stale data that outlasts the gates", () => {
    const { sink, intents, until } = setup({ kill: { staleDataMs: 30_000 } });
    intents.next(emptyIntent("BTC", 0, { kind: "StaleData", ageMs: 10_000, thresholdMs: 10_000 }));
    until(29_000);
    expect(sink.killSwitch.active).toBe(false);
    until(30_300);
    expect(sink.killSwitch.state).toMatchObject({ active: true, trip: { trigger: "StaleData", asset: "BTC" } });
  });

  it("trips on max position", () => {
    const { venue, sink, intents, until, at } = setup({ defaults: { maxPositionUsd: 100 } });
    intents.next(intent(100, 2, 1));
    until(100);
    for (const o of venue.open().filter((x) => x.spec.isBuy)) at(150, () => venue.fill(o.oid));
    until(200);
    expect(sink.killSwitch.state).toMatchObject({ active: true, trip: { trigger: "MaxPosition" } });
  });
});

describe("ExecutionSink: shutdown and dead-man's switch", () => {
  it("arms scheduleCancel while connected and shutdown cancels everything, then disarms", async () => {
    const { venue, sink, intents, until, seen, scheduler } = setup({ deadMan: { windowMs: 30_000, rearmMs: 10_000 } });
    intents.next(intent(100));
    until(25_000);
    const arms = sentOf(seen.actions, "scheduleCancel");
    expect(arms.length).toBe(3);
    let done = false;
    sink.shutdown().subscribe({ complete: () => (done = true) });
    scheduler.maxFrames = 40_000;
    scheduler.flush();
    expect(done).toBe(true);
    expect(venue.open()).toHaveLength(0);
    const last = sentOf(seen.actions, "scheduleCancel").at(-1)!;
    expect(last.kind === "sent" && last.batch).toEqual({ type: "scheduleCancel", time: null });
    // events$ completes on shutdown
    expect(seen.completed).toBe(true);
    expect(seen.errors).toEqual([]);
  });
});

describe("ExecutionSink: failure", () => {
  it("a runaway loop trips InternalError, cancels what rests once, errors events$ and ignores later inputs", () => {
    const { venue, sink, intents, until, at, seen } = setup({ maxReconcilesPerInstant: 8 });
    intents.next(intent(100));
    until(100);
    expect(venue.open()).toHaveLength(4);
    expect(seen.errors).toEqual([]);
    const before = venue.submitted.length;
    // nine assets reconciled at one instant: more than maxReconcilesPerInstant (8)
    at(200, () => {
      for (let i = 0; i < 9; i++) intents.next(intent(100, 2, 1, `A${i}`));
    });
    until(300);
    expect(seen.errors).toHaveLength(1);
    expect((seen.errors[0] as Error).message).toMatch(/ExecutionSink: sink failed: runaway loop: more than 8 ladder reconciliations at time 200/);
    expect(sink.killSwitch.state).toMatchObject({ active: true, trip: { trigger: "InternalError" } });
    expect(seen.kill.at(-1)).toMatchObject({ active: true, trip: { trigger: "InternalError" } });
    // the one best-effort cancel of everything known to rest
    const after = venue.submitted.slice(before);
    expect(after.filter((b) => b.type === "cancel").flatMap((b) => (b.type === "cancel" ? b.cancels.map((c) => c.asset) : []))).toEqual(["BTC", "BTC", "BTC", "BTC"]);
    expect(venue.open().filter((o) => o.spec.asset === "BTC")).toHaveLength(0);
    expect(seen.actions.filter((a) => a.kind === "sent" && a.time >= 200 && a.batch.type === "cancel")).toEqual([]); // not published: events$ is done
    // nothing is folded any more
    const n = venue.submitted.length;
    at(400, () => intents.next(intent(120)));
    until(600);
    expect(venue.submitted.length).toBe(n);
    expect(seen.completed).toBe(false);
  });
});

describe("FillConsumers", () => {
  it("makes forgetting a consumer a type error", () => {
    const noop = () => undefined;
    const all = { orders: noop, position: noop, pnl: noop, markouts: noop, metrics: noop, quota: noop } satisfies FillConsumers;
    // @ts-expect-error — `markouts` is missing
    const missing: FillConsumers = { orders: noop, position: noop, pnl: noop, metrics: noop, quota: noop };
    expect(Object.keys(all)).toHaveLength(6);
    expect(Object.keys(missing)).toHaveLength(5);
  });
});
