// The OrderStore: the single record of our orders, keyed by CLOID, with the OID mapped when it
// first arrives (post response, orderUpdates, a fill or an open-orders snapshot). Synchronous and
// deterministic: no clocks (every command takes `now`), no I/O, no streams — the sink feeds it
// events in whatever order the venue delivers them.
//
// Rules (FACTS §5.4, §10):
// - Events arrive in any order (fill before ack, update before post response, fill after cancel).
//   Transitions are monotonic: terminal states (filled, cancelled, rejected) win; the only move out
//   of a terminal state is up to `filled` when fills cover the size, or back to resting when an
//   authoritative status answer says the venue has an order we had only *inferred* gone.
// - Modify is cancel-replace: a new OID with the same CLOID, the old OID's CANCELED and the new
//   OID's open arriving in either order. The old OID's cancel is never read as the order's end.
// - A cancel answered AlreadyFilled keeps the order tracked (`cancel-raced`) until a fill or a
//   status answer resolves it.
// - Sizes: `origSz`/`sz` from orderUpdates are reconciled with the sum of fills; whichever says
//   more has filled wins (fills and the `filled` status arrive in either order).
import type { OrderResult, ModifyResult, CancelResult, OrderSpec, Tif } from "../streams/actions.js";
import type { GenerationSource, StrategySignals } from "../streams/intent.js";
import type { OpenOrder, OrderStatusAnswer, OrderUpdate } from "../streams/orders.js";
import { statusClass } from "../streams/orders.js";
import type { VenueFill } from "../streams/fill.js";
import type { QuoteGateReason } from "../streams/gate.js";
import type {
  OrderFillContext,
  OrderState,
  RaceGuardLookup,
  RestingOrderRef,
} from "../streams/execution.js";
import { isTerminalOrderState } from "../streams/execution.js";

export interface OrderStoreOptions {
  /** An order with no venue answer for this long is stale (default 5000 ms). */
  readonly staleAfterMs?: number;
  /** Same side+price refused while the first is unresolved and younger than this (default 60 000 ms). */
  readonly duplicateWindowMs?: number;
  /** Terminal orders are forgotten this long after they ended (default 120 000 ms). */
  readonly retentionMs?: number;
  /** Size tolerance for "fully filled" (default 1e-9). */
  readonly sizeEpsilon?: number;
}

/** Which ladder level an order serves: "bid:0" is the best bid level of the intent. */
export type LevelKey = `${"bid" | "ask"}:${number}`;

/** Facts attached at placement (inherited by every fill). */
export interface PlacementFacts {
  readonly source: GenerationSource;
  readonly midAtPlacement: number;
  readonly quotedHalfSpreadBps: number;
  readonly level: LevelKey | null;
  /** The strategy's signals of the intent this order serves (inherited by its fills). */
  readonly signals?: StrategySignals;
}

export interface TrackedOrder {
  readonly cloid: string;
  readonly asset: string;
  readonly isBuy: boolean;
  /** Price and size of the current leg (after an accepted modify, the new ones). */
  readonly px: number;
  readonly origSz: number;
  readonly tif: Tif;
  readonly reduceOnly: boolean;
  readonly oid: number | null;
  /** OIDs superseded by modifies; their cancels and fills belong to this CLOID but never end it. */
  readonly oldOids: readonly number[];
  readonly state: OrderState;
  /** Sum of fills over all legs. */
  readonly filledSz: number;
  /** Sum of fills on the current leg. */
  readonly legFilledSz: number;
  /** Remaining size the venue last reported for the current leg (null before any update). */
  readonly venueRemainingSz: number | null;
  readonly source: GenerationSource;
  readonly midAtPlacement: number;
  readonly quotedHalfSpreadBps: number;
  readonly level: LevelKey | null;
  readonly signals: StrategySignals | undefined;
  readonly placedAt: number;
  readonly lastEventAt: number;
  readonly terminalAt: number | null;
  readonly stale: boolean;
  readonly staleSince: number | null;
  readonly lastStatusQueryAt: number | null;
  /** A fill arrived while a cancel was pending or after it. */
  readonly raced: boolean;
  /** The terminal state was inferred (status unknown to the venue), not reported by it. */
  readonly inferred: boolean;
  readonly pendingModify: PendingModify | null;
  /** Set by a failed modify with an ambiguous answer: ask orderStatus. */
  readonly needsVerify: boolean;
}

