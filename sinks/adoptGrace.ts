// Adopted leftovers at the start (reconciliation.leftoverOrders: adopt). A fresh pipeline's first
// intents are empty with reason NoDataReceived — the session has not heard a user event or a book
// yet — and an empty ladder cancels what rests: the adopted orders would be cancelled within a
// round trip of being adopted, and adopting them would change nothing. So for ADOPT_GRACE_MS after
// adoption, that one reason holds the asset's orders as they are (no diff); the first open intent
// then keeps, modifies or cancels them. Any other closed gate (stale data, crossed book, kill
// switch, …) cancels them at once, and past the grace NoDataReceived does too. The grace is
// shorter than the chaos soak's reaction time (6.9 s), so no quote rests under a gate beyond it.
import type { SinkState } from "./sinkState.js";

export const ADOPT_GRACE_MS = 5000;

/** Whether the asset's adopted orders are held through a NoDataReceived intent at `now`. */
export function holdsAdopted(s: SinkState, asset: string, now: number): boolean {
  const t = s.adoptedAt.get(asset);
  if (t === undefined) return false;
  if (now - t <= ADOPT_GRACE_MS) return true;
  s.adoptedAt.delete(asset);
  return false;
}

/** An open intent arrived for the asset: the grace is over. */
export function endAdoptGrace(s: SinkState, asset: string): void {
  if (s.adoptedAt.size > 0) s.adoptedAt.delete(asset);
}

/** Housekeeping: an expired grace re-reconciles its asset (a NoDataReceived gate then cancels). */
export function expireAdoptGrace(s: SinkState, now: number): void {
  for (const [asset, t] of s.adoptedAt) {
    if (now - t > ADOPT_GRACE_MS) {
      s.adoptedAt.delete(asset);
      s.dirty.add(asset);
    }
  }
}
