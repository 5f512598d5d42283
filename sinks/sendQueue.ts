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

/**
 * The batches waiting for an in-flight slot (mergeMap's buffer, made to know gates): at most
 * `max` sends at once; cancels overtake queued batches of other assets; a closed asset's
 * placements and modifies are dropped from the queue when it closes and checked again right
 * before sending. Completes when the source has and nothing waits or flies.
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
    // overtake every queued placement/modify that touches none of the cancel's assets
    const mine = new Set(batchAssetsOf(b));
    let at = this.#waiting.length;
    while (at > 0) {
      const prev = this.#waiting[at - 1]!;
      if (isCancelBatch(prev) || batchAssetsOf(prev).some((a) => mine.has(a))) break;
      at--;
    }
    this.#waiting.splice(at, 0, b);
  }

  #pump(sub: Subscription): void {
    while (this.#active < this.max && this.#waiting.length > 0 && !sub.closed) {
      let batch: ActionBatch | null = this.#waiting.shift()!;
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
