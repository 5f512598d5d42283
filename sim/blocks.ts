// Blocks (FACTS §13, OFFICIAL api/optimizing-latency): the venue matches in ~70 ms blocks, and
// inside a block "cancels and ALO orders … execute before IOC and GTC orders" (the mempool sorts
// every cancel before every immediately executable order). Requests that reach the matcher wait
// for the end of the block they arrived in; then the block runs them in priority order, arrival
// order within a priority. Deterministic: no draw, ties broken by arrival sequence.
import type { ActionBatch } from "../streams/actions.js";
import { isCancelBatch } from "../streams/actions.js";

/** 0: cancels and ALO-only batches; 1: everything else (IOC, GTC, mixed, modifies that may take, other actions). */
export type SimBlockPriority = 0 | 1;

export function simBlockPriority(batch: ActionBatch): SimBlockPriority {
  if (isCancelBatch(batch)) return 0;
  if (batch.type === "order" && batch.orders.length > 0 && batch.orders.every((o) => o.tif === "Alo")) return 0;
  if (batch.type === "batchModify" && batch.modifies.length > 0 && batch.modifies.every((m) => m.order.tif === "Alo")) return 0;
  return 1;
}

interface Entry {
  readonly priority: SimBlockPriority;
  readonly seq: number;
  readonly run: () => void;
}

/** The block being filled. `schedule(delay, work)` is the exchange's one-shot timer. */
export class SimBlocks {
  /** Blocks that ran (each with at least one request). */
  count = 0;
  private readonly queue: Entry[] = [];
  private seq = 0;
  private pending = false;

  constructor(
    /** Block length (ms); 0 = no blocks, every request runs when it reaches the matcher. */
    readonly blockMs: number,
    private readonly now: () => number,
    private readonly schedule: (delay: number, work: () => void) => void,
  ) {}

  /** Run `work` at the end of the current block, after every higher-priority request of it. */
  enter(priority: SimBlockPriority, work: () => void): void {
    if (!(this.blockMs > 0)) {
      work();
      return;
    }
    this.queue.push({ priority, seq: this.seq++, run: work });
    if (this.pending) return;
    this.pending = true;
    const now = this.now();
    const end = Math.floor(now / this.blockMs) * this.blockMs + this.blockMs;
    this.schedule(end - now, () => this.flush());
  }

  private flush(): void {
    this.pending = false;
    const batch = this.queue.splice(0).sort((a, b) => a.priority - b.priority || a.seq - b.seq);
    if (batch.length > 0) this.count++;
    for (const e of batch) e.run();
  }
}
