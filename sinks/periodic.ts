// A periodic callback on a scheduler that stays flat on a VirtualTimeScheduler: each tick is a
// fresh top-level action. (Rescheduling from inside an action — `this.schedule(...)`, which
// `interval`/`timer(0, p)` do — makes VirtualAction chain every new action to the previous one;
// over a long replay the chain overflows the stack when it is finally unsubscribed.)
import { Subscription } from "rxjs";
import type { SchedulerLike } from "rxjs";

/** Call `fn` after `firstDelayMs` and then every `periodMs` until the returned subscription is unsubscribed. */
export function everyOn(scheduler: SchedulerLike, periodMs: number, fn: () => void, firstDelayMs = periodMs): Subscription {
  let current: Subscription | null = null;
  let closed = false;
  const arm = (delay: number): void => {
    current = scheduler.schedule(() => {
      if (closed) return;
      fn();
      if (!closed) arm(periodMs);
    }, delay);
  };
  arm(firstDelayMs);
  return new Subscription(() => {
    closed = true;
    current?.unsubscribe();
    current = null;
  });
}
