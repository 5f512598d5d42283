// Zero-weight reconciliation over loopback: the live client (HyperliquidVenue) subscribes to the
// paper server's WS clearinghouseState + openOrders pushes (FACTS §13 shapes), exposes them as
// paired account snapshots, and the execution sink adopts them — no REST snapshot in between.
import { afterEach, describe, expect, it } from "vitest";
import { Wallet } from "ethers";
import { NEVER, Observable, filter, firstValueFrom, take, tap, timeout, toArray, type Subscription } from "rxjs";
import { HyperliquidVenue } from "../../../sources/hyperliquid/index.js";
import { startPaperServer, syntheticMarket, type PaperServer } from "../../../sim/index.js";
import { ExecutionSink, type SinkEvent } from "../../../sinks/executionSink.js";
import type { AccountSnapshot, Venue } from "../../../streams/index.js";
import { order } from "../../sim/helpers.js";

const KEY = "0x" + "55".repeat(32); // test-only key
const ADDR = new Wallet(KEY).address.toLowerCase();

let server: PaperServer | undefined;
const venues: HyperliquidVenue[] = [];
const subs: Subscription[] = [];
afterEach(async () => {
  for (const s of subs.splice(0)) s.unsubscribe();
  for (const v of venues.splice(0)) await v.close();
  await server?.close();
  server = undefined;
});

async function setup(statePushMs: number): Promise<HyperliquidVenue> {
  const market = syntheticMarket({ assets: [{ name: "BTC", startPx: 100_000 }], seed: 3, bookIntervalMs: 200, uninformedPerSec: 0, informedPerSec: 0 });
  server = await startPaperServer({ market, seed: 3, faults: "none", statePushMs });
  const venue = new HyperliquidVenue({ baseUrl: server.url, wallet: KEY, userAddress: ADDR });
  venues.push(venue);
  return venue;
}

/** The venue with its REST account() calls counted (a delegating object: the venue keeps #private state). */
function counted(venue: HyperliquidVenue): { venue: Venue; restCalls: () => number } {
  let calls = 0;
  const v: Venue = {
    name: venue.name,
    meta: () => venue.meta(),
    book: (a) => venue.book(a),
    trades: (a) => venue.trades(a),
    orderUpdates$: venue.orderUpdates$,
    fills$: venue.fills$,
    connection$: venue.connection$,
    decodeErrors$: venue.decodeErrors$,
    accountPushes$: venue.accountPushes$,
    submit: (b) => venue.submit(b),
    account: (o) => new Observable<AccountSnapshot>((sub) => {
      calls += 1;
      return venue.account(o).subscribe(sub);
    }),
    orderStatus: (r) => venue.orderStatus(r),
    rateLimit: () => venue.rateLimit(),
  };
  return { venue: v, restCalls: () => calls };
}

describe("account pushes from the paper server (live client, loopback)", () => {
  it("the client receives clearinghouseState + openOrders pushes as one snapshot, our order with its cloid in it", async () => {
    const venue = await setup(300);
    const errors: string[] = [];
    subs.push(venue.decodeErrors$.subscribe((e) => errors.push(`${e.source}: ${e.message}`)));
    const first = await firstValueFrom(venue.accountPushes$.pipe(timeout(10_000)));
    expect(first).toMatchObject({ accountValue: 100_000, positions: [], openOrders: [] });
    const placed = await firstValueFrom(venue.submit({ type: "order", orders: [order(99_000, 0.001, true, "Alo", 11)] }));
    expect(placed.ok && placed.type === "order" && placed.statuses[0]?.kind).toBe("resting");
    const withOrder = await firstValueFrom(venue.accountPushes$.pipe(filter((s) => s.openOrders.length > 0), timeout(10_000)));
    expect(withOrder.openOrders).toMatchObject([{ asset: "BTC", cloid: order(0, 0, true, "Alo", 11).cloid, isBuy: true, px: 99_000, sz: 0.001 }]);
    // pushes keep coming at the server's cadence, each one paired
    const three = await firstValueFrom(venue.accountPushes$.pipe(take(3), toArray(), timeout(10_000)));
    expect(three.every((s) => s.openOrders.length === 1 && typeof s.time === "number")).toBe(true);
    expect(errors).toEqual([]);
  });

  it("the sink adopts the pushes (an orphan is cancelled on a push) with no REST snapshot between", async () => {
    const live = await setup(300);
    const { venue, restCalls } = counted(live);
    // a 500 ms REST poll: without pushes there would be several REST snapshots in the window below
    const sink = new ExecutionSink(venue, { cloidSeed: 9, deadMan: false, reconcile: { intervalMs: 500, safetyPollMs: 60_000 } });
    const events: SinkEvent[] = [];
    subs.push(sink.events$.subscribe((e) => events.push(e)));
    subs.push(sink.connect({ intents$: NEVER, fills$: NEVER }));
    // start-up: the first periodic REST sync (before any push) and the one the connection's opening
    // asks for (trigger "reconnect"); pushes are adopted meanwhile
    await firstValueFrom(sink.events$.pipe(filter((e) => e.type === "reconcile" && e.report.trigger === "reconnect"), timeout(10_000)));
    // and a push adopted (the pushes live: from here a poll tick is skipped, however late the
    // loaded machine delivered the first push)
    const pushed = (e: SinkEvent) => e.type === "reconcile" && e.report.trigger === "push";
    if (!events.some(pushed)) await firstValueFrom(sink.events$.pipe(filter(pushed), timeout(10_000)));
    const restBefore = restCalls();
    const syncsBefore = events.filter((e) => e.type === "syncStarted").length;
    // an order the sink never placed: the next push lists it and the sink cancels it as an orphan
    const placed = await firstValueFrom(live.submit({ type: "order", orders: [order(99_000, 0.001, true, "Alo", 12)] }));
    const oid = placed.ok && placed.type === "order" && placed.statuses[0]?.kind === "resting" ? placed.statuses[0].oid : -1;
    expect(oid).toBeGreaterThan(0);
    const reports = await firstValueFrom(
      sink.events$.pipe(
        filter((e): e is Extract<SinkEvent, { type: "reconcile" }> => e.type === "reconcile"),
        tap((e) => expect(e.report.trigger).toBe("push")),
        filter((e) => e.report.orphansCancelled.includes(oid)),
        timeout(10_000),
      ),
    );
    expect(reports.report).toMatchObject({ trigger: "push", orphansCancelled: [oid] });
    // the cancel lands on the venue, and a later push no longer lists the order
    await firstValueFrom(live.accountPushes$.pipe(filter((s) => s.openOrders.every((o) => o.oid !== oid)), timeout(10_000)));
    expect(restCalls()).toBe(restBefore);
    expect(events.filter((e) => e.type === "syncStarted")).toHaveLength(syncsBefore);
    expect(sink.metrics.accountPushes).toBeGreaterThanOrEqual(2);
  });
});
