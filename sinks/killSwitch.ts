// The kill switch: named triggers, one state, cleared only by an explicit call.
// While active the sink quotes nothing on any asset (every intent becomes an empty ladder with a
// KillSwitch gate reason) so every resting order is cancelled, and the state says why.
// Plain state, no stream: the sink publishes every change as a "killSwitch" event.
import type { QuoteGateReason } from "../streams/gate.js";

export type KillTrigger =
  /** Market data or the venue connection stale beyond what the gates tolerate. */
  | "StaleData"
  /** Our position and the venue's differ beyond the bound. */
  | "PositionDivergence"
  /** The venue keeps answering rate-limited, or even cancels are held back. */
  | "QuotaExhaustion"
  | "MaxPosition"
  | "MaxLoss"
  /** An operator asked for it. */
  | "Manual"
  /** The sink itself failed (a bug): stop rather than trade blind. */
  | "InternalError";

export interface KillSwitchTrip {
  readonly trigger: KillTrigger;
  readonly asset: string | null;
  readonly detail: string;
  readonly time: number;
}

export type KillSwitchState =
  | { readonly active: false; readonly time: number; readonly clearedTrip: KillSwitchTrip | null }
  | { readonly active: true; readonly time: number; readonly trip: KillSwitchTrip; readonly alsoTriggered: readonly KillSwitchTrip[] };

export class KillSwitch {
  #state: KillSwitchState;

  constructor(now = 0) {
    this.#state = { active: false, time: now, clearedTrip: null };
  }

  /** The current state; a new object on every trip and clear. */
  get state(): KillSwitchState {
    return this.#state;
  }

  get active(): boolean {
    return this.#state.active;
  }

  /** Trip it. Returns true when this call activated it; while active, further trips are recorded alongside. */
  trip(trigger: KillTrigger, detail: string, now: number, asset: string | null = null): boolean {
    const trip: KillSwitchTrip = { trigger, asset, detail, time: now };
    const s = this.#state;
    if (s.active) {
      if (!s.alsoTriggered.some((t) => t.trigger === trigger && t.asset === asset) && !(s.trip.trigger === trigger && s.trip.asset === asset)) {
        this.#state = { ...s, alsoTriggered: [...s.alsoTriggered, trip] };
      }
      return false;
    }
    this.#state = { active: true, time: now, trip, alsoTriggered: [] };
    return true;
  }

  /** The only way out: an explicit clear. Returns false when it was not active. */
  clear(now: number): boolean {
    const s = this.#state;
    if (!s.active) return false;
    this.#state = { active: false, time: now, clearedTrip: s.trip };
    return true;
  }

  /** The gate reason quoting reports while active. */
  gateReason(): QuoteGateReason | undefined {
    const s = this.#state;
    return s.active ? { kind: "KillSwitch", trigger: s.trip.trigger, detail: s.trip.detail } : undefined;
  }
}
