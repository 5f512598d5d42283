import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike, type Subscription } from "rxjs";
import { fillSide, type FillEvent, type FillMarkouts, type HorizonMarkout } from "../streams/fill.js";

export interface MarkoutWindowOptions {
  /** Horizons after fill time. Default [500, 2000, 10000] ms. */
  readonly horizonsMs?: readonly number[];
  /** Scheduler time after a fill's arrival at which it is emitted with what is known. Default 30,000 ms. */
  readonly staleAfterMs?: number;
  /** Most fills awaiting mids; the oldest is emitted (incomplete) to make room. Default 10,000. */
  readonly maxPending?: number;
  /**
   * Mids kept behind the newest one (by mid time) even when no fill waits, so a fill that arrives
   * late (the fills feed lags the book feed) still finds the mids at its horizons. Default 5,000 ms.
   */
  readonly lookbackMs?: number;
  /** Hard cap on mids kept per asset (oldest dropped first). Default 100,000. */
  readonly maxMidsPerAsset?: number;
}

/** markoutBps = side × (mid − price) / price × 10⁴: positive when the market moved our way after the fill. */
export function fillMarkoutBps(fill: Pick<FillEvent, "isBuy" | "price">, mid: number): number | null {
  const v = (fillSide(fill) * (mid - fill.price)) / fill.price * 1e4;
  return Number.isFinite(v) ? v : null;
}

/**
 * adverseBps = side × (mid − midAtPlacement) / midAtPlacement × 10⁴: the move of the mid from when
 * we placed the order to the horizon, signed like the position. Negative = adverse selection (we
 * bought and the market went down since we quoted); it includes the move that got us filled.
 */
export function fillAdverseBps(fill: Pick<FillEvent, "isBuy" | "midAtPlacement">, mid: number): number | null {
  const v = (fillSide(fill) * (mid - fill.midAtPlacement)) / fill.midAtPlacement * 1e4;
  return Number.isFinite(v) ? v : null;
}

/** Mids of one asset in time order: parallel arrays with a moving head, compacted now and then. */
class MidBuffer {
  times: number[] = [];
  mids: number[] = [];
  head = 0;

  get newestTime(): number {
    return this.times.length > this.head ? this.times[this.times.length - 1]! : -Infinity;
  }

  push(time: number, mid: number, cap: number): void {
    this.times.push(time);
    this.mids.push(mid);
    if (this.times.length - this.head > cap) this.head = this.times.length - cap;
  }

  /** The latest mid with time ≤ t, or null. */
  atOrBefore(t: number): number | null {
    let lo = this.head;
    let hi = this.times.length - 1;
    if (hi < lo || this.times[lo]! > t) return null;
    while (lo < hi) {
      const m = (lo + hi + 1) >> 1;
      if (this.times[m]! <= t) lo = m;
      else hi = m - 1;
    }
    return this.mids[lo]!;
  }

  /** Drop every mid older than the latest one at or before `keepFrom`. The newest mid always stays. */
  prune(keepFrom: number): void {
    const last = this.times.length - 1;
    while (this.head < last && this.times[this.head + 1]! <= keepFrom) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.mids = this.mids.slice(this.head);
      this.head = 0;
    }
  }
}

interface Pending {
  readonly fill: FillEvent;
  readonly due: number[];
  readonly mids: (number | null)[];
  readonly resolved: boolean[];
  unresolved: number;
  /** How many horizons, in `byDue` order, are resolved: always a prefix (see `byDue`). */
  resolvedInOrder: number;
  done: boolean;
  /** Scheduler time at which it is emitted whatever is known (arrival + staleAfterMs). */
  readonly deadline: number;
}

/**
 * Measures each fill against the mid at fixed horizons after it.
 *
 * ```
 * horizonsMs = [2, 5], staleAfterMs = 20 (one frame = 1 ms; fill and mid times = frame times)
 * mids$:          m-----n---o--------------------------
 * source:         --f-------------g--------------------
 * markoutWindow:  ----------R-------------------------S
 *
 * R (at o): +2 ms (due 4) is known when n (6 > 4) arrives and uses m, the last mid at or before
 *   it ("no new mid uses the last one"); +5 ms (due 7) is known at o and uses n. Complete.
 * S (20 ms after g arrived): no mid after g's horizons ever came, so both are incomplete and
 *   carry the provisional mid o.
 * ```
 *
 * - For a fill at time T and a horizon h, the mid is the latest one with time ≤ T + h, known
 *   for sure once a mid of the same asset with time > T + h arrives (mids are taken in time order;
 *   a mid older than the newest seen is ignored). A fill with all horizons known is emitted at once.
 * - `staleAfterMs` of scheduler time after the fill arrived, it is emitted anyway: unknown
 *   horizons have `complete: false` and carry the provisional mid (latest ≤ T + h so far, or null)
 *   and the markouts from it. The record's `complete` is true only when every horizon is.
 * - `markoutBps = side × (mid − price) / price × 10⁴` (side +1 buy, −1 sell) and
 *   `adverseBps = side × (mid − midAtPlacement) / midAtPlacement × 10⁴`; non-finite results are null.
 * - Bounded memory: at most `maxPending` fills wait (the oldest is emitted incomplete to make room);
 *   mids per asset are pruned to `lookbackMs` behind the newest plus what waiting fills still need
 *   (and never more than `maxMidsPerAsset`). An emitted fill is let go once every fill that
 *   arrived before it is emitted too (within `staleAfterMs`). One scheduler timer serves all
 *   waiting fills. All state is per subscription.
 * - When the fill source completes, waiting fills are still emitted (as their mids come or at their
 *   stale time) and the output completes after the last one.
 *
 * @param mids$ mids of any number of assets (matched to fills by `asset`); its errors error the output; its completion lets waiting fills run to their stale time.
 * @param options horizonsMs [500, 2000, 10000], staleAfterMs 30,000, maxPending 10,000, lookbackMs 5,000, maxMidsPerAsset 100,000.
 * @param scheduler time of the stale timeout, default `asyncScheduler`.
 * Errors downstream: source and `mids$` errors.
 */
