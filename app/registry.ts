// The registry: config names → factories. Adding an operator to what a config can compose is
// one entry here (its stage, its parameter codec, how to build it from a context); plugins
// (app/plugins.ts) add entries of the same shape, and strategies, from modules the config names.
import * as t from "io-ts";
import { EMPTY, type MonoTypeOperatorFunction, type Observable, type SchedulerLike } from "rxjs";
import { crossedBookGate } from "../operators/crossedBookGate.js";
import { type DataQualityRejectReason, type DataQualityStats, dataQualityGate } from "../operators/dataQualityGate.js";
import { quotaBreakerGate } from "../operators/quotaBreakerGate.js";
import type { QuotaThrottleState } from "../operators/quotaThrottle.js";
import type { QuoterMarketState, QuoterParams, QuoterPosition } from "../operators/quoter.js";
import { staleGate } from "../operators/staleGate.js";
import type { GuardedFill } from "../streams/execution.js";
import type { FillEvent } from "../streams/fill.js";
import type { QuoteIntent } from "../streams/intent.js";
import type { BookEvent, MidEvent, TradeEvent } from "../streams/market.js";
import { strictStruct } from "../streams/codec.js";
import type { KillSwitchState } from "../sinks/killSwitch.js";
import type { RaceEvent, ReconcileReport, SinkGateEvent } from "../sinks/executionSink.js";
import { type OperatorCatalog, NonNegativeNumber, PositiveNumber, Percent } from "./config.js";

/**
 * Which stream an operator acts on. `book`: the asset's book snapshots, before the quoter.
 * `intent`: the strategy's intents, after it (the gates). `fill`: the asset's fills as the sink
 * applied them (deduped, race-classified), before the fills the context hands to strategies and
 * operators (`ctx.fills$`); the sink's own accounting never sees what a fill stage changes.
 */
export type OperatorStage = "book" | "intent" | "fill";

/** The value type each stage's operators transform. */
export interface StageValues {
  readonly book: BookEvent;
  readonly intent: QuoteIntent;
  readonly fill: FillEvent;
}

export type StageOperator<S extends OperatorStage> = MonoTypeOperatorFunction<StageValues[S]>;

/** What the execution sink reports, as the pipeline's context shows it (all assets). */
export type PipelineSinkEvent =
  | { readonly kind: "fill"; readonly fill: GuardedFill }
  | { readonly kind: "race"; readonly race: RaceEvent }
  | { readonly kind: "reconcile"; readonly report: ReconcileReport }
  | { readonly kind: "gate"; readonly gate: SinkGateEvent }
  | { readonly kind: "killSwitch"; readonly state: KillSwitchState };

/** The asset's price and size grid (FACTS §6), so a plugin needs no import to quote valid prices. */
export interface PriceGrid {
  /** Round a price passively onto the grid: down for a bid, up for an ask. */
  roundPrice(px: number, isBid: boolean): number;
  /** Size in coins worth at least `usd` (and the venue's $10 minimum) at `px`, on the lot grid. */
  sizeForUsd(usd: number, px: number): number;
  /** The price step at `px`. */
  tick(px: number): number;
}