export interface PendingModify {
  readonly spec: OrderSpec;
  readonly facts: PlacementFacts;
  readonly requestedAt: number;
  /** The old OID's CANCELED has been seen (it may precede the new OID's open). */
  readonly cancelLegSeen: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Rec = Mutable<Omit<TrackedOrder, "oldOids" | "pendingModify">> & {
  oldOids: number[];
  pendingModify: Mutable<PendingModify> | null;
  priorState: OrderState | null;
  legOrigSz: number;
};

export type PlacementRefusal =
  | { readonly kind: "DuplicateCloid"; readonly cloid: string }
  | { readonly kind: "DuplicatePrice"; readonly cloid: string; readonly existing: string; readonly px: number; readonly isBuy: boolean }
  | { readonly kind: "InvalidSpec"; readonly cloid: string; readonly detail: string };

export type PlacementCheck = { readonly ok: true } | { readonly ok: false; readonly refusal: PlacementRefusal };

/** The result of applying one event: the order after it (undefined when the event matched no order). */
export interface StoreChange {
  readonly order: TrackedOrder | undefined;
  readonly before: OrderState | null;
  readonly changed: boolean;
}

const NO_CHANGE: StoreChange = { order: undefined, before: null, changed: false };

export class OrderStore implements RaceGuardLookup {
  readonly staleAfterMs: number;
  readonly duplicateWindowMs: number;
  readonly retentionMs: number;
  readonly eps: number;
  readonly #byCloid = new Map<string, Rec>();
  readonly #byOid = new Map<number, string>();
  readonly #mids = new Map<string, number>();

  constructor(options: OrderStoreOptions = {}) {
    this.staleAfterMs = options.staleAfterMs ?? 5000;
    this.duplicateWindowMs = options.duplicateWindowMs ?? 60_000;
    this.retentionMs = options.retentionMs ?? 120_000;
    this.eps = options.sizeEpsilon ?? 1e-9;
  }

  // ---- queries -------------------------------------------------------------------------------

  get size(): number {
    return this.#byCloid.size;
  }

  get(cloid: string): TrackedOrder | undefined {
    return this.#byCloid.get(cloid);
  }

  byOid(oid: number): TrackedOrder | undefined {
    const cloid = this.#byOid.get(oid);
    return cloid === undefined ? undefined : this.#byCloid.get(cloid);
  }

  all(): IterableIterator<TrackedOrder> {
    return this.#byCloid.values();
  }

  /** Orders of `asset` (all assets when omitted) that are not terminal. */
  open(asset?: string): TrackedOrder[] {
    const out: TrackedOrder[] = [];
    for (const r of this.#byCloid.values()) {
      if (!isTerminalOrderState(r.state) && (asset === undefined || r.asset === asset)) out.push(r);
    }
    return out;
  }

  /** Remaining size of the current leg: what may still fill. */
  remaining(order: TrackedOrder): number {
    const venueFilled = order.venueRemainingSz === null ? 0 : Math.max(0, order.origSz - order.venueRemainingSz);
    return Math.max(0, order.origSz - Math.max(order.legFilledSz, venueFilled));
  }

  // RaceGuardLookup

  orderForFill(fill: VenueFill): OrderFillContext | undefined {
    const r = this.#find(fill.cloid, fill.oid);
    if (!r) return undefined;
    return {
      cloid: r.cloid,
      asset: r.asset,
      isBuy: r.isBuy,
      px: r.px,
      state: r.state,
      remainingSz: this.remaining(r),
      source: r.source,
      midAtPlacement: r.midAtPlacement,
      quotedHalfSpreadBps: r.quotedHalfSpreadBps,
      ...(r.signals !== undefined ? { signals: r.signals } : {}),
    };
  }

