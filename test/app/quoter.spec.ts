import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { from, lastValueFrom, toArray, Subject } from "rxjs";
import {
  type QuoterMarketState,
  type QuoterParams,
  initialMarketState,
  priceTick,
  quoteLadder,
  quoter,
  roundPassive,
  stepMarketState,
  QUOTER_MIN_NOTIONAL_USD,
} from "../../operators/quoter.js";
import type { BookEvent, QuoteIntent } from "../../streams/index.js";

const params: QuoterParams = {
  levels: 3,
  halfSpreadBps: 2,
  spacingBps: 3,
  levelSizeUsd: 20,
  referenceWeight: 0,
  inventorySkewBps: 4,
  volatilityMultiplier: 1,
  volatilityHalfLife: 50,
  spike: { thresholdBps: 15, windowMs: 2000, holdMs: 5000, widenFactor: 3, sizeFactor: 0.5 },
  maxPositionUsd: 200,
};

function book(mid: number, spreadTicks: number, szDecimals: number, time = 1000): BookEvent {
  const tick = priceTick(mid, szDecimals);
  const bid = roundPassive(mid - (spreadTicks * tick) / 2, true, szDecimals);
  const ask = Math.max(roundPassive(mid + (spreadTicks * tick) / 2, false, szDecimals), roundPassive(bid + tick, false, szDecimals));
  return { asset: "X", time, bids: [{ px: bid, sz: 1, n: 1 }], asks: [{ px: ask, sz: 1, n: 1 }] };
}

function marketOf(b: BookEvent, szDecimals: number, p: QuoterParams = params): QuoterMarketState {
  return stepMarketState(initialMarketState("X", szDecimals), { book: b }, p);
}

const arbMarket = fc.record({
  mid: fc.double({ min: 0.5, max: 200_000, noNaN: true }),
  spreadTicks: fc.integer({ min: 1, max: 20 }),
  szDecimals: fc.integer({ min: 0, max: 5 }),
  vol: fc.double({ min: 0, max: 400, noNaN: true }),
})
  // Real assets have szDecimals that keep the price tick small relative to the price.
  .filter(({ mid, szDecimals }) => priceTick(mid, szDecimals) / mid <= 1e-3);

function ladderInvariants(intent: QuoteIntent, b: BookEvent, szDecimals: number): void {
  const bestBid = b.bids[0]!.px;
  const bestAsk = b.asks[0]!.px;
  for (let i = 1; i < intent.bids.length; i++) expect(intent.bids[i]!.px).toBeLessThan(intent.bids[i - 1]!.px);
  for (let i = 1; i < intent.asks.length; i++) expect(intent.asks[i]!.px).toBeGreaterThan(intent.asks[i - 1]!.px);
  for (const l of intent.bids) {
    expect(l.px).toBeLessThan(bestAsk);
    expect(roundPassive(l.px, true, szDecimals)).toBe(l.px);
  }
  for (const l of intent.asks) {
    expect(l.px).toBeGreaterThan(bestBid);
    expect(roundPassive(l.px, false, szDecimals)).toBe(l.px);
  }
  for (const l of [...intent.bids, ...intent.asks]) {
    expect(l.sz).toBeGreaterThan(0);
    expect(l.sz * l.px).toBeGreaterThanOrEqual(QUOTER_MIN_NOTIONAL_USD);
    expect(Number(l.sz.toFixed(szDecimals))).toBe(l.sz);
  }
  if (intent.bids[0] && intent.asks[0]) expect(intent.bids[0].px).toBeLessThan(intent.asks[0].px);
}

