// The order record's legs: how one event the venue (or we) produced moves one order — its OID
// and superseded legs, its sizes, and its state through the transition table (orderTransitions.ts).
// Functions of (record, event, now); the OrderStore finds the record and keeps the indexes.
import type { CancelResult, ModifyResult, OrderResult } from "../streams/actions.js";
import { isTerminalOrderState } from "../streams/execution.js";
import type { OrderState } from "../streams/execution.js";
import type { VenueFill } from "../streams/fill.js";
import type { OrderStatusAnswer, OrderUpdate } from "../streams/orders.js";
import { statusClass } from "../streams/orders.js";
import { transition } from "./orderTransitions.js";
import type { OrderEvent } from "./orderTransitions.js";
import type { Rec, StoreChange, TrackedOrder } from "./orderTypes.js";

/** What the leg functions need from the store: the size tolerance, the OID index, where refused transitions go. */
export interface LegContext {
  readonly eps: number;
  readonly byOid: Map<number, string>;
  invalid(r: Rec, from: OrderState, event: OrderEvent, now: number): void;
  /** An order became terminal at `now` (the store's prune learns when one may be due). */
  ended(now: number): void;
  /** An order left the live (not terminal) orders, or came back to them (a revival). */
  liveness(r: Rec, live: boolean): void;
}

/** Remaining size of the current leg: what may still fill. */
export function remainingOf(order: TrackedOrder): number {
  const venueFilled = order.venueRemainingSz === null ? 0 : Math.max(0, order.origSz - order.venueRemainingSz);
  return Math.max(0, order.origSz - Math.max(order.legFilledSz, venueFilled));
}

/** Apply the venue's per-order answer to a placement. */
export function applyOrderResult(ctx: LegContext, r: Rec, result: OrderResult, now: number): StoreChange {
  const before = r.state;
  touch(r, now);
  switch (result.kind) {
    case "resting":
      mapOid(ctx, r, result.oid);
      if (r.state === "pending-new") settle(ctx, r, now);
      break;
    case "filled":
      mapOid(ctx, r, result.oid);
      r.venueRemainingSz = Math.max(0, r.origSz - result.totalSz);
      if (r.state !== "filled" && remainingOf(r) <= ctx.eps) move(ctx, r, "filled", now);
      else settle(ctx, r, now);
      break;
    case "rejected":
      if (!isTerminalOrderState(r.state) && r.legFilledSz <= ctx.eps) move(ctx, r, "rejected", now);
      break;
    case "waiting":
      break;
  }
  return { order: r, before, changed: r.state !== before };
}

/** Apply a cancel's answer. AlreadyFilled → cancel-raced (still tracked); Failed → back to where it was. */
export function applyCancelResult(ctx: LegContext, r: Rec, result: CancelResult, now: number): StoreChange {
  const before = r.state;
  touch(r, now);
  switch (result.kind) {
    case "Cancelled":
    case "AlreadyCancelled":
      if (!isTerminalOrderState(r.state)) move(ctx, r, remainingOf(r) <= ctx.eps ? "filled" : "canceled", now);
      break;
    case "AlreadyFilled":
      if (!isTerminalOrderState(r.state)) move(ctx, r, remainingOf(r) <= ctx.eps ? "filled" : "cancelTooLate", now);
      break;
    case "Failed":
      if (r.state === "pending-cancel") {
        move(ctx, r, "reverted", now);
        settle(ctx, r, now);
      }
      break;
  }
  return { order: r, before, changed: r.state !== before };
}

/** Apply a modify's answer (the new OID when resting). */
export function applyModifyResult(ctx: LegContext, r: Rec, result: ModifyResult, now: number): StoreChange {
  const before = r.state;
  touch(r, now);
  switch (result.kind) {
    case "resting":
      acceptLeg(ctx, r, result.oid, null);
      if (!isTerminalOrderState(r.state)) settle(ctx, r, now);
      break;
    case "filled":
      acceptLeg(ctx, r, result.oid, null);
      r.venueRemainingSz = Math.max(0, r.origSz - result.totalSz);
      if (!isTerminalOrderState(r.state)) settle(ctx, r, now);
      break;
    case "rejected":
      if (r.state === "pending-modify" && r.pendingModify) {
        if (r.pendingModify.cancelLegSeen) {
          // the old leg is gone and no new one rests: the order has ended.
          r.pendingModify = null;
          move(ctx, r, remainingOf(r) <= ctx.eps ? "filled" : "canceled", now);
        } else {
          // "Cannot modify canceled or filled order", or the new leg refused: whether the old
          // leg still rests is unknown → back to the prior state and ask the venue.
          r.pendingModify = null;
          move(ctx, r, "reverted", now);
          r.needsVerify = true;
          settle(ctx, r, now);
        }
      }
      break;
    case "waiting":
      break;
  }
  return { order: r, before, changed: r.state !== before };
}

