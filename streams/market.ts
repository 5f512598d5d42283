// Market data in domain form: numbers, not wire strings; sides as words; time in exchange ms.
import * as t from "io-ts";
import { FiniteNumber } from "./codec.js";

/** One price level, best first within its side. `n` is the number of orders (0 when the source dropped it). */
export const BookLevel = t.type({ px: FiniteNumber, sz: FiniteNumber, n: FiniteNumber }, "BookLevel");
export type BookLevel = t.TypeOf<typeof BookLevel>;

/** A full book snapshot of one asset (Hyperliquid's l2Book is a full-state push). */
export const BookEvent = t.intersection(
  [
    t.type({ asset: t.string, time: FiniteNumber, bids: t.array(BookLevel), asks: t.array(BookLevel) }),
    t.partial({ seq: FiniteNumber }),
  ],
  "BookEvent",
);
export type BookEvent = t.TypeOf<typeof BookEvent>;

export const Side = t.keyof({ buy: null, sell: null }, "Side");
export type Side = t.TypeOf<typeof Side>;

/** One public trade. `side` is the aggressor's side. */
export const TradeEvent = t.type(
  { asset: t.string, time: FiniteNumber, tid: FiniteNumber, px: FiniteNumber, sz: FiniteNumber, side: Side },
  "TradeEvent",
);
export type TradeEvent = t.TypeOf<typeof TradeEvent>;

export const MidEvent = t.type({ asset: t.string, time: FiniteNumber, mid: FiniteNumber }, "MidEvent");
export type MidEvent = t.TypeOf<typeof MidEvent>;

/** Best bid/offer of a reference venue (Binance bookTicker-like). */
export const ReferenceQuote = t.type(
  { asset: t.string, time: FiniteNumber, bid: FiniteNumber, bidSz: FiniteNumber, ask: FiniteNumber, askSz: FiniteNumber },
  "ReferenceQuote",
);
export type ReferenceQuote = t.TypeOf<typeof ReferenceQuote>;

/**
 * Static facts about a tradable asset, from `meta`. `id` is the wire asset id (index in the
 * universe for main-dex perps, `100000 + dex index × 10000 + index` for HIP-3 perps). HIP-3 only:
 * `growthMode` (fees and address-budget credit × 0.1, FACTS §13) and `onlyIsolated`.
 */
export const AssetMeta = t.intersection(
  [
    t.type({ name: t.string, id: FiniteNumber, szDecimals: FiniteNumber, maxLeverage: FiniteNumber, isSpot: t.boolean }),
    t.partial({ growthMode: t.boolean, onlyIsolated: t.boolean }),
  ],
  "AssetMeta",
);
export type AssetMeta = t.TypeOf<typeof AssetMeta>;

/** Best bid and ask of a book, or undefined for an empty side. */
export function bestBid(book: BookEvent): number | undefined {
  return book.bids[0]?.px;
}
export function bestAsk(book: BookEvent): number | undefined {
  return book.asks[0]?.px;
}
/** Mid of the top of book; undefined when either side is empty. */
export function bookMid(book: BookEvent): number | undefined {
  const b = book.bids[0];
  const a = book.asks[0];
  return b && a ? (b.px + a.px) / 2 : undefined;
}

/**
 * The perp dex an asset trades on, from its name (FACTS §13: HIP-3 coins are named `dex:COIN`,
 * and `meta {dex}` lists them with the prefix): `""` for the main dex, `"xyz"` for `xyz:GOLD`.
 */
export function assetDex(name: string): string {
  const i = name.indexOf(":");
  return i > 0 ? name.slice(0, i) : "";
}

/**
 * Why `name` is not a valid HIP-3 asset name (`<dex>:<COIN>`, the dex lower-case letters and digits
 * starting with a letter, the coin letters and digits), or undefined when it is one — or has no `:`.
 */
export function hip3NameProblem(name: string): string | undefined {
  if (!name.includes(":")) return undefined;
  return /^[a-z][a-z0-9]*:[A-Za-z0-9]+$/.test(name) ? undefined : `expected a HIP-3 asset name <dex>:<COIN> such as "xyz:GOLD" (dex in lower case), got "${name.slice(0, 60)}"`;
}

/**
 * The wire asset id of a builder-deployed perp (FACTS §5.1, DOC-ASSET):
 * `100000 + perp_dex_index × 10000 + index_in_meta`; the main dex (index 0) keeps `index_in_meta`.
 */
export function perpAssetId(perpDexIndex: number, indexInMeta: number): number {
  return perpDexIndex === 0 ? indexInMeta : 100_000 + perpDexIndex * 10_000 + indexInMeta;
}