  restingOrders(asset: string): RestingOrderRef[] {
    const out: RestingOrderRef[] = [];
    for (const r of this.#byCloid.values()) {
      if (r.asset === asset && (r.state === "resting" || r.state === "partially-filled")) {
        out.push({ cloid: r.cloid, asset: r.asset, isBuy: r.isBuy, oid: r.oid, state: r.state });
      }
    }
    return out;
  }

  midOf(asset: string): number | undefined {
    return this.#mids.get(asset);
  }

  setMid(asset: string, mid: number): void {
    if (Number.isFinite(mid) && mid > 0) this.#mids.set(asset, mid);
  }

  /** The gate reason pausing quoting on `asset`: its oldest stale order, if any. */
  gateReason(asset: string, now: number): QuoteGateReason | undefined {
    let oldest: Rec | undefined;
    for (const r of this.#byCloid.values()) {
      if (r.asset === asset && r.stale && !isTerminalOrderState(r.state)) {
        if (!oldest || r.lastEventAt < oldest.lastEventAt) oldest = r;
      }
    }
    return oldest ? { kind: "OrderStale", cloid: oldest.cloid, ageMs: now - oldest.lastEventAt } : undefined;
  }

  // ---- placement -----------------------------------------------------------------------------

  /** Would placing `spec` be refused? Same CLOID twice, or same asset+side+price while the first is unresolved and recent. */
  checkPlacement(spec: OrderSpec, now: number, ignoreCloid?: string): PlacementCheck {
    if (!(spec.px > 0) || !(spec.sz > 0) || !Number.isFinite(spec.px) || !Number.isFinite(spec.sz)) {
      return { ok: false, refusal: { kind: "InvalidSpec", cloid: spec.cloid, detail: `px=${spec.px} sz=${spec.sz}` } };
    }
    if (ignoreCloid === undefined && this.#byCloid.has(spec.cloid)) {
      return { ok: false, refusal: { kind: "DuplicateCloid", cloid: spec.cloid } };
    }
    for (const r of this.#byCloid.values()) {
      if (r.cloid === ignoreCloid || r.asset !== spec.asset || r.isBuy !== spec.isBuy) continue;
      if (isTerminalOrderState(r.state) || now - r.placedAt >= this.duplicateWindowMs) continue;
      const samePx = samePrice(r.px, spec.px) || (r.pendingModify !== null && samePrice(r.pendingModify.spec.px, spec.px));
      if (samePx) {
        return {
          ok: false,
          refusal: { kind: "DuplicatePrice", cloid: spec.cloid, existing: r.cloid, px: spec.px, isBuy: spec.isBuy },
        };
      }
    }
    return { ok: true };
  }

  /** Record a placement about to be sent (state pending-new). Refused placements change nothing. */
  registerPlacement(spec: OrderSpec, facts: PlacementFacts, now: number): PlacementCheck {
    const check = this.checkPlacement(spec, now);
    if (!check.ok) return check;
    const rec: Rec = {
      cloid: spec.cloid,
      asset: spec.asset,
      isBuy: spec.isBuy,
      px: spec.px,
      origSz: spec.sz,
      legOrigSz: spec.sz,
      tif: spec.tif,
      reduceOnly: spec.reduceOnly,
      oid: null,
      oldOids: [],
      state: "pending-new",
      priorState: null,
      filledSz: 0,
      legFilledSz: 0,
      venueRemainingSz: null,
      source: facts.source,
      midAtPlacement: facts.midAtPlacement,
      quotedHalfSpreadBps: facts.quotedHalfSpreadBps,
      level: facts.level,
      signals: facts.signals,
      placedAt: now,
      lastEventAt: now,
      terminalAt: null,
      stale: false,
      staleSince: null,
      lastStatusQueryAt: null,
      raced: false,
      inferred: false,
      pendingModify: null,
      needsVerify: false,
    };
    this.#byCloid.set(spec.cloid, rec);
    return check;
  }

