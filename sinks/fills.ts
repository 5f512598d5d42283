// Fill processing in one pass: the venue's fill batches (live and snapshot replays) are flattened
// and cut to this session (here), deduped once by (asset, tid) (operators/dedupTid, composed by
// app/ between the venue and the sink), classified by the race guard and applied to every consumer
// in one fixed order, synchronously (the core's fill step). No consumer keeps its own seen-set.
//
// Forgetting a consumer is a type error: `FillConsumers` requires every key of FILL_CONSUMER_KEYS,
// and the sink builds its record with `satisfies FillConsumers` (a missing key fails to compile;
// an extra one too).
import { concatMap, from, map } from "rxjs";
import type { Observable } from "rxjs";
import type { VenueFill, VenueFillBatch } from "../streams/fill.js";
import type { GuardedFill } from "../streams/execution.js";

/** Every consumer of fills, in the order they are called (the order record first: others read it). */
export const FILL_CONSUMER_KEYS = ["orders", "position", "pnl", "markouts", "metrics", "quota"] as const;
export type FillConsumerKey = (typeof FILL_CONSUMER_KEYS)[number];
export type FillConsumer = (fill: GuardedFill) => void;
export type FillConsumers = { readonly [K in FillConsumerKey]: FillConsumer };

/** Calls every consumer with one guarded fill, in FILL_CONSUMER_KEYS order. A throw propagates. */
export function fanOutFill(consumers: FillConsumers, fill: GuardedFill): void {
  for (const key of FILL_CONSUMER_KEYS) consumers[key](fill);
}

/** Flatten VenueFillBatch into single fills (snapshot or not: dedup decides). */
export function flattenFillBatches(batches$: Observable<VenueFillBatch>): Observable<VenueFill> {
  return batches$.pipe(concatMap((b) => from(b.fills)));
}

/**
 * The venue's fill batches as single fills of this session: a snapshot replays history, and fills
 * from before `startedAt` are not ours to count (the first account sync adopts the position they
 * built). Later snapshots carry what a dropout lost; the dedup after this drops what we already had.
 */
export function sessionFills(batches$: Observable<VenueFillBatch>, startedAt: number): Observable<VenueFill> {
  return flattenFillBatches(batches$.pipe(map((b) => (b.isSnapshot ? { ...b, fills: b.fills.filter((f) => f.time >= startedAt) } : b))));
}
