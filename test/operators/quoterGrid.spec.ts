// The quoter's grid helpers use precomputed powers of ten and divide by an exact 10^d instead of
// going through `toFixed` and `Number`; its market state keeps the spike window in one array, its
// ladder rounds the cap against the opposite best once a side, and the operator subscribes its
// three inputs itself instead of merge → map → filter. Property: each equals the previous code
// (kept below as the reference) bit for bit, boundaries included.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EMPTY, type Observable, type OperatorFunction, Subject, defer, filter, map, merge } from "rxjs";
import {
  type QuoterMarketState,
  type QuoterParams,
  QUOTER_MIN_NOTIONAL_USD,
  QUOTER_REF_MAX_AGE_MS,
  fairPrice,
  initialMarketState,
  priceTick,
  quoteLadder,
  quoter,
  roundPassive,
  sizeForUsd,
  stepMarketState,
  volatilityBps,
} from "../../operators/quoter.js";
import type { GenerationSource, QuoteIntent, QuoteLevel } from "../../streams/intent.js";
import type { BookEvent, ReferenceQuote } from "../../streams/market.js";

// ---------- the reference: the code before ----------------------------------------------------

function refPriceTick(px: number, szDecimals: number): number {
  const sig = Math.pow(10, Math.floor(Math.log10(px)) - 4);
  return Math.max(Math.min(sig, 1), Math.pow(10, -Math.max(6 - szDecimals, 0)));
}
function refDecimalsOf(step: number): number {
  return step >= 1 ? 0 : Math.round(-Math.log10(step));
}
function refRoundPassive(px: number, isBid: boolean, szDecimals: number): number {
  const tick = refPriceTick(px, szDecimals);
  const units = px / tick;
  const n = isBid ? Math.floor(units + 1e-9) : Math.ceil(units - 1e-9);
  return Number((n * tick).toFixed(refDecimalsOf(tick)));
}
function refSizeForUsd(usd: number, px: number, szDecimals: number): number {
  const step = Math.pow(10, -szDecimals);
  const target = Math.max(usd, QUOTER_MIN_NOTIONAL_USD * 1.001) / px;
  return Number((Math.ceil(target / step - 1e-9) * step).toFixed(szDecimals));
}
function refFloorSize(sz: number, szDecimals: number): number {
  const step = Math.pow(10, -szDecimals);
  return Number((Math.floor(sz / step + 1e-9) * step).toFixed(szDecimals));
}

const MAX_SAMPLES = 512;
function midOf(book: BookEvent | undefined): number | undefined {
  const b = book?.bids[0];
  const a = book?.asks[0];
  return b && a && b.px < a.px ? (b.px + a.px) / 2 : undefined;
}
function refStep(
  state: QuoterMarketState,
  event: { readonly book: BookEvent } | { readonly ref: ReferenceQuote },
  params: Pick<QuoterParams, "referenceWeight" | "volatilityHalfLife" | "spike">,
): QuoterMarketState {
  if ("ref" in event) {
    const time = Math.max(state.time, event.ref.time);
    return { ...state, time, ref: event.ref };
  }
  const book = event.book;
  const time = Math.max(state.time, book.time);
  const mid = midOf(book);
  let basis = state.basis;
  if (mid !== undefined && state.ref !== undefined && time - state.ref.time <= QUOTER_REF_MAX_AGE_MS) {
    const d = mid - (state.ref.bid + state.ref.ask) / 2;
    basis = basis === undefined ? d : basis + 0.05 * (d - basis);
  }
  const fair = fairPrice(book, state.ref, basis, time, params.referenceWeight);
  if (fair === undefined) return { ...state, time, book, fair: undefined, basis };
  let varianceBps2 = state.varianceBps2;
  if (state.fair !== undefined) {
    const r = ((fair - state.fair) / state.fair) * 1e4;
    const alpha = 1 - Math.pow(2, -1 / params.volatilityHalfLife);
    varianceBps2 = varianceBps2 + alpha * (r * r - varianceBps2);
  }
  const kept = state.samples.filter(([t]) => time - t <= params.spike.windowMs);
  const samples = [...kept.slice(Math.max(0, kept.length - MAX_SAMPLES + 1)), [time, fair] as const];
  const oldest = samples[0]![1];
  const jumpBps = ((fair - oldest) / oldest) * 1e4;
  let { spikeAt, spikeDir } = state;
  if (Math.abs(jumpBps) >= params.spike.thresholdBps) {
    spikeAt = time;
    spikeDir = jumpBps > 0 ? 1 : -1;
  }
  return { ...state, time, book, fair, basis, varianceBps2, samples, spikeAt, spikeDir };
}

