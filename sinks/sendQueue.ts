// The executor's send queue: batches the quota throttle let through, waiting for one of maxInFlight
// slots (mergeMap's buffer, made to know gates). See executor.ts for how it is fed.
import { Subscription } from "rxjs";
import type { Observable } from "rxjs";
import type { ActionBatch } from "../streams/actions.js";
import { isCancelBatch } from "../streams/actions.js";
import type { QuoteGateReason } from "../streams/gate.js";
import type { ExecutionEvent } from "./executor.js";

/** The assets a placement or modify batch touches (none for cancels). */
export function placementAssets(batch: ActionBatch): string[] {
  if (batch.type === "order") return [...new Set(batch.orders.map((o) => o.asset))];
  if (batch.type === "batchModify") return [...new Set(batch.modifies.map((m) => m.order.asset))];
  return [];
}

/** Every asset a batch touches. */
export function batchAssetsOf(batch: ActionBatch): string[] {
  if (batch.type === "cancel" || batch.type === "cancelByCloid") return [...new Set(batch.cancels.map((c) => c.asset))];
  return placementAssets(batch);
}

/** `batch` without the elements of `asset` (null when nothing is left), and those elements as a batch. */
export function splitOff(batch: ActionBatch, asset: string): { readonly kept: ActionBatch | null; readonly dropped: ActionBatch | null } {
  if (batch.type === "order") {
    const out = batch.orders.filter((o) => o.asset === asset);
    if (out.length === 0) return { kept: batch, dropped: null };
    const rest = batch.orders.filter((o) => o.asset !== asset);
    return { kept: rest.length > 0 ? { ...batch, orders: rest } : null, dropped: { ...batch, orders: out } };
  }
  if (batch.type === "batchModify") {
    const out = batch.modifies.filter((m) => m.order.asset === asset);
    if (out.length === 0) return { kept: batch, dropped: null };
    const rest = batch.modifies.filter((m) => m.order.asset !== asset);
    return { kept: rest.length > 0 ? { ...batch, modifies: rest } : null, dropped: { ...batch, modifies: out } };
  }
  return { kept: batch, dropped: null };
}

/** Two cancel batches of one kind as one (the first one's elements first). */
function mergeCancels(a: ActionBatch, b: ActionBatch): ActionBatch | null {
  if (a.type === "cancel" && b.type === "cancel") return { type: "cancel", cancels: [...a.cancels, ...b.cancels] };
  if (a.type === "cancelByCloid" && b.type === "cancelByCloid") return { type: "cancelByCloid", cancels: [...a.cancels, ...b.cancels] };
  return null;
}

/**
 * The batches waiting for an in-flight slot (mergeMap's buffer, made to know gates): at most
 * `max` sends at once; cancels overtake queued placements and modifies; a closed asset's
 * placements and modifies are dropped from the queue when it closes and checked again right
 * before sending. Completes when the source has and nothing waits or flies.
 *
 * Cancel latency under few slots (the queue-pressure soak, maxInFlight 1): a cancel by OID
 * overtakes every queued placement and modify — its order already rests (it has an OID), so no
 * queued batch is the placement it cancels; a cancel by CLOID overtakes only batches of other
 * assets (it may cancel a placement still queued). Cancels keep their order among themselves, and
 * when a slot frees, the run of cancels of one kind at the head leaves as one request (up to
 * `maxBatchSize` elements): ten cancels queued behind one slot cost one round trip, not ten.
 */
export class SendQueue {
  readonly #waiting: ActionBatch[] = [];
  #active = 0;
  #done = false;
  #out: { next(e: ExecutionEvent): void; error(err: unknown): void; complete(): void } | null = null;

  constructor(
    private readonly max: number,
    private readonly closed: ReadonlyMap<string, QuoteGateReason>,
    private readonly send: (batch: ActionBatch) => Observable<ExecutionEvent>,
    /** `whole`: nothing of the batch is left to send (it is no longer pending). */
    private readonly onDropped: (dropped: ActionBatch, asset: string, reason: QuoteGateReason, whole: boolean) => void,
    /** Elements one merged cancel request may hold (default 39: IP weight 1). */
    private readonly maxBatchSize = 39,
    /** `n` queued cancel batches left as one request (n − 1 fewer pending). */
    private readonly onMerged: (n: number) => void = () => undefined,
  ) {}

  run(batches$: Observable<ActionBatch>, out: { next(e: ExecutionEvent): void; error(err: unknown): void; complete(): void }): Subscription {
    this.#out = out;
    const sub = new Subscription();
    sub.add(
      batches$.subscribe({
        next: (b) => {
          this.#enqueue(b);
          this.#pump(sub);
        },
        error: (err) => out.error(err),
        complete: () => {
          this.#done = true;
          this.#maybeComplete();
        },
      }),
    );
    return sub;
  }

  /** The gate of `asset` closed: drop its queued placements and modifies (cancels stay). */
  purge(asset: string): void {
    const reason = this.closed.get(asset);
    if (!reason) return;
    for (let i = 0; i < this.#waiting.length; i++) {
      const { kept, dropped } = splitOff(this.#waiting[i]!, asset);
      if (!dropped) continue;
      if (kept) this.#waiting[i] = kept;
      else this.#waiting.splice(i--, 1);
      this.onDropped(dropped, asset, reason, kept === null);
    }
    this.#maybeComplete();
  }

  #enqueue(b: ActionBatch): void {
    if (!isCancelBatch(b) || b.type === "scheduleCancel") {
      this.#waiting.push(b);
      return;
    }
    // by OID: overtake every queued placement/modify; by CLOID: those that touch none of its assets
    const byOid = b.type === "cancel";
    const mine = new Set(batchAssetsOf(b));
    let at = this.#waiting.length;
    while (at > 0) {
      const prev = this.#waiting[at - 1]!;
      if (isCancelBatch(prev) || (!byOid && batchAssetsOf(prev).some((a) => mine.has(a)))) break;
      at--;
    }
    this.#waiting.splice(at, 0, b);
  }

  /** The head batch; a run of cancels of one kind at the head, as one batch. */
  #takeHead(): ActionBatch {
    let batch = this.#waiting.shift()!;
    let merged = 1;
    for (;;) {
      const next = this.#waiting[0];
      if (!next || (batch.type !== "cancel" && batch.type !== "cancelByCloid")) break;
      const m = mergeCancels(batch, next);
      if (!m || (m.type === "cancel" || m.type === "cancelByCloid" ? m.cancels.length : 0) > this.maxBatchSize) break;
      this.#waiting.shift();
      batch = m;
      merged++;
    }
    if (merged > 1) this.onMerged(merged);
    return batch;
  }

  #pump(sub: Subscription): void {
    while (this.#active < this.max && this.#waiting.length > 0 && !sub.closed) {
      let batch: ActionBatch | null = this.#takeHead();
      // the last look before it leaves: a gate closed since it was queued drops it
      for (const asset of placementAssets(batch)) {
        const reason = this.closed.get(asset);
        if (!reason || !batch) continue;
        const { kept, dropped } = splitOff(batch, asset);
        if (dropped) this.onDropped(dropped, asset, reason, kept === null);
        batch = kept;
      }
      if (!batch) continue;
      this.#active += 1;
      sub.add(
        this.send(batch).subscribe({
          next: (e) => this.#out?.next(e),
          error: (err) => this.#out?.error(err),
          complete: () => {
            this.#active -= 1;
            this.#pump(sub);
            this.#maybeComplete();
          },
        }),
      );
    }
  }

  #maybeComplete(): void {
    if (this.#done && this.#active === 0 && this.#waiting.length === 0) this.#out?.complete();
  }
}
