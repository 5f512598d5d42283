import { type Observable, type MonoTypeOperatorFunction } from "rxjs";
import type { QuoteIntent } from "../streams/intent.js";
import { quoteGate } from "./quoteGateCore.js";
import { DEFAULT_QUOTA_BUDGET_CONFIG } from "./quotaBudget.js";
import type { QuotaThrottleState } from "./quotaThrottle.js";

/**
 * Stops new quotes while quotaThrottle's breaker is open, with the gates' close / swallow / reopen
 * contract, so the reconciler cancels what rests instead of spending the last headroom on quotes.
 *
 * ```
 * state$ (breakerOpen):  f-----t------f--      (QuotaThrottleHandle.state$)
 * source:                -a--b---c-d-----e
 * quotaBreakerGate:      -a--b-x------d--e     x = empty intent, reason QuotaBreaker {headroom, threshold}
 * ```
 *
 * - Open until `state$` says `breakerOpen` (the throttle's handle replays its current state on
 *   subscribe, so there is no "no data" phase).
 * - On opening of the breaker it emits at once one empty intent for the last intent's asset, with
 *   the state's `reason` and `time`; with no intent seen yet, the empty intent goes out with the
 *   first intent instead (stamped with that intent's time). While the breaker is open it swallows intents but keeps the latest, and
 *   re-emits it the moment the breaker closes (the throttle closes it with hysteresis, at ≥ 15%).
 * - The throttle still lets cancels through while this gate is closed: that is the point.
 *
 * @param state$ `QuotaThrottleHandle.state$` (or any stream of QuotaThrottleState).
 * Errors downstream: source and `state$` errors. Completes with the intent source.
 */
export function quotaBreakerGate(state$: Observable<QuotaThrottleState>): MonoTypeOperatorFunction<QuoteIntent> {
  return quoteGate(state$, { open: true }, (gate) => ({
    control(state) {
      if (!state.breakerOpen) gate.reopen();
      else if (gate.isOpen) {
        const why = state.reason ?? { kind: "QuotaBreaker", headroom: state.headroom, threshold: DEFAULT_QUOTA_BUDGET_CONFIG.breakerOpenBelow };
        gate.close(why, state.time);
      }
    },
    intentTime: (intent) => intent.time,
  }));
}