/** A cancel or modify that was never sent (refused before sending) or did not land: back to the prior state. */
export function revertPending(ctx: LegContext, r: Rec, now: number): StoreChange {
  const before = r.state;
  if (r.state === "pending-cancel" || r.state === "pending-modify") {
    r.pendingModify = null;
    move(ctx, r, "reverted", now);
    touch(r, now);
    settle(ctx, r, now);
  }
  return { order: r, before, changed: r.state !== before };
}

/**
 * Apply an orderUpdates message. An `open` revives an order we had only inferred gone; with
 * `authoritative` (a status answer) it also revives a cancel-raced one.
 */
export function applyUpdate(ctx: LegContext, r: Rec, update: OrderUpdate, now: number, authoritative = false): StoreChange {
  const before = r.state;
  touch(r, now);
  const cls = statusClass(update.status);
  if (r.oldOids.includes(update.oid)) {
    // a superseded leg: never the order's end. Its fills count through applyFill.
    return { order: r, before, changed: false };
  }
  if (r.oid === null) {
    if (r.pendingModify !== null && r.pendingModify.cancelLegSeen) acceptLeg(ctx, r, update.oid, update);
    else mapOid(ctx, r, update.oid);
  } else if (r.oid !== update.oid) {
    // a new OID on a known CLOID: the new leg of a modify (its open may precede the response).
    acceptLeg(ctx, r, update.oid, update);
  }
  if (
    cls === "canceled" &&
    r.pendingModify !== null &&
    !r.pendingModify.cancelLegSeen &&
    update.status === "canceled"
  ) {
    // the old leg's CANCELED before the new leg's open: retire the OID, keep the order.
    r.pendingModify.cancelLegSeen = true;
    r.oldOids.push(update.oid);
    ctx.byOid.set(update.oid, r.cloid);
    r.oid = null;
    return { order: r, before, changed: false };
  }
  if (cls === "open" || cls === "filled") {
    r.legOrigSz = update.origSz;
    r.origSz = update.origSz;
    r.venueRemainingSz = cls === "filled" ? 0 : update.sz;
    r.px = update.px;
  }
  switch (cls) {
    case "open":
      if (r.state === "pending-new") settle(ctx, r, now);
      else if ((authoritative && r.state === "cancel-raced") || (isTerminalOrderState(r.state) && r.inferred)) {
        // the venue shows it open: a placement we had inferred lost landed late, or a cancel
        // answered "never placed…" reached the venue before the order did.
        move(ctx, r, "revived", now);
        settle(ctx, r, now);
      } else if (r.state === "resting" || r.state === "partially-filled") settle(ctx, r, now);
      break;
    case "filled":
      if (r.state !== "filled") move(ctx, r, "filled", now);
      break;
    case "canceled":
      if (!isTerminalOrderState(r.state)) {
        r.pendingModify = null;
        move(ctx, r, remainingOf(r) <= ctx.eps ? "filled" : "canceled", now);
      }
      break;
    case "rejected":
      if (!isTerminalOrderState(r.state)) {
        r.pendingModify = null;
        move(ctx, r, "rejected", now);
      }
      break;
    case "triggered":
      break;
  }
  return { order: r, before, changed: r.state !== before };
}

/** Apply one (deduped) fill. Moves sizes and state; never refuses a fill for a known order. */
export function applyFill(ctx: LegContext, r: Rec, fill: VenueFill, now: number): StoreChange {
  const before = r.state;
  touch(r, now);
  r.filledSz += fill.size;
  if (r.oldOids.includes(fill.oid)) {
    return { order: r, before, changed: false };
  }
  if (r.oid === null) {
    if (r.pendingModify !== null) acceptLeg(ctx, r, fill.oid, null);
    else mapOid(ctx, r, fill.oid);
  } else if (r.oid !== fill.oid) {
    acceptLeg(ctx, r, fill.oid, null);
  }
  r.legFilledSz += fill.size;
  if (before === "pending-cancel" || before === "cancelled" || before === "cancel-raced") r.raced = true;
  const done = remainingOf(r) <= ctx.eps;
  switch (r.state) {
    case "pending-new":
    case "resting":
    case "partially-filled":
      settle(ctx, r, now);
      break;
    case "pending-cancel":
    case "pending-modify":
    case "cancel-raced":
    case "cancelled":
      if (done) {
        r.pendingModify = null;
        move(ctx, r, "filled", now);
      }
      break;
    case "filled":
    case "rejected":
      break;
  }
  return { order: r, before, changed: r.state !== before };
}

