// One asset's pipeline, composed from its config: book-stage operators → strategy (the built-in
// ladder or a plugin's) → intent-stage gates, plus the fill stage over the asset's fills, each in
// the order the config lists them. Nothing here knows which operators exist; the registry does.
import { EMPTY, type MonoTypeOperatorFunction, Observable, type OperatorFunction, type SchedulerLike, filter, ignoreElements, map, merge } from "rxjs";
import type { SinkEvent } from "../sinks/executionSink.js";
import { type DataQualityRejectReason, type DataQualityStats, createDataQualityStats } from "../operators/dataQualityGate.js";
import type { QuotaThrottleState } from "../operators/quotaThrottle.js";
import { type QuoteStrategy, type QuoterMarketState, type QuoterParams, priceTick, quoter, roundPassive, sizeForUsd } from "../operators/quoter.js";
import { formatErrors } from "../streams/codec.js";
import type { FillEvent } from "../streams/fill.js";
import { QuoteIntent, emptyIntent } from "../streams/intent.js";
import type { BookEvent, MidEvent, ReferenceQuote, TradeEvent } from "../streams/market.js";
import { type AssetConfig, ConfigError } from "./config.js";
import {
  type AnyOperatorFactory,
  type OperatorContext,
  type OperatorRegistry,
  type PipelineSinkEvent,
  type PriceGrid,
  type RegistryOrigins,
  type StrategyFunction,
  type StrategyRegistry,
  operatorRegistry,
  strategyRegistry,
} from "./registry.js";
import { shareFanout } from "../streams/fanout.js";
import { SourceSubscriber } from "../streams/sourceSubscriber.js";

/** Hooks the service uses to count what flows through each operator (metrics). */
export interface PipelineProbe {
  /** A value entered (`in`) or left (`out`) the named operator of `asset`. */
  flow(asset: string, operator: string, direction: "in" | "out"): void;
  /**
   * Optional: the same count as `flow(asset, operator, direction)`, bound once when the pipeline is
   * composed (the returned function is called per value instead of `flow`).
   */
  counter?(asset: string, operator: string, direction: "in" | "out"): () => void;
  /** dataQualityGate dropped a book of `asset`. */
  rejected?(asset: string, reason: DataQualityRejectReason): void;
  /**
   * A plugin strategy threw or returned an invalid intent (nothing is quoted instead). `first`:
   * the first time, or a different problem than the previous time (log those; count every one).
   */
  strategyError?(asset: string, strategy: string, detail: string, first: boolean): void;
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
  /** The asset's public trades (for operators and strategies that read flow). Default: none. */
  readonly trades$?: Observable<TradeEvent>;
  /** The asset's fills as the sink applied them (the fill stage's input). Default: none. */
  readonly fills$?: Observable<FillEvent>;
  /** The sink's events (all assets). Default: none. */
  readonly sinkEvents$?: Observable<PipelineSinkEvent>;
  /** Replaces the default ladder strategy (a config's `strategy:` takes precedence). */
  readonly strategy?: QuoteStrategy;
  readonly probe?: PipelineProbe;
  /** The sink's quota throttle state, for quotaBreakerGate. */
  readonly quotaState$?: Observable<QuotaThrottleState>;
}

/** Where the strategies come from, and which entries are plugins' (for error messages). */
export interface PipelineRegistries {
  readonly strategies?: StrategyRegistry;
  readonly origins?: RegistryOrigins;
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
  /** Intents of a plugin strategy replaced by an empty one (it threw or its intent was invalid). */
  strategyErrors(): number;
}

/** The quoter's parameters for an asset: its `quoter` section plus the position bound from `risk`. */
export function quoterParamsOf(config: AssetConfig): QuoterParams {
  return { ...config.quoter, maxPositionUsd: config.risk.maxPositionUsd };
}