  /** Re-label which intent level an order serves (the reconciler kept it for another level). */
  relabel(cloid: string, level: LevelKey | null): void {
    const r = this.#byCloid.get(cloid);
    if (r) r.level = level;
  }

  /** Apply the venue's per-order answer to a placement. */
  applyOrderResult(cloid: string, result: OrderResult, now: number): StoreChange {
    const r = this.#byCloid.get(cloid);
    if (!r) return NO_CHANGE;
    const before = r.state;
    this.#touch(r, now);
    switch (result.kind) {
      case "resting":
        this.#mapOid(r, result.oid);
        if (r.state === "pending-new") this.#settle(r, now);
        break;
      case "filled":
        this.#mapOid(r, result.oid);
        r.venueRemainingSz = Math.max(0, r.origSz - result.totalSz);
        if (r.state !== "filled" && this.remaining(r) <= this.eps) this.#terminal(r, "filled", now);
        else this.#settle(r, now);
        break;
      case "rejected":
        if (!isTerminalOrderState(r.state) && r.legFilledSz <= this.eps) this.#terminal(r, "rejected", now);
        break;
      case "waiting":
        break;
    }
    return { order: r, before, changed: r.state !== before };
  }

  // ---- cancel --------------------------------------------------------------------------------

  /** Mark a cancel as sent. Only resting, partially-filled and pending-new orders can be cancelled. */
  requestCancel(cloid: string, now: number): boolean {
    const r = this.#byCloid.get(cloid);
    if (!r || !(r.state === "resting" || r.state === "partially-filled" || r.state === "pending-new")) return false;
    r.priorState = r.state;
    r.state = "pending-cancel";
    this.#touch(r, now);
    return true;
  }

  /** Apply a cancel's answer. AlreadyFilled → cancel-raced (still tracked); Failed → back to where it was. */
  applyCancelResult(cloid: string, result: CancelResult, now: number): StoreChange {
    const r = this.#byCloid.get(cloid);
    if (!r) return NO_CHANGE;
    const before = r.state;
    this.#touch(r, now);
    switch (result.kind) {
      case "Cancelled":
      case "AlreadyCancelled":
        if (!isTerminalOrderState(r.state)) {
          if (this.remaining(r) <= this.eps) this.#terminal(r, "filled", now);
          else this.#terminal(r, "cancelled", now);
        }
        break;
      case "AlreadyFilled":
        if (!isTerminalOrderState(r.state)) {
          if (this.remaining(r) <= this.eps) this.#terminal(r, "filled", now);
          else r.state = "cancel-raced";
        }
        break;
      case "Failed":
        if (r.state === "pending-cancel") {
          r.state = r.priorState ?? "resting";
          r.priorState = null;
          this.#settle(r, now);
        }
        break;
    }
    return { order: r, before, changed: r.state !== before };
  }

  // ---- modify --------------------------------------------------------------------------------

  /** Mark a modify (cancel-replace) as sent. Only resting/partially-filled orders with an OID; the new price is duplicate-checked. */
  requestModify(cloid: string, spec: OrderSpec, facts: PlacementFacts, now: number): PlacementCheck {
    const r = this.#byCloid.get(cloid);
    if (!r || r.oid === null || !(r.state === "resting" || r.state === "partially-filled")) {
      return { ok: false, refusal: { kind: "InvalidSpec", cloid, detail: `cannot modify in state ${r?.state ?? "unknown"}` } };
    }
    const check = this.checkPlacement({ ...spec, cloid }, now, cloid);
    if (!check.ok) return check;
    r.priorState = r.state;
    r.state = "pending-modify";
    r.pendingModify = { spec: { ...spec, cloid }, facts, requestedAt: now, cancelLegSeen: false };
    this.#touch(r, now);
    return check;
  }

