// The paper venue's published book (SimAssetBook.displayed) is a merge of two sorted lists in the
// usual case; property: it equals the general map + sort path (kept here as the reference) for any
// market side — sorted or not, duplicate prices, empty — any resting orders and any consumption.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SimAssetBook } from "../../sim/assetBook.js";
import type { BookEvent, BookLevel } from "../../streams/market.js";

const EPS = 1e-9;

function reference(book: SimAssetBook, isBid: boolean): BookLevel[] {
  const market = (isBid ? book.market?.bids : book.market?.asks) ?? [];
  // the common case, unchanged: none of our orders on the side and nothing consumed → the market as is
  const used = (book as unknown as Record<"consumedBid" | "consumedAsk", Map<number, number>>)[isBid ? "consumedBid" : "consumedAsk"];
  if ((isBid ? book.bids : book.asks).length === 0 && used.size === 0) return market.length > 20 ? market.slice(0, 20) : market;
  const m = new Map<number, { sz: number; n: number }>();
  for (const l of market) {
    const sz = book.marketQty(isBid, l.px);
    if (sz > EPS) m.set(l.px, { sz, n: l.n });
  }
  for (const o of isBid ? book.bids : book.asks) {
    const cur = m.get(o.px) ?? { sz: 0, n: 0 };
    m.set(o.px, { sz: cur.sz + o.sz, n: cur.n + 1 });
  }
  const levels = [...m.entries()].map(([px, v]) => ({ px, sz: book.roundSz(v.sz + 1e-12), n: v.n }));
  levels.sort((a, b) => (isBid ? b.px - a.px : a.px - b.px));
  return levels.slice(0, 20);
}

const level = fc.record({ px: fc.integer({ min: 90, max: 110 }), sz: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 5, noNaN: true })), n: fc.integer({ min: 1, max: 9 }) });
const side = (isBid: boolean) =>
  fc.oneof(
    // a well-formed side: strictly in price priority
    fc.uniqueArray(level, { selector: (l) => l.px, maxLength: 25 }).map((ls) => ls.sort((a, b) => (isBid ? b.px - a.px : a.px - b.px))),
    // anything (unsorted, duplicate prices)
    fc.array(level, { maxLength: 25 }),
  );
const order = fc.record({ isBuy: fc.boolean(), px: fc.integer({ min: 90, max: 110 }), sz: fc.double({ min: 0.001, max: 3, noNaN: true }) });

describe("SimAssetBook.displayed", () => {
  it("equals the map + sort reference for any market side, resting orders and consumption", () => {
    fc.assert(
      fc.property(side(true), side(false), fc.array(order, { maxLength: 12 }), fc.array(fc.tuple(fc.boolean(), fc.double({ min: 0, max: 4, noNaN: true })), { maxLength: 3 }), (bids, asks, orders, takes) => {
        const book = new SimAssetBook("BTC", 3);
        const ev: BookEvent = { asset: "BTC", time: 1, bids, asks };
        book.applyBook(ev);
        orders.forEach((o, i) => book.rest({ oid: i + 1, cloid: null, user: "u", asset: "BTC", isBuy: o.isBuy, px: o.px, sz: o.sz, origSz: o.sz, tif: "Gtc", reduceOnly: false, time: 1, seq: i }));
        // our takers consume market liquidity (and may fill some of our resting orders)
        for (const [isBuy, sz] of takes) book.take(isBuy, isBuy ? 1_000 : 1, sz, "taker");
        const shown = book.displayed(2);
        expect(shown.bids).toEqual(reference(book, true));
        expect(shown.asks).toEqual(reference(book, false));
      }),
      { numRuns: 400, seed: 19 },
    );
  });
});