/** What a factory may use to build its operator (or strategy) for one asset. */
export interface OperatorContext {
  readonly asset: string;
  readonly szDecimals: number;
  readonly grid: PriceGrid;
  readonly scheduler: SchedulerLike;
  /** The asset's books after the book-stage operators (what the gates and the strategy see). */
  readonly book$: Observable<BookEvent>;
  /** The asset's public trades. */
  readonly trades$: Observable<TradeEvent>;
  /** Mids of the asset's books after the book stage (uncrossed books only). */
  readonly mid$: Observable<MidEvent>;
  /** The asset's fills after the fill-stage operators (each fill once, as the sink applied it). */
  readonly fills$: Observable<FillEvent>;
  /** Our signed position in the asset (coins), on every change. */
  readonly position$: Observable<number>;
  /** What the execution sink reports: fills, races, reconciliations, its gates, the kill switch (all assets). */
  readonly sinkEvents$: Observable<PipelineSinkEvent>;
  /** Liveness of the account's user events (order updates, fills, account answers). */
  readonly userEvents$: Observable<{ readonly time: number }>;
  /** Reference-venue mids of the asset, when a reference feed exists. */
  readonly referenceMid$?: Observable<MidEvent>;
  /** Counters the data-quality gate increments (metrics read them). */
  readonly dataQuality: DataQualityStats;
  /** Called for each book the data-quality gate drops. */
  readonly onDataQualityReject?: (reason: DataQualityRejectReason) => void;
  /** The execution sink's quota throttle state (absent when unthrottled: the breaker never opens). */
  readonly quotaState$?: Observable<QuotaThrottleState>;
}

/**
 * One operator a config can name. `params` decodes the config's parameters (a plugin may leave
 * it out: its parameters are then passed as written); `create` is called once per composition of
 * an asset's pipeline.
 */
export interface OperatorFactory<S extends OperatorStage = OperatorStage, P = unknown> {
  readonly stage: S;
  readonly params: t.Decoder<unknown, P>;
  /** One line for `--help` and the README. */
  readonly description: string;
  create(params: P, ctx: OperatorContext): StageOperator<S>;
}

/** An operator as a plugin module writes it: codec and description optional. */
export type PluginOperator<S extends OperatorStage = OperatorStage, P = unknown> = Omit<OperatorFactory<S, P>, "params" | "description"> & {
  readonly params?: t.Decoder<unknown, P>;
  readonly description?: string;
};

/** Any operator entry; `stage` tells which stream its operator acts on (and narrows its type). */
export type AnyOperatorFactory = OperatorFactory<"book"> | OperatorFactory<"intent"> | OperatorFactory<"fill">;

/** Typed helper: the stage and the parameters' type are inferred from the entry. */
export function defineOperator<S extends OperatorStage, P>(f: OperatorFactory<S, P>): OperatorFactory<S, P>;
export function defineOperator<S extends OperatorStage, P>(f: PluginOperator<S, P>): PluginOperator<S, P>;
export function defineOperator<S extends OperatorStage, P>(f: PluginOperator<S, P>): PluginOperator<S, P> {
  return f;
}

/** A strategy's quoting function: the same market state and position the built-in ladder gets. */
export type StrategyFunction = (market: QuoterMarketState, position: QuoterPosition) => QuoteIntent;

/** What a strategy factory sees: the operator context plus the asset's `quoter` parameters. */
export interface StrategyContext extends OperatorContext {
  /** The asset's `quoter` section (+ risk.maxPositionUsd): the built-in ladder's parameters, and what the market state is computed with. */
  readonly quoter: QuoterParams;
}

/** A strategy a config can select with `strategy: { name, params }`. */
export interface StrategyFactory<P = unknown> {
  readonly params: t.Decoder<unknown, P>;
  readonly description: string;
  create(params: P, ctx: StrategyContext): StrategyFunction;
}

/**
 * A strategy as a plugin module writes it: the bare factory `(params, ctx) => (market, position)
 * => intent`, or an entry with an optional codec and description.
 */
export type PluginStrategy<P = unknown> =
  | ((params: P, ctx: StrategyContext) => StrategyFunction)
  | {
      readonly params?: t.Decoder<unknown, P>;
      readonly description?: string;
      create(params: P, ctx: StrategyContext): StrategyFunction;
    };

/** Typed helper for a strategy entry. */
export function defineStrategy<P>(f: PluginStrategy<P>): PluginStrategy<P> {
  return f;
}

/** Where a registry entry came from: built in, or a plugin module named in a config file. */
export interface EntryOrigin {
  /** The specifier as the config wrote it (`./my-plugin.mjs`, `some-package`). */
  readonly plugin: string;
  /** The config file that named it. */
  readonly config: string;
}