  /** Apply a modify's answer (the new OID when resting). */
  applyModifyResult(cloid: string, result: ModifyResult, now: number): StoreChange {
    const r = this.#byCloid.get(cloid);
    if (!r) return NO_CHANGE;
    const before = r.state;
    this.#touch(r, now);
    switch (result.kind) {
      case "resting":
        this.#acceptLeg(r, result.oid, null);
        if (!isTerminalOrderState(r.state)) this.#settle(r, now);
        break;
      case "filled":
        this.#acceptLeg(r, result.oid, null);
        r.venueRemainingSz = Math.max(0, r.origSz - result.totalSz);
        if (!isTerminalOrderState(r.state)) this.#settle(r, now);
        break;
      case "rejected":
        if (r.state === "pending-modify" && r.pendingModify) {
          if (r.pendingModify.cancelLegSeen) {
            // the old leg is gone and no new one rests: the order has ended.
            r.pendingModify = null;
            this.#terminal(r, this.remaining(r) <= this.eps ? "filled" : "cancelled", now);
          } else {
            // "Cannot modify canceled or filled order", or the new leg refused: whether the old
            // leg still rests is unknown → back to the prior state and ask the venue.
            r.pendingModify = null;
            r.state = r.priorState ?? "resting";
            r.priorState = null;
            r.needsVerify = true;
            this.#settle(r, now);
          }
        }
        break;
      case "waiting":
        break;
    }
    return { order: r, before, changed: r.state !== before };
  }

  /** A cancel or modify that was never sent (refused before sending) or did not land: back to the prior state. */
  revertPending(cloid: string, now: number): StoreChange {
    const r = this.#byCloid.get(cloid);
    if (!r) return NO_CHANGE;
    const before = r.state;
    if (r.state === "pending-cancel" || r.state === "pending-modify") {
      r.pendingModify = null;
      r.state = r.priorState ?? "resting";
      r.priorState = null;
      this.#touch(r, now);
      this.#settle(r, now);
    }
    return { order: r, before, changed: r.state !== before };
  }

  // ---- venue updates and fills ---------------------------------------------------------------

  /**
   * Apply an orderUpdates message. An `open` revives an order we had only inferred gone; with
   * `authoritative` (a status answer) it also revives a cancel-raced one.
   */
  applyUpdate(update: OrderUpdate, now: number, authoritative = false): StoreChange {
    const r = this.#find(update.cloid, update.oid);
    if (!r) return NO_CHANGE;
    const before = r.state;
    this.#touch(r, now);
    const cls = statusClass(update.status);
    if (r.oldOids.includes(update.oid)) {
      // a superseded leg: never the order's end. Its fills count through applyFill.
      return { order: r, before, changed: false };
    }
    if (r.oid === null) {
      if (r.pendingModify !== null && r.pendingModify.cancelLegSeen) this.#acceptLeg(r, update.oid, update);
      else this.#mapOid(r, update.oid);
    } else if (r.oid !== update.oid) {
      // a new OID on a known CLOID: the new leg of a modify (its open may precede the response).
      this.#acceptLeg(r, update.oid, update);
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
      this.#byOid.set(update.oid, r.cloid);
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
        if (r.state === "pending-new") this.#settle(r, now);
        else if ((authoritative && r.state === "cancel-raced") || (isTerminalOrderState(r.state) && r.inferred)) {
          // the venue shows it open: a placement we had inferred lost landed late, or a cancel
          // answered "never placed…" reached the venue before the order did.
          r.inferred = false;
          r.terminalAt = null;
          r.state = "resting";
          this.#settle(r, now);
        } else if (r.state === "resting" || r.state === "partially-filled") this.#settle(r, now);
        break;
      case "filled":
        if (r.state !== "filled") this.#terminal(r, "filled", now);
        break;
      case "canceled":
        if (!isTerminalOrderState(r.state)) {
          r.pendingModify = null;
          this.#terminal(r, this.remaining(r) <= this.eps ? "filled" : "cancelled", now);
        }
        break;
      case "rejected":
        if (!isTerminalOrderState(r.state)) {
          r.pendingModify = null;
          this.#terminal(r, "rejected", now);
        }
        break;
      case "triggered":
        break;
    }
    return { order: r, before, changed: r.state !== before };
  }

