// The dead-man's switch: scheduleCancel batches that keep the venue's cancel-all timer armed.
import { Observable, asyncScheduler } from "rxjs";
import type { SchedulerLike, Subscription } from "rxjs";
import type { ActionBatch } from "../streams/actions.js";
import { everyOn } from "./periodic.js";

/** Options of the dead-man's switch (Hyperliquid scheduleCancel, FACTS §5.5). */
export interface DeadMansSwitchOptions {
  /** Orders are cancelled this long after the last re-arm if we vanish (default 60 000 ms; the venue needs ≥ 5000). */
  readonly windowMs?: number;
  /** Re-arm period while the connection is open and something rests (default 40 000 ms: ≤ 90 requests an hour; must be < windowMs). */
  readonly rearmMs?: number;
  /** After the venue refuses it (volume, lead time, daily triggers), ask again only after this long (default 3 600 000 ms). */
  readonly refusalRetryMs?: number;
}

/**
 * The scheduleCancel batches that keep the dead-man's switch armed: one at once when the
 * connection is (or becomes) open, then every `rearmMs` while it stays open, each for
 * `now + windowMs`. Nothing while the connection is down — if we are gone, the venue pulls our
 * orders at the last armed time. Feed them to `Executor.submit` (which uses mergeMap).
 *
 * ```
 * connection: o-----------r------o-----    (o open, r reconnecting)
 * output:     a---a---a---       a---a-    a = scheduleCancel(now + windowMs), every rearmMs
 * ```
 * The timer is switched by connection state (switchMap over timers only, never over a request).
 */
export function deadMansSwitch(
  connection$: Observable<{ readonly status: string }>,
  options: DeadMansSwitchOptions = {},
  scheduler: SchedulerLike = asyncScheduler,
): Observable<ActionBatch> {
  const windowMs = Math.max(5000, options.windowMs ?? 60_000);
  const rearmMs = Math.min(options.rearmMs ?? 40_000, windowMs - 1000);
  return new Observable<ActionBatch>((subscriber) => {
    let timer: Subscription | null = null;
    let open = false;
    const arm = () => {
      subscriber.next({ type: "scheduleCancel", time: scheduler.now() + windowMs });
    };
    const sub = connection$.subscribe({
      next: (c) => {
        const nowOpen = c.status === "open";
        if (nowOpen === open) return;
        open = nowOpen;
        timer?.unsubscribe();
        timer = null;
        if (open) {
          arm();
          timer = everyOn(scheduler, rearmMs, arm);
        }
      },
      error: (err) => subscriber.error(err),
      complete: () => subscriber.complete(),
    });
    return () => {
      sub.unsubscribe();
      timer?.unsubscribe();
    };
  });
}
