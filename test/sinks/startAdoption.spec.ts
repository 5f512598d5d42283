// No quote before the account is adopted: with awaitAccount (the service's setting) placements
// wait for the first account snapshot; a position inherited from an earlier session is adopted
// into the position and the PnL book (the venue's entry price), is no drift and trips nothing.
import { describe, expect, it } from "vitest";
import { Observable, Subject, VirtualTimeScheduler } from "rxjs";
import type { AccountSnapshot, OpenOrder } from "../../streams/orders.js";
import type { QuoteIntent } from "../../streams/intent.js";
import type { SchedulerLike } from "rxjs";
import { FakeVenue } from "./fakeVenue.js";
import { wiredSink } from "./sinkHarness.js";
import { ADOPT_GRACE_MS } from "../../sinks/adoptGrace.js";

/** A venue whose account already holds a position (entry 95) and whose account answers take `slowMs`. */
class InheritingVenue extends FakeVenue {
  constructor(
    scheduler: SchedulerLike,
    private readonly slowMs: number,
    private readonly leftover: OpenOrder[] = [],
  ) {
    super(scheduler);
  }
  override account(options?: { readonly openOrders?: boolean }): Observable<AccountSnapshot> {
    return new Observable<AccountSnapshot>((sub) => {
      this.accountCalls += 1;
      const withOrders = options?.openOrders !== false;
      const snap: AccountSnapshot = {
        time: this.scheduler.now(),
        accountValue: 1000,
        positions: [...this.positions].map(([asset, szi]) => ({ asset, szi, entryPx: 95, unrealizedPnl: 0 })),
        openOrders: withOrders ? [...this.leftover, ...this.open().map((o): OpenOrder => ({ asset: o.spec.asset, oid: o.oid, cloid: o.cloid, isBuy: o.spec.isBuy, px: o.spec.px, sz: o.sz, origSz: o.spec.sz, time: 0 }))] : [],
        ...(withOrders ? {} : { openOrdersIncluded: false }),
      };
      const h = this.scheduler.schedule(() => {
        sub.next(snap);
        sub.complete();
      }, this.slowMs);
      return () => h.unsubscribe();
    });
  }
}

function ladder(asset: string, mid: number): QuoteIntent {
  return { asset, time: 0, bids: [{ px: mid - 1, sz: 1, source: "base_ladder" }], asks: [{ px: mid + 1, sz: 1, source: "base_ladder" }] };
}

function setup(awaitAccount: boolean, slowMs: number, leftover: OpenOrder[] = [], adoptLeftovers = false) {
  const scheduler = new VirtualTimeScheduler(undefined, 0);
  const venue = new InheritingVenue(scheduler, slowMs, leftover);
  venue.positions.set("BTC", 3); // inherited: long 3 BTC from an earlier session
  const intents = new Subject<QuoteIntent>();
  const mids = new Subject<{ asset: string; time: number; mid: number }>();
  const { sink, seen } = wiredSink(
    venue,
    { cloidSeed: 9, awaitAccount, deadMan: false, assets: { BTC: { maxDriftUsd: 50, maxPositionUsd: 1000, maxLossUsd: 100, ...(adoptLeftovers ? { adoptLeftovers } : {}) } }, reconcile: { timeoutMs: 20_000 } },
    scheduler,
    { intents$: intents, mids$: mids },
  );
  const until = (t: number) => {
    scheduler.maxFrames = t;
    scheduler.flush();
  };
  const at = (t: number, fn: () => void) => scheduler.schedule(fn, t - scheduler.now());
  return { scheduler, venue, sink, seen, intents, mids, until, at };
}