function refLadder(market: QuoterMarketState, position: { szi: number }, params: QuoterParams): QuoteIntent {
  const { asset, time, book, fair, szDecimals } = market;
  const empty = (side: "bid" | "ask"): QuoteIntent => ({ asset, time, bids: [], asks: [], reason: { kind: "EmptyBookSide", side } });
  if (book === undefined || book.bids.length === 0) return empty("bid");
  if (book.asks.length === 0) return empty("ask");
  if (fair === undefined) return { asset, time, bids: [], asks: [], reason: { kind: "CrossedBook", bestBid: book.bids[0]!.px, bestAsk: book.asks[0]!.px } };
  const bestBid = book.bids[0]!.px;
  const bestAsk = book.asks[0]!.px;
  const notional = position.szi * fair;
  const q = Math.max(-1, Math.min(1, notional / params.maxPositionUsd));
  const centre = fair * (1 - (q * params.inventorySkewBps) / 1e4);
  const spiking = market.spikeAt !== undefined && time - market.spikeAt <= params.spike.holdMs;
  const recovering = Math.abs(notional) > params.maxPositionUsd;
  const source: GenerationSource = recovering ? "recovery" : spiking ? "spike_defense" : "base_ladder";
  const widen = spiking ? params.spike.widenFactor : 1;
  const sizeFactor = spiking ? params.spike.sizeFactor : 1;
  const half = (params.halfSpreadBps + params.volatilityMultiplier * volatilityBps(market)) * widen;
  const spacing = params.spacingBps * widen;
  const side = (isBid: boolean): QuoteLevel[] => {
    const out: QuoteLevel[] = [];
    let remaining = recovering ? Math.abs(position.szi) : Infinity;
    let prev: number | undefined;
    for (let i = 0; i < params.levels; i++) {
      const offset = (half + i * spacing) / 1e4;
      let px = refRoundPassive(isBid ? centre * (1 - offset) : centre * (1 + offset), isBid, szDecimals);
      if (isBid) {
        const cap = refRoundPassive(bestAsk - refPriceTick(bestAsk, szDecimals), true, szDecimals);
        if (px > cap) px = cap;
        if (prev !== undefined && px >= prev) px = refRoundPassive(prev - refPriceTick(prev, szDecimals), true, szDecimals);
      } else {
        const floor = refRoundPassive(bestBid + refPriceTick(bestBid, szDecimals), false, szDecimals);
        if (px < floor) px = floor;
        if (prev !== undefined && px <= prev) px = refRoundPassive(prev + refPriceTick(prev, szDecimals), false, szDecimals);
      }
      if (!(px > 0)) break;
      let sz = refSizeForUsd(params.levelSizeUsd * sizeFactor, px, szDecimals);
      if (recovering) {
        sz = refFloorSize(Math.min(sz, remaining), szDecimals);
        if (sz <= 0 || sz * px < QUOTER_MIN_NOTIONAL_USD) break;
        remaining = refFloorSize(remaining - sz, szDecimals);
      }
      out.push({ px, sz, source });
      prev = px;
    }
    return out;
  };
  const long = position.szi > 0;
  const bids = recovering && long ? [] : side(true);
  const asks = recovering && !long ? [] : side(false);
  return { asset, time, bids, asks };
}

function refQuoter(options: { params: QuoterParams; szDecimals: number; position$?: Observable<number>; ref$?: Observable<ReferenceQuote>; onState?: (s: QuoterMarketState) => void }): OperatorFunction<BookEvent, QuoteIntent> {
  return (book$) =>
    defer(() => {
      let state: QuoterMarketState | undefined;
      let szi = 0;
      type Ev = { readonly book: BookEvent } | { readonly ref: ReferenceQuote } | { readonly szi: number };
      const events$: Observable<Ev> = merge(
        book$.pipe(map((book) => ({ book }))),
        (options.ref$ ?? EMPTY).pipe(map((ref) => ({ ref }))),
        (options.position$ ?? EMPTY).pipe(map((p) => ({ szi: p }))),
      );
      return events$.pipe(
        map((ev): QuoteIntent | undefined => {
          if ("szi" in ev) {
            if (ev.szi === szi) return undefined;
            szi = ev.szi;
            return state?.book ? refLadder(state, { szi }, options.params) : undefined;
          }
          const asset = "book" in ev ? ev.book.asset : ev.ref.asset;
          state = refStep(state ?? initialMarketState(asset, options.szDecimals), ev, options.params);
          options.onState?.(state);
          return "book" in ev ? refLadder(state, { szi }, options.params) : undefined;
        }),
        filter((i): i is QuoteIntent => i !== undefined),
      );
    });
}

// ---------- inputs -----------------------------------------------------------------------------

