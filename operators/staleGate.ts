import { type Observable, asyncScheduler, type MonoTypeOperatorFunction, type SchedulerLike, type Subscription } from "rxjs";
import type { QuoteGateReason } from "../streams/gate.js";
import type { QuoteIntent } from "../streams/intent.js";
import { quoteGate } from "./quoteGateCore.js";

export interface StaleGateOptions {
  /** Data this old (by silence, or by its own timestamp) closes the gate. */
  readonly maxAgeMs: number;
}

/**
 * Passes quote intents only while `data$` is fresh; a closed gate says so by emitting an empty
 * intent at the moment it closes.
 *
 * ```
 * maxAgeMs = 10 (one frame = 1 ms)
 * data$:      --d-----d-----------------d----
 * source:     a---b------c----------e------f-
 * staleGate:  z-a-b------c------x-------e--f-
 *
 * z = empty intent, NoDataReceived, for a's asset (nothing known before a).
 * a is re-emitted when the first d opens the gate. x = empty intent, StaleData {ageMs: 10,
 * thresholdMs: 10}, 10 ms after the last d, with no intent needed to trigger it. e is swallowed
 * and re-emitted the moment d arrives again.
 * ```
 *
 * - Closed until `data$` first emits (reason `NoDataReceived`).
 * - Closes exactly `maxAgeMs` after the last `data$` value arrived (a scheduler timer, not the
 *   next intent): at 9,999 ms of silence it is open, at 10,000 ms closed (`StaleData`, ageMs =
 *   the silence).
 * - Also closes when a `data$` value arrives whose own `time` is `maxAgeMs` or more behind
 *   `scheduler.now()` (a feed that trickles old data); ageMs is then `now − time`. Age ≥ maxAgeMs
 *   is stale on both clocks, so the two rules agree at the boundary. Future timestamps (clock
 *   skew) count as fresh.
 * - On closing it emits, at that moment, one empty intent (no bids, no asks, the reason) for the
 *   last seen asset: the asset of the last intent, else the `asset` field of the last data value
 *   if it has one. If neither is known yet (closed from the start, no intent seen), the empty
 *   intent is emitted as soon as the first intent arrives, for that intent's asset, stamped
 *   `scheduler.now()`.
 * - While closed it swallows intents but remembers the latest; on reopening (a fresh data value)
 *   it emits the latest intent seen at once, even if it arrived before the gate closed, so
 *   the ladder comes back without waiting for the next tick.
 *
 * Why one re-armed deadline instead of a timer per data value: the timer is scheduled once for
 * `lastArrival + maxAgeMs`; when it fires it checks the latest arrival and re-schedules for the
 * remainder, so a 10 Hz feed costs no timer work per value and the close is still exact.
 *
 * @param data$ the feed whose freshness is watched (book, user events, …); its errors error the output; its completion does not (silence then closes the gate).
 * @param options.maxAgeMs the staleness threshold (the seed uses 10,000 ms for market data, 60,000 ms for user events).
 * @param scheduler time source, default `asyncScheduler`.
 * Errors downstream: errors of the intent source or of `data$`. Completes when the intent source completes.
 */
export function staleGate(
  data$: Observable<{ time: number }>,
  options: StaleGateOptions,
  scheduler: SchedulerLike = asyncScheduler,
): MonoTypeOperatorFunction<QuoteIntent> {
  const maxAgeMs = options.maxAgeMs;
  if (!(maxAgeMs > 0) || !Number.isFinite(maxAgeMs)) {
    throw new RangeError(`staleGate: options.maxAgeMs must be a finite number > 0, got ${String(maxAgeMs)}`);
  }
  return quoteGate(data$, { open: false, reason: { kind: "NoDataReceived" } }, (gate) => {
    let lastArrival = 0;
    let timer: Subscription | undefined;

    function onDeadline(): void {
      if (!gate.isOpen) {
        timer = undefined;
        return;
      }
      const now = scheduler.now();
      const silence = now - lastArrival;
      if (silence >= maxAgeMs) {
        timer = undefined;
        gate.close({ kind: "StaleData", ageMs: silence, thresholdMs: maxAgeMs }, now);
      } else {
        // A fresh top-level action, not `this.schedule(...)`: on a VirtualTimeScheduler the latter
        // chains each new action to the previous one, so a long open period kept every one alive.
        timer = scheduler.schedule(onDeadline, maxAgeMs - silence);
      }
    }

    return {
      control(value) {
        const now = scheduler.now();
        const dataAsset = (value as { asset?: unknown }).asset;
        if (typeof dataAsset === "string") gate.knowAsset(dataAsset);
        const age = now - value.time;
        if (age >= maxAgeMs) {
          const why: QuoteGateReason = { kind: "StaleData", ageMs: age, thresholdMs: maxAgeMs };
          if (gate.isOpen) gate.close(why, now);
          else gate.setReason(why);
          return;
        }
        lastArrival = now;
        if (timer === undefined) timer = scheduler.schedule(onDeadline, maxAgeMs);
        gate.reopen();
      },
      intentTime: () => scheduler.now(),
      teardown: () => timer?.unsubscribe(),
    };
  });
}
