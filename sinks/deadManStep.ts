// The dead-man's switch, decided by the core (the timer in deadMansSwitch.ts only says "re-arm
// now"): Hyperliquid's scheduleCancel (FACTS §5.5, §13) cancels every open order at the armed time
// unless re-armed first. The rules, and what they cost:
//
// - flat with nothing resting or in flight: never armed — 0 requests. Going flat while armed sends
//   one disarm (`time: null`): a switch left to lapse would fire on an empty book and still use one
//   of the venue's 10 triggers per UTC day.
// - something resting: armed at once (before the placement that needs it) and re-armed every
//   `rearmMs` (default 40 s, for now + `windowMs`, default 60 s; the venue needs ≥ 5 s lead) —
//   at most 3600 / 40 = 90 requests per hour, plus one disarm per flat spell.
// - never from the cancel allowance: the quota throttle treats scheduleCancel as a placement (it is
//   refused in the reserve and while the breaker is open; see operators/quotaBudget.ts). A switch
//   that could not be re-armed lapses; the venue then cancels our orders, which is what it is for.
// - the venue refuses it (too little volume traded, lead time, 10 triggers a day): the switch is
//   not assumed armed, the venue's text is in a `deadMan` event (logged), and it is not asked
//   again for `refusalRetryMs` (default 1 h) — a refusal costs one request an hour, not 90.
import type { ActionBatch, BatchResult } from "../streams/actions.js";
import { emit, submit } from "./sinkState.js";
import type { SinkState } from "./sinkState.js";

export const DEAD_MAN_DEFAULTS = { windowMs: 60_000, rearmMs: 40_000, refusalRetryMs: 3_600_000 } as const;

export interface DeadManState {
  /** The armed time we last asked for and the venue accepted or has not answered yet (null: not armed). */
  armedUntil: number | null;
  /** A scheduleCancel is in flight. */
  pending: boolean;
  /** After a venue refusal, not asked again before this. */
  refusedUntil: number;
}

export function createDeadManState(): DeadManState {
  return { armedUntil: null, pending: false, refusedUntil: -Infinity };
}

function enabled(s: SinkState): boolean {
  return s.config.deadMan !== false;
}

function windowMs(s: SinkState): number {
  const d = s.config.deadMan;
  return Math.max(5000, (d === false ? undefined : d?.windowMs) ?? DEAD_MAN_DEFAULTS.windowMs);
}

/** Something rests, or may (placements and cancels in flight included). */
export function exposed(s: SinkState): boolean {
  return s.store.open().length > 0;
}

function arm(s: SinkState, now: number): void {
  const time = now + windowMs(s);
  s.deadMan.armedUntil = time;
  s.deadMan.pending = true;
  s.metrics.deadManArms += 1;
  submit(s, { type: "scheduleCancel", time });
}

/**
 * The re-arm timer (or shutdown's disarm, `time: null`) fired. Arms while exposed, disarms once
 * when flat, skips during a refusal's back-off.
 */
export function deadManTick(s: SinkState, batch: ActionBatch, now: number): void {
  if (batch.type !== "scheduleCancel") return;
  if (batch.time === null) {
    // shutdown: always disarm (the venue may hold an arm we never heard the answer of)
    s.deadMan.armedUntil = null;
    s.metrics.deadManDisarms += 1;
    submit(s, batch);
    return;
  }
  if (!exposed(s)) {
    if (s.deadMan.armedUntil !== null) {
      s.deadMan.armedUntil = null;
      s.metrics.deadManDisarms += 1;
      submit(s, { type: "scheduleCancel", time: null });
      emit(s, { type: "deadMan", state: "disarmed", until: null, error: null, time: now });
    }
    return;
  }
  if (now < s.deadMan.refusedUntil) return;
  arm(s, now);
}

/** Before placements go out: arm a switch that is not armed (at once, ahead of them). */
export function armBeforePlacing(s: SinkState, now: number): void {
  if (!enabled(s) || s.stopping || now < s.deadMan.refusedUntil) return;
  const d = s.deadMan;
  if (d.pending || (d.armedUntil !== null && d.armedUntil > now)) return;
  arm(s, now);
}

/** The venue's answer to a scheduleCancel we sent. */
export function deadManAnswer(s: SinkState, batch: ActionBatch, result: BatchResult, now: number): void {
  if (batch.type !== "scheduleCancel") return;
  if (batch.time !== null) s.deadMan.pending = false;
  if (result.ok) {
    if (batch.time !== null) emit(s, { type: "deadMan", state: "armed", until: batch.time, error: null, time: now });
    return;
  }
  // not armed: do not assume it; back off unless it was only the address budget speaking
  if (batch.time !== null && s.deadMan.armedUntil === batch.time) s.deadMan.armedUntil = null;
  s.metrics.deadManRefusals += 1;
  if (!result.rateLimited) {
    const d = s.config.deadMan;
    s.deadMan.refusedUntil = now + ((d === false ? undefined : d?.refusalRetryMs) ?? DEAD_MAN_DEFAULTS.refusalRetryMs);
  }
  emit(s, { type: "deadMan", state: "refused", until: batch.time, error: result.error, time: now });
}

/** The quota throttle refused it before sending, or its transport failed: not armed. */
export function deadManNotSent(s: SinkState, batch: ActionBatch, why: string, now: number): void {
  if (batch.type !== "scheduleCancel") return;
  if (batch.time === null) return;
  s.deadMan.pending = false;
  if (s.deadMan.armedUntil === batch.time) s.deadMan.armedUntil = null;
  emit(s, { type: "deadMan", state: "notSent", until: batch.time, error: why, time: now });
}