export function markoutWindow(
  mids$: Observable<{ asset: string; time: number; mid: number }>,
  options: MarkoutWindowOptions = {},
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<FillEvent, FillMarkouts> {
  const horizons = [...(options.horizonsMs ?? [500, 2_000, 10_000])];
  const staleAfterMs = options.staleAfterMs ?? 30_000;
  const maxPending = options.maxPending ?? 10_000;
  const lookbackMs = options.lookbackMs ?? 5_000;
  const maxMids = options.maxMidsPerAsset ?? 100_000;
  if (horizons.length === 0 || horizons.some((h) => !(h >= 0) || !Number.isFinite(h))) {
    throw new RangeError(`markoutWindow: horizonsMs must be a non-empty list of finite numbers ≥ 0, got ${JSON.stringify(horizons)}`);
  }
  if (!(staleAfterMs >= 0)) throw new RangeError(`markoutWindow: staleAfterMs must be ≥ 0, got ${String(staleAfterMs)}`);
  if (!Number.isInteger(maxPending) || maxPending < 1) throw new RangeError(`markoutWindow: maxPending must be an integer ≥ 1, got ${String(maxPending)}`);
  if (!Number.isInteger(maxMids) || maxMids < 1) throw new RangeError(`markoutWindow: maxMidsPerAsset must be an integer ≥ 1, got ${String(maxMids)}`);
  if (!(lookbackMs >= 0)) throw new RangeError(`markoutWindow: lookbackMs must be ≥ 0, got ${String(lookbackMs)}`);
  // Horizon indices by horizon (stable). A fill's due times (fill time + horizon) are in the same
  // order, and a horizon resolves when a mid later than its due time is seen, so the resolved
  // horizons are always the first ones in this order: a mid looks at each waiting fill's next
  // unresolved horizon (and the one after, when it resolves), not at all of them.
  const byDue = horizons.map((_, i) => i).sort((a, b) => horizons[a]! - horizons[b]! || a - b);

  return (source) =>
    new Observable<FillMarkouts>((subscriber) => {
      const buffers = new Map<string, MidBuffer>();
      const pendingByAsset = new Map<string, Pending[]>();
      /**
       * Arrival order for eviction and the stale timer; entries are marked done, not spliced out.
       * The slots before `orderHead` are cleared as it passes them (a finished fill is not kept
       * alive by the list until the next compaction).
       */
      let order: (Pending | undefined)[] = [];
      let orderHead = 0;
      let live = 0;
      let sourceDone = false;

      const bufferOf = (asset: string): MidBuffer => {
        let b = buffers.get(asset);
        if (b === undefined) {
          b = new MidBuffer();
          buffers.set(asset, b);
        }
        return b;
      };

      /** The oldest entry not done (undefined: none), dropping the done ones before it; compacts the list now and then. */
      const oldestWaiting = (): Pending | undefined => {
        while (orderHead < order.length && order[orderHead]!.done) order[orderHead++] = undefined;
        if (orderHead > 1024 && orderHead * 2 > order.length) {
          order = order.slice(orderHead);
          orderHead = 0;
        }
        return order[orderHead];
      };

      const record = (p: Pending): FillMarkouts => {
        const out: HorizonMarkout[] = [];
        let complete = true;
        for (let i = 0; i < horizons.length; i++) {
          const mid = p.mids[i]!;
          const ok = p.resolved[i]! && mid !== null;
          if (!ok) complete = false;
          out.push({
            horizonMs: horizons[i]!,
            mid,
            markoutBps: mid === null ? null : fillMarkoutBps(p.fill, mid),
            adverseBps: mid === null ? null : fillAdverseBps(p.fill, mid),
            complete: ok,
          });
        }
        return { fill: p.fill, horizons: out, complete };
      };

      /** Take `p` out of every structure (state first), then emit it. `detached`: already out of its asset's list. */
      const finish = (p: Pending, detached = false): void => {
        if (p.done) return;
        p.done = true;
        live--;
        const list = detached ? undefined : pendingByAsset.get(p.fill.asset);
        if (list !== undefined) {
          const i = list.indexOf(p);
          if (i >= 0) list.splice(i, 1);
          if (list.length === 0) pendingByAsset.delete(p.fill.asset);
        }
        oldestWaiting();
        subscriber.next(record(p));
        if (sourceDone && live === 0) subscriber.complete();
      };

      const expire = (p: Pending): void => {
        const buffer = buffers.get(p.fill.asset);
        for (let i = 0; i < horizons.length; i++) {
          if (!p.resolved[i]) p.mids[i] = buffer === undefined ? null : buffer.atOrBefore(p.due[i]!);
        }
        finish(p);
      };

      // Deadlines are arrival + a constant, so arrival order is deadline order: one timer, armed for
      // the oldest waiting fill, serves them all (a timer per fill costs O(n) per schedule on a
      // VirtualTimeScheduler). A fill that finishes early leaves a harmless early wake-up.
      let staleTimer: Subscription | undefined;
      const armStale = (): void => {
        if (staleTimer !== undefined || live === 0) return;
        const head = oldestWaiting();
        if (head === undefined) return;
        staleTimer = scheduler.schedule(onStale, Math.max(0, head.deadline - scheduler.now()));
      };
      const onStale = (): void => {
        staleTimer = undefined;
        const now = scheduler.now();
        for (;;) {
          const head = oldestWaiting();
          if (head === undefined || head.deadline > now || subscriber.closed) break;
          expire(head);
        }
        if (!subscriber.closed) armStale();
      };

      const midSubscription = mids$.subscribe({
        next({ asset, time, mid }) {
          if (!Number.isFinite(mid) || !Number.isFinite(time)) return;
          const buffer = bufferOf(asset);
          if (time < buffer.newestTime) return;
          const list = pendingByAsset.get(asset);
          let keepFrom = time - lookbackMs;
          if (list !== undefined) {
            const ready: Pending[] = [];
            for (const p of list) {
              let k = p.resolvedInOrder;
              for (; k < byDue.length; k++) {
                const i = byDue[k]!;
                const due = p.due[i]!;
                if (!(time > due)) {
                  // the earliest due time still waiting: the mids from it on must stay
                  if (due < keepFrom) keepFrom = due;
                  break;
                }
                p.resolved[i] = true;
                p.mids[i] = buffer.atOrBefore(due);
                p.unresolved--;
              }
              p.resolvedInOrder = k;
              if (p.unresolved === 0) ready.push(p);
            }
            buffer.push(time, mid, maxMids);
            buffer.prune(keepFrom);
            if (ready.length > 0) {
              // one O(n) rebuild instead of a splice per finished fill
              const remaining = list.filter((p) => p.unresolved > 0);
              if (remaining.length === 0) pendingByAsset.delete(asset);
              else pendingByAsset.set(asset, remaining);
              for (const p of ready) finish(p, true);
            }
          } else {
            buffer.push(time, mid, maxMids);
            buffer.prune(keepFrom);
          }
        },
        error: (err: unknown) => subscriber.error(err),
      });

      const sourceSubscription = source.subscribe({
        next(fill) {
          const buffer = buffers.get(fill.asset);
          const newest = buffer === undefined ? -Infinity : buffer.newestTime;
          const p: Pending = {
            fill,
            due: horizons.map((h) => fill.time + h),
            mids: horizons.map(() => null),
            resolved: horizons.map(() => false),
            unresolved: horizons.length,
            resolvedInOrder: 0,
            done: false,
            deadline: scheduler.now() + staleAfterMs,
          };
          for (let k = 0; k < byDue.length; k++) {
            const i = byDue[k]!;
            if (!(newest > p.due[i]!)) break;
            p.resolved[i] = true;
            p.mids[i] = buffer!.atOrBefore(p.due[i]!);
            p.unresolved--;
            p.resolvedInOrder = k + 1;
          }
          if (p.unresolved === 0) {
            subscriber.next(record(p));
            return;
          }
          if (live >= maxPending) {
            const oldest = oldestWaiting();
            if (oldest !== undefined) expire(oldest);
          }
          live++;
          order.push(p);
          let list = pendingByAsset.get(fill.asset);
          if (list === undefined) {
            list = [];
            pendingByAsset.set(fill.asset, list);
          }
          list.push(p);
          armStale();
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          sourceDone = true;
          if (live === 0) subscriber.complete();
        },
      });

      return () => {
        sourceSubscription.unsubscribe();
        midSubscription.unsubscribe();
        staleTimer?.unsubscribe();
      };
    });
}
