// The executor's coalescer: the batches of all assets that arise in one step of the core go out
// packed (batchPacking.ts) as one request per kind. When the IP window is tight, placements and
// modifies wait for a coalescing window that widens as the IP headroom falls, so more of them
// share a request — nothing is dropped for it (a closed gate still drops its asset's placements).
//
//   submits: -a-b-E----c-E--------d-E-|     a, b, c, d batches of some assets; E = end of a core step
//   (IP headroom ≥ tightBelow)
//   output:  -----(ab)--c---------d---|     one packed request per kind at every step end
//   (IP headroom 0.25 of tightBelow 0.5, maxWindowMs 1000: window 500 ms)
//   output:  -----500ms----(abc)...        the window opens at the first step end with a placement
//
// A cancel never waits: a step end with a cancel in the buffer flushes everything buffered (the
// packing keeps each asset's order, so a cancel never overtakes its own placement).
import { Observable, asyncScheduler } from "rxjs";
import type { SchedulerLike, Subscription } from "rxjs";
import type { ActionBatch } from "../streams/actions.js";
import { isCancelBatch } from "../streams/actions.js";
import type { QuoteGateReason } from "../streams/gate.js";
import { packBatches } from "./batchPacking.js";
import { placementAssets, splitOff } from "./sendQueue.js";

export interface BatchingOptions {
  /**
   * Pack the batches of all assets of one step into one request per kind (default true). false:
   * each asset's batches go out as the core planned them (the per-asset baseline).
   */
  readonly crossAsset?: boolean;
  /** Elements per request at most (default 39: IP weight 1). */
  readonly maxBatchSize?: number;
  /** Below this IP headroom (0–1) placements and modifies wait for a coalescing window (default 0.5). */
  readonly tightBelow?: number;
  /** The window at zero IP headroom (default 1000 ms); 0 at `tightBelow`, linear in between. */
  readonly maxWindowMs?: number;
}

/** The coalescing window at this IP headroom: 0 when not tight, up to maxWindowMs at none. */
export function coalesceWindowMs(ipHeadroom: number, options: BatchingOptions = {}): number {
  const tight = options.tightBelow ?? 0.5;
  const max = Math.max(0, options.maxWindowMs ?? 1000);
  if (!(ipHeadroom < tight) || tight <= 0) return 0;
  const h = Math.max(0, Math.min(1, ipHeadroom));
  return Math.round((max * (tight - h)) / tight);
}

export type CoalescerInput = { readonly kind: "submit"; readonly batch: ActionBatch } | { readonly kind: "stepEnd" };

export interface CoalescerHooks {
  /** The IP headroom now (0–1). */
  readonly ipHeadroom: () => number;
  /** Closed assets: their placements and modifies still buffered are dropped at the flush. */
  readonly closed: ReadonlyMap<string, QuoteGateReason>;
  /** A buffered placement/modify batch part dropped at a closed gate (never sent). */
  readonly onDropped: (dropped: ActionBatch, asset: string, reason: QuoteGateReason) => void;
  /** A flush turned `inputs` batches into `outputs` requests (for the pending count). */
  readonly onPacked: (inputs: number, outputs: number) => void;
}

/**
 * Submits and step ends in, packed batches out. Completes (after flushing) when the source does.
 * @param options BatchingOptions (maxBatchSize 39, tightBelow 0.5, maxWindowMs 1000).
 * @param hooks IP headroom, closed gates, drop and pack callbacks.
 * @param scheduler the window's timer (default asyncScheduler).
 */
export function coalesceBatches(options: BatchingOptions, hooks: CoalescerHooks, scheduler: SchedulerLike = asyncScheduler) {
  return (source: Observable<CoalescerInput>): Observable<ActionBatch> =>
    new Observable<ActionBatch>((subscriber) => {
      let buffer: ActionBatch[] = [];
      let timer: Subscription | null = null;
      const flush = (): void => {
        timer?.unsubscribe();
        timer = null;
        if (buffer.length === 0) return;
        const taken = buffer;
        buffer = [];
        const kept: ActionBatch[] = [];
        for (const b of taken) {
          let batch: ActionBatch | null = b;
          for (const asset of placementAssets(b)) {
            const reason = hooks.closed.get(asset);
            if (!reason || !batch) continue;
            const parts = splitOff(batch, asset);
            if (parts.dropped) hooks.onDropped(parts.dropped, asset, reason);
            batch = parts.kept;
          }
          if (batch) kept.push(batch);
        }
        const packed = packBatches(kept, options.maxBatchSize !== undefined ? { maxBatchSize: options.maxBatchSize } : {});
        hooks.onPacked(taken.length, packed.length);
        for (const b of packed) {
          if (subscriber.closed) return;
          subscriber.next(b);
        }
      };
      const sub = source.subscribe({
        next: (c) => {
          if (c.kind === "submit") {
            buffer.push(c.batch);
            return;
          }
          if (buffer.length === 0) return;
          const w = coalesceWindowMs(hooks.ipHeadroom(), options);
          if (w === 0 || buffer.some(isCancelBatch)) flush();
          else if (timer === null) timer = scheduler.schedule(flush, w);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        sub.unsubscribe();
        timer?.unsubscribe();
      };
    });
}
