// reserveRequestWeight at the paper venue (sim/reserveWeight.ts): 0.0005 USDC a request, paid from
// what the account could withdraw (account value less position margin), credited to the address
// budget; refused — with no change at all — when that cannot pay or the weight is not a positive
// integer. The in-process venue takes it as an ActionBatch: IP weight 1 and one address request,
// but never refused for the address budget (it is the way out of an exhausted one).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { BatchResult } from "../../streams/actions.js";
import { PaperVenue, replayMarket, simReplayScheduler } from "../../sim/index.js";
import { SIM_RESERVE_FUNDS_TEXT, SIM_RESERVE_WEIGHT_TEXT, simReserveRequestWeight, simWithdrawable } from "../../sim/reserveWeight.js";
import { ALICE, T0, book, order } from "./helpers.js";

function venueWith(balance: number, addressInitialBuffer?: number) {
  const scheduler = simReplayScheduler(T0);
  const venue = new PaperVenue({
    market: replayMarket({ books: [book(T0, [[100, 50]], [[101, 50]]), book(T0 + 60_000, [[100, 50]], [[101, 50]])] }, { inferTakers: false }),
    scheduler,
    user: ALICE,
    startingBalance: balance,
    ...(addressInitialBuffer !== undefined ? { addressInitialBuffer } : {}),
  });
  return { scheduler, venue, acct: venue.exchange.account(ALICE) };
}

describe("reserveRequestWeight at the paper venue", () => {
  it("charges exactly 0.0005 USDC a request and credits the budget (surplus in userRateLimit)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2_000_000 }), (weight) => {
        const { venue, acct } = venueWith(1000);
        const refusal = simReserveRequestWeight(venue.exchange, acct, weight);
        expect(refusal).toBeUndefined();
        expect(1000 - acct.balance).toBeCloseTo(weight * 0.0005, 9);
        expect(acct.budget.reserved).toBe(weight);
        expect(acct.budget.snapshot().nRequestsSurplus).toBe(weight);
      }),
      { numRuns: 100 },
    );
  });

  it("pays from withdrawable, not cash: margin held by a position cannot buy requests", () => {
    const { scheduler, venue, acct } = venueWith(20);
    const out: BatchResult[] = [];
    // an IOC buy of 1.5 at 101: a position of ~151.5 notional, margin 7.6 at the default 20× leverage
    scheduler.schedule(() => venue.submit({ type: "order", orders: [order(101, 1.5, true, "Ioc", 1)] }).subscribe((r) => out.push(r)), 10);
    scheduler.maxFrames = T0 + 1000;
    scheduler.flush();
    expect(out[0]).toMatchObject({ ok: true, statuses: [{ kind: "filled" }] });
    const free = simWithdrawable(venue.exchange, ALICE);
    expect(free).toBeLessThan(acct.balance);
    const tooMany = Math.ceil((free + 0.01) / 0.0005);
    const before = { balance: acct.balance, reserved: acct.budget.reserved };
    expect(tooMany * 0.0005).toBeLessThan(acct.balance);
    expect(simReserveRequestWeight(venue.exchange, acct, tooMany)).toBe(SIM_RESERVE_FUNDS_TEXT);
    expect({ balance: acct.balance, reserved: acct.budget.reserved }).toEqual(before);
    expect(simReserveRequestWeight(venue.exchange, acct, Math.floor(free / 0.0005))).toBeUndefined();
  });

  it("refuses a weight that is not a positive integer, changing nothing", () => {
    const { venue, acct } = venueWith(1000);
    for (const w of [0, -5, 1.5, Number.NaN]) expect(simReserveRequestWeight(venue.exchange, acct, w)).toBe(SIM_RESERVE_WEIGHT_TEXT);
    expect(acct.balance).toBe(1000);
    expect(acct.budget.reserved).toBe(0);
  });

  it("in-process it is one address request the budget never refuses: a rate-limited address buys at once", () => {
    const { scheduler, venue, acct } = venueWith(1000, 2);
    const out: Array<[number, BatchResult]> = [];
    const send = (at: number, b: Parameters<typeof venue.submit>[0]) => scheduler.schedule(() => venue.submit(b).subscribe((r) => out.push([scheduler.now() - T0, r])), at);
    send(10, { type: "order", orders: [order(90, 1, true, "Alo", 1)] });
    send(11, { type: "order", orders: [order(91, 1, true, "Alo", 2)] });
    send(12, { type: "order", orders: [order(92, 1, true, "Alo", 3)] }); // over the cap: refused, the limited regime starts
    send(13, { type: "reserveRequestWeight", weight: 1000 }); // bought at once, counted
    send(14, { type: "order", orders: [order(93, 1, true, "Alo", 4)] }); // room again: accepted at once
    scheduler.maxFrames = T0 + 20_000;
    scheduler.flush();
    expect(out.map(([, r]) => (r.ok ? r.type : r.error.slice(0, 28)))).toEqual(["order", "order", "Too many cumulative requests", "reserveRequestWeight", "order"]);
    expect(acct.budget.reserved).toBe(1000);
    expect(1000 - acct.balance).toBeCloseTo(0.5, 9);
    expect(venue.truth().rateLimit).toMatchObject({ nRequestsCap: 2, nRequestsSurplus: 1000 - 4 });
  });
});
