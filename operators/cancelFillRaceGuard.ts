import { Observable, Subscription, asyncScheduler } from "rxjs";
import type { OperatorFunction, SchedulerLike } from "rxjs";
import type { FillEvent, VenueFill } from "../streams/fill.js";
import type {
  AlreadyFilledNotice,
  GuardOutput,
  OrderFillContext,
  RaceGuardLookup,
} from "../streams/execution.js";

export interface CancelFillRaceGuardOptions {
  /**
   * How long an order whose cancel was answered AlreadyFilled waits for its fill before the guard
   * asks reconciliation to resolve it. Default 5000 ms.
   */
  readonly alreadyFilledTimeoutMs?: number;
  /** Size tolerance when summing fills against the expected remainder. Default 1e-9. */
  readonly sizeEpsilon?: number;
}

/**
 * Classifies every (deduped) fill against the order record at the moment it arrives, enriches it
 * into a FillEvent, and turns cancel-fill races into requests — as values, so the sink acts on
 * them in order and a marble test can see them.
 *
 * ```
 * fills:        ---a-------r--------u----|      a: our resting order's fill
 * alreadyFilled: -n------------------------      n: cancel of X answered AlreadyFilled (X never fills)
 * output:       ---F-------(RPC)----(UC)-|      F fill(matched), R fill(race), P pull same side,
 *                                               C reconcile(race), U fill(unmatched), C reconcile
 *                    …and at n + timeout: reconcile(alreadyFilledTimeout) for X
 * ```
 *
 * - A fill for an order that is pending-cancel, cancelled or cancel-raced is a **race**: it is
 *   still emitted (the position moves), followed by a `pull` of our resting orders on the same side
 *   (they would add to the exposure just acquired) and a `reconcile` request.
 * - A fill no order claims (unknown CLOID and OID) is **unmatched**: emitted with source
 *   "unmatched", followed by a `reconcile` request.
 * - An AlreadyFilled notice starts a watch: fills for that CLOID count down its remainder; if it is
 *   not covered within `alreadyFilledTimeoutMs` a `reconcile` (alreadyFilledTimeout) is emitted.
 *   The order stays tracked throughout (never "safe to stop tracking").
 *
 * `midAtFill` is `lookup.midOf(asset)`, falling back to the order's mid at placement, then the fill price.
 *
 * @param lookup the order record, read at each fill (the sink's OrderStore); the guard never writes it.
 * @param alreadyFilled$ cancels answered AlreadyFilled that left the order unresolved.
 * @param options `alreadyFilledTimeoutMs` (default 5000).
 * @param scheduler time source for the timeout (default asyncScheduler).
 * Errors from the source or from `alreadyFilled$` pass downstream; a throw in `lookup` errors the stream.
 */
export function cancelFillRaceGuard(
  lookup: RaceGuardLookup,
  alreadyFilled$: Observable<AlreadyFilledNotice>,
  options: CancelFillRaceGuardOptions = {},
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<VenueFill, GuardOutput> {
  const timeoutMs = options.alreadyFilledTimeoutMs ?? 5000;
  const eps = options.sizeEpsilon ?? 1e-9;
  return (source) =>
    new Observable<GuardOutput>((subscriber) => {
      const watches = new Map<string, { remaining: number; timer: Subscription }>();
      const subs = new Subscription();

      const watch = (n: AlreadyFilledNotice): void => {
        watches.get(n.cloid)?.timer.unsubscribe();
        if (n.remainingSz <= eps) {
          watches.delete(n.cloid);
          return;
        }
        const timer = scheduler.schedule(() => {
          watches.delete(n.cloid);
          subscriber.next({
            kind: "reconcile",
            reason: "alreadyFilledTimeout",
            asset: n.asset,
            cloid: n.cloid,
            time: scheduler.now(),
          });
        }, timeoutMs);
        watches.set(n.cloid, { remaining: n.remainingSz, timer });
      };

      const onFill = (fill: VenueFill): void => {
        const ctx = lookup.orderForFill(fill);
        const midAtFill = lookup.midOf(fill.asset) ?? ctx?.midAtPlacement ?? fill.price;
        if (!ctx) {
          subscriber.next({ kind: "fill", fill: enrich(fill, undefined, midAtFill), flag: "unmatched", cloid: fill.cloid, stateBefore: null });
          subscriber.next({ kind: "reconcile", reason: "unmatched", asset: fill.asset, cloid: fill.cloid, time: scheduler.now() });
          return;
        }
        const w = watches.get(ctx.cloid);
        if (w) {
          w.remaining -= fill.size;
          if (w.remaining <= eps) {
            w.timer.unsubscribe();
            watches.delete(ctx.cloid);
          }
        }
        const race = ctx.state === "pending-cancel" || ctx.state === "cancelled" || ctx.state === "cancel-raced";
        // decide the pull before emitting: downstream applies the fill synchronously.
        const pull = race
          ? lookup
              .restingOrders(fill.asset)
              .filter((o) => o.isBuy === fill.isBuy && o.cloid !== ctx.cloid)
              .map((o) => o.cloid)
          : [];
        subscriber.next({ kind: "fill", fill: enrich(fill, ctx, midAtFill), flag: race ? "race" : "matched", cloid: ctx.cloid, stateBefore: ctx.state });
        if (!race) return;
        if (pull.length > 0) subscriber.next({ kind: "pull", asset: fill.asset, isBuy: fill.isBuy, cloids: pull, tid: fill.tid });
        subscriber.next({ kind: "reconcile", reason: "race", asset: fill.asset, cloid: ctx.cloid, time: scheduler.now() });
      };

      subs.add(
        alreadyFilled$.subscribe({
          next: (n) => {
            try {
              watch(n);
            } catch (err) {
              subscriber.error(err);
            }
          },
          error: (err) => subscriber.error(err),
        }),
      );
      subs.add(
        source.subscribe({
          next: (fill) => {
            try {
              onFill(fill);
            } catch (err) {
              subscriber.error(err);
            }
          },
          error: (err) => subscriber.error(err),
          complete: () => subscriber.complete(),
        }),
      );
      return () => {
        subs.unsubscribe();
        for (const w of watches.values()) w.timer.unsubscribe();
        watches.clear();
      };
    });
}

function enrich(fill: VenueFill, ctx: OrderFillContext | undefined, midAtFill: number): FillEvent {
  if (!ctx) {
    return { ...fill, midAtFill, placementPrice: fill.price, midAtPlacement: midAtFill, quotedHalfSpreadBps: 0, source: "unmatched" };
  }
  return {
    ...fill,
    midAtFill,
    placementPrice: ctx.px,
    midAtPlacement: ctx.midAtPlacement,
    quotedHalfSpreadBps: ctx.quotedHalfSpreadBps,
    source: ctx.source,
    ...(ctx.signals !== undefined ? { signals: ctx.signals } : {}),
  };
}
