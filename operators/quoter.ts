// The default quoting strategy: a ladder per asset around a fair price, skewed by inventory,
// widened by volatility, defensive after a jump, reduce-only beyond the position bound.
// `quoteLadder` is a pure function of (market state, position, params) → QuoteIntent; the
// `quoter` operator only keeps the market state and calls whichever strategy it is given.
import { EMPTY, Observable, type OperatorFunction, type Subscription } from "rxjs";
import type { QuoteIntent, QuoteLevel } from "../streams/intent.js";
import type { BookEvent, ReferenceQuote } from "../streams/market.js";
import type { GenerationSource } from "../streams/intent.js";
import { SourceSubscriber } from "../streams/sourceSubscriber.js";

/** Hyperliquid's minimum order value (FACTS §6); levels are sized to clear it at their own price. */
export const QUOTER_MIN_NOTIONAL_USD = 10;
/** A reference quote older than this (exchange ms) is ignored. */
export const QUOTER_REF_MAX_AGE_MS = 5000;
const MAX_SAMPLES = 512;

export interface QuoterSpikeParams {
  readonly thresholdBps: number;
  readonly windowMs: number;
  readonly holdMs: number;
  readonly widenFactor: number;
  readonly sizeFactor: number;
}

/** What the ladder strategy reads from config (app/config.ts `quoter` + `risk.maxPositionUsd`). */
export interface QuoterParams {
  readonly levels: number;
  readonly halfSpreadBps: number;
  readonly spacingBps: number;
  readonly levelSizeUsd: number;
  readonly referenceWeight: number;
  readonly inventorySkewBps: number;
  readonly volatilityMultiplier: number;
  readonly volatilityHalfLife: number;
  readonly spike: QuoterSpikeParams;
  readonly maxPositionUsd: number;
}

/** Everything the strategy knows about one asset's market, updated by `stepMarketState`. */
export interface QuoterMarketState {
  readonly asset: string;
  readonly szDecimals: number;
  /** Exchange time of the last event (ms). */
  readonly time: number;
  readonly book: BookEvent | undefined;
  /** The fair price of the last update (undefined until both book sides exist). */
  readonly fair: number | undefined;
  /** EWMA of squared fair-price changes per update, in bps². */
  readonly varianceBps2: number;
  /** Recent (time, fair) samples within the spike window, oldest first. */
  readonly samples: readonly (readonly [number, number])[];
  /** Exchange time of the last detected jump and its direction. */
  readonly spikeAt: number | undefined;
  readonly spikeDir: 1 | -1 | 0;
  readonly ref: ReferenceQuote | undefined;
  /** EWMA of (book mid − reference mid): the two venues' price levels differ. */
  readonly basis: number | undefined;
}

/** Our position in the asset: signed size in coins (positive long). */
export interface QuoterPosition {
  readonly szi: number;
}

/** A replaceable strategy: the quoter operator calls one of these on every update. */
export type QuoteStrategy = (market: QuoterMarketState, position: QuoterPosition, params: QuoterParams) => QuoteIntent;

export function initialMarketState(asset: string, szDecimals: number): QuoterMarketState {
  return { asset, szDecimals, time: 0, book: undefined, fair: undefined, varianceBps2: 0, samples: [], spikeAt: undefined, spikeDir: 0, ref: undefined, basis: undefined };
}

/** Volatility estimate in bps per update. */
export function volatilityBps(state: QuoterMarketState): number {
  return Math.sqrt(state.varianceBps2);
}

function midOf(book: BookEvent | undefined): number | undefined {
  const b = book?.bids[0];
  const a = book?.asks[0];
  return b && a && b.px < a.px ? (b.px + a.px) / 2 : undefined;
}

function refMid(ref: ReferenceQuote): number {
  return (ref.bid + ref.ask) / 2;
}