/** The asset's price and size grid as plugins see it. */
export function priceGrid(szDecimals: number): PriceGrid {
  return {
    roundPrice: (px, isBid) => roundPassive(px, isBid, szDecimals),
    sizeForUsd: (usd, px) => sizeForUsd(usd, px, szDecimals),
    tick: (px) => priceTick(px, szDecimals),
  };
}

type Bump = () => void;

function bumpOf(probe: PipelineProbe, asset: string, name: string, direction: "in" | "out"): Bump {
  return probe.counter?.(asset, name, direction) ?? (() => probe.flow(asset, name, direction));
}

/** Passes every value on after calling each bump (one hop, no tap subscriber and observer). */
function bumping<T>(bumps: readonly Bump[]): MonoTypeOperatorFunction<T> {
  const one = bumps.length === 1 ? bumps[0]! : undefined;
  return (source) =>
    new Observable<T>((sub) =>
      source.subscribe(
        new SourceSubscriber<T>(sub, (v) => {
          if (one) one();
          else for (let i = 0; i < bumps.length; i++) bumps[i]!();
          sub.next(v);
        }),
      ),
    );
}

/** A stage's named operators, in order. */
interface NamedOp {
  readonly name: string;
  readonly op: OperatorFunction<any, any>;
}

/**
 * `source` through `ops`, counting what enters (`in`) and leaves (`out`) each one. Operators of a
 * stage follow each other directly, so what leaves one is what enters the next: one counting hop
 * between two operators bumps both (out of the first, then in to the second — the order two taps
 * would call them).
 */
function countedStage<T>(asset: string, source: Observable<unknown>, ops: readonly NamedOp[], probe: PipelineProbe | undefined): Observable<T> {
  let out = source;
  if (!probe || ops.length === 0) {
    for (const o of ops) out = out.pipe(o.op);
    return out as Observable<T>;
  }
  out = out.pipe(bumping([bumpOf(probe, asset, ops[0]!.name, "in")]));
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i]!;
    const next = ops[i + 1];
    out = out.pipe(o.op, bumping(next ? [bumpOf(probe, asset, o.name, "out"), bumpOf(probe, asset, next.name, "in")] : [bumpOf(probe, asset, o.name, "out")]));
  }
  return out as Observable<T>;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Why `intent` must not reach the sink (empty: it may). */
export function intentProblems(intent: unknown, asset: string): string[] {
  const decoded = QuoteIntent.decode(intent);
  if (decoded._tag === "Left") return formatErrors(decoded.left);
  const i = decoded.right;
  const problems: string[] = [];
  if (i.asset !== asset) problems.push(`$.asset: expected "${asset}", got "${i.asset}"`);
  const side = (levels: QuoteIntent["bids"], name: "bids" | "asks") =>
    levels.forEach((l, k) => {
      if (!(l.px > 0)) problems.push(`$.${name}.${k}.px: expected a price > 0, got ${l.px}`);
      if (!(l.sz > 0)) problems.push(`$.${name}.${k}.sz: expected a size > 0, got ${l.sz}`);
    });
  side(i.bids, "bids");
  side(i.asks, "asks");
  return problems;
}

/**
 * A plugin strategy behind a guard: a throw or an invalid intent becomes an empty intent with a
 * `StrategyError` reason ("when unsure, don't quote"), counted and reported to the probe.
 */
function guardedStrategy(name: string, asset: string, fn: StrategyFunction, probe: PipelineProbe | undefined, errors: { n: number }): QuoteStrategy {
  let lastDetail: string | undefined;
  return (market, position) => {
    let detail: string;
    try {
      const intent = fn(market, position);
      const problems = intentProblems(intent, asset);
      if (problems.length === 0) {
        lastDetail = undefined;
        return intent;
      }
      detail = `invalid intent: ${problems.slice(0, 5).join("; ")}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ""}`;
    } catch (err) {
      detail = `threw ${messageOf(err)}`;
    }
    errors.n++;
    probe?.strategyError?.(asset, name, detail, detail !== lastDetail);
    lastDetail = detail;
    return emptyIntent(asset, market.time, { kind: "StrategyError", strategy: name, detail });
  };
}

