// Pushed account snapshots (Venue.accountPushes$: Hyperliquid's WS clearinghouseState + openOrders)
// adopted by the sink through the polled path (accountSync.ts): venue truth wins, fills in flight
// neither lost nor double-counted; while pushes arrive the periodic REST poll is a safety poll;
// an HTTP 429 on a snapshot backs REST syncs off. Virtual time.
import { describe, expect, it } from "vitest";
import { Observable, Subject, VirtualTimeScheduler, identity } from "rxjs";
import type { ExecutionSinkConfig } from "../../sinks/executionSink.js";
import type { ThrottleFactory } from "../../sinks/executor.js";
import type { QuoteIntent } from "../../streams/intent.js";
import type { AccountSnapshot, OpenOrder } from "../../streams/orders.js";
import type { VenueFill } from "../../streams/fill.js";
import { FakeVenue } from "./fakeVenue.js";
import { wiredSink } from "./sinkHarness.js";

/** FakeVenue plus the optional push stream of the Venue contract, and REST answers that can be 429s. */
class PushingVenue extends FakeVenue {
  readonly pushes = new Subject<AccountSnapshot>();
  readonly accountPushes$ = this.pushes.asObservable();
  http429 = 0;

  /** What the venue pushes: its positions (or `positions`, the state at an earlier `time`) and open orders. */
  push(time = this.scheduler.now(), positions: ReadonlyMap<string, number> = this.positions): void {
    this.pushes.next({
      time,
      accountValue: 1000,
      positions: [...positions].map(([asset, szi]) => ({ asset, szi, entryPx: 100, unrealizedPnl: 0 })),
      openOrders: [...this.orders.values()].map((o): OpenOrder => ({ asset: o.spec.asset, oid: o.oid, cloid: o.cloid, isBuy: o.spec.isBuy, px: o.spec.px, sz: o.sz, origSz: o.spec.sz, time: 0 })),
    });
  }

  override account(options?: { readonly openOrders?: boolean }): Observable<AccountSnapshot> {
    if (this.http429 === 0) return super.account(options);
    this.http429 -= 1;
    this.accountCalls += 1;
    this.accountRequests.push({ time: this.scheduler.now(), openOrders: options?.openOrders !== false });
    return new Observable<AccountSnapshot>((sub) => {
      const h = this.scheduler.schedule(() => sub.error(new Error("HTTP 429: null")), this.knobs.latencyMs);
      return () => h.unsubscribe();
    });
  }
}

function intent(mid: number): QuoteIntent {
  return { asset: "BTC", time: 0, bids: [{ px: mid * 0.999, sz: 1, source: "base_ladder" }], asks: [{ px: mid * 1.001, sz: 1, source: "base_ladder" }] };
}

function setup(config: Partial<ExecutionSinkConfig> = {}) {
  const scheduler = new VirtualTimeScheduler(undefined, 0);
  const venue = new PushingVenue(scheduler);
  const intents = new Subject<QuoteIntent>();
  const charged: number[] = [];
  const recording: ThrottleFactory = (feedback) => {
    feedback.infoWeight$?.subscribe((w) => charged.push(w));
    return identity;
  };
  const { sink, seen } = wiredSink(venue, { cloidSeed: 3, executor: { timeoutMs: 2000, throttle: recording }, deadMan: false, ...config }, scheduler, { intents$: intents });
  const until = (t: number) => {
    scheduler.maxFrames = t;
    scheduler.flush();
  };
  const at = (t: number, fn: () => void) => scheduler.schedule(fn, t - scheduler.now());
  const pushEvery = (fromMs: number, toMs: number, periodMs = 4500) => {
    for (let t = fromMs; t <= toMs; t += periodMs) at(t, () => venue.push());
  };
  const syncs = () => seen.all.flatMap((e) => (e.type === "syncStarted" ? [e] : []));
  return { scheduler, venue, sink, intents, seen, until, at, pushEvery, charged, syncs };
}

