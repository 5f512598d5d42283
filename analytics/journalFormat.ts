// The fill journal's line format: the io-ts codecs of every line (`header`, `fill`, `markout`,
// `sample`/`summary`, `funding`) and the rounding every writer applies. The README's "Fill journal"
// section documents every field; `journal.ts` re-exports all of it.
import * as t from "io-ts";
import { FiniteNumber } from "../streams/codec.js";
import { FillSource, HorizonMarkout } from "../streams/fill.js";

/** Version of the line format; bumped when a field changes meaning. 1: before the header existed. */
export const JOURNAL_FORMAT = 2;

/**
 * Markout horizons every journal carries, on top of the config's: a curve from 0 to 60 s. The
 * 0 ms point is the edge at fill (price vs the mid at the fill's time).
 */
export const STANDARD_HORIZONS_MS = [0, 250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000] as const;

/** The config's horizons and the standard ones, sorted, without duplicates. */
export function journalHorizons(configured: readonly number[]): number[] {
  return [...new Set([...STANDARD_HORIZONS_MS, ...configured])].sort((a, b) => a - b);
}

const Num = t.union([FiniteNumber, t.null]);
const Side = t.keyof({ buy: null, sell: null });

/** What the market looked like when a fill happened: the features a fill-quality model starts from. */
export const FillSignalSnapshot = t.type(
  {
    /** (Σ bid size − Σ ask size) / Σ over the top 5 levels, −1..1. */
    bookImbalance: Num,
    /** (buy − sell) / (buy + sell) aggressor volume over the last 10 s of trades, −1..1. */
    tradeFlowImbalance: Num,
    spreadBps: Num,
    /** The quoter's volatility estimate (bps per book update). */
    volatilityBps: Num,
    /** Reasons quoting was closed at fill time (empty: all gates open). */
    closedGates: t.array(t.string),
    /**
     * Estimated size (coins) ahead of us in the queue at the fill price: the displayed size at that
     * price on our side in the last book before the fill. An estimate — the book does not show our place.
     */
    queueAheadEstimate: Num,
    source: FillSource,
    midAtPlacement: FiniteNumber,
  },
  "FillSignalSnapshot",
);
export type FillSignalSnapshot = t.TypeOf<typeof FillSignalSnapshot>;

/** A strategy's own signals at fill time (flat: numbers, strings, booleans); the report groups markouts by each key. */
export type StrategySignals = Readonly<Record<string, number | string | boolean>>;

/** The exchange's state for the asset at fill time (Hyperliquid's `activeAssetCtx`), when the venue provides it. */
export const AssetContext = t.partial(
  { openInterest: FiniteNumber, fundingRate: FiniteNumber, markPx: FiniteNumber, oraclePx: FiniteNumber, time: FiniteNumber },
  "AssetContext",
);
export type AssetContext = t.TypeOf<typeof AssetContext>;

export const JournalFillLine = t.intersection(
  [
    t.type({
      type: t.literal("fill"),
      tid: FiniteNumber,
      asset: t.string,
      time: FiniteNumber,
      side: Side,
      price: FiniteNumber,
      size: FiniteNumber,
      fee: FiniteNumber,
      oid: FiniteNumber,
      cloid: t.union([t.string, t.null]),
      flag: t.string,
      midAtFill: FiniteNumber,
      quotedHalfSpreadBps: FiniteNumber,
      signals: FillSignalSnapshot,
    }),
    t.partial({
      /** Our position (coins) right after the fill, as the execution sink holds it (venue truth adopted). */
      positionAfter: FiniteNumber,
      /** Fill time − the time the order (its CLOID) was first placed; null when the order is unknown. */
      orderAgeMs: Num,
      /** Where the order was placed. */
      placementPrice: FiniteNumber,
      /** The venue's state for the asset at fill time; absent when the venue pushes no `activeAssetCtx`. */
      ctx: AssetContext,
      /** The fill took liquidity (the venue's `crossed`): a maker's fills are false. */
      crossed: t.boolean,
      /**
       * Made while no session of the account ran (or before this one started) and journaled at start
       * from the venue's fill history (`userFillsByTime`): the market fields are the fill's own price,
       * not a snapshot taken at fill time. It moved the position the start adopted, not this session's books.
       */
      recovered: t.boolean,
    }),
  ],
  "JournalFillLine",
);
export type JournalFillLine = t.TypeOf<typeof JournalFillLine>;

export const JournalMarkoutLine = t.intersection(
  [
    t.type({ type: t.literal("markout"), tid: FiniteNumber, asset: t.string, source: FillSource, complete: t.boolean, horizons: t.array(HorizonMarkout) }),
    t.partial({
      time: FiniteNumber,
      side: Side,
      price: FiniteNumber,
      size: FiniteNumber,
      midAtFill: FiniteNumber,
      midAtPlacement: FiniteNumber,
      /** Why it is incomplete: `stale` (no mid after a horizon in time) or `shutdown` (flushed when the run stopped). */
      incomplete: t.keyof({ stale: null, shutdown: null }),
    }),
  ],
  "JournalMarkoutLine",
);
export type JournalMarkoutLine = t.TypeOf<typeof JournalMarkoutLine>;

