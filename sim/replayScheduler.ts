// A VirtualTimeScheduler whose clock starts at a recording's first exchange time, so that
// scheduler.now() during a replay is the exchange clock of the data being replayed.
//
// Its queue is a binary heap. RxJS's VirtualTimeScheduler keeps its actions in an array that it
// re-sorts on every schedule (a sort's working copy allocated each time) and searches linearly on
// every cancel; a soak schedules ~80 000 actions per virtual hour. The heap orders by the same key
// — (due time, action index) — so every action runs in the same order and at the same virtual
// time as before; a cancelled action is left in the heap and skipped when it comes up (the stock
// scheduler removes it at once; either way it never runs and never moves the clock).
import { VirtualAction, VirtualTimeScheduler } from "rxjs";
import type { SchedulerAction, Subscription } from "rxjs";

type Work<T> = (this: SchedulerAction<T>, state?: T) => void;

class SimHeapAction<T> extends VirtualAction<T> {
  /** The due time and index it was queued with (`delay` is cleared when it is cancelled). */
  dueAt = 0;
  seq = 0;

  constructor(
    readonly heapScheduler: SimVirtualScheduler,
    work: Work<T>,
  ) {
    super(heapScheduler, work);
  }

  override schedule(state?: T, delay = 0): Subscription {
    // the stock VirtualAction re-schedules a running action as a new plain VirtualAction (into the
    // array queue); here it stays a heap action — same index rule, same chaining
    if (Number.isFinite(delay) && this.id) {
      this.active = false;
      const action = new SimHeapAction(this.heapScheduler, this.work);
      this.add(action);
      return action.schedule(state, delay);
    }
    return super.schedule(state, delay);
  }

  protected override requestAsyncId(scheduler: VirtualTimeScheduler, _id?: unknown, delay = 0): 1 {
    this.delay = scheduler.frame + delay;
    this.dueAt = this.delay;
    this.seq = this.index;
    this.heapScheduler.enqueue(this as unknown as SimHeapAction<unknown>);
    return 1;
  }
}

function before(a: SimHeapAction<unknown>, b: SimHeapAction<unknown>): boolean {
  return a.dueAt === b.dueAt ? a.seq < b.seq : a.dueAt < b.dueAt;
}

/** VirtualTimeScheduler with a heap queue: same order and clock, O(log n) per schedule. */
export class SimVirtualScheduler extends VirtualTimeScheduler {
  readonly #heap: SimHeapAction<unknown>[] = [];

  constructor(maxFrames = Infinity) {
    super(SimHeapAction as unknown as typeof VirtualAction, maxFrames);
  }

  /** Actions queued (cancelled ones included until they come up). */
  get queued(): number {
    return this.#heap.length;
  }

  enqueue(action: SimHeapAction<unknown>): void {
    const h = this.#heap;
    let i = h.length;
    h.push(action);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(action, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = action;
  }

  #pop(): SimHeapAction<unknown> | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(h[r]!, h[l]!) ? r : l;
      if (!before(h[c]!, last)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }

  override flush(): void {
    const maxFrames = this.maxFrames;
    const h = this.#heap;
    let error: unknown;
    let action: SimHeapAction<unknown> | undefined;
    while ((action = h[0]) !== undefined && action.dueAt <= maxFrames) {
      this.#pop();
      if (action.closed) continue;
      this.frame = action.dueAt;
      if ((error = action.execute(action.state, action.delay))) break;
    }
    if (error) {
      while ((action = this.#pop())) action.unsubscribe();
      throw error;
    }
  }
}

export function simReplayScheduler(startTime: number): VirtualTimeScheduler {
  const scheduler = new SimVirtualScheduler();
  scheduler.frame = startTime;
  return scheduler;
}