/** Prices around every power of ten, on and next to grid points, and anything at all. */
const arbPrice = fc.oneof(
  fc.double({ noNaN: false }),
  fc.double({ min: 1e-8, max: 1e7, noNaN: true }),
  fc.tuple(fc.integer({ min: -9, max: 9 }), fc.integer({ min: -3, max: 3 })).map(([e, k]) => Math.pow(10, e) + k * Number.EPSILON * Math.pow(10, e)),
  fc.tuple(fc.integer({ min: -9, max: 9 }), fc.integer({ min: -3, max: 3 })).map(([e, k]) => Number(`1e${e}`) * (1 + k * Number.EPSILON)),
  fc.tuple(fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: -6, max: 4 }), fc.integer({ min: -2, max: 2 })).map(([m, e, k]) => (m * Math.pow(10, e)) * (1 + k * Number.EPSILON)),
  fc.tuple(fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: 0, max: 10 })).map(([m, d]) => m / Math.pow(10, d)),
  fc.constantFrom(0, -0, -1, Number.NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, 1e-7, 9999.95, 99999.5, 0.99999, 1e15, 1e22),
);
const arbSzDecimals = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constantFrom(-1, 13, 23, 1.5, 30));

function same(a: unknown, b: unknown): void {
  if (typeof a === "number" && typeof b === "number") expect(Object.is(a, b), `${a} vs ${b}`).toBe(true);
  else expect(a).toStrictEqual(b);
}
function call<T>(f: () => T): T | string {
  try {
    return f();
  } catch (err) {
    return `threw ${(err as Error).name}`;
  }
}

describe("quoter grid helpers ≡ the string-rounding code they replaced", () => {
  it("priceTick", () => {
    fc.assert(fc.property(arbPrice, arbSzDecimals, (px, d) => same(priceTick(px, d), refPriceTick(px, d))), { numRuns: 20_000 });
  });
  it("roundPassive, both sides", () => {
    fc.assert(
      fc.property(arbPrice, fc.boolean(), arbSzDecimals, (px, isBid, d) => same(call(() => roundPassive(px, isBid, d)), call(() => refRoundPassive(px, isBid, d)))),
      { numRuns: 50_000 },
    );
  });
  it("roundPassive on every grid point and its neighbours", () => {
    for (let d = 0; d <= 6; d++) {
      for (const base of [0.0001, 0.001, 0.01, 0.1, 1, 10, 100, 1_000, 10_000, 100_000]) {
        const tick = refPriceTick(base * 1.5, d);
        for (let k = 0; k < 2_000; k++) {
          const px = base + k * tick;
          for (const p of [px, px * (1 + Number.EPSILON), px * (1 - Number.EPSILON), px + tick / 2, px - 1e-9 * tick]) {
            for (const isBid of [true, false]) {
              const got = roundPassive(p, isBid, d);
              const want = refRoundPassive(p, isBid, d);
              if (!Object.is(got, want)) same({ p, isBid, d, got }, { p, isBid, d, got: want });
            }
          }
        }
      }
    }
  });
  it("sizeForUsd", () => {
    const arbUsd = fc.oneof(fc.double({ noNaN: false }), fc.double({ min: 0, max: 100_000, noNaN: true }), fc.constantFrom(0, 10, 10.01, 20, 15, -5, Infinity));
    fc.assert(fc.property(arbUsd, arbPrice, arbSzDecimals, (usd, px, d) => same(call(() => sizeForUsd(usd, px, d)), call(() => refSizeForUsd(usd, px, d)))), { numRuns: 50_000 });
  });
});

// ---------- the ladder, the state and the operator ---------------------------------------------