export type OperatorRegistry = Readonly<Record<string, AnyOperatorFactory>>;
export type StrategyRegistry = Readonly<Record<string, StrategyFactory>>;

/** Origins of plugin entries by name (built-in names are absent). */
export interface RegistryOrigins {
  readonly operators: Readonly<Record<string, EntryOrigin>>;
  readonly strategies: Readonly<Record<string, EntryOrigin>>;
}

const MaxAge = strictStruct({ maxAgeMs: PositiveNumber }, {}, "{ maxAgeMs: number > 0 }");

/** A book stamped more than this ahead of the local clock is dropped (`FutureTimestamp`); a config can change it. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 5_000;

/** Every built-in operator a config can name. */
export const operatorRegistry = {
  dataQualityGate: defineOperator({
    stage: "book",
    params: strictStruct({}, { maxDeviationPct: Percent, referenceMaxAgeMs: NonNegativeNumber, maxClockSkewMs: NonNegativeNumber }, "{ maxDeviationPct?: 0..100, referenceMaxAgeMs?: ms, maxClockSkewMs?: ms (default 5000) }"),
    description: "drops books with bad prices/sizes, timestamps ahead of the local clock by more than maxClockSkewMs, timestamp regressions, sequence gaps, or prices far from the reference mid (counted by reason)",
    create: (p, ctx) =>
      dataQualityGate({
        maxClockSkewMs: p.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS,
        ...(p.maxDeviationPct !== undefined ? { maxDeviationFromMid: p.maxDeviationPct / 100 } : {}),
        ...(p.referenceMaxAgeMs !== undefined ? { referenceMaxAgeMs: p.referenceMaxAgeMs } : {}),
        ...(ctx.referenceMid$ ? { reference: ctx.referenceMid$ } : {}),
        stats: ctx.dataQuality,
        ...(ctx.onDataQualityReject ? { onReject: ctx.onDataQualityReject } : {}),
      }, ctx.scheduler),
  }),
  staleGate: defineOperator({
    stage: "intent",
    params: MaxAge,
    description: "closes (pulls every quote) when the asset's market data is older than maxAgeMs",
    create: (p, ctx) => staleGate(ctx.book$, { maxAgeMs: p.maxAgeMs }, ctx.scheduler),
  }),
  userStaleGate: defineOperator({
    stage: "intent",
    params: MaxAge,
    description: "closes when no user event (order update, fill, account answer) arrived for maxAgeMs",
    create: (p, ctx) => staleGate(ctx.userEvents$, { maxAgeMs: p.maxAgeMs }, ctx.scheduler),
  }),
  crossedBookGate: defineOperator({
    stage: "intent",
    params: strictStruct({}, {}, "{} (no parameters)"),
    description: "closes while the asset's book is crossed (best bid ≥ best ask) or has an empty side",
    create: (_p, ctx) => crossedBookGate(ctx.book$),
  }),
  quotaBreakerGate: defineOperator({
    stage: "intent",
    params: strictStruct({}, {}, "{} (no parameters)"),
    description: "closes while the quota throttle's circuit breaker is open (headroom below quota.breakerPct), so cancels keep the last headroom",
    create: (_p, ctx) => quotaBreakerGate(ctx.quotaState$ ?? EMPTY),
  }),
} satisfies Record<string, AnyOperatorFactory>;

/** Built-in strategies a config can select by name (absent `strategy:` is the built-in ladder). */
export const strategyRegistry: StrategyRegistry = {};

/** Parameters as written when an entry declares no codec. */
export const AnyParams: t.Decoder<unknown, unknown> = t.unknown;

/** The registry seen as config validation needs it (names and parameter codecs). */
export function catalogOf(registry: OperatorRegistry | StrategyRegistry): OperatorCatalog {
  return Object.fromEntries(Object.entries(registry).map(([name, f]) => [name, { params: f.params }]));
}
