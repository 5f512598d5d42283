// The ladder we want resting. Bids best (highest) first, asks best (lowest) first.
import * as t from "io-ts";
import { FiniteNumber, formatErrors } from "./codec.js";
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

interface SignalProblem {
  /** The signal's name, when the problem is one signal's. */
  readonly key?: string;
  readonly expected: string;
  readonly value: unknown;
}

function signalProblems(u: unknown): SignalProblem[] {
  const flat = "a flat record of numbers, strings and booleans";
  if (typeof u !== "object" || u === null || Array.isArray(u)) return [{ expected: flat, value: u }];
  const proto = Object.getPrototypeOf(u) as unknown;
  if (proto !== Object.prototype && proto !== null) return [{ expected: flat, value: `a ${(u as object).constructor?.name ?? "non-plain"} object` }];
  const keys = Object.keys(u);
  if (keys.length > STRATEGY_SIGNALS_MAX_KEYS) return [{ expected: `at most ${STRATEGY_SIGNALS_MAX_KEYS} signals`, value: keys.length }];
  const problems: SignalProblem[] = [];
  for (const key of keys) {
    const v = (u as Record<string, unknown>)[key];
    if (!STRATEGY_SIGNAL_NAME.test(key)) problems.push({ key, expected: "a name of letters, digits and _ (at most 40, not starting with a digit)", value: key });
    else if (RESERVED_SIGNAL_NAMES.includes(key)) problems.push({ key, expected: `a name other than the market snapshot's (${RESERVED_SIGNAL_NAMES.join(", ")})`, value: key });
    else if (typeof v === "number") {
      if (!Number.isFinite(v)) problems.push({ key, expected: "a finite number", value: String(v) }); // JSON would show null
    } else if (typeof v === "string") {
      if (v.length > STRATEGY_SIGNAL_MAX_STRING) problems.push({ key, expected: `a string of at most ${STRATEGY_SIGNAL_MAX_STRING} characters`, value: v });
    } else if (typeof v !== "boolean") problems.push({ key, expected: "a number, string or boolean", value: v });
  }
  return problems;
}

/**
 * A flat record of a strategy's own signals (numbers, strings, booleans), bounded: at most
 * STRATEGY_SIGNALS_MAX_KEYS names matching STRATEGY_SIGNAL_NAME, strings of at most
 * STRATEGY_SIGNAL_MAX_STRING characters, finite numbers, none of RESERVED_SIGNAL_NAMES. Each
 * failure names its signal: `$.signals.skew: expected a finite number, got NaN`.
 */
export const StrategySignals = new t.Type<StrategySignals, StrategySignals, unknown>(
  "StrategySignals",
  (u): u is StrategySignals => signalProblems(u).length === 0,
  (u, c) => {
    const problems = signalProblems(u);
    if (problems.length === 0) return t.success(u as StrategySignals);
    return t.failures(
      problems.map((p) => ({
        value: p.value,
        context: p.key === undefined ? c : [...c, { key: p.key, type: t.never, actual: p.value }],
        message: p.expected,
      })),
    );
  },
  t.identity,
);

/** Every problem of a signals record, one line each naming its signal; empty when it is valid. */
export function strategySignalsProblems(u: unknown): string[] {
  const decoded = StrategySignals.decode(u);
  return decoded._tag === "Right" ? [] : formatErrors(decoded.left);
}

export const QuoteIntent = t.intersection(
  [
    t.type({ asset: t.string, time: FiniteNumber, bids: t.array(QuoteLevel), asks: t.array(QuoteLevel) }),
    t.partial({ reason: QuoteGateReason, signals: StrategySignals }),
  ],
  "QuoteIntent",
);
export type QuoteIntent = t.TypeOf<typeof QuoteIntent>;

const SOURCES: Readonly<Record<string, null>> = GenerationSource.keys;

function isPlainLevels(u: unknown): boolean {
  if (!Array.isArray(u)) return false;
  for (let i = 0; i < u.length; i++) {
    const l = u[i] as { px?: unknown; sz?: unknown; source?: unknown } | null | undefined;
    if (l === undefined || l === null || typeof l !== "object" || Array.isArray(l)) return false;
    const { px, sz, source } = l;
    if (typeof px !== "number" || !Number.isFinite(px) || typeof sz !== "number" || !Number.isFinite(sz)) return false;
    if (typeof source !== "string" || !Object.prototype.hasOwnProperty.call(SOURCES, source)) return false;
  }
  return true;
}

/**
 * The common intent — levels only, no `reason`, no `signals` — checked with plain loops (the
 * codec's guard costs ≈ 300 ns an intent through its closures). `true` only for what
 * `QuoteIntent.is` accepts (test/sinks/intentGuard.spec.ts); `false` means "ask the codec", not "bad".
 */
export function isPlainQuoteIntent(u: unknown): u is QuoteIntent {
  if (u === null || typeof u !== "object" || Array.isArray(u)) return false;
  const i = u as { asset?: unknown; time?: unknown; bids?: unknown; asks?: unknown; reason?: unknown; signals?: unknown };
  if (i.reason !== undefined || i.signals !== undefined) return false;
  if (typeof i.asset !== "string" || typeof i.time !== "number" || !Number.isFinite(i.time)) return false;
  return isPlainLevels(i.bids) && isPlainLevels(i.asks);
}

/** The intent a closed gate emits: nothing resting, and why. */
export function emptyIntent(asset: string, time: number, reason: QuoteGateReason): QuoteIntent {
  return { asset, time, bids: [], asks: [], reason };
}
