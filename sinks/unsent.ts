// Placements and modifies the core has submitted that have not left the executor's send queue yet.
// Under few in-flight slots (the queue-pressure soak: maxInFlight 1) a placement can wait there
// for seconds. The venue cannot know it yet, so nobody asks the venue about it: it is not
// "missing" from the venue's open orders (before, the answer "unknown" ended it as
// inferred-cancelled while it was still on its way — its level was placed a second time — and a
// dozen such orderStatus queries at 2 IP weight each opened the quota breaker), and the stale
// sweep asks no orderStatus for it. It still turns stale when it waits too long (an OrderStale
// gate: the asset closes and the placement, priced long ago, is dropped — gateQueue.spec.ts).
// Its venue clock starts when it leaves (the executor's "sent" event).
import type { ActionBatch } from "../streams/actions.js";
import { isTerminalOrderState } from "../streams/execution.js";
import type { SinkState } from "./sinkState.js";

/** The CLOIDs of a placement or modify batch (none for cancels). */
export function placementCloids(batch: ActionBatch): string[] {
  if (batch.type === "order") return batch.orders.map((o) => o.cloid);
  if (batch.type === "batchModify") return batch.modifies.map((m) => m.order.cloid);
  return [];
}

/** The batch was handed to the executor: its orders wait in the send queue. */
export function noteQueued(s: SinkState, batch: ActionBatch): void {
  for (const c of placementCloids(batch)) s.unsent.add(c);
}

/** The batch left (sent), or never will (dropped, refused): a sent order's venue clock starts now. */
export function noteLeft(s: SinkState, batch: ActionBatch, now: number): void {
  if (s.unsent.size === 0) return;
  for (const c of placementCloids(batch)) {
    if (s.unsent.delete(c)) s.store.noteSent(c, now);
  }
}

/** Whether the venue may be asked about `cloid` (not while it waits in our send queue). */
export function askable(s: SinkState, cloid: string): boolean {
  return !s.unsent.has(cloid);
}

/** Housekeeping: forget what ended without a word from the executor. */
export function pruneUnsent(s: SinkState): void {
  for (const c of s.unsent) {
    const o = s.store.get(c);
    if (!o || isTerminalOrderState(o.state)) s.unsent.delete(c);
  }
}
