// Under queue pressure (few in-flight slots): cancels are not held behind placements, queued
// cancels leave as one request, and an order still waiting in the send queue is never asked
// about (the venue cannot know it yet). Issue 12's queue-pressure soak failed on both: a dozen
// orderStatus queries for queued placements opened the IP breaker, and the cancels of what rested
// went one per round trip behind them (a quote resting 7 s after its gate closed).
import { describe, expect, it } from "vitest";
import { Subject, VirtualTimeScheduler } from "rxjs";
import { createExecutorCounts, executor } from "../../sinks/executor.js";
import type { ExecutionEvent, ExecutorCommand } from "../../sinks/executor.js";
import type { ActionBatch } from "../../streams/actions.js";
import type { QuoteIntent } from "../../streams/intent.js";
import { FakeVenue } from "./fakeVenue.js";
import { spec } from "./helpers.js";
import { wiredSink } from "./sinkHarness.js";

function setupExecutor() {
  const scheduler = new VirtualTimeScheduler(undefined, Infinity);
  const venue = new FakeVenue(scheduler);
  venue.knobs.latencyMs = 100;
  const commands = new Subject<ExecutorCommand>();
  const counts = createExecutorCounts();
  const events: ExecutionEvent[] = [];
  commands.pipe(executor(venue, { maxInFlight: 1, counts, maxBatchSize: 3 }, scheduler)).subscribe((e) => events.push(e));
  const at = (t: number, fn: () => void) => scheduler.schedule(fn, t - scheduler.now());
  return { scheduler, venue, commands, counts, events, at };
}

const place = (n: number, asset = "BTC"): ActionBatch => ({ type: "order", orders: [spec(n, { asset, px: 100 - n })] });
const cancelOid = (oid: number, asset = "BTC"): ActionBatch => ({ type: "cancel", cancels: [{ asset, oid }] });

describe("send queue under one in-flight slot", () => {
  it("a cancel by OID overtakes a queued placement of its own asset (its order already rests)", () => {
    const { scheduler, venue, commands, at } = setupExecutor();
    at(0, () => {
      commands.next({ kind: "submit", batch: place(1) }); // in flight until 100
      commands.next({ kind: "submit", batch: place(2) }); // waits
      commands.next({ kind: "submit", batch: cancelOid(77) }); // waits, but ahead of place(2)
    });
    scheduler.flush();
    expect(venue.submitted).toEqual([place(1), cancelOid(77), place(2)]);
  });

  it("cancels queued behind the slot leave as one request, at most maxBatchSize elements, in order", () => {
    const { scheduler, venue, commands, counts, events, at } = setupExecutor();
    at(0, () => {
      commands.next({ kind: "submit", batch: place(1) });
      for (const oid of [11, 12, 13, 14]) commands.next({ kind: "submit", batch: cancelOid(oid, oid % 2 ? "ETH" : "BTC") });
    });
    scheduler.flush();
    expect(venue.submitted).toEqual([
      place(1),
      { type: "cancel", cancels: [{ asset: "ETH", oid: 11 }, { asset: "BTC", oid: 12 }, { asset: "ETH", oid: 13 }] },
      cancelOid(14),
    ]);
    expect(events.filter((e) => e.kind === "sent").map((e) => e.time)).toEqual([0, 100, 200]);
    expect(counts.pending).toBe(0);
    expect(counts.inFlight).toBe(0);
  });

  it("a cancel by CLOID still waits behind a queued batch of its own asset (it may cancel that placement)", () => {
    const { scheduler, venue, commands, at } = setupExecutor();
    const byCloid: ActionBatch = { type: "cancelByCloid", cancels: [{ asset: "BTC", cloid: spec(2).cloid }] };
    at(0, () => {
      commands.next({ kind: "submit", batch: place(1, "ETH") });
      commands.next({ kind: "submit", batch: place(2) });
      commands.next({ kind: "submit", batch: byCloid });
    });
    scheduler.flush();
    expect(venue.submitted).toEqual([place(1, "ETH"), place(2), byCloid]);
  });
});

function ladder(asset: string, mid: number): QuoteIntent {
  return { asset, time: 0, bids: [{ px: mid - 1, sz: 1, source: "base_ladder" }], asks: [{ px: mid + 1, sz: 1, source: "base_ladder" }] };
}

describe("ExecutionSink: an order waiting in the send queue is not asked about", () => {
  it("snapshots that lack a queued placement ask no orderStatus for it; it is sent, rests, and its levels are placed once", () => {
    const scheduler = new VirtualTimeScheduler(undefined, 0);
    const venue = new FakeVenue(scheduler);
    venue.knobs.latencyMs = 100;
    venue.knobs.swallow = 1; // BTC's placement gets no answer: the only slot is held until the 3 s timeout
    const intents = new Subject<QuoteIntent>();
    const { sink, seen } = wiredSink(venue, { cloidSeed: 3, executor: { maxInFlight: 1, timeoutMs: 3000 }, reconcile: { intervalMs: 1000 }, deadMan: false }, scheduler, { intents$: intents });
    scheduler.schedule(() => intents.next(ladder("BTC", 100)), 1);
    scheduler.schedule(() => intents.next(ladder("ETH", 50)), 2);
    scheduler.maxFrames = 6000;
    scheduler.flush();
    const ethCloids = new Set(sink.store.open("ETH").map((o) => o.cloid));
    const ethSentAt = seen.actions.filter((a) => a.kind === "sent" && a.batch.type === "order" && a.batch.orders.some((o) => o.asset === "ETH")).map((a) => a.time);
    // the snapshots at 1 s and 2 s did not list ETH's orders (still queued): not questioned
    expect(seen.reconciles.filter((r) => r.time < 3000).length).toBeGreaterThanOrEqual(2);
    expect(seen.reconciles.flatMap((r) => r.missingQueried).filter((c) => ethCloids.has(c))).toEqual([]);
    expect(venue.statusQueries.filter((q) => "cloid" in q && ethCloids.has(q.cloid))).toEqual([]);
    // sent once the slot freed, both levels rest, each placed exactly once
    expect(ethSentAt).toEqual([3001]);
    expect(venue.open("ETH")).toHaveLength(2);
    expect(venue.submitted.filter((b) => b.type === "order" && b.orders.some((o) => o.asset === "ETH"))).toHaveLength(1);
    expect(sink.metrics.statusQueries).toBe(2); // BTC's two orders, after their batch timed out
  });
});
