// Where trades enter the service: one gated stream per asset, for the fill snapshot's trade-flow
// figure and for the pipeline's operators and strategies alike. A trade stamped further ahead of
// the local clock than the asset's skew bound (its dataQualityGate's maxClockSkewMs, default
// 5000 ms) is dropped like a book (`FutureTimestamp`), counted in
// quoteflow_data_quality_rejects_total{reason="trade:FutureTimestamp"} and logged.
import type { Observable, SchedulerLike } from "rxjs";
import type { Logger } from "pino";
import { tradeQualityGate } from "../operators/tradeQualityGate.js";
import type { TradeEvent } from "../streams/market.js";
import type { Venue } from "../streams/venue.js";
import type { OperatorStep } from "./config.js";
import type { ServiceMetrics } from "./metrics.js";
import { DEFAULT_MAX_CLOCK_SKEW_MS } from "./registry.js";
import { shareFanout } from "../streams/fanout.js";

/** The skew bound of an asset's operators: its dataQualityGate's maxClockSkewMs, else the default. */
export function tradeSkewMs(operators: readonly OperatorStep[]): number {
  const dq = operators.find((o) => o.name === "dataQualityGate")?.params as { maxClockSkewMs?: unknown } | undefined;
  const v = dq?.maxClockSkewMs;
  return typeof v === "number" && v >= 0 ? v : DEFAULT_MAX_CLOCK_SKEW_MS;
}

/** The asset's trades, gated (shared: one venue subscription for every reader). */
export function gatedTrades(venue: Venue, asset: string, skewMs: number, scheduler: SchedulerLike, metrics: ServiceMetrics, log: Logger): Observable<TradeEvent> {
  return venue.trades(asset).pipe(
    tradeQualityGate(
      {
        maxClockSkewMs: skewMs,
        onReject: (reason, t) => {
          metrics.dataQualityRejects.inc({ asset, reason: `trade:${reason}` });
          log.warn({ component: "dataQuality", asset, failure: "trade_rejected", reason, time: t.time, aheadMs: t.time - scheduler.now(), tid: t.tid }, "trade rejected (timestamp ahead of the local clock, or bad price/size)");
        },
      },
      scheduler,
    ),
    shareFanout(),
  );
}
