// Fills: as the venue reports them (VenueFill), and enriched with what we knew when we placed
// the order (FillEvent) — the record every consumer (position, PnL, markouts, journal) reads.
import * as t from "io-ts";
import { FiniteNumber } from "./codec.js";
import { GenerationSource, StrategySignals } from "./intent.js";

const Cloid = t.union([t.string, t.null]);

/** A fill as the venue reports it (userFills / fills feed), in domain units. */
export const VenueFill = t.intersection(
  [
    t.type({
      tid: FiniteNumber,
      oid: FiniteNumber,
      cloid: Cloid,
      asset: t.string,
      isBuy: t.boolean,
      size: FiniteNumber,
      price: FiniteNumber,
      time: FiniteNumber,
      fee: FiniteNumber,
      crossed: t.boolean,
    }),
    t.partial({ startPosition: FiniteNumber, closedPnl: FiniteNumber, hash: t.string }),
  ],
  "VenueFill",
);
export type VenueFill = t.TypeOf<typeof VenueFill>;

/** A batch from the fills feed. `isSnapshot` batches replay history on (re)subscribe and must be deduped. */
export interface VenueFillBatch {
  readonly isSnapshot: boolean;
  readonly fills: readonly VenueFill[];
}

/** Where a fill came from: one of our generation sources, or an order we did not know. */
export const FillSource = t.union([GenerationSource, t.literal("unmatched")], "FillSource");
export type FillSource = t.TypeOf<typeof FillSource>;

/** A fill joined with its order's placement facts. Every consumer receives this shape. */
export const FillEvent = t.intersection(
  [
    VenueFill,
    t.type({
      midAtFill: FiniteNumber,
      placementPrice: FiniteNumber,
      midAtPlacement: FiniteNumber,
      quotedHalfSpreadBps: FiniteNumber,
      source: FillSource,
    }),
    /** The strategy's signals of the intent the order was placed (or last modified) for. */
    t.partial({ signals: StrategySignals }),
  ],
  "FillEvent",
);
export type FillEvent = t.TypeOf<typeof FillEvent>;

/** +1 for a buy, −1 for a sell: the sign of the position change. */
export function fillSide(fill: { isBuy: boolean }): 1 | -1 {
  return fill.isBuy ? 1 : -1;
}

/** One horizon of a fill's markout. `mid` is null when no mid at or before fill time + horizon was seen. */
export const HorizonMarkout = t.type(
  {
    horizonMs: FiniteNumber,
    mid: t.union([FiniteNumber, t.null]),
    markoutBps: t.union([FiniteNumber, t.null]),
    adverseBps: t.union([FiniteNumber, t.null]),
    complete: t.boolean,
  },
  "HorizonMarkout",
);
export type HorizonMarkout = t.TypeOf<typeof HorizonMarkout>;

export const FillMarkouts = t.type(
  { fill: FillEvent, horizons: t.array(HorizonMarkout), complete: t.boolean },
  "FillMarkouts",
);
export type FillMarkouts = t.TypeOf<typeof FillMarkouts>;
