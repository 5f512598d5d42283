// The execution core: `step(state, input, now) → { state, commands, events }`. One input at a
// time, no clock but `now`, no I/O, no streams: every rule of the sink is a named function of
// (state, input, now) in one of the job modules —
//   ladderStep   intents, the sink's gates, the ladder diff, placements/modifies/cancels
//   answerStep   executor answers, refusals, transport failures, orderStatus answers
//   fillStep     the race guard's classification, the fill's consumers, race holds and pulls
//   accountSync  when to sync, adopting the snapshot, orphans and missing orders
//   riskChecks   kill-switch triggers and housekeeping
// — so each is unit- and property-testable without a scheduler. The RxJS shell
// (executionSink.ts) folds the inputs in order and carries the commands out.
import type { OrderUpdate } from "../streams/orders.js";
import { statusClass } from "../streams/orders.js";
import type { ConnectionState } from "../streams/venue.js";
import { requestSync, snapshotStep, syncFailed, syncTimerDue } from "./accountSync.js";
import { answerStep } from "./answerStep.js";
import { deadManTick } from "./deadManStep.js";
import { fillStep, watchDue } from "./fillStep.js";
import { flushDirty, intentStep } from "./ladderStep.js";
import { reserveCheck, reserveOnSnapshot } from "./reserveWeight.js";
import { housekeepingStep } from "./riskChecks.js";
import { confirmDue, contestUpdate, settleContests } from "./statusConfirm.js";
import { driftDue } from "./driftWatch.js";
import { isMarginReason, marginRejected } from "./margin.js";
import { createSinkState, emit, knownAssets, trip } from "./sinkState.js";
import type { SinkState } from "./sinkState.js";
import type { ExecutionSinkConfig, SinkInput, SinkOutput } from "./sinkTypes.js";

export { createSinkState };
export type { SinkState };

/** Apply one input. The state is updated in place and returned (see sinkState.ts); a throw is a bug in the core. */
export function step(state: SinkState, input: SinkInput, now: number): SinkOutput & { readonly state: SinkState } {
  const s = state;
  s.out.commands = [];
  s.out.events = [];
  apply(s, input, now);
  if (s.contested.size > 0) settleContests(s, now);
  reportInvalidTransitions(s, now);
  return { state: s, commands: s.out.commands, events: s.out.events };
}

/** A fresh core state for `config` at time `now`. */
export function initialSinkState(config: ExecutionSinkConfig, now: number): SinkState {
  return createSinkState(config, now);
}

function apply(s: SinkState, input: SinkInput, now: number): void {
  switch (input.kind) {
    case "intent":
      return intentStep(s, input.intent, now);
    case "mid":
      return s.markets.applyMid(input.mid);
    case "book":
      return s.markets.applyBook(input.book);
    case "orderUpdate":
      return updateStep(s, input.update, now);
    case "fill":
      return fillStep(s, input.fill, now);
    case "executor":
      return answerStep(s, input.event, now);
    case "quota":
      s.quota = input.state;
      return reserveCheck(s, now);
    case "account":
      snapshotStep(s, input.snapshot, input.trigger, input.withOrders, now);
      return reserveOnSnapshot(s, input.snapshot, now);
    case "accountFailed":
      return syncFailed(s, input.trigger, input.withOrders, input.error, now);
    case "connection":
      return connectionStep(s, input.state, now);
    case "tick":
      housekeepingStep(s, now);
      return reserveCheck(s, now);
    case "syncDue":
      return requestSync(s, "periodic", now, true);
    case "wake":
      if (input.key === "sync") return syncTimerDue(s, now);
      if (input.key.startsWith("watch:")) return watchDue(s, input.key.slice("watch:".length), now);
      if (input.key.startsWith("confirm:")) return confirmDue(s, input.key.slice("confirm:".length), now);
      if (input.key.startsWith("drift:")) return driftDue(s, input.key.slice("drift:".length), now);
      return;
    case "deadMan":
      return deadManTick(s, input.batch, now);
    case "flush":
      return flushDirty(s, now);
    case "kill":
      return trip(s, "Manual", input.detail, null, now);
    case "clearKillSwitch":
      if (s.killSwitch.clear(now)) emit(s, { type: "killSwitch", state: s.killSwitch.state, time: now });
      s.staleSince.clear();
      s.rateLimitedRun = 0;
      for (const a of knownAssets(s)) s.dirty.add(a);
      return;
    case "shutdown":
      s.stopping = true;
      for (const a of knownAssets(s)) s.dirty.add(a);
      return;
  }
}

function updateStep(s: SinkState, u: OrderUpdate, now: number): void {
  const known = (u.cloid !== null && s.store.get(u.cloid) !== undefined) || s.store.byOid(u.oid) !== undefined;
  if (known && isMarginReason(u.status) && statusClass(u.status) !== "open") marginRejected(s, u.asset, u.status, now);
  else if (known && statusClass(u.status) === "rejected" && /ReduceOnly|MaxPosition|OpenInterest/i.test(u.status)) {
    requestSync(s, `rejected:${u.status}`, now);
  }
  // a terminal status that contradicts the record waits for orderStatus (statusConfirm.ts)
  if (contestUpdate(s, u, now)) return;
  const ch = s.store.applyUpdate(u, now);
  if (ch.order) s.dirty.add(ch.order.asset);
}

function connectionStep(s: SinkState, c: ConnectionState, now: number): void {
  const open = c.status === "open";
  if (open && !s.connOpen) {
    s.connDownSince = null;
    requestSync(s, "reconnect", now);
  } else if (!open && s.connOpen) {
    s.connDownSince = now;
    s.pnlGaps.clear(); // the fills of the gap come with the reconnect's snapshot
  }
  s.connOpen = open;
}

function reportInvalidTransitions(s: SinkState, now: number): void {
  const fresh = s.store.invalidTransitionCount - s.metrics.invalidTransitions;
  if (fresh <= 0) return;
  s.metrics.invalidTransitions = s.store.invalidTransitionCount;
  const list = s.store.invalidTransitions;
  for (const t of list.slice(Math.max(0, list.length - fresh))) emit(s, { type: "invalidTransition", transition: t, time: now });
}
