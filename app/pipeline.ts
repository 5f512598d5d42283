// One asset's pipeline, composed from its config: book-stage operators → quoter → intent-stage
// gates, in the order the config lists them. Nothing here knows which operators exist; the
// registry does.
import { type MonoTypeOperatorFunction, type Observable, type OperatorFunction, type SchedulerLike, map, share, tap } from "rxjs";
import { type DataQualityRejectReason, type DataQualityStats, createDataQualityStats } from "../operators/dataQualityGate.js";
import type { QuotaThrottleState } from "../operators/quotaThrottle.js";
import { type QuoteStrategy, type QuoterMarketState, type QuoterParams, quoter } from "../operators/quoter.js";
import type { QuoteIntent } from "../streams/intent.js";
import type { BookEvent, MidEvent, ReferenceQuote } from "../streams/market.js";
import type { AssetConfig } from "./config.js";
import { type OperatorContext, type OperatorRegistry, operatorRegistry } from "./registry.js";

/** Hooks the service uses to count what flows through each operator (metrics). */
export interface PipelineProbe {
  /** A value entered (`in`) or left (`out`) the named operator of `asset`. */
  flow(asset: string, operator: string, direction: "in" | "out"): void;
  /** dataQualityGate dropped a book of `asset`. */
  rejected?(asset: string, reason: DataQualityRejectReason): void;
}

export interface AssetPipelineInputs {
  /** The venue's books for this asset. Subscribed once (shared inside). */
  readonly book$: Observable<BookEvent>;
  /** Liveness of the account's user events (any order update, fill or account answer). */
  readonly userEvents$: Observable<{ readonly time: number }>;
  /** Our signed position in this asset (coins). */
  readonly position$: Observable<number>;
  readonly reference$?: Observable<ReferenceQuote>;
  readonly scheduler: SchedulerLike;
  readonly szDecimals: number;
  /** Replaces the default ladder strategy. */
  readonly strategy?: QuoteStrategy;
  readonly probe?: PipelineProbe;
  /** The sink's quota throttle state, for quotaBreakerGate. */
  readonly quotaState$?: Observable<QuotaThrottleState>;
}

export interface AssetPipeline {
  readonly asset: string;
  readonly config: AssetConfig;
  /** Gated intents: what the sink should make rest on the book. */
  readonly intents$: Observable<QuoteIntent>;
  /** Books after the book-stage operators, shared. */
  readonly book$: Observable<BookEvent>;
  /** The quoter's latest market state (fair price, volatility), for status and analytics. */
  market(): QuoterMarketState | undefined;
  readonly dataQuality: DataQualityStats;
}

/** The quoter's parameters for an asset: its `quoter` section plus the position bound from `risk`. */
export function quoterParamsOf(config: AssetConfig): QuoterParams {
  return { ...config.quoter, maxPositionUsd: config.risk.maxPositionUsd };
}

function counted<A, B>(asset: string, name: string, op: OperatorFunction<A, B>, probe: PipelineProbe | undefined): OperatorFunction<A, B> {
  if (!probe) return op;
  return (source) =>
    source.pipe(
      tap(() => probe.flow(asset, name, "in")),
      op,
      tap(() => probe.flow(asset, name, "out")),
    );
}

/**
 * Build one asset's pipeline. The returned `intents$` is cold: each subscription runs the chain
 * (and subscribes the inputs) afresh, so a re-composed pipeline starts with clean operator state
 * while the order state, which lives in the sink, is untouched.
 */
export function composeAssetPipeline(config: AssetConfig, inputs: AssetPipelineInputs, registry: OperatorRegistry = operatorRegistry): AssetPipeline {
  const asset = config.asset;
  const dataQuality = createDataQualityStats();
  const referenceMid$: Observable<MidEvent> | undefined = inputs.reference$?.pipe(
    map((q) => ({ asset: q.asset, time: q.time, mid: (q.bid + q.ask) / 2 })),
  );

  const bookSteps = config.operators.filter((s) => registry[s.name]?.stage === "book");
  const intentSteps = config.operators.filter((s) => registry[s.name]?.stage === "intent");
  const unknown = config.operators.filter((s) => registry[s.name] === undefined);
  if (unknown.length > 0) throw new Error(`pipeline ${asset}: operators not in the registry: ${unknown.map((s) => s.name).join(", ")}`);

  // The context's book$ is filled in below, once the book stage exists; factories only read it
  // when they are called, after that.
  let filteredBook$: Observable<BookEvent> | undefined;
  const ctx: OperatorContext = {
    asset,
    get book$() {
      if (!filteredBook$) throw new Error(`pipeline ${asset}: book$ read before the book stage was built`);
      return filteredBook$;
    },
    userEvents$: inputs.userEvents$,
    ...(referenceMid$ ? { referenceMid$ } : {}),
    scheduler: inputs.scheduler,
    dataQuality,
    ...(inputs.probe?.rejected ? { onDataQualityReject: (reason: DataQualityRejectReason) => inputs.probe!.rejected!(asset, reason) } : {}),
    ...(inputs.quotaState$ ? { quotaState$: inputs.quotaState$ } : {}),
  };

  let book$: Observable<BookEvent> = inputs.book$;
  for (const step of bookSteps) {
    const op = registry[step.name]!.create(step.params, ctx) as MonoTypeOperatorFunction<BookEvent>;
    book$ = book$.pipe(counted(asset, step.name, op, inputs.probe));
  }
  filteredBook$ = book$.pipe(share());

  let market: QuoterMarketState | undefined;
  let intents$: Observable<QuoteIntent> = filteredBook$.pipe(
    counted(
      asset,
      "quoter",
      quoter({
        params: quoterParamsOf(config),
        szDecimals: inputs.szDecimals,
        position$: inputs.position$,
        ...(inputs.reference$ ? { ref$: inputs.reference$ } : {}),
        ...(inputs.strategy ? { strategy: inputs.strategy } : {}),
        onState: (s) => {
          market = s;
        },
      }),
      inputs.probe,
    ),
  );
  for (const step of intentSteps) {
    const op = registry[step.name]!.create(step.params, ctx) as MonoTypeOperatorFunction<QuoteIntent>;
    intents$ = intents$.pipe(counted(asset, step.name, op, inputs.probe));
  }

  return {
    asset,
    config,
    intents$,
    book$: filteredBook$,
    market: () => market,
    dataQuality,
  };
}