export const JournalAssetInfo = t.intersection(
  [t.type({ asset: t.string, szDecimals: FiniteNumber, priceDecimals: FiniteNumber }), t.partial({ maxPositionUsd: FiniteNumber, maxLossUsd: FiniteNumber })],
  "JournalAssetInfo",
);
export type JournalAssetInfo = t.TypeOf<typeof JournalAssetInfo>;

export const JournalHeaderLine = t.intersection(
  [
    t.type({
      type: t.literal("header"),
      format: FiniteNumber,
      version: t.string,
      mode: t.string,
      venue: t.string,
      account: t.union([t.string, t.null]),
      configDigest: t.string,
      seed: t.union([FiniteNumber, t.string, t.null]),
      faults: t.union([t.string, t.null]),
      startTime: FiniteNumber,
      assets: t.array(JournalAssetInfo),
      markoutHorizonsMs: t.array(FiniteNumber),
    }),
    t.partial({
      recording: t.union([t.string, t.null]),
      startIso: t.string,
      notes: t.array(t.string),
      /** The session's CLOID prefix (the high 64 bits, hex): the next session on the account picks a larger one. */
      cloidSeed: t.string,
    }),
  ],
  "JournalHeaderLine",
);
export type JournalHeaderLine = t.TypeOf<typeof JournalHeaderLine>;

export const SampleAsset = t.type(
  { mid: Num, position: FiniteNumber, pnl: FiniteNumber, realized: FiniteNumber, fees: FiniteNumber, volumeUsd: FiniteNumber, fills: FiniteNumber },
  "SampleAsset",
);
export type SampleAsset = t.TypeOf<typeof SampleAsset>;

export const OrderTallyRecord = t.type(
  { placed: FiniteNumber, modified: FiniteNumber, cancelled: FiniteNumber, rejected: FiniteNumber, failed: FiniteNumber, refused: FiniteNumber, rejectReasons: t.record(t.string, FiniteNumber) },
  "OrderTallyRecord",
);
export type OrderTallyRecord = t.TypeOf<typeof OrderTallyRecord>;

export const QuotingRecord = t.type(
  { twoSidedMs: FiniteNumber, oneSidedMs: FiniteNumber, emptyMs: FiniteNumber, gatedMs: t.record(t.string, FiniteNumber) },
  "QuotingRecord",
);
export type QuotingRecord = t.TypeOf<typeof QuotingRecord>;

/** A periodic snapshot (`sample`) or the last one, written at shutdown (`summary`). Tallies are cumulative since the start. */
export const JournalSampleLine = t.intersection(
  [
    t.type({
      type: t.keyof({ sample: null, summary: null }),
      time: FiniteNumber,
      assets: t.record(t.string, SampleAsset),
      quota: t.record(t.string, FiniteNumber),
      orders: t.record(t.string, OrderTallyRecord),
      quoting: t.record(t.string, QuotingRecord),
    }),
    t.partial({ flushedMarkouts: FiniteNumber, lines: FiniteNumber }),
  ],
  "JournalSampleLine",
);
export type JournalSampleLine = t.TypeOf<typeof JournalSampleLine>;

/** A funding payment (Hyperliquid `userFundings`): `usdc` > 0 received, < 0 paid. */
export const JournalFundingLine = t.type(
  { type: t.literal("funding"), asset: t.string, time: FiniteNumber, usdc: FiniteNumber, szi: FiniteNumber, fundingRate: FiniteNumber },
  "JournalFundingLine",
);
export type JournalFundingLine = t.TypeOf<typeof JournalFundingLine>;

export const JournalLine = t.union([JournalHeaderLine, JournalFillLine, JournalMarkoutLine, JournalSampleLine, JournalFundingLine], "JournalLine");
export type JournalLine = t.TypeOf<typeof JournalLine>;

// ---------- rounding ---------------------------------------------------------------------------

/** Round to `decimals` places and drop float noise (2281.3500000000004 → 2281.35). */
export function roundTo(v: number, decimals: number): number {
  if (!Number.isFinite(v)) return v;
  const d = Math.max(0, Math.min(12, Math.round(decimals)));
  const r = Number(v.toFixed(d));
  return Object.is(r, -0) ? 0 : r;
}

/** Hyperliquid perps: prices carry at most 6 − szDecimals decimals (FACTS §6); a mid one more. */
export function priceDecimalsOf(szDecimals: number): number {
  return Math.max(0, 6 - szDecimals);
}

export const USD_DECIMALS = 6;
export const BPS_DECIMALS = 4;

export interface Rounding {
  readonly px: number;
  readonly sz: number;
}

export function rounding(szDecimals: number | undefined): Rounding | undefined {
  return szDecimals === undefined ? undefined : { px: priceDecimalsOf(szDecimals), sz: szDecimals };
}

export const rn = (v: number | null, d: number): number | null => (v === null ? null : roundTo(v, d));