  /** Apply one (deduped) fill. Moves sizes and state; never refuses a fill for a known order. */
  applyFill(fill: VenueFill, now: number): StoreChange {
    const r = this.#find(fill.cloid, fill.oid);
    if (!r) return NO_CHANGE;
    const before = r.state;
    this.#touch(r, now);
    r.filledSz += fill.size;
    if (r.oldOids.includes(fill.oid)) {
      return { order: r, before, changed: false };
    }
    if (r.oid === null) {
      if (r.pendingModify !== null) this.#acceptLeg(r, fill.oid, null);
      else this.#mapOid(r, fill.oid);
    } else if (r.oid !== fill.oid) {
      this.#acceptLeg(r, fill.oid, null);
    }
    r.legFilledSz += fill.size;
    if (before === "pending-cancel" || before === "cancelled" || before === "cancel-raced") r.raced = true;
    const done = this.remaining(r) <= this.eps;
    switch (r.state) {
      case "pending-new":
      case "resting":
      case "partially-filled":
        this.#settle(r, now);
        break;
      case "pending-cancel":
      case "pending-modify":
      case "cancel-raced":
      case "cancelled":
        if (done) {
          r.pendingModify = null;
          this.#terminal(r, "filled", now);
        }
        break;
      case "filled":
      case "rejected":
        break;
    }
    return { order: r, before, changed: r.state !== before };
  }

  /** A resting order from the venue's open-order list: maps the OID; does not override our pending states. */
  applyOpenOrder(order: OpenOrder, now: number): StoreChange {
    return this.applyUpdate({ ...order, status: "open" }, now);
  }