describe("quoteLadder", () => {
  it("never crosses the book, stays on the price and size grid, keeps levels distinct and above the minimum notional", () => {
    fc.assert(
      fc.property(arbMarket, fc.double({ min: -1000, max: 1000, noNaN: true }), ({ mid, spreadTicks, szDecimals, vol }, posUsd) => {
        const b = book(mid, spreadTicks, szDecimals);
        const m = { ...marketOf(b, szDecimals), varianceBps2: vol };
        const intent = quoteLadder(m, { szi: posUsd / mid }, params);
        ladderInvariants(intent, b, szDecimals);
        expect(intent.reason).toBeUndefined();
      }),
    );
  });

  it("flat and within bounds: full base ladder on both sides", () => {
    fc.assert(
      fc.property(arbMarket, ({ mid, spreadTicks, szDecimals }) => {
        const b = book(mid, spreadTicks, szDecimals);
        const intent = quoteLadder(marketOf(b, szDecimals), { szi: 0 }, params);
        expect(intent.bids).toHaveLength(params.levels);
        expect(intent.asks).toHaveLength(params.levels);
        expect(new Set([...intent.bids, ...intent.asks].map((l) => l.source))).toEqual(new Set(["base_ladder"]));
      }),
    );
  });

  it("skews against inventory: long quotes no higher than flat, short no lower", () => {
    fc.assert(
      fc.property(arbMarket, fc.double({ min: 1, max: 199, noNaN: true }), ({ mid, spreadTicks, szDecimals }, posUsd) => {
        const b = book(mid, spreadTicks, szDecimals);
        const m = marketOf(b, szDecimals);
        const flat = quoteLadder(m, { szi: 0 }, params);
        const long = quoteLadder(m, { szi: posUsd / mid }, params);
        const short = quoteLadder(m, { szi: -posUsd / mid }, params);
        flat.bids.forEach((l, i) => {
          expect(long.bids[i]!.px).toBeLessThanOrEqual(l.px);
          expect(short.bids[i]!.px).toBeGreaterThanOrEqual(l.px);
        });
        flat.asks.forEach((l, i) => {
          expect(long.asks[i]!.px).toBeLessThanOrEqual(l.px);
          expect(short.asks[i]!.px).toBeGreaterThanOrEqual(l.px);
        });
      }),
    );
  });

  it("widens with volatility", () => {
    fc.assert(
      fc.property(arbMarket, fc.double({ min: 0, max: 100, noNaN: true }), ({ mid, spreadTicks, szDecimals, vol }, extra) => {
        const b = book(mid, spreadTicks, szDecimals);
        const calm = quoteLadder({ ...marketOf(b, szDecimals), varianceBps2: vol }, { szi: 0 }, params);
        const wild = quoteLadder({ ...marketOf(b, szDecimals), varianceBps2: vol + extra }, { szi: 0 }, params);
        calm.bids.forEach((l, i) => expect(wild.bids[i]!.px).toBeLessThanOrEqual(l.px));
        calm.asks.forEach((l, i) => expect(wild.asks[i]!.px).toBeGreaterThanOrEqual(l.px));
      }),
    );
  });

  it("beyond the position bound quotes only the reducing side, attributed recovery, never more than the position", () => {
    fc.assert(
      fc.property(arbMarket, fc.double({ min: 201, max: 5000, noNaN: true }), fc.boolean(), ({ mid, spreadTicks, szDecimals }, posUsd, isLong) => {
        const b = book(mid, spreadTicks, szDecimals);
        const szi = ((isLong ? 1 : -1) * posUsd) / mid;
        const intent = quoteLadder(marketOf(b, szDecimals), { szi }, params);
        const adding = isLong ? intent.bids : intent.asks;
        const reducing = isLong ? intent.asks : intent.bids;
        expect(adding).toEqual([]);
        for (const l of reducing) expect(l.source).toBe("recovery");
        const total = reducing.reduce((s, l) => s + l.sz, 0);
        expect(total).toBeLessThanOrEqual(Math.abs(szi) + 1e-9);
        ladderInvariants(intent, b, szDecimals);
      }),
    );
  });

  it("after a jump beyond the threshold, defends (spike_defense, wider, smaller) until holdMs has passed", () => {
    const szDecimals = 5;
    let m = marketOf(book(100_000, 2, szDecimals, 1000), szDecimals);
    const before = quoteLadder(m, { szi: 0 }, params);
    m = stepMarketState(m, { book: book(100_300, 2, szDecimals, 1500) }, params); // +30 bps in 0.5 s
    const during = quoteLadder(m, { szi: 0 }, params);
    expect(during.bids.every((l) => l.source === "spike_defense")).toBe(true);
    const fair = m.fair!;
    const halfBefore = (before.asks[0]!.px - before.bids[0]!.px) / 2;
    expect((during.asks[0]!.px - during.bids[0]!.px) / 2).toBeGreaterThan(halfBefore);
    expect(during.bids[0]!.sz).toBeLessThanOrEqual(before.bids[0]!.sz);
    expect(during.bids[0]!.px).toBeLessThan(fair);
    m = stepMarketState(m, { book: book(100_300, 2, szDecimals, 1500 + params.spike.holdMs + 1) }, params);
    expect(quoteLadder(m, { szi: 0 }, params).bids[0]!.source).toBe("base_ladder");
  });

  it("an empty book side quotes nothing and says which side", () => {
    const b: BookEvent = { asset: "X", time: 5, bids: [], asks: [{ px: 10, sz: 1, n: 1 }] };
    const intent = quoteLadder(marketOf(b, 2), { szi: 0 }, params);
    expect(intent).toEqual({ asset: "X", time: 5, bids: [], asks: [], reason: { kind: "EmptyBookSide", side: "bid" } });
  });

  it("pulls the fair price toward the basis-adjusted reference when weighted", () => {
    const p = { ...params, referenceWeight: 1 };
    let m = initialMarketState("X", 5);
    m = stepMarketState(m, { ref: { asset: "X", time: 1000, bid: 99_990, bidSz: 1, ask: 99_992, askSz: 1 } }, p);
    m = stepMarketState(m, { book: book(100_000, 2, 5, 1000) }, p); // basis ≈ +9
    m = stepMarketState(m, { ref: { asset: "X", time: 1100, bid: 100_040, bidSz: 1, ask: 100_042, askSz: 1 } }, p);
    m = stepMarketState(m, { book: book(100_000, 2, 5, 1100) }, p);
    expect(m.fair!).toBeGreaterThan(100_040);
  });
});

describe("quoter operator", () => {
  it("emits one intent per book and re-prices on a position change", async () => {
    const books = [book(100_000, 2, 5, 1), book(100_001, 2, 5, 2)];
    const out = await lastValueFrom(from(books).pipe(quoter({ params, szDecimals: 5 }), toArray()));
    expect(out).toHaveLength(2);
    expect(out.map((i) => i.time)).toEqual([1, 2]);

    const book$ = new Subject<BookEvent>();
    const position$ = new Subject<number>();
    const seen: QuoteIntent[] = [];
    const sub = book$.pipe(quoter({ params, szDecimals: 5, position$ })).subscribe((i) => seen.push(i));
    position$.next(0.001); // no book yet: nothing to price
    book$.next(books[0]!);
    position$.next(0.001); // unchanged: nothing
    position$.next(-0.001);
    sub.unsubscribe();
    expect(seen).toHaveLength(2);
    expect(seen[1]!.bids[0]!.px).toBeGreaterThan(seen[0]!.bids[0]!.px);
  });

  it("a throwing strategy errors the stream", async () => {
    const p = lastValueFrom(
      from([book(100, 2, 2)]).pipe(
        quoter({ params, szDecimals: 2, strategy: () => { throw new Error("boom"); } }),
      ),
    );
    await expect(p).rejects.toThrow("boom");
  });
});
