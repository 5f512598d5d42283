import { type MonoTypeOperatorFunction, type SchedulerLike, asyncScheduler, filter } from "rxjs";
import type { TradeEvent } from "../streams/market.js";

/** Why `tradeQualityGate` dropped a trade. */
export type TradeQualityRejectReason = "FutureTimestamp" | "BadPrice" | "BadSize";

export interface TradeQualityGateOptions {
  /**
   * Largest accepted lead of a trade's `time` over the local clock (`scheduler.now()`), ms: a trade
   * stamped further ahead is dropped (`FutureTimestamp`), like a book in dataQualityGate. Required.
   */
  readonly maxClockSkewMs: number;
  /** Called for each dropped trade. A throw errors the stream. */
  readonly onReject?: (reason: TradeQualityRejectReason, trade: TradeEvent) => void;
}

/**
 * Drops trades that cannot be true: stamped more than `maxClockSkewMs` ahead of the local clock,
 * or with a non-positive / non-finite price or size. Trades feed the fill snapshot's trade-flow
 * figure and the strategies that read flow: one stamped an hour ahead would count as the latest
 * flow for an hour.
 *
 * ```
 * source:            -a-b-c-|     b: time 1 h ahead of scheduler.now(), maxClockSkewMs 5000
 * tradeQualityGate:  -a---c-|     onReject("FutureTimestamp", b)
 * ```
 *
 * Stateless (each trade is judged alone): no per-subscription state to share.
 * @param options.maxClockSkewMs required, ≥ 0.
 * @param options.onReject per-drop callback; default none.
 * @param scheduler the local clock; default asyncScheduler.
 * Errors downstream: source errors and a throwing `onReject`.
 */
export function tradeQualityGate(options: TradeQualityGateOptions, scheduler: SchedulerLike = asyncScheduler): MonoTypeOperatorFunction<TradeEvent> {
  const maxSkew = options.maxClockSkewMs;
  if (!(maxSkew >= 0)) throw new RangeError(`tradeQualityGate: maxClockSkewMs must be ≥ 0, got ${String(maxSkew)}`);
  const onReject = options.onReject;
  return filter((t) => {
    const reason: TradeQualityRejectReason | undefined =
      !(t.px > 0) || t.px === Infinity ? "BadPrice" : !(t.sz > 0) || t.sz === Infinity ? "BadSize" : !(t.time - scheduler.now() <= maxSkew) ? "FutureTimestamp" : undefined;
    if (reason === undefined) return true;
    onReject?.(reason, t);
    return false;
  });
}
