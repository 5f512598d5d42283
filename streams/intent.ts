// The ladder we want resting. Bids best (highest) first, asks best (lowest) first.
import * as t from "io-ts";
import { FiniteNumber } from "./codec.js";
import { QuoteGateReason } from "./gate.js";

/** Why an order exists: the normal ladder, a reaction to a price jump, or reducing an out-of-bounds position. */
export const GenerationSource = t.keyof({ base_ladder: null, spike_defense: null, recovery: null }, "GenerationSource");
export type GenerationSource = t.TypeOf<typeof GenerationSource>;

export const QuoteLevel = t.type({ px: FiniteNumber, sz: FiniteNumber, source: GenerationSource }, "QuoteLevel");
export type QuoteLevel = t.TypeOf<typeof QuoteLevel>;

export const QuoteIntent = t.intersection(
  [
    t.type({ asset: t.string, time: FiniteNumber, bids: t.array(QuoteLevel), asks: t.array(QuoteLevel) }),
    t.partial({ reason: QuoteGateReason }),
  ],
  "QuoteIntent",
);
export type QuoteIntent = t.TypeOf<typeof QuoteIntent>;

/** The intent a closed gate emits: nothing resting, and why. */
export function emptyIntent(asset: string, time: number, reason: QuoteGateReason): QuoteIntent {
  return { asset, time, bids: [], asks: [], reason };
}