/**
 * Build one asset's pipeline. The returned `intents$` is cold: each subscription runs the chain
 * (and subscribes the inputs) afresh, so a re-composed pipeline starts with clean operator state
 * while the order state, which lives in the sink, is untouched. A factory that throws (or names a
 * strategy that does not exist) is a ConfigError naming the asset, the entry and its plugin.
 */
export function composeAssetPipeline(
  config: AssetConfig,
  inputs: AssetPipelineInputs,
  registry: OperatorRegistry = operatorRegistry,
  registries: PipelineRegistries = {},
): AssetPipeline {
  const asset = config.asset;
  const strategies = registries.strategies ?? strategyRegistry;
  const origins = registries.origins;
  const dataQuality = createDataQualityStats();
  const referenceMid$: Observable<MidEvent> | undefined = inputs.reference$?.pipe(
    map((q) => ({ asset: q.asset, time: q.time, mid: (q.bid + q.ask) / 2 })),
  );

  const unknown = config.operators.filter((s) => registry[s.name] === undefined);
  if (unknown.length > 0) throw new Error(`pipeline ${asset}: operators not in the registry: ${unknown.map((s) => s.name).join(", ")}`);
  const steps = config.operators.map((s, index) => ({ ...s, index, factory: registry[s.name]! }));

  const failed = (what: string, origin: { plugin: string; config: string } | undefined, detail: string): ConfigError =>
    new ConfigError(origin?.config ?? "(config)", [`asset ${asset}, ${what}${origin ? ` (plugin ${origin.plugin})` : ""}: ${detail}`]);
  const build = <T>(step: (typeof steps)[number], make: (f: AnyOperatorFactory) => T): T => {
    let op: T;
    try {
      op = make(step.factory);
    } catch (err) {
      throw failed(`operators.${step.index} ${step.name}: its factory threw`, origins?.operators[step.name], messageOf(err));
    }
    if (typeof op !== "function")
      throw failed(`operators.${step.index} ${step.name}`, origins?.operators[step.name], `its factory returned ${op === null ? "null" : typeof op}, expected an operator (source$) => result$`);
    return op;
  };

  // The context's book$ and fills$ are filled in below, once their stage exists; factories only
  // read them when they are called, after that.
  let filteredBook$: Observable<BookEvent> | undefined;
  let stagedFills$: Observable<FillEvent> | undefined;
  const ctx: OperatorContext = {
    asset,
    szDecimals: inputs.szDecimals,
    grid: priceGrid(inputs.szDecimals),
    scheduler: inputs.scheduler,
    get book$() {
      if (!filteredBook$) throw new Error(`pipeline ${asset}: book$ read before the book stage was built (a book-stage factory cannot watch its own output)`);
      return filteredBook$;
    },
    get mid$() {
      return ctx.book$.pipe(
        map((b): MidEvent | undefined => {
          const bid = b.bids[0]?.px;
          const ask = b.asks[0]?.px;
          return bid !== undefined && ask !== undefined && bid < ask ? { asset, time: b.time, mid: (bid + ask) / 2 } : undefined;
        }),
        filter((m): m is MidEvent => m !== undefined),
      );
    },
    get fills$() {
      if (!stagedFills$) throw new Error(`pipeline ${asset}: fills$ read before the fill stage was built (a fill-stage factory cannot watch its own output)`);
      return stagedFills$;
    },
    trades$: inputs.trades$ ?? EMPTY,
    position$: inputs.position$,
    sinkEvents$: inputs.sinkEvents$ ?? EMPTY,
    userEvents$: inputs.userEvents$,
    ...(referenceMid$ ? { referenceMid$ } : {}),
    dataQuality,
    ...(inputs.probe?.rejected ? { onDataQualityReject: (reason: DataQualityRejectReason) => inputs.probe!.rejected!(asset, reason) } : {}),
    ...(inputs.quotaState$ ? { quotaState$: inputs.quotaState$ } : {}),
  };

  const stageOps = (stage: "book" | "fill" | "intent"): NamedOp[] => {
    const ops: NamedOp[] = [];
    for (const step of steps) {
      const f = step.factory;
      if (f.stage === stage) ops.push({ name: step.name, op: build(step, () => f.create(step.params, ctx)) });
    }
    return ops;
  };
  filteredBook$ = countedStage<BookEvent>(asset, inputs.book$, stageOps("book"), inputs.probe).pipe(shareFanout());

  const fillOps = stageOps("fill");
  const fillStage = fillOps.length > 0;
  stagedFills$ = fillStage ? countedStage<FillEvent>(asset, inputs.fills$ ?? EMPTY, fillOps, inputs.probe).pipe(shareFanout()) : (inputs.fills$ ?? EMPTY);

  const params = quoterParamsOf(config);
  const errors = { n: 0 };
  let strategy: QuoteStrategy | undefined = inputs.strategy;
  if (config.strategy) {
    const name = config.strategy.name;
    const origin = origins?.strategies[name];
    const entry = Object.prototype.hasOwnProperty.call(strategies, name) ? strategies[name] : undefined;
    if (entry === undefined) throw failed(`strategy ${name}`, origin, `no such strategy (known: ${Object.keys(strategies).join(", ") || "none"})`);
    let fn: StrategyFunction;
    try {
      fn = entry.create(config.strategy.params, { ...ctx, quoter: params });
    } catch (err) {
      throw failed(`strategy ${name}: its factory threw`, origin, messageOf(err));
    }
    if (typeof fn !== "function") throw failed(`strategy ${name}`, origin, `its factory returned ${fn === null ? "null" : typeof fn}, expected a function (market, position) => intent`);
    strategy = guardedStrategy(name, asset, fn, inputs.probe, errors);
  }

  let market: QuoterMarketState | undefined;
  const quoterOp: NamedOp = {
    name: config.strategy?.name ?? "quoter",
    op: quoter({
      params,
      szDecimals: inputs.szDecimals,
      position$: inputs.position$,
      ...(inputs.reference$ ? { ref$: inputs.reference$ } : {}),
      ...(strategy ? { strategy } : {}),
      onState: (s) => {
        market = s;
      },
    }),
  };
  let intents$ = countedStage<QuoteIntent>(asset, filteredBook$, [quoterOp, ...stageOps("intent")], inputs.probe);
  // The fill stage runs for as long as the pipeline does (its operators may have effects).
  if (fillStage) intents$ = merge(intents$, stagedFills$.pipe(ignoreElements()));

  return {
    asset,
    config,
    intents$,
    book$: filteredBook$,
    market: () => market,
    dataQuality,
    strategyErrors: () => errors.n,
  };
}

/** The sink event types a pipeline's operators see (pipelineSinkEvents). */
export const PIPELINE_SINK_EVENT_TYPES = ["fill", "race", "reconcile", "gate", "killSwitch"] as const;
type PipelineSinkEventType = (typeof PIPELINE_SINK_EVENT_TYPES)[number];

function toPipelineSinkEvent(e: Extract<SinkEvent, { type: PipelineSinkEventType }>): PipelineSinkEvent {
  switch (e.type) {
    case "fill":
      return { kind: "fill", fill: e };
    case "race":
      return { kind: "race", race: e.race };
    case "reconcile":
      return { kind: "reconcile", report: e.report };
    case "gate":
      return { kind: "gate", gate: e };
    case "killSwitch":
      return { kind: "killSwitch", state: e.state };
  }
}

/**
 * What a pipeline's operators see of the sink: fills, races, reconciliations, gates, the kill
 * switch, from the sink's events of those types (`sink.eventsOf(...PIPELINE_SINK_EVENT_TYPES)`).
 */
export function pipelineSinkEvents(events$: Observable<Extract<SinkEvent, { type: PipelineSinkEventType }>>): Observable<PipelineSinkEvent> {
  return events$.pipe(map(toPipelineSinkEvent));
}