/** Fair price: the book mid, moved toward the basis-adjusted reference mid by `referenceWeight`. */
export function fairPrice(book: BookEvent | undefined, ref: ReferenceQuote | undefined, basis: number | undefined, time: number, referenceWeight: number): number | undefined {
  const mid = midOf(book);
  if (mid === undefined) return undefined;
  if (referenceWeight <= 0 || ref === undefined || basis === undefined || time - ref.time > QUOTER_REF_MAX_AGE_MS) return mid;
  return (1 - referenceWeight) * mid + referenceWeight * (refMid(ref) + basis);
}

/** Fold one book or reference event into the market state (pure). */
export function stepMarketState(
  state: QuoterMarketState,
  event: { readonly book: BookEvent } | { readonly ref: ReferenceQuote },
  params: Pick<QuoterParams, "referenceWeight" | "volatilityHalfLife" | "spike">,
): QuoterMarketState {
  return "ref" in event ? stepRef(state, event.ref) : stepBook(state, event.book, params);
}

// The steps write every field out, in initialMarketState's order, instead of `{ ...state, … }`:
// on Node 20 the spread of this 11-field state costs ~10× the literal (~200 vs ~20 ns a step).
// A state is one built by initialMarketState and these steps, so the two build the same object.

function stepRef(state: QuoterMarketState, ref: ReferenceQuote): QuoterMarketState {
  const time = Math.max(state.time, ref.time);
  const { asset, szDecimals, book, fair, varianceBps2, samples, spikeAt, spikeDir, basis } = state;
  return { asset, szDecimals, time, book, fair, varianceBps2, samples, spikeAt, spikeDir, ref, basis };
}

// The EWMA weight of the last half-life asked for: one `Math.pow` per configuration, not per book.
let alphaHalfLife = Number.NaN;
let alphaOfHalfLife = Number.NaN;
function ewmaAlpha(halfLife: number): number {
  if (halfLife !== alphaHalfLife) {
    alphaOfHalfLife = 1 - Math.pow(2, -1 / halfLife);
    alphaHalfLife = halfLife;
  }
  return alphaOfHalfLife;
}

function stepBook(state: QuoterMarketState, book: BookEvent, params: Pick<QuoterParams, "referenceWeight" | "volatilityHalfLife" | "spike">): QuoterMarketState {
  const time = Math.max(state.time, book.time);
  const mid = midOf(book);
  let basis = state.basis;
  if (mid !== undefined && state.ref !== undefined && time - state.ref.time <= QUOTER_REF_MAX_AGE_MS) {
    const d = mid - refMid(state.ref);
    basis = basis === undefined ? d : basis + 0.05 * (d - basis);
  }
  const fair = fairPrice(book, state.ref, basis, time, params.referenceWeight);
  const { asset, szDecimals, ref } = state;
  if (fair === undefined) {
    const { varianceBps2, samples, spikeAt, spikeDir } = state;
    return { asset, szDecimals, time, book, fair: undefined, varianceBps2, samples, spikeAt, spikeDir, ref, basis };
  }
  let varianceBps2 = state.varianceBps2;
  if (state.fair !== undefined) {
    const r = ((fair - state.fair) / state.fair) * 1e4;
    varianceBps2 = varianceBps2 + ewmaAlpha(params.volatilityHalfLife) * (r * r - varianceBps2);
  }
  // One new array per book (it was filter, slice and spread: three): the samples in the window,
  // at most MAX_SAMPLES − 1 of them, then this one.
  const windowMs = params.spike.windowMs;
  const previous = state.samples;
  const samples: (readonly [number, number])[] = [];
  for (let i = 0; i < previous.length; i++) {
    const s = previous[i]!;
    if (time - s[0] <= windowMs) samples.push(s);
  }
  if (samples.length > MAX_SAMPLES - 1) samples.splice(0, samples.length - (MAX_SAMPLES - 1));
  samples.push([time, fair]);
  const oldest = samples[0]![1];
  const jumpBps = ((fair - oldest) / oldest) * 1e4;
  let { spikeAt, spikeDir } = state;
  if (Math.abs(jumpBps) >= params.spike.thresholdBps) {
    spikeAt = time;
    spikeDir = jumpBps > 0 ? 1 : -1;
  }
  return { asset, szDecimals, time, book, fair, varianceBps2, samples, spikeAt, spikeDir, ref, basis };
}

