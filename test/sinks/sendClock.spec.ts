// The wait for an answer starts when the executor sends, not when the order is recorded: a
// placement queued behind a busy slot (coalescer, throttle, send queue) still pauses its asset when
// it waits too long, but the venue is never asked about an order it cannot know yet.
import { describe, expect, it } from "vitest";
import { Subject, VirtualTimeScheduler } from "rxjs";
import { OrderStore } from "../../sinks/orderStore.js";
import type { QuoteIntent } from "../../streams/intent.js";
import { FakeVenue } from "./fakeVenue.js";
import { FACTS, cloidOf, spec } from "./helpers.js";
import { wiredSink } from "./sinkHarness.js";

describe("OrderStore: the stale clock starts at the send", () => {
  it("an unsent placement goes stale (its asset pauses) but is never asked about", () => {
    const s = new OrderStore({ staleAfterMs: 5000 });
    s.registerPlacement(spec(1), FACTS, 0);
    expect(s.sweepStale(6000)).toEqual([]);
    expect(s.get(cloidOf(1))).toMatchObject({ state: "pending-new", stale: true, sentAt: null });
    expect(s.gateReason("BTC", 6000)).toMatchObject({ kind: "OrderStale", cloid: cloidOf(1) });
  });

  it("a sent placement is asked about staleAfterMs after its send, not after its creation", () => {
    const s = new OrderStore({ staleAfterMs: 5000 });
    s.registerPlacement(spec(1), FACTS, 0);
    s.noteSent({ type: "order", orders: [spec(1)] }, 3000);
    expect(s.get(cloidOf(1))).toMatchObject({ sentAt: 3000, lastEventAt: 3000, stale: false });
    expect(s.sweepStale(7999)).toEqual([]);
    expect(s.gateReason("BTC", 7999)).toBeUndefined();
    expect(s.sweepStale(8000)).toEqual([cloidOf(1)]);
  });

  it("a cancel's wait starts at its send too (by OID and by CLOID)", () => {
    const s = new OrderStore({ staleAfterMs: 5000 });
    for (const n of [1, 2]) {
      s.registerPlacement(spec(n, { px: 100 - n }), FACTS, 0);
      s.applyOrderResult(cloidOf(n), { kind: "resting", oid: 10 + n }, 10);
      expect(s.requestCancel(cloidOf(n), 100)).toBe(true);
    }
    s.noteSent({ type: "cancel", cancels: [{ asset: "BTC", oid: 11 }] }, 4000);
    s.noteSent({ type: "cancelByCloid", cancels: [{ asset: "BTC", cloid: cloidOf(2) }] }, 4500);
    expect(s.sweepStale(8999)).toEqual([]);
    expect(s.sweepStale(9000)).toEqual([cloidOf(1)]);
    s.noteStatusQuery(cloidOf(1), 9000);
    expect(s.sweepStale(9500)).toEqual([cloidOf(2)]);
  });

  it("a send changes no state and ignores orders it does not know or that ended", () => {
    const s = new OrderStore();
    s.registerPlacement(spec(1), FACTS, 0);
    s.applyOrderResult(cloidOf(1), { kind: "rejected", code: "Other", error: "x" }, 5);
    s.noteSent({ type: "order", orders: [spec(1), spec(9)] }, 10);
    expect(s.get(cloidOf(1))).toMatchObject({ state: "rejected", sentAt: null, lastEventAt: 5 });
    expect(s.get(cloidOf(9))).toBeUndefined();
  });

  it("the duplicate-price check and the per-asset queries see only their asset's orders", () => {
    const s = new OrderStore();
    expect(s.registerPlacement(spec(1, { asset: "BTC", px: 100 }), FACTS, 0).ok).toBe(true);
    expect(s.registerPlacement(spec(2, { asset: "ETH", px: 100 }), FACTS, 0).ok).toBe(true);
    expect(s.registerPlacement(spec(3, { asset: "BTC", px: 100 }), FACTS, 0)).toMatchObject({ ok: false, refusal: { kind: "DuplicatePrice", existing: cloidOf(1) } });
    expect(s.open("ETH").map((o) => o.cloid)).toEqual([cloidOf(2)]);
    s.applyOrderResult(cloidOf(2), { kind: "resting", oid: 7 }, 1);
    expect(s.restingOrders("ETH").map((o) => o.cloid)).toEqual([cloidOf(2)]);
    expect(s.restingOrders("BTC")).toEqual([]);
    s.applyOrderResult(cloidOf(1), { kind: "rejected", code: "Other", error: "x" }, 1);
    expect(s.prune(1 + s.retentionMs)).toBe(1);
    expect(s.open("BTC")).toEqual([]);
    expect(s.registerPlacement(spec(3, { asset: "BTC", px: 100 }), FACTS, 1 + s.retentionMs).ok).toBe(true);
  });
});

describe("ExecutionSink: no orderStatus for an order still in the send queue", () => {
  it("placements queued behind a lost answer pause their asset and are dropped, but are never asked about", () => {
    const scheduler = new VirtualTimeScheduler(undefined, 0);
    const venue = new FakeVenue(scheduler);
    venue.knobs.latencyMs = 100;
    venue.knobs.swallow = 1; // BTC's placement gets no answer: the only slot is held until the 5 s timeout
    const intents = new Subject<QuoteIntent>();
    const { seen } = wiredSink(venue, { cloidSeed: 3, executor: { maxInFlight: 1, timeoutMs: 5000 }, orderStore: { staleAfterMs: 500 }, deadMan: false }, scheduler, { intents$: intents });
    const ladder = (asset: string, mid: number): QuoteIntent => ({ asset, time: 0, bids: [{ px: mid - 1, sz: 1, source: "base_ladder" }], asks: [{ px: mid + 1, sz: 1, source: "base_ladder" }] });
    // every query's CLOIDs, against what had been sent when it was asked
    const sentBefore = new Set<string>();
    const asked: { cloid: string; sent: boolean }[] = [];
    const query = venue.orderStatus.bind(venue);
    venue.orderStatus = (ref) => {
      if ("cloid" in ref) asked.push({ cloid: ref.cloid, sent: sentBefore.has(ref.cloid) });
      return query(ref);
    };
    const submit = venue.submit.bind(venue);
    venue.submit = (batch) => {
      if (batch.type === "order") for (const o of batch.orders) sentBefore.add(o.cloid);
      return submit(batch);
    };
    scheduler.schedule(() => intents.next(ladder("BTC", 100)), 1);
    scheduler.schedule(() => intents.next(ladder("ETH", 50)), 2);
    scheduler.maxFrames = 20_000;
    scheduler.flush();
    const dropped = seen.all.filter((e) => e.type === "dropped");
    expect(dropped.length).toBeGreaterThan(0); // the queued ETH placements went stale and were dropped
    expect(asked.length).toBeGreaterThan(0); // BTC's lost placement was asked about
    expect(asked.filter((q) => !q.sent)).toEqual([]);
  });
});
