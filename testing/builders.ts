// Builders for the values a pipeline carries: books, trades, fills, intents, and the market state
// a strategy is called with. Every field has a default; pass what the test is about.
import type { FillEvent, FillSource } from "../streams/fill.js";
import type { GenerationSource, QuoteIntent, QuoteLevel, StrategySignals } from "../streams/intent.js";
import type { QuoteGateReason } from "../streams/gate.js";
import type { BookEvent, BookLevel, ReferenceQuote, Side, TradeEvent } from "../streams/market.js";
import { type QuoterMarketState, type QuoterParams, initialMarketState, stepMarketState } from "../operators/quoter.js";
import { defaultConfigPath, loadConfigFile } from "../app/config.js";
import { quoterParamsOf } from "../app/pipeline.js";
import { catalogOf, operatorRegistry } from "../app/registry.js";

export interface BookSpec {
  readonly asset?: string;
  readonly time?: number;
  /** Best bid and ask; default mid ∓ spread/2. */
  readonly bid?: number;
  readonly ask?: number;
  readonly mid?: number;
  readonly spread?: number;
  /** Levels per side, `step` apart (default 1 level, step = spread). */
  readonly depth?: number;
  readonly step?: number;
  /** Size of every level, or per side. */
  readonly size?: number;
  readonly bidSize?: number;
  readonly askSize?: number;
  readonly seq?: number;
}

/** A book snapshot: `book({ time: 100, mid: 42_000, spread: 2 })`. */
export function book(spec: BookSpec = {}): BookEvent {
  const mid = spec.mid ?? 100;
  const spread = spec.spread ?? 1;
  const bid = spec.bid ?? mid - spread / 2;
  const ask = spec.ask ?? mid + spread / 2;
  const depth = spec.depth ?? 1;
  const step = spec.step ?? spread;
  const side = (top: number, dir: -1 | 1, sz: number): BookLevel[] => Array.from({ length: depth }, (_, i) => ({ px: top + dir * i * step, sz, n: 1 }));
  return {
    asset: spec.asset ?? "BTC",
    time: spec.time ?? 0,
    bids: side(bid, -1, spec.bidSize ?? spec.size ?? 1),
    asks: side(ask, 1, spec.askSize ?? spec.size ?? 1),
    ...(spec.seq !== undefined ? { seq: spec.seq } : {}),
  };
}

let nextTid = 1;

/** A public trade; `side` is the aggressor's (default buy); tids count up unless given. */
export function trade(spec: { readonly asset?: string; readonly time?: number; readonly px?: number; readonly sz?: number; readonly side?: Side; readonly tid?: number } = {}): TradeEvent {
  return { asset: spec.asset ?? "BTC", time: spec.time ?? 0, tid: spec.tid ?? nextTid++, px: spec.px ?? 100, sz: spec.sz ?? 1, side: spec.side ?? "buy" };
}

/** One of our fills as the sink hands it on (deduped, joined with its order's placement facts). */
export function fill(spec: Partial<FillEvent> & { readonly source?: FillSource; readonly signals?: StrategySignals } = {}): FillEvent {
  const price = spec.price ?? 100;
  const tid = spec.tid ?? nextTid++;
  return {
    tid,
    oid: spec.oid ?? tid,
    cloid: spec.cloid ?? null,
    asset: spec.asset ?? "BTC",
    isBuy: spec.isBuy ?? true,
    size: spec.size ?? 1,
    price,
    time: spec.time ?? 0,
    fee: spec.fee ?? 0,
    crossed: spec.crossed ?? false,
    midAtFill: spec.midAtFill ?? price,
    placementPrice: spec.placementPrice ?? price,
    midAtPlacement: spec.midAtPlacement ?? price,
    quotedHalfSpreadBps: spec.quotedHalfSpreadBps ?? 0,
    source: spec.source ?? "base_ladder",
    ...(spec.signals !== undefined ? { signals: spec.signals } : {}),
  };
}

type LevelSpec = readonly [px: number, sz: number] | QuoteLevel;

/** An intent: `intent({ time: 5, bids: [[99, 1]], asks: [[101, 1]], signals: { skew: 0.2 } })`. */
export function intent(
  spec: {
    readonly asset?: string;
    readonly time?: number;
    readonly bids?: readonly LevelSpec[];
    readonly asks?: readonly LevelSpec[];
    readonly source?: GenerationSource;
    readonly signals?: StrategySignals;
    readonly reason?: QuoteGateReason;
  } = {},
): QuoteIntent {
  const level = (l: LevelSpec): QuoteLevel => ("px" in l ? l : { px: l[0], sz: l[1], source: spec.source ?? "base_ladder" });
  return {
    asset: spec.asset ?? "BTC",
    time: spec.time ?? 0,
    bids: (spec.bids ?? []).map(level),
    asks: (spec.asks ?? []).map(level),
    ...(spec.reason !== undefined ? { reason: spec.reason } : {}),
    ...(spec.signals !== undefined ? { signals: spec.signals } : {}),
  };
}

let shipped: QuoterParams | undefined;

/** The built-in ladder's parameters as the shipped config/default.yaml sets them (its `defaults`). */
export function defaultQuoterParams(): QuoterParams {
  shipped ??= quoterParamsOf(loadConfigFile(defaultConfigPath(), catalogOf(operatorRegistry)).defaults!);
  return shipped;
}

/**
 * The market state a strategy is called with after these books (and reference quotes), folded
 * exactly as the quoter folds them: `marketState([book({ mid: 100 }), book({ time: 500, mid: 101 })])`.
 */
export function marketState(
  events: readonly (BookEvent | { readonly ref: ReferenceQuote })[],
  options: { readonly szDecimals?: number; readonly params?: Partial<QuoterParams> } = {},
): QuoterMarketState {
  const params = { ...defaultQuoterParams(), ...options.params };
  const first = events[0];
  const asset = first === undefined ? "BTC" : "ref" in first ? first.ref.asset : first.asset;
  let state = initialMarketState(asset, options.szDecimals ?? 2);
  for (const e of events) state = stepMarketState(state, "ref" in e ? e : { book: e }, params);
  return state;
}