const baseParams: QuoterParams = {
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
const arbParams = fc.record({
  levels: fc.integer({ min: 0, max: 6 }),
  halfSpreadBps: fc.double({ min: 0, max: 50, noNaN: true }),
  spacingBps: fc.double({ min: 0, max: 20, noNaN: true }),
  levelSizeUsd: fc.double({ min: 0, max: 500, noNaN: true }),
  referenceWeight: fc.constantFrom(0, 0.3, 1),
  inventorySkewBps: fc.double({ min: 0, max: 20, noNaN: true }),
  volatilityMultiplier: fc.double({ min: 0, max: 3, noNaN: true }),
  volatilityHalfLife: fc.constantFrom(1, 10, 50, 0.5),
  spike: fc.record({ thresholdBps: fc.constantFrom(5, 15, 100), windowMs: fc.constantFrom(0, 50, 2000), holdMs: fc.constantFrom(0, 5000), widenFactor: fc.constantFrom(1, 3), sizeFactor: fc.constantFrom(0.5, 1) }),
  maxPositionUsd: fc.constantFrom(50, 200, 1e6),
});

type Ev = { book: BookEvent } | { ref: ReferenceQuote } | { szi: number };
/** A random walk of books (sometimes crossed, one-sided, out of order), reference quotes and positions. */
const arbEvents = fc.record({ mid0: fc.double({ min: 0.01, max: 100_000, noNaN: true }), szDecimals: fc.integer({ min: 0, max: 6 }) }).chain(({ mid0, szDecimals }) =>
  fc
    .array(
      fc.record({
        kind: fc.constantFrom("book", "book", "book", "ref", "szi"),
        move: fc.double({ min: -0.01, max: 0.01, noNaN: true }),
        dt: fc.integer({ min: -50, max: 400 }),
        spread: fc.integer({ min: -2, max: 6 }),
        shape: fc.constantFrom("ok", "ok", "ok", "noBid", "noAsk"),
        szi: fc.double({ min: -0.5, max: 0.5, noNaN: true }).map((v) => (v / mid0) * 1000),
      }),
      { maxLength: 120 },
    )
    .map((steps) => {
      let mid = mid0;
      let time = 1000;
      const out: Ev[] = [];
      for (const s of steps) {
        mid = mid * (1 + s.move);
        time += s.dt;
        const tick = refPriceTick(mid, szDecimals);
        const bid = refRoundPassive(mid, true, szDecimals);
        const ask = bid + s.spread * tick;
        if (s.kind === "book") {
          out.push({
            book: {
              asset: "X",
              time,
              bids: s.shape === "noBid" ? [] : [{ px: bid, sz: 1, n: 1 }],
              asks: s.shape === "noAsk" ? [] : [{ px: ask, sz: 1, n: 1 }],
            },
          });
        } else if (s.kind === "ref") out.push({ ref: { asset: "X", time, bid: mid * 0.999, bidSz: 1, ask: mid * 1.001, askSz: 1 } });
        else out.push({ szi: s.szi });
      }
      return { szDecimals, events: out };
    }),
);

describe("quoter state, ladder and operator ≡ the code before", () => {
  it("stepMarketState and quoteLadder over random event sequences", () => {
    fc.assert(
      fc.property(arbEvents, arbParams, ({ szDecimals, events }, params) => {
        let a = initialMarketState("X", szDecimals);
        let b = initialMarketState("X", szDecimals);
        let szi = 0;
        for (const ev of events) {
          if ("szi" in ev) szi = ev.szi;
          else {
            a = stepMarketState(a, ev, params);
            b = refStep(b, ev, params);
            expect(a).toStrictEqual(b);
            expect(Object.keys(a)).toEqual(Object.keys(b));
          }
          expect(quoteLadder(a, { szi }, params)).toStrictEqual(refLadder(b, { szi }, params));
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it("the spike window keeps at most 512 samples, the newest", () => {
    const params = { ...baseParams, spike: { ...baseParams.spike, windowMs: 1e9 } };
    let a = initialMarketState("X", 2);
    let b = a;
    for (let i = 0; i < 700; i++) {
      const ev = { book: { asset: "X", time: 1000 + i, bids: [{ px: 100 + (i % 7) * 0.01, sz: 1, n: 1 }], asks: [{ px: 101, sz: 1, n: 1 }] } };
      a = stepMarketState(a, ev, params);
      b = refStep(b, ev, params);
    }
    expect(a.samples).toHaveLength(512);
    expect(a).toStrictEqual(b);
  });

  it("the operator emits what merge → map → filter emitted, in order, with the same states", () => {
    fc.assert(
      fc.property(arbEvents, arbParams, fc.boolean(), ({ szDecimals, events }, params, withRef) => {
        const run = (op: typeof quoter | typeof refQuoter): { out: QuoteIntent[]; states: QuoterMarketState[]; done: boolean } => {
          const book$ = new Subject<BookEvent>();
          const ref$ = new Subject<ReferenceQuote>();
          const position$ = new Subject<number>();
          const out: QuoteIntent[] = [];
          const states: QuoterMarketState[] = [];
          let done = false;
          const sub = book$
            .pipe(op({ params, szDecimals, position$, ...(withRef ? { ref$ } : {}), onState: (s) => states.push(s) }))
            .subscribe({ next: (i) => out.push(i), complete: () => (done = true) });
          for (const ev of events) {
            if ("book" in ev) book$.next(ev.book);
            else if ("ref" in ev) ref$.next(ev.ref);
            else position$.next(ev.szi);
          }
          book$.complete();
          position$.complete();
          ref$.complete();
          sub.unsubscribe();
          return { out, states, done };
        };
        expect(run(quoter)).toStrictEqual(run(refQuoter));
      }),
      { numRuns: 500 },
    );
  });
});
