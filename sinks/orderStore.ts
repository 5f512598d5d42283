// The OrderStore: the single record of our orders, keyed by CLOID, with the OID mapped when it
// first arrives (post response, orderUpdates, a fill or an open-orders snapshot). Synchronous and
// deterministic: no clocks (every command takes `now`), no I/O, no streams — the sink feeds it
// events in whatever order the venue delivers them.
//
// Every state change goes through the transition table (sinks/orderTransitions.ts): the store
// classifies what it learnt into an OrderEvent and the table says where the order goes; a pair the
// table refuses is counted and kept in `invalidTransitions` (newest last), never thrown.
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
import type { ActionBatch, CancelResult, ModifyResult, OrderResult, OrderSpec } from "../streams/actions.js";
import type { OpenOrder, OrderStatusAnswer, OrderUpdate } from "../streams/orders.js";
import type { VenueFill } from "../streams/fill.js";
import type { QuoteGateReason } from "../streams/gate.js";
import type { OrderFillContext, RaceGuardLookup, RestingOrderRef } from "../streams/execution.js";
import { isTerminalOrderState } from "../streams/execution.js";
import * as legs from "./orderLegs.js";
import type { LegContext } from "./orderLegs.js";
import { canTransition } from "./orderTransitions.js";
import { newRecord } from "./orderRecord.js";
import type { InvalidTransition } from "./orderTransitions.js";
import { NO_CHANGE } from "./orderTypes.js";
import { LiveRecords } from "./liveRecords.js";
import type { LevelKey, OrderStoreOptions, PlacementCheck, PlacementFacts, Rec, StoreChange, TrackedOrder } from "./orderTypes.js";

export type { LevelKey, OrderStoreOptions, PendingModify, PlacementCheck, PlacementFacts, PlacementRefusal, StoreChange, TrackedOrder } from "./orderTypes.js";

export class OrderStore implements RaceGuardLookup {
  readonly staleAfterMs: number;
  readonly duplicateWindowMs: number;
  readonly retentionMs: number;
  readonly eps: number;
  readonly #byCloid = new Map<string, Rec>();
  /**
   * The same records by asset (each asset's in `#byCloid`'s order): the per-asset questions asked
   * on every placement and tick (duplicate check, gate reason, resting orders) scan one asset's
   * orders, not every asset's (O(orders of the asset), was O(all orders kept)).
   */
  readonly #byAsset = new Map<string, Map<string, Rec>>();
  readonly #live = new LiveRecords(); // the records not terminal: what the open-order scans read
  /** False when the last sweepStale left no stale live order (only a sweep marks orders stale). */
  #anyStale = false;
  readonly #byOid = new Map<number, string>();
  /** No record's terminalAt is earlier: until it is `retentionMs` old, prune skips its scan. */
  #oldestTerminalAt = Infinity;
  readonly #mids = new Map<string, number>();
  /** Pairs the transition table refused (the order was left as it was). */
  invalidTransitionCount = 0;
  /** The latest refused pairs (at most 100). */
  readonly invalidTransitions: InvalidTransition[] = [];
  readonly #ctx: LegContext;

