// The ladder we want resting. Bids best (highest) first, asks best (lowest) first.
import * as t from "io-ts";
import { FiniteNumber } from "./codec.js";
import { QuoteGateReason } from "./gate.js";

/** Why an order exists: the normal ladder, a reaction to a price jump, or reducing an out-of-bounds position. */
export const GenerationSource = t.keyof({ base_ladder: null, spike_defense: null, recovery: null }, "GenerationSource");
export type GenerationSource = t.TypeOf<typeof GenerationSource>;

export const QuoteLevel = t.type({ px: FiniteNumber, sz: FiniteNumber, source: GenerationSource }, "QuoteLevel");
export type QuoteLevel = t.TypeOf<typeof QuoteLevel>;

/** At most this many signals per intent. */
export const STRATEGY_SIGNALS_MAX_KEYS = 32;
/** A signal's name: a letter or `_`, then letters, digits, `_`; at most 40 characters. */
export const STRATEGY_SIGNAL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;
/** A string signal's value: at most this many characters. */
export const STRATEGY_SIGNAL_MAX_STRING = 64;
/**
 * Names a strategy may not use: the journal writes a fill's strategy signals into the same
 * `signals` record as the market snapshot at fill (analytics/journal.ts FillSignalSnapshot),
 * and these are the snapshot's own keys.
 */
export const RESERVED_SIGNAL_NAMES: readonly string[] = [
  "bookImbalance",
  "tradeFlowImbalance",
  "spreadBps",
  "volatilityBps",
  "closedGates",
  "queueAheadEstimate",
  "source",
  "midAtPlacement",
];

export type StrategySignalValue = number | string | boolean;
/** A strategy's own state at quoting time, carried by the intent onto its orders and their fills. */
export type StrategySignals = Readonly<Record<string, StrategySignalValue>>;

/** Every problem of a signals record, each naming its key; empty when it is valid. */
export function strategySignalsProblems(u: unknown): string[] {
  if (typeof u !== "object" || u === null || Array.isArray(u) || (Object.getPrototypeOf(u) !== Object.prototype && Object.getPrototypeOf(u) !== null))
    return [`expected a flat record of numbers, strings and booleans, got ${Array.isArray(u) ? "an array" : u === null ? "null" : typeof u}`];
  const keys = Object.keys(u);
  const problems: string[] = [];
  if (keys.length > STRATEGY_SIGNALS_MAX_KEYS) problems.push(`expected at most ${STRATEGY_SIGNALS_MAX_KEYS} signals, got ${keys.length}`);
  for (const k of keys.slice(0, STRATEGY_SIGNALS_MAX_KEYS + 1)) {
    const name = JSON.stringify(k.length > 60 ? `${k.slice(0, 60)}…` : k);
    if (!STRATEGY_SIGNAL_NAME.test(k)) problems.push(`${name}: expected a name of letters, digits and _ (at most 40, not starting with a digit)`);
    else if (RESERVED_SIGNAL_NAMES.includes(k)) problems.push(`${name}: reserved for the market snapshot at fill (${RESERVED_SIGNAL_NAMES.join(", ")})`);
    const v = (u as Record<string, unknown>)[k];
    if (typeof v === "number") {
      if (!Number.isFinite(v)) problems.push(`${name}: expected a finite number, got ${String(v)}`);
    } else if (typeof v === "string") {
      if (v.length > STRATEGY_SIGNAL_MAX_STRING) problems.push(`${name}: expected a string of at most ${STRATEGY_SIGNAL_MAX_STRING} characters, got ${v.length}`);
    } else if (typeof v !== "boolean") {
      problems.push(`${name}: expected a number, string or boolean, got ${v === null ? "null" : Array.isArray(v) ? "an array" : typeof v}`);
    }
  }
  return problems;
}

/**
 * A flat record of a strategy's own signals (numbers, strings, booleans), bounded: at most
 * STRATEGY_SIGNALS_MAX_KEYS names matching STRATEGY_SIGNAL_NAME, strings of at most
 * STRATEGY_SIGNAL_MAX_STRING characters, finite numbers, none of RESERVED_SIGNAL_NAMES.
 */
export const StrategySignals = new t.Type<StrategySignals, StrategySignals, unknown>(
  "StrategySignals",
  (u): u is StrategySignals => strategySignalsProblems(u).length === 0,
  (u, c) => {
    const problems = strategySignalsProblems(u);
    return problems.length === 0 ? t.success(u as StrategySignals) : t.failures(problems.map((message) => ({ value: u, context: c, message })));
  },
  t.identity,
);

export const QuoteIntent = t.intersection(
  [
    t.type({ asset: t.string, time: FiniteNumber, bids: t.array(QuoteLevel), asks: t.array(QuoteLevel) }),
    t.partial({ reason: QuoteGateReason, signals: StrategySignals }),
  ],
  "QuoteIntent",
);
export type QuoteIntent = t.TypeOf<typeof QuoteIntent>;

/** The intent a closed gate emits: nothing resting, and why. */
export function emptyIntent(asset: string, time: number, reason: QuoteGateReason): QuoteIntent {
  return { asset, time, bids: [], asks: [], reason };
}