/** Apply an orderStatus answer (authoritative). Unknown to the venue → the order ended (inferred). */
export function applyStatusAnswer(ctx: LegContext, r: Rec, answer: OrderStatusAnswer, now: number): StoreChange {
  if (answer.kind === "known") {
    r.needsVerify = false;
    r.stale = false;
    r.staleSince = null;
    if (
      statusClass(answer.update.status) === "open" &&
      answer.update.oid === r.oid &&
      (r.state === "pending-cancel" || (r.state === "pending-modify" && r.pendingModify !== null && !r.pendingModify.cancelLegSeen))
    ) {
      // the venue still rests this leg: our cancel/modify did not land (it was lost or failed in
      // transport). Back to the prior state so the reconciler may act again; if it lands late,
      // its own update moves the order on.
      revertPending(ctx, r, now);
    }
    if (
      r.pendingModify !== null &&
      r.pendingModify.cancelLegSeen &&
      r.oldOids.includes(answer.update.oid) &&
      statusClass(answer.update.status) !== "open"
    ) {
      // the modify was processed (its cancel leg happened) yet the venue's latest leg for this
      // CLOID is the old one: the new leg never rested (refused). The order has ended; a late
      // `open` of a new leg would revive it (inferred).
      const before = r.state;
      touch(r, now);
      r.pendingModify = null;
      if (move(ctx, r, remainingOf(r) <= ctx.eps && r.legFilledSz > 0 ? "filled" : "canceled", now)) r.inferred = true;
      return { order: r, before, changed: r.state !== before };
    }
    return applyUpdate(ctx, r, { ...answer.update, cloid: r.cloid }, now, true);
  }
  const before = r.state;
  touch(r, now);
  r.needsVerify = false;
  if (!isTerminalOrderState(r.state)) {
    r.pendingModify = null;
    if (move(ctx, r, remainingOf(r) <= ctx.eps && r.legFilledSz > 0 ? "filled" : "canceled", now)) r.inferred = true;
  }
  return { order: r, before, changed: r.state !== before };
}

export function touch(r: Rec, now: number): void {
  r.lastEventAt = Math.max(r.lastEventAt, now);
  r.stale = false;
  r.staleSince = null;
}

function mapOid(ctx: LegContext, r: Rec, oid: number): void {
  // a superseded leg never becomes current again (a late post response for the first leg of a
  // modified order must not undo the modify)
  if (r.oid === oid || r.oldOids.includes(oid)) return;
  if (r.oid !== null && !r.oldOids.includes(r.oid)) r.oldOids.push(r.oid);
  r.oid = oid;
  ctx.byOid.set(oid, r.cloid);
}

/** The new leg of a modify is live under `oid`: retire the old OID and adopt the new spec. */
function acceptLeg(ctx: LegContext, r: Rec, oid: number, update: OrderUpdate | null): void {
  if (r.oid === oid) {
    r.pendingModify = null;
    return;
  }
  if (r.oldOids.includes(oid)) return;
  const spec = r.pendingModify?.spec;
  if (r.pendingModify) {
    r.source = r.pendingModify.facts.source;
    r.midAtPlacement = r.pendingModify.facts.midAtPlacement;
    r.quotedHalfSpreadBps = r.pendingModify.facts.quotedHalfSpreadBps;
    r.level = r.pendingModify.facts.level;
    r.signals = r.pendingModify.facts.signals;
  }
  mapOid(ctx, r, oid);
  r.px = update?.px ?? spec?.px ?? r.px;
  r.origSz = update?.origSz ?? spec?.sz ?? r.origSz;
  r.legOrigSz = r.origSz;
  r.legFilledSz = 0;
  r.venueRemainingSz = update ? update.sz : null;
  r.pendingModify = null;
  if (r.state === "pending-modify") move(ctx, r, "modifyLegLive", 0);
}

/** Recompute a non-terminal, non-pending state from sizes. */
function settle(ctx: LegContext, r: Rec, now: number): void {
  if (isTerminalOrderState(r.state)) return;
  if (r.state === "pending-cancel" || r.state === "pending-modify" || r.state === "cancel-raced") return;
  const rem = remainingOf(r);
  if (rem <= ctx.eps && (r.legFilledSz > 0 || r.venueRemainingSz === 0)) {
    move(ctx, r, "filled", now);
    return;
  }
  if (r.oid === null) {
    move(ctx, r, "unacked", now);
    return;
  }
  const filled = Math.max(r.legFilledSz, r.venueRemainingSz === null ? 0 : r.origSz - r.venueRemainingSz);
  move(ctx, r, filled > ctx.eps ? "partFilled" : "acked", now);
}

/** Apply one event through the table. Returns false (order unchanged, counted) for a pair the table refuses. */
export function move(ctx: LegContext, r: Rec, event: OrderEvent, now: number): boolean {
  const t = transition(r.state, event);
  if (!t.ok) {
    ctx.invalid(r, t.from, event, now);
    return false;
  }
  const from = r.state;
  const to = t.to === "prior" ? (r.priorState ?? "resting") : t.to;
  r.state = to;
  const wasTerminal = isTerminalOrderState(from);
  if (wasTerminal !== isTerminalOrderState(to)) ctx.liveness(r, wasTerminal);
  if (event === "cancelSent" || event === "modifySent") r.priorState = from;
  else r.priorState = null;
  if (isTerminalOrderState(to)) {
    r.terminalAt = now;
    ctx.ended(now);
    r.stale = false;
    r.staleSince = null;
    r.inferred = false;
    if (to !== "filled") r.pendingModify = null;
  } else if (event === "revived") {
    r.inferred = false;
    r.terminalAt = null;
  }
  return true;
}