  constructor(options: OrderStoreOptions = {}) {
    this.staleAfterMs = options.staleAfterMs ?? 5000;
    this.duplicateWindowMs = options.duplicateWindowMs ?? 60_000;
    this.retentionMs = options.retentionMs ?? 120_000;
    this.eps = options.sizeEpsilon ?? 1e-9;
    this.#ctx = {
      eps: this.eps,
      byOid: this.#byOid,
      invalid: (r, from, event, now) => {
        this.invalidTransitionCount += 1;
        if (this.invalidTransitions.length >= 100) this.invalidTransitions.shift();
        this.invalidTransitions.push({ cloid: r.cloid, from, event, time: now });
      },
      ended: (now) => {
        if (now < this.#oldestTerminalAt) this.#oldestTerminalAt = now;
      },
      liveness: (r, live) => {
        if (!live) this.#live.remove(r);
        else this.#live.rebuild(r.asset, this.#byCloid.values(), this.#byAsset.get(r.asset)?.values() ?? []);
      },
    };
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

  /** The orders that are not terminal, of every asset, in the order `all()` has them. */
  live(): IterableIterator<TrackedOrder> {
    return this.#live.of(undefined);
  }

  /** Orders of `asset` (all assets when omitted) that are not terminal. */
  open(asset?: string): TrackedOrder[] {
    const out: TrackedOrder[] = [];
    this.openInto(asset, out);
    return out;
  }

  /** open(asset) written into `out` from index 0 (its length set to the count): the reconcile's, with no array per call. */
  openInto(asset: string | undefined, out: TrackedOrder[]): number {
    let n = 0;
    for (const r of this.#live.of(asset)) out[n++] = r;
    if (out.length !== n) out.length = n;
    return n;
  }

  /** Every asset the store has ever held an order of (its records may all be gone). */
  assets(): IterableIterator<string> {
    return this.#byAsset.keys();
  }

  /** Remaining size of the current leg: what may still fill. */
  remaining(order: TrackedOrder): number {
    return legs.remainingOf(order);
  }

  // RaceGuardLookup

  orderForFill(fill: VenueFill): OrderFillContext | undefined {
    const r = this.#find(fill.cloid, fill.oid);
    if (!r) return undefined;
    // two literals, not a conditional spread (each spread result gets a hidden class of its own)
    const { cloid, asset, isBuy, px, state, source, midAtPlacement, quotedHalfSpreadBps, signals } = r;
    const remainingSz = this.remaining(r);
    return signals !== undefined
      ? { cloid, asset, isBuy, px, state, remainingSz, source, midAtPlacement, quotedHalfSpreadBps, signals }
      : { cloid, asset, isBuy, px, state, remainingSz, source, midAtPlacement, quotedHalfSpreadBps };
  }

  restingOrders(asset: string): RestingOrderRef[] {
    const out: RestingOrderRef[] = [];
    for (const r of this.#live.of(asset)) {
      if (r.state === "resting" || r.state === "partially-filled") {
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
    // asked for every asset on every tick: without a stale order anywhere, skip the O(orders) scan
    if (!this.#anyStale) return undefined;
    let oldest: Rec | undefined;
    for (const r of this.#live.of(asset)) {
      if (r.stale) {
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
    for (const r of this.#live.of(spec.asset)) {
      if (r.cloid === ignoreCloid || r.isBuy !== spec.isBuy) continue;
      if (now - r.placedAt >= this.duplicateWindowMs) continue;
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
    this.#insert(spec, facts, now);
    return check;
  }

  /**
   * Adopt an order an earlier session left resting (the venue's open order, with its CLOID) as one
   * of ours: recorded as placed and sent now, then opened by the venue's own view of it. The ladder
   * diff then keeps, modifies or cancels it like any other. Returns false when the CLOID is known.
   */
  adoptResting(o: OpenOrder & { readonly cloid: string }, tif: OrderSpec["tif"], now: number): boolean {
    if (this.#byCloid.has(o.cloid)) return false;
    const spec: OrderSpec = { asset: o.asset, isBuy: o.isBuy, px: o.px, sz: o.origSz, tif, reduceOnly: false, cloid: o.cloid };
    const rec = this.#insert(spec, { source: "base_ladder", midAtPlacement: o.px, quotedHalfSpreadBps: 0, level: null }, now);
    rec.sentAt = now;
    this.applyOpenOrder(o, now);
    return true;
  }

  #insert(spec: OrderSpec, facts: PlacementFacts, now: number): Rec {
    const rec = newRecord(spec, facts, now);
    this.#byCloid.set(spec.cloid, rec);
    let ofAsset = this.#byAsset.get(spec.asset);
    if (!ofAsset) this.#byAsset.set(spec.asset, (ofAsset = new Map()));
    ofAsset.set(spec.cloid, rec);
    this.#live.add(rec);
    return rec;
  }

  /**
   * The executor sent `batch` at `now`: the wait for the venue's answer starts here, not when the
   * order was recorded (a placement can wait in the coalescer, the throttle or the send queue).
   * A timestamp only — no transition.
   */
  noteSent(batch: ActionBatch, now: number): void {
    const sent = (r: Rec | undefined): void => {
      if (!r || isTerminalOrderState(r.state)) return;
      if (r.sentAt === null) r.sentAt = now;
      legs.touch(r, now);
    };
    switch (batch.type) {
      case "order":
        for (const o of batch.orders) {
          const r = this.#byCloid.get(o.cloid);
          if (r?.state === "pending-new") sent(r);
        }
        return;
      case "batchModify":
        for (const m of batch.modifies) {
          const r = this.#byCloid.get(m.order.cloid);
          if (r?.state === "pending-modify") sent(r);
        }
        return;
      case "cancelByCloid":
        for (const c of batch.cancels) {
          const r = this.#byCloid.get(c.cloid);
          if (r?.state === "pending-cancel") sent(r);
        }
        return;
      case "cancel":
        for (const c of batch.cancels) {
          const r = this.#find(null, c.oid);
          if (r?.state === "pending-cancel") sent(r);
        }
        return;
      case "scheduleCancel":
        return;
    }
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
    return legs.applyOrderResult(this.#ctx, r, result, now);
  }

  // ---- cancel --------------------------------------------------------------------------------

  /** Mark a cancel as sent. Only resting, partially-filled and pending-new orders can be cancelled. */
  requestCancel(cloid: string, now: number): boolean {
    const r = this.#byCloid.get(cloid);
    if (!r || !canTransition(r.state, "cancelSent")) return false;
    legs.move(this.#ctx, r, "cancelSent", now);
    legs.touch(r, now);
    return true;
  }

  /** Apply a cancel's answer. AlreadyFilled → cancel-raced (still tracked); Failed → back to where it was. */
  applyCancelResult(cloid: string, result: CancelResult, now: number): StoreChange {
    const r = this.#byCloid.get(cloid);
    if (!r) return NO_CHANGE;
    return legs.applyCancelResult(this.#ctx, r, result, now);
  }

  // ---- modify --------------------------------------------------------------------------------

  /** Mark a modify (cancel-replace) as sent. Only resting/partially-filled orders with an OID; the new price is duplicate-checked. */
  requestModify(cloid: string, spec: OrderSpec, facts: PlacementFacts, now: number): PlacementCheck {
    const r = this.#byCloid.get(cloid);
    if (!r || r.oid === null || !canTransition(r.state, "modifySent")) {
      return { ok: false, refusal: { kind: "InvalidSpec", cloid, detail: `cannot modify in state ${r?.state ?? "unknown"}` } };
    }
    // the new leg, spelled out (a spread's result gets a hidden class of its own); the check keeps nothing of it
    const leg: OrderSpec = { asset: spec.asset, isBuy: spec.isBuy, px: spec.px, sz: spec.sz, tif: spec.tif, reduceOnly: spec.reduceOnly, cloid };
    const check = this.checkPlacement(leg, now, cloid);
    if (!check.ok) return check;
    legs.move(this.#ctx, r, "modifySent", now);
    r.pendingModify = { spec: leg, facts, requestedAt: now, cancelLegSeen: false };
    legs.touch(r, now);
    return check;
  }

  /** Apply a modify's answer (the new OID when resting). */
  applyModifyResult(cloid: string, result: ModifyResult, now: number): StoreChange {
    const r = this.#byCloid.get(cloid);
    if (!r) return NO_CHANGE;
    return legs.applyModifyResult(this.#ctx, r, result, now);
  }

  /** A cancel or modify that was never sent (refused before sending) or did not land: back to the prior state. */
  revertPending(cloid: string, now: number): StoreChange {
    const r = this.#byCloid.get(cloid);
    if (!r) return NO_CHANGE;
    return legs.revertPending(this.#ctx, r, now);
  }

  // ---- venue updates and fills ---------------------------------------------------------------

  /**
   * Apply an orderUpdates message. An `open` revives an order we had only inferred gone; with
   * `authoritative` (a status answer) it also revives a cancel-raced one.
   */
  applyUpdate(update: OrderUpdate, now: number, authoritative = false): StoreChange {
    const r = this.#find(update.cloid, update.oid);
    if (!r) return NO_CHANGE;
    return legs.applyUpdate(this.#ctx, r, update, now, authoritative);
  }

  /** Apply one (deduped) fill. Moves sizes and state; never refuses a fill for a known order. */
  applyFill(fill: VenueFill, now: number): StoreChange {
    const r = this.#find(fill.cloid, fill.oid);
    if (!r) return NO_CHANGE;
    return legs.applyFill(this.#ctx, r, fill, now);
  }

  /** A resting order from the venue's open-order list: maps the OID; does not override our pending states. */
  applyOpenOrder(order: OpenOrder, now: number): StoreChange {
    // spelled out, not spread: every snapshot's every order comes here, and this is the field
    // order of the venue's own updates (one object shape through applyUpdate)
    const { asset, oid, cloid, isBuy, px, sz, origSz, time } = order;
    return this.applyUpdate({ asset, oid, cloid, isBuy, px, sz, origSz, status: "open", time }, now);
  }

  /** Apply an orderStatus answer (authoritative). Unknown to the venue → the order ended (inferred). */
  applyStatusAnswer(cloid: string, answer: OrderStatusAnswer, now: number): StoreChange {
    const r = this.#byCloid.get(cloid);
    if (!r) return NO_CHANGE;
    return legs.applyStatusAnswer(this.#ctx, r, answer, now);
  }

  // ---- staleness and housekeeping ------------------------------------------------------------

  /**
   * Mark orders stale that wait for an answer (pending-new, pending-cancel, pending-modify,
   * cancel-raced, or flagged for verification) for `staleAfterMs`. Returns the CLOIDs to ask
   * `orderStatus` about now (newly stale, or stale and not asked for `staleAfterMs`).
   */
  sweepStale(now: number): string[] {
    const ask: string[] = [];
    let stale = 0;
    for (const r of this.#live.of(undefined)) {
      if (r.stale) stale++;
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
        stale++;
      }
      // a placement still waiting to be sent is stale (its asset pauses) but the venue cannot
      // know it: asking orderStatus would only hear "unknown" (at 100 assets: a storm of queries)
      if (r.state === "pending-new" && r.sentAt === null) continue;
      if (r.lastStatusQueryAt === null || now - r.lastStatusQueryAt >= this.staleAfterMs) ask.push(r.cloid);
    }
    // only this sweep marks orders stale; until the next one the flag can only be too cautious
    this.#anyStale = stale > 0;
    return ask;
  }

  /** Record that an orderStatus query was sent (rate-limits re-asking). */
  noteStatusQuery(cloid: string, now: number): void {
    const r = this.#byCloid.get(cloid);
    if (r) r.lastStatusQueryAt = now;
  }

  /** Forget terminal orders older than the retention; returns how many were dropped. */
  prune(now: number): number {
    // asked on every housekeeping tick: skip the scan of every record while none can be due
    if (!(now - this.#oldestTerminalAt >= this.retentionMs)) return 0;
    let n = 0;
    let oldest = Infinity;
    // values(), not entries(): no [key, value] pair per record on every housekeeping tick
    for (const r of this.#byCloid.values()) {
      if (r.terminalAt === null) continue;
      if (isTerminalOrderState(r.state) && now - r.terminalAt >= this.retentionMs) {
        const cloid = r.cloid;
        this.#byCloid.delete(cloid);
        this.#byAsset.get(r.asset)?.delete(cloid);
        if (r.oid !== null) this.#byOid.delete(r.oid);
        for (const o of r.oldOids) this.#byOid.delete(o);
        n += 1;
      } else if (r.terminalAt < oldest) oldest = r.terminalAt;
    }
    this.#oldestTerminalAt = oldest;
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
}

function samePrice(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}
