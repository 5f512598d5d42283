// The default quoting strategy: a ladder per asset around a fair price, skewed by inventory,
// widened by volatility, defensive after a jump, reduce-only beyond the position bound.
// `quoteLadder` is a pure function of (market state, position, params) → QuoteIntent; the
// `quoter` operator only keeps the market state and calls whichever strategy it is given.
import { type Observable, type OperatorFunction, defer, EMPTY, map, merge, filter } from "rxjs";
import type { QuoteIntent, QuoteLevel } from "../streams/intent.js";
import type { BookEvent, ReferenceQuote } from "../streams/market.js";
import type { GenerationSource } from "../streams/intent.js";

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
  if ("ref" in event) {
    const time = Math.max(state.time, event.ref.time);
    return { ...state, time, ref: event.ref };
  }
  const book = event.book;
  const time = Math.max(state.time, book.time);
  const mid = midOf(book);
  let basis = state.basis;
  if (mid !== undefined && state.ref !== undefined && time - state.ref.time <= QUOTER_REF_MAX_AGE_MS) {
    const d = mid - refMid(state.ref);
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

// ---------- price and size grid --------------------------------------------------------------

/**
 * The price step at `px` for a perp with `szDecimals` (FACTS §6): 5 significant figures, at
 * most 6 − szDecimals decimals, integers always allowed.
 */
export function priceTick(px: number, szDecimals: number): number {
  const sig = Math.pow(10, Math.floor(Math.log10(px)) - 4);
  return Math.max(Math.min(sig, 1), Math.pow(10, -Math.max(6 - szDecimals, 0)));
}

function decimalsOf(step: number): number {
  return step >= 1 ? 0 : Math.round(-Math.log10(step));
}

/** Round a price to the grid, down for bids and up for asks (passive: never toward the other side). */
export function roundPassive(px: number, isBid: boolean, szDecimals: number): number {
  const tick = priceTick(px, szDecimals);
  const units = px / tick;
  const n = isBid ? Math.floor(units + 1e-9) : Math.ceil(units - 1e-9);
  return Number((n * tick).toFixed(decimalsOf(tick)));
}

/** Size in coins worth at least `usd` (and the venue minimum) at `px`, on the szDecimals grid. */
export function sizeForUsd(usd: number, px: number, szDecimals: number): number {
  const step = Math.pow(10, -szDecimals);
  const target = Math.max(usd, QUOTER_MIN_NOTIONAL_USD * 1.001) / px;
  return Number((Math.ceil(target / step - 1e-9) * step).toFixed(szDecimals));
}

function floorSize(sz: number, szDecimals: number): number {
  const step = Math.pow(10, -szDecimals);
  return Number((Math.floor(sz / step + 1e-9) * step).toFixed(szDecimals));
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
      let px = roundPassive(isBid ? centre * (1 - offset) : centre * (1 + offset), isBid, szDecimals);
      // Never cross the opposite best (post-only reject) and keep levels distinct.
      if (isBid) {
        const cap = roundPassive(bestAsk - priceTick(bestAsk, szDecimals), true, szDecimals);
        if (px > cap) px = cap;
        if (prev !== undefined && px >= prev) px = roundPassive(prev - priceTick(prev, szDecimals), true, szDecimals);
      } else {
        const floor = roundPassive(bestBid + priceTick(bestBid, szDecimals), false, szDecimals);
        if (px < floor) px = floor;
        if (prev !== undefined && px <= prev) px = roundPassive(prev + priceTick(prev, szDecimals), false, szDecimals);
      }
      if (!(px > 0)) break;
      let sz = sizeForUsd(params.levelSizeUsd * sizeFactor, px, szDecimals);
      if (recovering) {
        sz = floorSize(Math.min(sz, remaining), szDecimals);
        if (sz <= 0 || sz * px < QUOTER_MIN_NOTIONAL_USD) break;
        remaining = floorSize(remaining - sz, szDecimals);
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
            return state?.book ? strategy(state, { szi }, options.params) : undefined;
          }
          const asset = "book" in ev ? ev.book.asset : ev.ref.asset;
          state = stepMarketState(state ?? initialMarketState(asset, options.szDecimals), ev, options.params);
          options.onState?.(state);
          return "book" in ev ? strategy(state, { szi }, options.params) : undefined;
        }),
        filter((i): i is QuoteIntent => i !== undefined),
      );
    });
}
