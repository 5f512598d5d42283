// A terminal orderUpdates status that contradicts what we know is confirmed with orderStatus
// before the level is re-placed (issue 12: one false `canceled` made duplicate orders until the
// next sync). Contradicting means the order is, as far as we know, live and nothing we did or saw
// explains its end:
//
//   status class   order state (ours)                       why it contradicts
//   canceled       pending-new, resting, partially-filled   we never asked to cancel it
//   rejected       resting, partially-filled                the venue already showed it resting
//   filled         pending-new, resting, partially-filled   the fills we have do not cover it
//
// Until the venue's answer the update is not applied: the order stays live in the record, so its
// level is held (no second order is placed beside one that may still rest, and a closed gate
// still cancels it), and a modify of it waits. A `filled` first waits `confirmGraceMs` for its
// fills (they usually arrive within the user feed's latency, and then no query is needed); a
// `canceled`/`rejected` is asked at once. orderStatus is an info request of IP weight 2, through
// the executor's info lane — one per contradiction (a status lost in transport is asked again
// every staleAfterMs). The answer is authoritative: terminal → the update stands (`confirmed`);
// still open → the status was false (`false`) and the order goes on resting. Counted
// (metrics.contested / contestedConfirmed / contestedFalse) and published (`statusContested`,
// `statusResolved`), which the service logs.
import type { OrderUpdate } from "../streams/orders.js";
import { statusClass } from "../streams/orders.js";
import { isTerminalOrderState } from "../streams/execution.js";
import type { OrderState } from "../streams/execution.js";
import { askStatus, command, emit } from "./sinkState.js";
import type { SinkState } from "./sinkState.js";

/** One contested terminal status, waiting for the venue's word. */
export interface ContestedStatus {
  readonly asset: string;
  readonly status: string;
  readonly since: number;
  /** When orderStatus was last asked (null: not yet — a `filled` in its grace). */
  askedAt: number | null;
}

const LIVE: ReadonlySet<OrderState> = new Set(["pending-new", "resting", "partially-filled"]);

/** Why `u` contradicts what the record knows of its order (null: it does not, apply it). */
export function contradiction(s: SinkState, u: OrderUpdate): string | null {
  const o = (u.cloid !== null ? s.store.get(u.cloid) : undefined) ?? s.store.byOid(u.oid);
  if (!o || !LIVE.has(o.state) || o.oldOids.includes(u.oid)) return null;
  const cls = statusClass(u.status);
  const eps = s.config.raceGuard?.sizeEpsilon ?? 1e-9;
  if (cls === "canceled") return "we never asked to cancel it";
  if (cls === "rejected") return o.state === "pending-new" ? null : "the venue had shown it resting";
  if (cls === "filled") return o.legFilledSz + eps < u.origSz ? `fills cover ${o.legFilledSz} of ${u.origSz}` : null;
  return null;
}

/** Hold a contradicting terminal update instead of applying it; true when held. */
export function contestUpdate(s: SinkState, u: OrderUpdate, now: number): boolean {
  if (s.config.confirmTerminal === false) return false;
  const why = contradiction(s, u);
  if (why === null) return false;
  const o = ((u.cloid !== null ? s.store.get(u.cloid) : undefined) ?? s.store.byOid(u.oid))!;
  if (s.contested.has(o.cloid)) return true; // already asked: a repeat of the same claim
  const entry: ContestedStatus = { asset: o.asset, status: u.status, since: now, askedAt: null };
  s.contested.set(o.cloid, entry);
  s.metrics.contested += 1;
  const grace = statusClass(u.status) === "filled" ? (s.config.confirmGraceMs ?? 1000) : null;
  emit(s, { type: "statusContested", asset: o.asset, cloid: o.cloid, oid: u.oid, status: u.status, state: o.state, why, graceMs: grace, time: now });
  if (grace !== null) command(s, { kind: "wake", key: `confirm:${o.cloid}`, delayMs: grace });
  else ask(s, o.cloid, entry, now);
  return true;
}

function ask(s: SinkState, cloid: string, entry: ContestedStatus, now: number): void {
  entry.askedAt = now;
  askStatus(s, cloid, now);
}

/** A `filled` claim's grace ran out: its fills did not come, ask. */
export function confirmDue(s: SinkState, cloid: string, now: number): void {
  const e = s.contested.get(cloid);
  if (!e || e.askedAt !== null) return;
  emit(s, { type: "statusAsked", asset: e.asset, cloid, status: e.status, waitedMs: now - e.since, time: now });
  ask(s, cloid, e, now);
}

/** The orderStatus answer about `cloid` has been applied: settle its contest, if any. */
export function statusAnswered(s: SinkState, cloid: string, now: number): void {
  const e = s.contested.get(cloid);
  if (!e) return;
  const o = s.store.get(cloid);
  resolve(s, cloid, e, !o || isTerminalOrderState(o.state) ? "confirmed" : "false", o?.state ?? null, now);
}

/** After each input: contests the record settled meanwhile (the fills came, a cancel landed). */
export function settleContests(s: SinkState, now: number): void {
  for (const [cloid, e] of s.contested) {
    const o = s.store.get(cloid);
    if (!o || isTerminalOrderState(o.state)) resolve(s, cloid, e, "confirmed", o?.state ?? null, now);
  }
}

/** Housekeeping: a question whose answer was lost is asked again every staleAfterMs. */
export function retryContests(s: SinkState, now: number): void {
  for (const [cloid, e] of s.contested) {
    if (e.askedAt !== null && now - e.askedAt >= s.store.staleAfterMs) ask(s, cloid, e, now);
  }
}

/** Whether a modify of `cloid` must wait (its terminal status is contested). */
export function isContested(s: SinkState, cloid: string): boolean {
  return s.contested.has(cloid);
}

function resolve(s: SinkState, cloid: string, e: ContestedStatus, outcome: "confirmed" | "false", state: OrderState | null, now: number): void {
  s.contested.delete(cloid);
  if (outcome === "confirmed") s.metrics.contestedConfirmed += 1;
  else s.metrics.contestedFalse += 1;
  s.dirty.add(e.asset);
  emit(s, { type: "statusResolved", asset: e.asset, cloid, status: e.status, outcome, state, heldMs: now - e.since, asked: e.askedAt !== null, time: now });
}
