// Why quoting is paused. A closed gate emits an empty intent carrying one of these.
import * as t from "io-ts";
import { FiniteNumber } from "./codec.js";

export const QuoteGateReason = t.union(
  [
    t.type({ kind: t.literal("NoDataReceived") }),
    t.type({ kind: t.literal("StaleData"), ageMs: FiniteNumber, thresholdMs: FiniteNumber }),
    t.type({ kind: t.literal("CrossedBook"), bestBid: FiniteNumber, bestAsk: FiniteNumber }),
    t.type({ kind: t.literal("EmptyBookSide"), side: t.keyof({ bid: null, ask: null }) }),
    t.type({ kind: t.literal("DataQuality"), detail: t.string }),
    t.type({ kind: t.literal("QuotaBreaker"), headroom: FiniteNumber, threshold: FiniteNumber }),
    t.type({ kind: t.literal("OrderStale"), cloid: t.string, ageMs: FiniteNumber }),
    t.type({ kind: t.literal("KillSwitch"), trigger: t.string, detail: t.string }),
    /** A plugin strategy threw or returned an invalid intent: nothing is quoted until it returns a valid one. */
    t.type({ kind: t.literal("StrategyError"), strategy: t.string, detail: t.string }),
    /** A plugin's gate closed (`gate`: its name, `detail`: why, in its own words). */
    t.type({ kind: t.literal("PluginGate"), gate: t.string, detail: t.string }),
    /** The asset's HIP-3 deployer halted it (venue truth): nothing is quoted on it until restart. */
    t.type({ kind: t.literal("DexHalted"), dex: t.string, detail: t.string }),
  ],
  "QuoteGateReason",
);
export type QuoteGateReason = t.TypeOf<typeof QuoteGateReason>;
export type QuoteGateKind = QuoteGateReason["kind"];

/** How status, metrics and the journal name a reason: its kind, with the plugin's gate or strategy (`PluginGate:toxicityGate`). */
export function gateReasonLabel(reason: QuoteGateReason): string {
  if (reason.kind === "PluginGate") return `PluginGate:${reason.gate}`;
  if (reason.kind === "StrategyError") return `StrategyError:${reason.strategy}`;
  return reason.kind;
}