  /** Apply an orderStatus answer (authoritative). Unknown to the venue → the order ended (inferred). */
  applyStatusAnswer(cloid: string, answer: OrderStatusAnswer, now: number): StoreChange {
    const r = this.#byCloid.get(cloid);
    if (!r) return NO_CHANGE;
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
        this.revertPending(cloid, now);
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
        this.#touch(r, now);
        r.pendingModify = null;
        this.#terminal(r, this.remaining(r) <= this.eps && r.legFilledSz > 0 ? "filled" : "cancelled", now);
        r.inferred = true;
        return { order: r, before, changed: r.state !== before };
      }
      return this.applyUpdate({ ...answer.update, cloid }, now, true);
    }
    const before = r.state;
    this.#touch(r, now);
    r.needsVerify = false;
    if (!isTerminalOrderState(r.state)) {
      r.pendingModify = null;
      this.#terminal(r, this.remaining(r) <= this.eps && r.legFilledSz > 0 ? "filled" : "cancelled", now);
      r.inferred = true;
    }
    return { order: r, before, changed: r.state !== before };
  }

  // ---- staleness and housekeeping ------------------------------------------------------------

  /**
   * Mark orders stale that wait for an answer (pending-new, pending-cancel, pending-modify,
   * cancel-raced, or flagged for verification) for `staleAfterMs`. Returns the CLOIDs to ask
   * `orderStatus` about now (newly stale, or stale and not asked for `staleAfterMs`).
   */
  sweepStale(now: number): string[] {
    const ask: string[] = [];
    for (const r of this.#byCloid.values()) {
      if (isTerminalOrderState(r.state)) continue;
      const waiting =
        r.state === "pending-new" || r.state === "pending-cancel" || r.state === "pending-modify" || r.state === "cancel-raced";
      if (r.needsVerify && (r.lastStatusQueryAt === null || now - r.lastStatusQueryAt >= this.staleAfterMs)) {
        ask.push(r.cloid);
        continue;
      }
      if (!waiting || now - r.lastEventAt < this.staleAfterMs) continue;
      if (!r.stale) {
        r.stale = true;
        r.staleSince = now;
      }
      if (r.lastStatusQueryAt === null || now - r.lastStatusQueryAt >= this.staleAfterMs) ask.push(r.cloid);
    }
    return ask;
  }

  /** Record that an orderStatus query was sent (rate-limits re-asking). */
  noteStatusQuery(cloid: string, now: number): void {
    const r = this.#byCloid.get(cloid);
    if (r) r.lastStatusQueryAt = now;
  }

  /** Forget terminal orders older than the retention; returns how many were dropped. */
  prune(now: number): number {
    let n = 0;
    for (const [cloid, r] of this.#byCloid) {
      if (r.terminalAt !== null && isTerminalOrderState(r.state) && now - r.terminalAt >= this.retentionMs) {
        this.#byCloid.delete(cloid);
        if (r.oid !== null) this.#byOid.delete(r.oid);
        for (const o of r.oldOids) this.#byOid.delete(o);
        n += 1;
      }
    }
    return n;
  }

  // ---- internals -----------------------------------------------------------------------------

  #find(cloid: string | null, oid: number): Rec | undefined {
    if (cloid !== null) {
      const r = this.#byCloid.get(cloid);
      if (r) return r;
    }
    const c = this.#byOid.get(oid);
    return c === undefined ? undefined : this.#byCloid.get(c);
  }

  #touch(r: Rec, now: number): void {
    r.lastEventAt = Math.max(r.lastEventAt, now);
    r.stale = false;
    r.staleSince = null;
  }

  #mapOid(r: Rec, oid: number): void {
    // a superseded leg never becomes current again (a late post response for the first leg of a
    // modified order must not undo the modify)
    if (r.oid === oid || r.oldOids.includes(oid)) return;
    if (r.oid !== null && !r.oldOids.includes(r.oid)) r.oldOids.push(r.oid);
    r.oid = oid;
    this.#byOid.set(oid, r.cloid);
  }

  /** The new leg of a modify is live under `oid`: retire the old OID and adopt the new spec. */
  #acceptLeg(r: Rec, oid: number, update: OrderUpdate | null): void {
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
    this.#mapOid(r, oid);
    r.px = update?.px ?? spec?.px ?? r.px;
    r.origSz = update?.origSz ?? spec?.sz ?? r.origSz;
    r.legOrigSz = r.origSz;
    r.legFilledSz = 0;
    r.venueRemainingSz = update ? update.sz : null;
    r.pendingModify = null;
    if (r.state === "pending-modify") {
      r.state = "resting";
      r.priorState = null;
    }
  }

  /** Recompute a non-terminal, non-pending state from sizes. */
  #settle(r: Rec, now: number): void {
    if (isTerminalOrderState(r.state)) return;
    if (r.state === "pending-cancel" || r.state === "pending-modify" || r.state === "cancel-raced") return;
    const rem = this.remaining(r);
    if (rem <= this.eps && (r.legFilledSz > 0 || r.venueRemainingSz === 0)) {
      this.#terminal(r, "filled", now);
      return;
    }
    if (r.oid === null) {
      r.state = "pending-new";
      return;
    }
    const filled = Math.max(r.legFilledSz, r.venueRemainingSz === null ? 0 : r.origSz - r.venueRemainingSz);
    r.state = filled > this.eps ? "partially-filled" : "resting";
  }

  #terminal(r: Rec, state: "filled" | "cancelled" | "rejected", now: number): void {
    r.state = state;
    r.priorState = null;
    r.terminalAt = now;
    r.stale = false;
    r.staleSince = null;
    r.inferred = false;
    if (state !== "filled") r.pendingModify = null;
  }
}

function samePrice(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}
