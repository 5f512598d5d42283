// What one asset's pipeline is fed by the service: its books, the user events that keep
// userStaleGate open, the sink's position, fills and events, the reference feed, the gated trades,
// the quota state, and the probe that counts and logs what the operators let through or refuse.
import type { Logger } from "pino";
import { type Observable, type SchedulerLike, defer, distinctUntilChanged, filter, map, merge, startWith } from "rxjs";
import type { ExecutionSink } from "../sinks/executionSink.js";
import type { QuotaThrottleState } from "../streams/quota.js";
import type { AssetMeta, BookEvent, ReferenceQuote, TradeEvent } from "../streams/market.js";
import type { Venue } from "../streams/venue.js";
import type { ServiceMetrics } from "./metrics.js";
import type { OperatorEventCounts } from "./operatorEvents.js";
import { type AssetPipelineInputs, PIPELINE_SINK_EVENT_TYPES, pipelineSinkEvents } from "./pipeline.js";

export interface InputsHost {
  readonly venue: Venue;
  readonly scheduler: SchedulerLike;
  readonly sink: ExecutionSink;
  /** The last user event seen (read when a pipeline subscribes). */
  readonly lastUserEvent: number | undefined;
  readonly reference?: (asset: string) => Observable<ReferenceQuote>;
  readonly log: Logger;
  readonly metrics: ServiceMetrics;
  readonly operatorEvents: OperatorEventCounts;
  readonly quotaState$: Observable<QuotaThrottleState> | undefined;
  /** Each asset's trades, gated where they enter (app/tradeGate.ts). */
  readonly trades: ReadonlyMap<string, Observable<TradeEvent>>;
}

export function assetPipelineInputs(h: InputsHost, asset: string, book$: Observable<BookEvent>, meta: AssetMeta): AssetPipelineInputs {
  // A re-composed pipeline starts from the last user event seen (userStaleGate would otherwise
  // start closed with NoDataReceived and pull the ladder until the next one).
  const userEvents$ = defer(() => {
    const live$ = merge(h.venue.orderUpdates$, h.venue.fills$, h.sink.eventsOf("reconcile")).pipe(map(() => ({ time: h.scheduler.now() })));
    const last = h.lastUserEvent;
    return last === undefined ? live$ : live$.pipe(startWith({ time: last }));
  });
  // The quoter's position: the sink's position events (after each fill and each reconcile), starting
  // from the current one (a re-composed pipeline must not quote as if flat until the next fill).
  const position$ = defer(() =>
    h.sink.eventsOf("position").pipe(
      filter((p) => p.asset === asset),
      map((p) => p.position),
      startWith(h.sink.positions.position(asset)),
      distinctUntilChanged(),
    ),
  );
  const reference$ = h.reference?.(asset);
  const sink = h.sink;
  const plog = h.log.child({ component: "pipeline", asset });
  return {
    book$,
    userEvents$,
    position$,
    ...(reference$ ? { reference$ } : {}),
    scheduler: h.scheduler,
    szDecimals: meta.szDecimals,
    trades$: h.trades.get(asset) ?? h.venue.trades(asset),
    fills$: sink.eventsOf("fill").pipe(
      map((e) => e.fill),
      filter((f) => f.asset === asset),
    ),
    sinkEvents$: pipelineSinkEvents(sink.eventsOf(...PIPELINE_SINK_EVENT_TYPES)),
    probe: {
      flow: (a, operator, direction) => h.operatorEvents.inc(a, operator, direction),
      counter: (a, operator, direction) => h.operatorEvents.bound(a, operator, direction),
      rejected: (a, reason) => {
        h.metrics.dataQualityRejects.inc({ asset: a, reason });
        h.log.warn({ component: "dataQuality", asset: a, failure: "book_rejected", reason }, "book rejected by dataQualityGate");
      },
      strategyError: (a, strategy, detail, first) => {
        h.operatorEvents.inc(a, strategy, "rejected");
        if (first) plog.error({ strategy, detail }, "strategy failed: its intent is replaced by an empty one (nothing quoted)");
      },
    },
    ...(h.quotaState$ ? { quotaState$: h.quotaState$ } : {}),
  };
}
