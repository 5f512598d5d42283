// Fill processing in one pass: the venue's fill batches (live and snapshot replays) are flattened,
// deduped once by (asset, tid), classified by the race guard, and every guarded fill goes to every
// consumer, in one fixed order, synchronously. No consumer keeps its own seen-set.
//
// Forgetting a consumer is a type error: `FillConsumers` requires every key of FILL_CONSUMER_KEYS,
// and the sink builds its record with `satisfies FillConsumers` (a missing key fails to compile;
// an extra one too).
import { concatMap, from } from "rxjs";
import type { Observable, SchedulerLike } from "rxjs";
import { asyncScheduler } from "rxjs";
import { dedupTid } from "../operators/dedupTid.js";
import { cancelFillRaceGuard } from "../operators/cancelFillRaceGuard.js";
import type { CancelFillRaceGuardOptions } from "../operators/cancelFillRaceGuard.js";
import type { VenueFill, VenueFillBatch } from "../streams/fill.js";
import type { AlreadyFilledNotice, GuardOutput, GuardedFill, RaceGuardLookup } from "../streams/execution.js";

/** Every consumer of fills, in the order they are called (the order record first: others read it). */
export const FILL_CONSUMER_KEYS = ["orders", "position", "pnl", "markouts", "metrics", "quota"] as const;
export type FillConsumerKey = (typeof FILL_CONSUMER_KEYS)[number];
export type FillConsumer = (fill: GuardedFill) => void;
export type FillConsumers = { readonly [K in FillConsumerKey]: FillConsumer };

/** Calls every consumer with one guarded fill, in FILL_CONSUMER_KEYS order. A throw propagates. */
export function fanOutFill(consumers: FillConsumers, fill: GuardedFill): void {
  for (const key of FILL_CONSUMER_KEYS) consumers[key](fill);
}

export interface GuardedFillsOptions {
  /** Distinct (asset, tid) keys remembered by dedupTid (default 100 000: snapshot replays carry history). */
  readonly dedupCapacity?: number;
  readonly guard?: CancelFillRaceGuardOptions;
}

/** Flatten VenueFillBatch into single fills (snapshot or not: dedup decides). */
export function flattenFillBatches(batches$: Observable<VenueFillBatch>): Observable<VenueFill> {
  return batches$.pipe(concatMap((b) => from(b.fills)));
}

/**
 * fills → dedupTid((asset, tid)) → cancelFillRaceGuard. The one place fills are deduped.
 *
 * ```
 * fills:   -a-b-(ab)-c-|     (ab) = a snapshot replay after reconnect
 * output:  -A-B------C-|     A, B, C = GuardOutput "fill" (plus any pull/reconcile requests)
 * ```
 */
export function guardedFills(
  fills$: Observable<VenueFill>,
  lookup: RaceGuardLookup,
  alreadyFilled$: Observable<AlreadyFilledNotice>,
  options: GuardedFillsOptions = {},
  scheduler: SchedulerLike = asyncScheduler,
): Observable<GuardOutput> {
  return fills$.pipe(
    dedupTid<VenueFill>({ capacity: options.dedupCapacity ?? 100_000, key: (f) => `${f.asset}:${f.tid}` }),
    cancelFillRaceGuard(lookup, alreadyFilled$, options.guard ?? {}, scheduler),
  );
}