describe("account pushes (zero REST weight)", () => {
  it("adopts pushes like polled snapshots and turns the 3 s REST poll into a 60 s safety poll", () => {
    const { venue, seen, until, pushEvery, charged, syncs } = setup({ reconcile: { intervalMs: 3000, safetyPollMs: 60_000 } });
    pushEvery(500, 130_000);
    until(130_000);
    // REST: the first periodic sync at 0 (before any push) and then one safety poll a minute
    expect(venue.accountRequests.map((r) => r.time)).toEqual([0, 60_000, 120_000]);
    expect(syncs().map((s) => s.trigger)).toEqual(["periodic", "periodic", "periodic"]);
    // every push was adopted (29 of them), as a reconcile with trigger "push"
    const pushed = seen.reconciles.filter((r) => r.trigger === "push");
    expect(pushed).toHaveLength(29);
    expect(pushed.every((r) => r.openOrdersIncluded)).toBe(true);
    // IP weight charged to the throttle: only the REST snapshots (2 + 20 each), nothing for a push
    expect(charged).toEqual([22, 22, 22]);
  });

  it("falls back to the 3 s poll when the pushes stop, and back to the safety poll when they resume", () => {
    const { venue, until, pushEvery } = setup({ reconcile: { intervalMs: 3000, safetyPollMs: 60_000, pushStaleMs: 15_000 } });
    pushEvery(500, 20_000);
    until(40_000);
    // last push at 18 500: live until 33 500; the poll at 0, then 36 000 and 39 000
    expect(venue.accountRequests.map((r) => r.time)).toEqual([0, 36_000, 39_000]);
    pushEvery(40_500, 70_000);
    until(70_000);
    expect(venue.accountRequests.map((r) => r.time)).toEqual([0, 36_000, 39_000]);
  });

  it("a poll tick while a sync is in flight is answered by that sync: not queued, not re-run past the pushes", () => {
    const { venue, until, pushEvery, syncs } = setup({ reconcile: { intervalMs: 500, safetyPollMs: 60_000 } });
    venue.knobs.latencyMs = 1200; // the first snapshot is in flight over two poll ticks (500, 1000)
    pushEvery(700, 10_000, 300); // the first push comes after the tick at 500
    until(10_000);
    // the tick at 500 came while the first sync was in flight, before any push; pushes were live when it ended
    expect(venue.accountRequests.map((r) => r.time)).toEqual([0]);
    expect(syncs().map((s) => s.trigger)).toEqual(["periodic"]);
  });

  it("without pushes, a poll tick while a sync is in flight waits for the next tick", () => {
    const { venue, until } = setup({ reconcile: { intervalMs: 500 } });
    venue.knobs.latencyMs = 1200;
    until(4000);
    // in flight 0–1200 (ticks 500, 1000 answered by it), 1500–2700 (2000, 2500), 3000–
    expect(venue.accountRequests.map((r) => r.time)).toEqual([0, 1500, 3000]);
  });

  it("a push cancels an orphan and questions a lost order, as a polled snapshot does", () => {
    const { venue, sink, intents, seen, until, at, pushEvery } = setup({ reconcile: { intervalMs: 3000, safetyPollMs: 60_000 } });
    intents.next(intent(100));
    until(100);
    expect(venue.open()).toHaveLength(2);
    const lost = venue.open().find((o) => o.spec.isBuy)!;
    pushEvery(500, 14_000); // pushes at 500, 5000, 9500 (and 14 000)
    at(6000, () => venue.orders.delete(lost.oid)); // gone without an update
    // an order the sink never placed (another process, a previous session)
    at(6000, () => venue.orders.set(77, { oid: 77, cloid: "0x" + "ab".repeat(16), spec: { asset: "BTC", isBuy: false, px: 200, sz: 1, tif: "Alo", reduceOnly: false, cloid: "0x" + "ab".repeat(16) }, sz: 1 } as never));
    until(10_000);
    const first = seen.reconciles.filter((r) => r.trigger === "push").find((r) => r.snapshotTime === 9500)!;
    expect(first.orphansCancelled).toEqual([77]);
    expect(first.missingQueried).toEqual([lost.cloid]);
    expect(sink.store.get(lost.cloid)?.state).toBe("cancelled");
    expect(venue.orders.has(77)).toBe(false);
    // and no REST snapshot between the first sync and now
    expect(venue.accountRequests.map((r) => r.time)).toEqual([0]);
  });

  it("a fill in flight is neither lost nor double-counted across a push", () => {
    const { venue, sink, intents, seen, until, at } = setup({ reconcile: { intervalMs: 3000, safetyPollMs: 60_000 } });
    intents.next(intent(100));
    until(100);
    const bid = venue.open().find((o) => o.spec.isBuy)!;
    // the venue fills at 2000 and pushes a state taken at 1999 (before the fill) that arrives after it
    at(2000, () => venue.fill(bid.oid, 0.4));
    at(2100, () => venue.push(1999, new Map([["BTC", 0]])));
    // then a state taken after the fill
    at(4000, () => venue.push(4000));
    until(5000);
    const fills: VenueFill[] = venue.fillsSent;
    expect(fills).toHaveLength(1);
    expect(seen.reconciles.filter((r) => r.trigger === "push")).toHaveLength(2);
    expect(seen.drift).toEqual([]);
    expect(sink.positions.position("BTC")).toBeCloseTo(0.4, 12);
  });

  it("a position move asks REST only while no pushes arrive (a push brings the position within ~4.5 s)", () => {
    const run = (pushing: boolean) => {
      const { venue, intents, until, at, pushEvery, syncs } = setup({ defaults: { maxPositionUsd: 100 }, reconcile: { intervalMs: 3000, safetyPollMs: 60_000 } });
      if (pushing) pushEvery(500, 5000);
      intents.next(intent(100));
      until(1000);
      const bid = venue.open().find((o) => o.spec.isBuy)!;
      at(1500, () => venue.fill(bid.oid, 0.4)); // 40 USD of a 100 USD max position: above the 5% trigger
      until(2500);
      return syncs().map((e) => e.trigger);
    };
    expect(run(false)).toEqual(["periodic", "positionChange"]);
    expect(run(true)).toEqual(["periodic"]);
  });

  it("an HTTP 429 on a snapshot is counted and backs the REST syncs off (doubling), then resets on success", () => {
    const { venue, sink, seen, until } = setup({ reconcile: { intervalMs: 3000 } });
    venue.http429 = 2;
    until(30_000);
    // 0: 429 (answered at 10) → none before 6010, the 3 s poll's next turn is 9000: 429 → none
    // before 21 010 (doubled); 24 000 answers and resets the backoff: every 3 s again
    expect(venue.accountRequests.map((r) => r.time)).toEqual([0, 9000, 24_000, 27_000, 30_000]);
    expect(sink.metrics.reconcileRateLimited).toBe(2);
    expect(seen.all.filter((e) => e.type === "reconcileFailed").map((e) => (e.type === "reconcileFailed" ? e.error : ""))).toEqual(["HTTP 429: null", "HTTP 429: null"]);
  });
});