// ---------- price and size grid --------------------------------------------------------------

// Powers of ten, computed once with the same `Math.pow` calls the helpers made per call (so the
// steps are bit-identical), and exact powers of ten to divide by (literals: 10^d for d ≤ 22 is
// exactly representable, so `n / 10^d` is the double nearest the decimal n·10^−d).
const SIG_MIN_EXP = -30;
const SIG_MAX_EXP = 30;
/** SIG_STEP[e − SIG_MIN_EXP] = Math.pow(10, e − 4): the 5-significant-figure step below 10^(e+1). */
const SIG_STEP: readonly number[] = Array.from({ length: SIG_MAX_EXP - SIG_MIN_EXP + 1 }, (_, i) => Math.pow(10, i + SIG_MIN_EXP - 4));
const MAX_SZ_DECIMALS = 12;
/** MIN_TICK[szDecimals] = Math.pow(10, −max(6 − szDecimals, 0)). */
const MIN_TICK: readonly number[] = Array.from({ length: MAX_SZ_DECIMALS + 1 }, (_, d) => Math.pow(10, -Math.max(6 - d, 0)));
/** SIZE_STEP[szDecimals] = Math.pow(10, −szDecimals). */
const SIZE_STEP: readonly number[] = Array.from({ length: MAX_SZ_DECIMALS + 1 }, (_, d) => Math.pow(10, -d));
const EXACT_POW10: readonly number[] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
/**
 * Below this many grid units, `Number((n * step).toFixed(d))` is `n / 10^d`: n·step is within
 * 10^−d / 2 of the decimal n·10^−d (its relative error is a few 2^−53), so `toFixed` prints that
 * decimal exactly and `Number` returns the double nearest it — as the division does.
 */
const EXACT_UNITS = 1e12;

function isGridIndex(d: number, max: number): boolean {
  return d >= 0 && d <= max && Number.isInteger(d);
}

/**
 * The price step at `px` for a perp with `szDecimals` (FACTS §6): 5 significant figures, at
 * most 6 − szDecimals decimals, integers always allowed.
 */
export function priceTick(px: number, szDecimals: number): number {
  const e = Math.floor(Math.log10(px));
  const sig = e >= SIG_MIN_EXP && e <= SIG_MAX_EXP ? SIG_STEP[e - SIG_MIN_EXP]! : Math.pow(10, e - 4);
  const minTick = isGridIndex(szDecimals, MAX_SZ_DECIMALS) ? MIN_TICK[szDecimals]! : Math.pow(10, -Math.max(6 - szDecimals, 0));
  return Math.max(Math.min(sig, 1), minTick);
}

// The decimals of the last step asked for: a ladder's prices share one or two ticks.
let decimalsStep = 1;
let decimalsOfStep = 0;
function decimalsOf(step: number): number {
  if (step !== decimalsStep) {
    decimalsOfStep = step >= 1 ? 0 : Math.round(-Math.log10(step));
    decimalsStep = step;
  }
  return decimalsOfStep;
}

/**
 * `Number((n * step).toFixed(decimals))`, without the string when that is exact (see EXACT_UNITS):
 * `step` must then be (a double within an ulp or two of) 10^−decimals — `powerOfTen` says it is.
 */
function onGrid(n: number, step: number, decimals: number, powerOfTen: boolean): number {
  // + 0: toFixed prints −0 as "0"
  if (powerOfTen && Math.abs(n) < EXACT_UNITS && isGridIndex(decimals, 22)) return n / EXACT_POW10[decimals]! + 0;
  return Number((n * step).toFixed(decimals));
}