describe("start: no quote before the account is adopted", () => {
  it("places nothing before the slow first account answer, adopts the inherited position (no drift, no trip), then quotes", () => {
    const { venue, sink, seen, intents, mids, until, at } = setup(true, 1500);
    at(1, () => {
      mids.next({ asset: "BTC", time: 1, mid: 100 });
      intents.next(ladder("BTC", 100));
    });
    until(1400);
    expect(venue.submitted.filter((b) => b.type === "order" || b.type === "batchModify")).toEqual([]);
    expect(seen.gates.at(-1)).toMatchObject({ asset: "BTC", reason: { kind: "NoDataReceived" } });
    until(5000);
    const firstPlacement = seen.all.findIndex((e) => e.type === "action" && e.action.kind === "sent" && e.action.batch.type === "order");
    expect(firstPlacement).toBeGreaterThan(-1);
    const placedAt = seen.all[firstPlacement]!.time;
    expect(placedAt).toBe(1500);
    // the quoter's position (position events) is the inherited one before the first placement
    const positionsBefore = seen.all.slice(0, firstPlacement).filter((e) => e.type === "position" && e.asset === "BTC");
    expect(positionsBefore.at(-1)).toMatchObject({ type: "position", asset: "BTC", position: 3, cause: "reconcile" });
    expect(seen.all.find((e) => e.type === "accountAdopted")).toMatchObject({ inherited: [{ asset: "BTC", position: 3, entryPx: 95 }], time: 1500 });
    expect(seen.drift).toEqual([]);
    expect(sink.metrics.driftRecords).toBe(0);
    expect(seen.kill.filter((k) => k.active)).toEqual([]);
    expect(sink.killSwitch.state.active).toBe(false);
    expect(sink.positions.position("BTC")).toBe(3);
    // the PnL book holds it at the venue's entry: 3 × (100 − 95) unrealised, nothing traded
    expect(sink.pnl.get("BTC")).toMatchObject({ position: 3, avgEntry: 95, realized: 0, fees: 0, volumeUsd: 0 });
    expect(sink.pnl.total("BTC", 100)).toBeCloseTo(15, 9);
  });

  it("without the hold (the sink's default) the same start quotes at once — the hold is what changes it", () => {
    const { venue, seen, intents, mids, until, at } = setup(false, 1500);
    at(1, () => {
      mids.next({ asset: "BTC", time: 1, mid: 100 });
      intents.next(ladder("BTC", 100));
    });
    until(1400);
    expect(venue.submitted.filter((b) => b.type === "order")).toHaveLength(1);
    until(5000);
    // still adopted as inherited, not as drift
    expect(seen.drift).toEqual([]);
    expect(seen.kill.filter((k) => k.active)).toEqual([]);
  });

  it("cancels go while placements wait: a leftover order of an earlier session is cancelled once the account shows it", () => {
    const leftover: OpenOrder = { asset: "BTC", oid: 77, cloid: "0x000000000000000100000000000000aa", isBuy: true, px: 90, sz: 1, origSz: 1, time: 0 };
    const { venue, seen, intents, until, at } = setup(true, 800, [leftover]);
    at(1, () => intents.next(ladder("BTC", 100)));
    until(5000);
    const kinds = venue.submitted.map((b) => b.type);
    expect(kinds.indexOf("cancel")).toBeGreaterThan(-1);
    expect(seen.reconciles[0]!.orphansCancelled).toEqual([77]);
    expect(kinds.filter((k) => k === "order")).toHaveLength(1);
  });

  it("reconciliation.leftoverOrders: adopt — an earlier session's order on the ladder's level is kept, not cancelled and placed again", () => {
    const leftover: OpenOrder = { asset: "BTC", oid: 77, cloid: "0x000000000000000100000000000000aa", isBuy: true, px: 99, sz: 1, origSz: 1, time: 0 };
    const other: OpenOrder = { asset: "ETH", oid: 78, cloid: "0x000000000000000100000000000000ab", isBuy: true, px: 50, sz: 1, origSz: 1, time: 0 };
    const { venue, seen, sink, intents, until, at } = setup(true, 800, [leftover, other], true);
    at(1, () => intents.next(ladder("BTC", 100)));
    until(5000);
    // adopted at the first snapshot; the unconfigured asset's order is still an orphan
    expect(seen.reconciles[0]!.ordersAdopted).toEqual([77]);
    expect(seen.reconciles[0]!.orphansCancelled).toEqual([78]);
    const cancelled = venue.submitted.flatMap((b): (number | string)[] => (b.type === "cancel" ? b.cancels.map((c) => c.oid) : b.type === "cancelByCloid" ? b.cancels.map((c) => c.cloid) : []));
    expect(cancelled).not.toContain(77);
    expect(cancelled).not.toContain(leftover.cloid);
    // the first ladder keeps the adopted bid (bid 99, ask 101): only the ask is placed
    const placed = venue.submitted.flatMap((b) => (b.type === "order" ? b.orders : []));
    expect(placed.map((o) => [o.isBuy, o.px])).toEqual([[false, 101]]);
    expect(sink.liveOrders("BTC").map((o) => [o.cloid, o.isBuy, o.px]).sort()).toEqual([[leftover.cloid, true, 99], [placed[0]!.cloid, false, 101]].sort());
    expect(sink.metrics.ordersAdopted).toBe(1);
  });

  it("adopted orders wait out a fresh pipeline's NoDataReceived for the grace, then go; any other closed gate cancels them at once", () => {
    const leftover: OpenOrder = { asset: "BTC", oid: 77, cloid: "0x000000000000000100000000000000aa", isBuy: true, px: 99, sz: 1, origSz: 1, time: 0 };
    const cancelsOf = (v: FakeVenue) => v.submitted.filter((b) => b.type === "cancel" || b.type === "cancelByCloid").length;
    // NoDataReceived (the pipeline has not heard yet), then the first open ladder: kept, nothing cancelled
    const a = setup(true, 800, [leftover], true);
    a.at(1, () => a.intents.next({ asset: "BTC", time: 1, bids: [], asks: [], reason: { kind: "NoDataReceived" } }));
    a.at(2000, () => a.intents.next(ladder("BTC", 100)));
    a.until(5000);
    expect(a.seen.reconciles[0]!.ordersAdopted).toEqual([77]);
    expect(cancelsOf(a.venue)).toBe(0);
    expect(a.sink.liveOrders("BTC").map((o) => o.cloid)).toContain(leftover.cloid);
    // NoDataReceived that lasts: cancelled once the grace (ADOPT_GRACE_MS) is over
    const b = setup(true, 800, [leftover], true);
    b.at(1, () => b.intents.next({ asset: "BTC", time: 1, bids: [], asks: [], reason: { kind: "NoDataReceived" } }));
    b.until(800 + ADOPT_GRACE_MS - 100);
    expect(cancelsOf(b.venue)).toBe(0);
    b.until(800 + ADOPT_GRACE_MS + 1000);
    expect(cancelsOf(b.venue)).toBe(1);
    // a stale-data gate is no grace: cancelled at adoption
    const c = setup(true, 800, [leftover], true);
    c.at(1, () => c.intents.next({ asset: "BTC", time: 1, bids: [], asks: [], reason: { kind: "StaleData", ageMs: 20_000, thresholdMs: 10_000 } }));
    c.until(1500);
    expect(cancelsOf(c.venue)).toBe(1);
  });

  it("a later drift is still drift: after adoption a position the venue changed behind our back is recorded", () => {
    const { venue, seen, intents, mids, until, at } = setup(true, 100);
    at(1, () => {
      mids.next({ asset: "BTC", time: 1, mid: 100 });
      intents.next(ladder("BTC", 100));
    });
    until(1000);
    venue.positions.set("BTC", 3.2);
    until(7000);
    expect(seen.drift.map((d) => [d.asset, +d.drift.toFixed(9)])).toEqual([["BTC", 0.2]]);
  });
});
