// SimAssetBook.roundSz uses a factor computed once, and applyBook walks the resting lists without
// copying them; properties: roundSz equals the per-call `10 ** szDecimals` form bit for bit (tick
// boundaries, zeros, negatives, tiny and huge sizes), and applyBook gives the same executions, queue
// positions and consumption as the implementation before (kept here as the reference), for any
// two snapshots in a row, resting orders and trades between them.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SimAssetBook, type SimExecution, type SimRestingOrder } from "../../sim/assetBook.js";
import { SimProbQueue, type SimQueueModel } from "../../sim/queueModel.js";
import type { BookEvent, BookLevel } from "../../streams/market.js";

const EPS = 1e-9;

function visibleQty(levels: readonly BookLevel[], px: number, isBid: boolean): number | undefined {
  for (const l of levels) if (l.px === px) return l.sz;
  const worst = levels[levels.length - 1];
  if (!worst) return undefined;
  return (isBid ? px >= worst.px : px <= worst.px) ? 0 : undefined;
}

type Consumed = Record<"consumedBid" | "consumedAsk", Map<number, number>>;

/** applyBook before the rewrite, on the book's own state. */
function referenceApplyBook(b: SimAssetBook, book: BookEvent): SimExecution[] {
  const self = b as unknown as Consumed;
  const prev = b.market;
  b.market = book;
  self.consumedBid.clear();
  self.consumedAsk.clear();
  for (const o of [...b.bids, ...b.asks]) {
    const newQty = visibleQty(o.isBuy ? book.bids : book.asks, o.px, o.isBuy);
    if (newQty === undefined) {
      o.tradedSinceBook = 0;
      continue;
    }
    const prevQty = prev ? visibleQty(o.isBuy ? prev.bids : prev.asks, o.px, o.isBuy) : undefined;
    o.ahead = prevQty === undefined ? Math.min(o.ahead, newQty) : b.queue.afterDepthChange(o.ahead, prevQty, newQty, o.tradedSinceBook);
    o.tradedSinceBook = 0;
  }
  const out: SimExecution[] = [];
  for (const isBuy of [true, false]) {
    const ours = isBuy ? b.bids : b.asks;
    const theirs = isBuy ? book.asks : book.bids;
    const consumed = isBuy ? self.consumedAsk : self.consumedBid;
    for (const o of [...ours]) {
      let want = o.sz;
      for (const l of theirs) {
        if (isBuy ? l.px > o.px : l.px < o.px) break;
        const avail = l.sz - (consumed.get(l.px) ?? 0);
        const take = b.roundSz(Math.min(avail, want));
        if (take <= 0) continue;
        consumed.set(l.px, (consumed.get(l.px) ?? 0) + take);
        want -= take;
        if (want <= EPS) break;
      }
      const filled = b.roundSz(o.sz - want + 1e-12);
      if (filled > 0) out.push({ px: o.px, sz: filled, aggressorIsBuy: !isBuy, maker: o });
    }
  }
  return out;
}

const level = (min: number, max: number) =>
  fc.record({ px: fc.integer({ min, max }), sz: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 5, noNaN: true }), fc.integer({ min: 1, max: 5 })), n: fc.integer({ min: 1, max: 9 }) });
const side = (isBid: boolean, min: number, max: number) =>
  fc.oneof(
    fc.uniqueArray(level(min, max), { selector: (l) => l.px, maxLength: 25 }).map((ls) => ls.sort((a, b) => (isBid ? b.px - a.px : a.px - b.px))),
    fc.array(level(min, max), { maxLength: 25 }),
  );
// a spread around 100, or a crossed one (the market through our orders on both sides)
const snapshot = fc.oneof(fc.record({ bids: side(true, 90, 100), asks: side(false, 100, 110) }), fc.record({ bids: side(true, 95, 110), asks: side(false, 90, 105) }));
const order = fc.record({ isBuy: fc.boolean(), px: fc.integer({ min: 90, max: 110 }), sz: fc.oneof(fc.double({ min: 0.001, max: 3, noNaN: true }), fc.constantFrom(0.001, 1, 2.5)) });
const trade = fc.record({ side: fc.constantFrom("buy" as const, "sell" as const), px: fc.integer({ min: 90, max: 110 }), sz: fc.double({ min: 0, max: 4, noNaN: true }) });

function state(b: SimAssetBook): unknown {
  const self = b as unknown as Consumed;
  const order = (o: SimRestingOrder) => ({ oid: o.oid, sz: o.sz, ahead: o.ahead, tradedSinceBook: o.tradedSinceBook });
  return { bids: b.bids.map(order), asks: b.asks.map(order), consumedBid: [...self.consumedBid], consumedAsk: [...self.consumedAsk], shown: b.displayed(3) };
}

describe("SimAssetBook", () => {
  it("roundSz equals Math.floor(x · 10^d + 1e-6) / 10^d with the factor computed per call", () => {
    const sizes = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.double({ min: -10, max: 10, noNaN: true }),
      fc.constantFrom(0, -0, 1e-6, -1e-6, 1e-12, 0.1, 0.3, 1 - 1e-7, 1.0000001, 5e-324),
      // tick boundaries: k / 10^d and one ulp-ish either side
      fc.tuple(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: 0, max: 8 }), fc.constantFrom(0, 1e-12, -1e-12, 1e-7, -1e-7, 1e-6, -1e-6)).map(([k, d, e]) => k / 10 ** d + e),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), sizes, (d, x) => {
        const book = new SimAssetBook("BTC", d);
        expect(Object.is(book.roundSz(x), Math.floor(x * 10 ** d + 1e-6) / 10 ** d)).toBe(true);
      }),
      { numRuns: 5_000, seed: 19 },
    );
  });

  it("applyBook gives the reference's executions, queues and consumption for any snapshots, orders and trades", () => {
    fc.assert(
      fc.property(snapshot, snapshot, fc.array(order, { minLength: 1, maxLength: 12 }), fc.array(trade, { maxLength: 4 }), fc.boolean(), (first, second, orders, trades, logQueue) => {
        const queue: SimQueueModel = logQueue ? new SimProbQueue({ kind: "log" }) : new SimProbQueue();
        const [a, b] = [new SimAssetBook("BTC", 3, queue), new SimAssetBook("BTC", 3, queue)];
        const ev1: BookEvent = { asset: "BTC", time: 1, ...first };
        const ev2: BookEvent = { asset: "BTC", time: 2, ...second };
        expect(a.applyBook(ev1).map((x) => ({ ...x, maker: x.maker?.oid }))).toStrictEqual(referenceApplyBook(b, ev1).map((x) => ({ ...x, maker: x.maker?.oid })));
        orders.forEach((o, i) => {
          for (const x of [a, b]) x.rest({ oid: i + 1, cloid: null, user: "u", asset: "BTC", isBuy: o.isBuy, px: o.px, sz: o.sz, origSz: o.sz, tif: "Gtc", reduceOnly: false, time: 1, seq: i });
        });
        for (const t of trades) for (const x of [a, b]) x.applyTrade({ asset: "BTC", time: 1, tid: 1, ...t });
        expect(state(a)).toStrictEqual(state(b));
        expect(a.applyBook(ev2).map((x) => ({ ...x, maker: x.maker?.oid }))).toStrictEqual(referenceApplyBook(b, ev2).map((x) => ({ ...x, maker: x.maker?.oid })));
        expect(state(a)).toStrictEqual(state(b));
      }),
      { numRuns: 600, seed: 19 },
    );
  });
});