/** Round a price to the grid, down for bids and up for asks (passive: never toward the other side). */
export function roundPassive(px: number, isBid: boolean, szDecimals: number): number {
  const tick = priceTick(px, szDecimals);
  const units = px / tick;
  const n = isBid ? Math.floor(units + 1e-9) : Math.ceil(units - 1e-9);
  // with a whole szDecimals every tick is a power of ten (SIG_STEP, MIN_TICK or 1)
  return onGrid(n, tick, decimalsOf(tick), isGridIndex(szDecimals, MAX_SZ_DECIMALS));
}

function sizeStep(szDecimals: number): number {
  return isGridIndex(szDecimals, MAX_SZ_DECIMALS) ? SIZE_STEP[szDecimals]! : Math.pow(10, -szDecimals);
}

/** Size in coins worth at least `usd` (and the venue minimum) at `px`, on the szDecimals grid. */
export function sizeForUsd(usd: number, px: number, szDecimals: number): number {
  const step = sizeStep(szDecimals);
  const target = Math.max(usd, QUOTER_MIN_NOTIONAL_USD * 1.001) / px;
  return onGrid(Math.ceil(target / step - 1e-9), step, szDecimals, Number.isInteger(szDecimals));
}

function floorSize(sz: number, szDecimals: number): number {
  const step = sizeStep(szDecimals);
  return onGrid(Math.floor(sz / step + 1e-9), step, szDecimals, Number.isInteger(szDecimals));
}

// ---------- the ladder -----------------------------------------------------------------------

/**
 * The default strategy. Bids best (highest) first, asks best (lowest) first, never crossing the
 * book (post-only would be rejected), strictly one tick apart at least.
 *
 * - fair price from `market.fair` (book mid, optionally pulled toward the reference venue);
 * - centre shifted against inventory by `inventorySkewBps × position/maxPosition` (clamped ±1);
 * - half-spread = halfSpreadBps + volatilityMultiplier × volatility (bps per update);
 * - within `spike.holdMs` of a jump: every level `spike_defense`, spread × widenFactor, size × sizeFactor;
 * - |position| beyond maxPositionUsd: only the reducing side, `recovery`, total size ≤ |position|.
 */
export function quoteLadder(market: QuoterMarketState, position: QuoterPosition, params: QuoterParams): QuoteIntent {
  const { asset, time, book, fair, szDecimals } = market;
  if (book === undefined || book.bids.length === 0) return { asset, time, bids: [], asks: [], reason: { kind: "EmptyBookSide", side: "bid" } };
  if (book.asks.length === 0) return { asset, time, bids: [], asks: [], reason: { kind: "EmptyBookSide", side: "ask" } };
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

  const long = position.szi > 0;
  const limit = recovering ? Math.abs(position.szi) : Infinity;
  const size = params.levelSizeUsd * sizeFactor;
  const bids = recovering && long ? [] : ladderSide(true, centre, half, spacing, bestAsk, params.levels, size, recovering, limit, source, szDecimals);
  const asks = recovering && !long ? [] : ladderSide(false, centre, half, spacing, bestBid, params.levels, size, recovering, limit, source, szDecimals);
  return { asset, time, bids, asks };
}

/**
 * One side of the ladder, best first. `opposite` is the other side's best price, `remaining` the
 * size it may total when recovering. A function of its arguments, not a closure per
 * ladder; the cap against the opposite best is the same for every level, so it is rounded once.
 */
