// The example strategy, marble-tested against quoteflow/testing: the quoter operator drives it on
// virtual time (one intent per book, one per position change), and its signals ride on every intent.
import { map } from "rxjs";
import { describe, expect, it } from "vitest";
import { quoter } from "quoteflow/operators";
import { book, defaultQuoterParams, marblesFor, marketState, testStrategyContext } from "quoteflow/testing";
import { avellanedaStoikovQuote, type AvellanedaStoikovParams } from "./avellanedaStoikov.js";
import { strategies } from "./plugin.js";

const { marbles } = marblesFor(expect);
const params: AvellanedaStoikovParams = { gamma: 0.1, kappa: 1, horizonUpdates: 20, levelSizeUsd: 20, minHalfSpreadBps: 1, maxPositionUsd: 200 };
const ctx = testStrategyContext({ szDecimals: 2 });
const fn = strategies.avellanedaStoikov;
const strategy = typeof fn === "function" ? fn(params as never, ctx) : fn.create(params as never, ctx);

describe("avellanedaStoikov (examples/avellanedaStoikov.ts)", () => {
  it(
    "quotes one level each side around the mid when flat and calm, with its signals",
    marbles((m) => {
      const books = m.hot("  b", { b: book({ mid: 100, spread: 1 }) });
      const intents = books.pipe(quoter({ params: defaultQuoterParams(), szDecimals: 2, strategy: (s, p) => strategy(s, p) }));
      // σ = 0 on the first book: half-spread = max(1, (2/γ)·ln(1 + γ/κ) / 2) = max(1, 0.953) = 1 bp
      m.expect(intents).toBeObservable("i", {
        i: {
          asset: "BTC",
          time: 0,
          bids: [{ px: 99.99, sz: 0.21, source: "base_ladder" }],
          asks: [{ px: 100.01, sz: 0.2, source: "base_ladder" }],
          signals: { as_reservationBps: 0, as_halfSpreadBps: 1, as_sigmaBps: 0, as_inventoryUnits: 0, as_regime: "flat", as_limited: false },
        },
      });
    }),
  );

  it(
    "re-quotes at once when the position changes, moving the reservation price against the inventory",
    marbles((m) => {
      // two books 10 bps apart give the quoter a volatility; then we get long 2 units
      const books = m.hot("  a 99ms b", { a: book({ mid: 100, spread: 1 }), b: book({ time: 100, mid: 100.1, spread: 1 }) });
      const position = m.hot("-- 99ms - 99ms p", { p: 0.42 });
      const intents = books.pipe(
        quoter({ params: defaultQuoterParams(), szDecimals: 2, position$: position, strategy: (s, p) => strategy(s, p) }),
        map((i) => ({ regime: i.signals?.["as_regime"], skewed: (i.signals?.["as_reservationBps"] as number) < 0, bid: i.bids[0]?.px })),
      );
      // b: a 10 bp move → σ² = (1 − 2^(−1/50))·100 = 1.3767 bps², γσ²T = 2.753 bps, half-spread
      //    (2.753 + 20·ln 1.1) / 2 = 2.330 bps → bid 100.1·(1 − 2.330e-4) = 100.0767 → 100.07;
      // c: 0.42 BTC = 2.1 units of 0.20 → reservation −2.1 · 2.753 = −5.78 bps → bid 100.0188 → 100.01
      m.expect(intents).toBeObservable("a 99ms b 100ms c", {
        a: { regime: "flat", skewed: false, bid: 99.99 },
        b: { regime: "flat", skewed: false, bid: 100.07 },
        c: { regime: "long", skewed: true, bid: 100.01 },
      });
    }),
  );

  it("quotes only the reducing side beyond maxPositionUsd, attributed to recovery", () => {
    const state = marketState([book({ mid: 100, spread: 1 })], { szDecimals: 2 });
    const q = avellanedaStoikovQuote(state, { szi: 3 }, params, ctx.grid);
    expect(q.bids).toEqual([]);
    expect(q.asks).toHaveLength(1);
    expect(q.asks[0]!.source).toBe("recovery");
    expect(q.signals?.["as_limited"]).toBe(true);
  });

  it("quotes nothing before the book has both sides", () => {
    const state = marketState([book({ mid: 100, spread: 1, depth: 0 })], { szDecimals: 2 });
    expect(avellanedaStoikovQuote(state, { szi: 0 }, params, ctx.grid)).toEqual({ asset: "BTC", time: 0, bids: [], asks: [] });
  });
});
