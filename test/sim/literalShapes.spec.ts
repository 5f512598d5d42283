// Objects the paper venue builds per order and per market trade are written field by field
// instead of `{ ...x, newKey }` (in Node 20's V8 such a literal gets a hidden class of its own per
// object). Property: they have the same keys, in the same order, and the same values as the
// spread form they replace.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SimAssetBook } from "../../sim/assetBook.js";
import { PaperExchange, PaperVenue, SIM_MARKET_ADDRESS, replayMarket, simReplayScheduler, type SimFeedEvent } from "../../sim/index.js";
import { ALICE, T0, book, order, trade } from "./helpers.js";

const resting = fc.record({
  oid: fc.integer({ min: 1 }),
  cloid: fc.oneof(fc.constant(null), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((h) => `0x${h.toString(16).padStart(32, "0")}`)),
  user: fc.constantFrom(ALICE, "0xb0b"),
  asset: fc.constantFrom("BTC", "ETH"),
  isBuy: fc.boolean(),
  px: fc.integer({ min: 95, max: 105 }),
  sz: fc.double({ min: 0.001, max: 3, noNaN: true }),
  origSz: fc.double({ min: 0.001, max: 3, noNaN: true }),
  tif: fc.constantFrom("Gtc" as const, "Alo" as const, "Ioc" as const),
  reduceOnly: fc.boolean(),
  time: fc.integer({ min: 0 }),
  seq: fc.nat(),
});

describe("literal shapes", () => {
  it("a resting order has the spread form's keys, order and values", () => {
    fc.assert(
      fc.property(fc.array(resting, { minLength: 1, maxLength: 6 }), (orders) => {
        const b = new SimAssetBook("BTC", 3);
        b.applyBook(book(1, [[100, 2], [99, 1]], [[101, 2], [102, 1]]));
        for (const o of orders) {
          const ahead = b.marketQty(o.isBuy, o.px);
          const got = b.rest(o);
          expect(Object.entries(got)).toStrictEqual(Object.entries({ ...o, ahead, tradedSinceBook: 0 }));
        }
      }),
      { numRuns: 300, seed: 19 },
    );
  });

  it("a market trade is published with the spread form's keys, order and values", () => {
    const trades = [trade(T0 + 10, "buy", 101, 0.5), trade(T0 + 20, "sell", 100, 0.25)];
    const scheduler = simReplayScheduler(T0);
    const ex = new PaperExchange({ market: replayMarket({ books: [book(T0, [[100, 2]], [[101, 2]])], trades }, { inferTakers: false }), scheduler, seed: 7 });
    const seen: SimFeedEvent[] = [];
    ex.feed$.subscribe((e) => seen.push(e));
    ex.start();
    scheduler.flush();
    const published = seen.flatMap((e) => (e.kind === "trades" ? e.trades : []));
    expect(published.map((t) => Object.entries(t))).toStrictEqual(trades.map((t) => Object.entries({ ...t, users: [SIM_MARKET_ADDRESS, SIM_MARKET_ADDRESS], hash: "0x" + "0".repeat(64) })));
  });

  it("an IOC order's update has the spread form's keys and order", () => {
    const scheduler = simReplayScheduler(T0);
    const venue = new PaperVenue({ market: replayMarket({ books: [book(T0, [[100, 2]], [[101, 0.5]]), book(T0 + 5_000, [[100, 2]], [[101, 0.5]])] }, { inferTakers: false }), scheduler, seed: 7, user: ALICE });
    scheduler.schedule(() => {
      venue.submit({ type: "order", orders: [order(99, 0.5, true, "Ioc", 1)] }).subscribe(); // nothing to take: iocCancelRejected
      venue.submit({ type: "order", orders: [order(101, 1, true, "Ioc", 2)] }).subscribe(); // half filled: canceled
    }, 10);
    scheduler.flush();
    const keys = ["oid", "cloid", "asset", "isBuy", "px", "origSz", "sz", "status", "time"];
    const orders = venue.exchange.truth(ALICE).orders;
    expect(orders.map((u) => u.status)).toEqual(["iocCancelRejected", "canceled"]);
    for (const u of orders) expect(Object.keys(u)).toEqual(keys);
  });
});