function ladderSide(
  isBid: boolean,
  centre: number,
  half: number,
  spacing: number,
  opposite: number,
  levels: number,
  sizeUsd: number,
  recovering: boolean,
  remaining: number,
  source: GenerationSource,
  szDecimals: number,
): QuoteLevel[] {
  const out: QuoteLevel[] = [];
  if (!(levels > 0)) return out;
  // Never cross the opposite best (post-only reject): one tick inside it.
  const bound = isBid ? roundPassive(opposite - priceTick(opposite, szDecimals), true, szDecimals) : roundPassive(opposite + priceTick(opposite, szDecimals), false, szDecimals);
  let prev: number | undefined;
  for (let i = 0; i < levels; i++) {
    const offset = (half + i * spacing) / 1e4;
    let px = roundPassive(isBid ? centre * (1 - offset) : centre * (1 + offset), isBid, szDecimals);
    // Keep levels distinct.
    if (isBid) {
      if (px > bound) px = bound;
      if (prev !== undefined && px >= prev) px = roundPassive(prev - priceTick(prev, szDecimals), true, szDecimals);
    } else {
      if (px < bound) px = bound;
      if (prev !== undefined && px <= prev) px = roundPassive(prev + priceTick(prev, szDecimals), false, szDecimals);
    }
    if (!(px > 0)) break;
    let sz = sizeForUsd(sizeUsd, px, szDecimals);
    if (recovering) {
      sz = floorSize(Math.min(sz, remaining), szDecimals);
      if (sz <= 0 || sz * px < QUOTER_MIN_NOTIONAL_USD) break;
      remaining = floorSize(remaining - sz, szDecimals);
    }
    out.push({ px, sz, source });
    prev = px;
  }
  return out;
}

// ---------- the operator ---------------------------------------------------------------------

export interface QuoterOptions {
  readonly params: QuoterParams;
  readonly szDecimals: number;
  /** Our signed position in coins; the ladder is recomputed when it changes. */
  readonly position$?: Observable<number>;
  /** Reference venue quotes (used when params.referenceWeight > 0). */
  readonly ref$?: Observable<ReferenceQuote>;
  /** The strategy; `quoteLadder` by default. */
  readonly strategy?: QuoteStrategy;
  /** Called with each new market state (analytics read volatility and the book from it). */
  readonly onState?: (state: QuoterMarketState) => void;
}

/**
 * Books in, intents out: one intent per book update (and per position change once a book exists).
 *
 * ```
 * book$:      -b----b------b--
 * position$:  ----p-----p-----
 * result:     -i--i-i---i--i--
 * ```
 *
 * A reference quote only updates the state (the next book re-prices). A throwing strategy
 * errors the stream.
 */
export function quoter(options: QuoterOptions): OperatorFunction<BookEvent, QuoteIntent> {
  const strategy = options.strategy ?? quoteLadder;
  const { params, szDecimals, onState } = options;
  // Hand-written for several sources: one subscriber per input, no event wrappers. It was
  // merge(map, map, map) → map → filter: five operator hops and a wrapper object per book.
  // Subscribed in merge's order (books, reference, position); completes when all three have.
  return (book$) =>
    new Observable<QuoteIntent>((subscriber) => {
      let state: QuoterMarketState | undefined;
      let szi = 0;
      // the position handed to the strategy: a new (frozen) object when it changes, the same one
      // for every book in between (was an object per book)
      let position: QuoterPosition = Object.freeze({ szi });
      let active = 3;
      const complete = (): void => {
        if (--active === 0) subscriber.complete();
      };
      const stepped = (next: QuoterMarketState): void => {
        state = next;
        onState?.(next);
      };
      const subscriptions: Subscription[] = [];
      // one input: subscribed unless an earlier one already ended the stream; a throw errors it
      const follow = <T>(source$: Observable<T>, on: (value: T) => void): void => {
        if (subscriber.closed) return;
        subscriptions.push(source$.subscribe(new SourceSubscriber<T>(subscriber, on, complete)));
      };
      follow(book$, (book) => {
        stepped(stepBook(state ?? initialMarketState(book.asset, szDecimals), book, params));
        subscriber.next(strategy(state!, position, params));
      });
      follow(options.ref$ ?? EMPTY, (ref) => stepped(stepRef(state ?? initialMarketState(ref.asset, szDecimals), ref)));
      follow(options.position$ ?? EMPTY, (p) => {
        if (p === szi) return;
        szi = p;
        position = Object.freeze({ szi });
        if (state?.book) subscriber.next(strategy(state, position, params));
      });
      return () => {
        for (const s of subscriptions) s.unsubscribe();
      };
    });
}
