// The one fill dedup pass (DESIGN: fills$ → dedupTid → …), shared by the service and replay.
import { type MonoTypeOperatorFunction, type Observable, groupBy, mergeMap } from "rxjs";
import { dedupTid } from "../operators/dedupTid.js";
import { sessionFills } from "../sinks/fills.js";
import type { VenueFill, VenueFillBatch } from "../streams/fill.js";

/**
 * The one fill dedup pass, by (asset, tid) (FACTS §10/§13: `tid` is a hash of the two oids, unique
 * per coin): one `dedupTid` per asset keyed by the numeric `tid`, so no key string is built per
 * fill. Order is kept (every group emits synchronously on its source's call stack). The tids are
 * numbers: `keys: "number"` keeps each window in memory taken at the asset's first fill, so the
 * heap does not grow with the fills.
 *
 * @param capacity distinct tids remembered per asset (FIFO by first sight). A userFills snapshot
 * carries at most the 2000 most recent fills (FACTS §4), so a window of a few thousand per asset
 * covers anything a resubscribe can replay.
 */
export function dedupFills(capacity: number): MonoTypeOperatorFunction<VenueFill> {
  const perAsset = dedupTid<VenueFill>({ capacity, key: (f) => f.tid, keys: "number" }); // a bad capacity throws here, at once
  return (fills$) => fills$.pipe(
    groupBy((f) => f.asset),
    mergeMap((byAsset$) => byAsset$.pipe(perAsset)),
  );
}

/**
 * The venue's fills as the sink takes them: this session's (a snapshot replays history), deduped
 * once by (asset, tid) — the one dedup pass, before every consumer (DESIGN: fills$ → dedupTid → …).
 */
export function dedupedSessionFills(fills$: Observable<VenueFillBatch>, startedAt: number, capacity = 10_000): Observable<VenueFill> {
  return sessionFills(fills$, startedAt).pipe(dedupFills(capacity));
}
