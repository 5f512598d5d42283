// The operator registry: config names → factories. Adding an operator to what a config can
// compose is one entry here (its stage, its parameter codec, how to build it from a context).
import * as t from "io-ts";
import { EMPTY, type MonoTypeOperatorFunction, type Observable, type SchedulerLike } from "rxjs";
import { crossedBookGate } from "../operators/crossedBookGate.js";
import { type DataQualityRejectReason, type DataQualityStats, dataQualityGate } from "../operators/dataQualityGate.js";
import { quotaBreakerGate } from "../operators/quotaBreakerGate.js";
import type { QuotaThrottleState } from "../operators/quotaThrottle.js";
import { staleGate } from "../operators/staleGate.js";
import type { QuoteIntent } from "../streams/intent.js";
import type { BookEvent, MidEvent } from "../streams/market.js";
import { strictStruct } from "../streams/codec.js";
import { type OperatorCatalog, NonNegativeNumber, PositiveNumber, Percent } from "./config.js";

/**
 * Which stream an operator acts on. `book`: the asset's book snapshots, before the quoter.
 * `intent`: the quoter's intents, after it (the gates).
 */
export type OperatorStage = "book" | "intent";

/** What a factory may use to build its operator for one asset. */
export interface OperatorContext {
  readonly asset: string;
  /** The asset's books after the book-stage operators (what the gates watch). */
  readonly book$: Observable<BookEvent>;
  /** Liveness of the account's user events (order updates, fills, account answers). */
  readonly userEvents$: Observable<{ readonly time: number }>;
  /** Reference-venue mids of the asset, when a reference feed exists. */
  readonly referenceMid$?: Observable<MidEvent>;
  readonly scheduler: SchedulerLike;
  /** Counters the data-quality gate increments (metrics read them). */
  readonly dataQuality: DataQualityStats;
  /** Called for each book the data-quality gate drops. */
  readonly onDataQualityReject?: (reason: DataQualityRejectReason) => void;
  /** The execution sink's quota throttle state (absent when unthrottled: the breaker never opens). */
  readonly quotaState$?: Observable<QuotaThrottleState>;
}

export type StageOperator<S extends OperatorStage> = S extends "book"
  ? MonoTypeOperatorFunction<BookEvent>
  : MonoTypeOperatorFunction<QuoteIntent>;

export interface OperatorFactory<S extends OperatorStage = OperatorStage, P = any> {
  readonly stage: S;
  readonly params: t.Type<P, unknown, unknown>;
  /** One line for `--help` and the README. */
  readonly description: string;
  readonly create: (params: P, ctx: OperatorContext) => StageOperator<S>;
}

function factory<S extends OperatorStage, P>(f: OperatorFactory<S, P>): OperatorFactory<S, P> {
  return f;
}

const MaxAge = strictStruct({ maxAgeMs: PositiveNumber }, {}, "{ maxAgeMs: number > 0 }");

/** Every operator a config can name. */
export const operatorRegistry = {
  dataQualityGate: factory({
    stage: "book",
    params: strictStruct({}, { maxDeviationPct: Percent, referenceMaxAgeMs: NonNegativeNumber }, "{ maxDeviationPct?: 0..100, referenceMaxAgeMs?: ms }"),
    description: "drops books with bad prices/sizes, timestamp regressions, sequence gaps, or prices far from the reference mid (counted by reason)",
    create: (p, ctx) =>
      dataQualityGate({
        ...(p.maxDeviationPct !== undefined ? { maxDeviationFromMid: p.maxDeviationPct / 100 } : {}),
        ...(p.referenceMaxAgeMs !== undefined ? { referenceMaxAgeMs: p.referenceMaxAgeMs } : {}),
        ...(ctx.referenceMid$ ? { reference: ctx.referenceMid$ } : {}),
        stats: ctx.dataQuality,
        ...(ctx.onDataQualityReject ? { onReject: ctx.onDataQualityReject } : {}),
      }),
  }),
  staleGate: factory({
    stage: "intent",
    params: MaxAge,
    description: "closes (pulls every quote) when the asset's market data is older than maxAgeMs",
    create: (p, ctx) => staleGate(ctx.book$, { maxAgeMs: p.maxAgeMs }, ctx.scheduler),
  }),
  userStaleGate: factory({
    stage: "intent",
    params: MaxAge,
    description: "closes when no user event (order update, fill, account answer) arrived for maxAgeMs",
    create: (p, ctx) => staleGate(ctx.userEvents$, { maxAgeMs: p.maxAgeMs }, ctx.scheduler),
  }),
  crossedBookGate: factory({
    stage: "intent",
    params: strictStruct({}, {}, "{} (no parameters)"),
    description: "closes while the asset's book is crossed (best bid ≥ best ask) or has an empty side",
    create: (_p, ctx) => crossedBookGate(ctx.book$),
  }),
  quotaBreakerGate: factory({
    stage: "intent",
    params: strictStruct({}, {}, "{} (no parameters)"),
    description: "closes while the quota throttle's circuit breaker is open (headroom below quota.breakerPct), so cancels keep the last headroom",
    create: (_p, ctx) => quotaBreakerGate(ctx.quotaState$ ?? EMPTY),
  }),
} satisfies Record<string, OperatorFactory>;

export type OperatorRegistry = Readonly<Record<string, OperatorFactory>>;

/** The registry seen as config validation needs it (names and parameter codecs). */
export function catalogOf(registry: OperatorRegistry): OperatorCatalog {
  return Object.fromEntries(Object.entries(registry).map(([name, f]) => [name, { params: f.params }]));
}
