// One-shot work on a scheduler whose pending subscription sits in a set until it runs, so its owner
// can cancel what has not run yet (dispose, detach) and the set holds nothing once work is done.
import type { SchedulerLike, Subscription } from "rxjs";

/** Run `work` after `delay` ms (≥ 0); `pending` holds its subscription until it runs. */
export function scheduleTracked(scheduler: SchedulerLike, pending: Set<Subscription>, work: () => void, delay: number): void {
  let sub: Subscription | undefined;
  let done = false;
  sub = scheduler.schedule(() => {
    done = true;
    if (sub) pending.delete(sub);
    work();
  }, Math.max(0, delay));
  if (!done) pending.add(sub);
}
