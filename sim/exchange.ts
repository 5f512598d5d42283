// The simulated exchange: one matcher and ledger for every account, driven by a market source
// on a SchedulerLike. Requests travel with seeded latency; answers, order updates and fills come
// back on their own delays, so races happen the way they do live; faults are injected and logged.
// PaperVenue (one account, in-process) and the protocol server are both views of this object.
import type { ActionBatch, BatchResult, CancelResult, ModifySpec, OrderResult, OrderSpec } from "../streams/actions.js";
import { batchLength, isCancelBatch } from "../streams/actions.js";
import type { AssetMeta } from "../streams/market.js";
import type { OrderUpdate } from "../streams/orders.js";
import { SimAccount } from "./account.js";
import { simRoundPrice, simValidPrice, simValidSize, simWireNumber } from "./format.js";
import { simBlockPriority } from "./blocks.js";
import { simExchangeWeight } from "./rateLimits.js";
import { simReserveBatch } from "./reserveWeight.js";
import { SIM_TEXT, badAloText, priceBandText, simErrorCode, withAsset } from "./texts.js";
import { simCountScheduleTrigger, simMsToNextHour, simPayFunding, simScheduleCancelRefusal } from "./accountRules.js";

import { SimExchangeCore } from "./exchangeCore.js";
import { type SimPending, type SimReply, type SimSubmitOptions, type SimUserEvent, EPS, simSample } from "./exchangeTypes.js";

export type { SimFundingRecord, SimLeverage } from "./accountRules.js";
export type { SimVenueTruth } from "./ledger.js";
export { type PaperExchangeOptions, type SimDropout, type SimFeedEvent, type SimReply, type SimSubmitOptions, type SimTrade, type SimUserEvent, SIM_MARKET_ADDRESS } from "./exchangeTypes.js";

export class PaperExchange extends SimExchangeCore {
  /** Start consuming the market (idempotent). Exchange time drives the clock on replay. */
  start(): this {
    if (this.running || this.marketPump.opened) return this;
    this.running = true;
    if (!this.marketPump.start(this.options.market)) return this;
    this.startFaultClocks();
    this.startFundingClock();
    return this;
  }

  /**
   * Send one batch from `user`. The batch reaches the matcher after the entry latency; `reply`
   * is called after the ack latency (HTTP 429 at once-ish when the IP weight is exhausted).
   */
  submit(user: string, batch: ActionBatch, reply: (r: SimReply) => void, opts: SimSubmitOptions = {}): void {
    const acct = this.account(user);
    const sentAt = this.now();
    const ack = this.latency.ack();
    if (!this.chargeIp(opts.ip ?? `local:${acct.user}`, simExchangeWeight(batchLength(batch)))) {
      this.later(() => reply({ http: 429, result: { ok: false, code: "RateLimited", error: "429 Too Many Requests", rateLimited: true } }), ack);
      return;
    }
    const entry = this.latency.entry(isCancelBatch(batch) ? "cancel" : "order");
    this.later(
      () =>
        this.blocks.enter(simBlockPriority(batch), () => {
          const refusal = opts.gate?.(acct);
          if (refusal !== undefined) {
            this.later(() => reply({ http: 200, result: { ok: false, code: simErrorCode(refusal), error: refusal, rateLimited: false } }), ack);
            return;
          }
          const pending: SimPending = { userEvents: [] };
          const result = this.process(acct, batch, sentAt, pending);
          this.flushRequest(acct.user, batch, result, pending, ack, reply);
        }),
      entry,
    );
  }

  /**
   * An action that is not an order batch (noop, updateLeverage, approveAgent, …): `work` runs when
   * the action reaches the matcher (after the entry latency, so it orders with the batches sent
   * around it) and its answer goes back after the ack latency.
   */
  runAction<T>(work: () => T, reply: (answer: T) => void, cancelLike = false): void {
    const ack = this.latency.ack();
    const entry = this.latency.entry(cancelLike ? "cancel" : "order");
    this.later(
      () =>
        this.blocks.enter(1, () => {
          const answer = work();
          this.later(() => reply(answer), ack);
        }),
      entry,
    );
  }

  private flushRequest(user: string, batch: ActionBatch, result: BatchResult, pending: SimPending, ack: number, reply: (r: SimReply) => void): void {
    const now = this.now();
    let maxUserDelay = 0;
    let base = this.latency.userFeed();
    for (const { ev, delay } of pending.userEvents) {
      const d = base + delay;
      maxUserDelay = Math.max(maxUserDelay, d);
      this.deliver(ev, d);
      base = d;
    }
    let respDelay = ack;
    const placed = result.ok && (result.type === "order" || result.type === "batchModify") && result.statuses.some((s) => s.kind === "resting" || s.kind === "filled");
    const late = placed ? this.deliveryFaults.oidLate() : undefined;
    if (late !== undefined) {
      respDelay = maxUserDelay + late;
      this.recordFault({ kind: "oidLate", time: now, user, detail: `response after ${respDelay} ms` });
    } else if (placed && pending.userEvents.length > 0 && respDelay > maxUserDelay && this.config.ackMs[1] > 0) {
      this.recordFault({ kind: "updateBeforeResponse", time: now, user, detail: `${batch.type}: updates at +${maxUserDelay} ms, response at +${respDelay} ms` });
    }
    this.later(() => reply({ http: 200, result }), respDelay);
  }

  private loadFactor(): number {
    const now = this.now();
    this.recentRequests.push(now);
    while (this.recentRequests.length > 0 && this.recentRequests[0]! <= now - 1000) this.recentRequests.shift();
    const peak = this.config.peakRequestsPerSec;
    return peak <= 0 ? 1 : Math.min(1, this.recentRequests.length / peak);
  }

  private process(acct: SimAccount, batch: ActionBatch, sentAt: number, pending: SimPending): BatchResult {
    const load = this.loadFactor();
    // counted, never refused for the address budget (sim/reserveWeight.ts)
    if (batch.type === "reserveRequestWeight") return simReserveBatch(this, acct, batch.weight);
    const budget = acct.budget.check(this.now(), batchLength(batch), isCancelBatch(batch));
    if (!budget.ok) return { ok: false, code: "RateLimited", error: budget.error, rateLimited: true };
    switch (batch.type) {
      case "order":
        return { ok: true, type: "order", statuses: batch.orders.map((o) => this.place(acct, o, load, pending)) };
      case "cancel":
        return { ok: true, type: "cancel", statuses: batch.cancels.map((c) => this.cancel(acct, c.asset, c.oid, sentAt, pending)) };
      case "cancelByCloid":
        return {
          ok: true,
          type: "cancelByCloid",
          statuses: batch.cancels.map((c) => this.cancel(acct, c.asset, acct.cloidToOid.get(c.cloid.toLowerCase()), sentAt, pending)),
        };
      case "batchModify":
        return { ok: true, type: "batchModify", statuses: batch.modifies.map((m) => this.modify(acct, m, load, pending)) };
      case "scheduleCancel": {
        const refusal = simScheduleCancelRefusal(acct, batch.time, this.now(), this.options.scheduleCancelMinVolume ?? 0);
        if (refusal !== undefined) return { ok: false, code: "Other", error: refusal, rateLimited: false };
        this.scheduleCancel(acct, batch.time);
        return { ok: true, type: "scheduleCancel" };
      }
    }
  }

  private reject(text: string): OrderResult {
    return { kind: "rejected", code: simErrorCode(text), error: text };
  }

  private place(acct: SimAccount, spec: OrderSpec, load: number, pending: SimPending): OrderResult {
    const meta = this.metaByName.get(spec.asset);
    if (!meta) return this.reject(SIM_TEXT.unknownAsset);
    if (!simValidPrice(spec.px, meta.szDecimals, meta.isSpot)) return this.reject(SIM_TEXT.tick);
    if (!simValidSize(spec.sz, meta.szDecimals)) return this.reject(SIM_TEXT.invalidSize);
    const hip3 = this.hip3.refusal(spec.asset, spec.reduceOnly, () => this.openInterestUsd(spec.asset), spec.px * spec.sz);
    if (hip3 !== undefined) return this.reject(withAsset(hip3, meta.id));
    const pos = acct.position(spec.asset);
    if (spec.reduceOnly) {
      if (pos.szi === 0 || (spec.isBuy ? pos.szi > 0 : pos.szi < 0)) return this.reject(SIM_TEXT.reduceOnly);
    } else {
      if (spec.px * spec.sz < 10) return this.reject(SIM_TEXT.minNotional);
      if (!this.marginOk(acct, spec, meta)) return this.reject(SIM_TEXT.margin);
    }
    const refused = this.matcherFaults.reject(load, { time: this.now(), user: acct.user, asset: spec.asset });
    if (refused !== undefined) return this.reject(refused);
    const b = this.book(spec.asset);
    const ref = this.mark(spec.asset);
    const band = this.options.priceBand ?? 0.8;
    if (ref !== undefined && ref > 0 && Math.abs(spec.px - ref) / ref > band) return this.reject(priceBandText(Math.round(band * 100), meta.id));
    if (spec.tif === "Alo" && b.wouldCross(spec.isBuy, spec.px)) {
      const { bid, ask } = b.bbo();
      return this.reject(badAloText(simWireNumber(bid ?? 0), simWireNumber(ask ?? 0), meta.id));
    }
    const oid = this.nextOid++;
    acct.orderKind.set(oid, { tif: spec.tif, reduceOnly: spec.reduceOnly });
    const cloid = spec.cloid ? spec.cloid.toLowerCase() : null;
    if (cloid) acct.cloidToOid.set(cloid, oid);
    let sz = spec.sz;
    if (spec.reduceOnly) sz = Math.min(sz, Math.abs(pos.szi));
    let filled = 0;
    let notional = 0;
    const takerFills: SimUserEvent[] = [];
    if (spec.tif !== "Alo") {
      const take = b.take(spec.isBuy, spec.px, sz, acct.user);
      for (const o of take.selfTradeCanceled) {
        b.remove(o);
        this.live.delete(o.oid);
        this.ended(this.accounts.get(o.user), o.oid);
        this.queueUser({ kind: "orderUpdate", user: o.user, update: this.orderUpdate(o, "selfTradeCanceled") }, pending);
      }
      const r = this.applyExecutions(spec.asset, take.executions, { user: acct.user, oid, cloid }, false, pending, takerFills);
      filled = b.roundSz(r.filled + 1e-12);
      notional = r.notional;
    }
    const remaining = b.roundSz(sz - filled + 1e-12);
    if (spec.tif === "Ioc" || remaining <= EPS) {
      // the update literal written out, not `{ ...base, sz, status, time }` (a hidden class per object in Node 20's V8: see SimAssetBook.rest)
      const update = (sz: number, status: string): OrderUpdate => ({ oid, cloid, asset: spec.asset, isBuy: spec.isBuy, px: spec.px, origSz: spec.sz, sz, status, time: this.now() });
      if (filled <= EPS) {
        acct.orders.set(oid, update(spec.sz, "iocCancelRejected"));
        this.ended(acct, oid);
        return this.reject(SIM_TEXT.iocCancel);
      }
      const status = remaining <= EPS ? "filled" : "canceled";
      const upd = update(remaining, status);
      acct.orders.set(oid, upd);
      this.ended(acct, oid);
      this.queueTakerEvents({ kind: "orderUpdate", user: acct.user, update: upd }, takerFills, pending);
      return { kind: "filled", oid, totalSz: filled, avgPx: notional / filled, ...(cloid ? { cloid } : {}) };
    }
    const resting = b.rest({
      oid,
      cloid,
      user: acct.user,
      asset: spec.asset,
      isBuy: spec.isBuy,
      px: spec.px,
      sz: remaining,
      origSz: spec.sz,
      tif: spec.tif,
      reduceOnly: spec.reduceOnly,
      time: this.now(),
      seq: this.nextSeq++,
    });
    this.live.set(oid, resting);
    this.queueTakerEvents({ kind: "orderUpdate", user: acct.user, update: this.orderUpdate(resting, "open") }, takerFills, pending);
    return { kind: "resting", oid, ...(cloid ? { cloid } : {}) };
  }

  /** A taking order's own update and its fills: update first, unless the fillBeforeUpdate fault fires. */
  private queueTakerEvents(update: SimUserEvent, fills: SimUserEvent[], pending: SimPending): void {
    if (fills.length > 0 && this.deliveryFaults.fillFirst({ time: this.now(), user: update.user, detail: "taker" })) {
      for (const f of fills) this.queueUser(f, pending);
      this.queueUser(update, pending, 1 + this.latency.userFeed());
      return;
    }
    this.queueUser(update, pending);
    for (const f of fills) this.queueUser(f, pending);
  }

  private marginOk(acct: SimAccount, spec: OrderSpec, meta: AssetMeta): boolean {
    const value = this.accountValue(acct);
    let used = spec.px * spec.sz;
    for (const [asset, p] of acct.positions) used += Math.abs(p.szi) * (this.mark(asset) ?? p.entryPx);
    for (const o of this.live.values()) if (o.user === acct.user) used += o.px * o.sz;
    return used / this.leverageOf(acct, meta).value <= value;
  }


  private cancel(acct: SimAccount, asset: string, oid: number | undefined, sentAt: number, pending: SimPending): CancelResult {
    const meta = this.metaByName.get(asset);
    if (!meta) return { kind: "Failed", code: "Other", error: SIM_TEXT.unknownAsset };
    const assetId = meta.id;
    const o = oid === undefined ? undefined : this.live.get(oid);
    if (!o || o.user !== acct.user || o.asset !== asset) {
      const text = withAsset(SIM_TEXT.missingOrder, assetId);
      const known = oid === undefined ? undefined : acct.orders.get(oid);
      const ended = oid === undefined ? undefined : this.endedAt.get(oid);
      if (known && known.status === "filled" && ended !== undefined && ended >= sentAt) {
        this.recordFault({ kind: "cancelFillRace", time: this.now(), user: acct.user, asset, oid: known.oid, detail: `filled at ${ended}, cancel sent at ${sentAt}` });
      }
      if (this.options.revealCancelOutcome && known && known.status !== "filled" && known.status !== "open") return { kind: "AlreadyCancelled" };
      return { kind: "AlreadyFilled", error: text };
    }
    this.cancelResting(o, "canceled", pending);
    return { kind: "Cancelled" };
  }

  private modify(acct: SimAccount, m: ModifySpec, load: number, pending: SimPending): OrderResult {
    const oid = typeof m.oid === "number" ? m.oid : acct.cloidToOid.get(m.oid.toLowerCase());
    const o = oid === undefined ? undefined : this.live.get(oid);
    if (!o || o.user !== acct.user) return this.reject(SIM_TEXT.cannotModify);
    const newFirst = this.deliveryFaults.modifyNewFirst();
    const cancelEvents: SimPending = { userEvents: [] };
    this.cancelResting(o, "canceled", cancelEvents);
    const placeEvents: SimPending = { userEvents: [] };
    const result = this.place(acct, { ...m.order, cloid: m.order.cloid || (o.cloid ?? "") }, load, placeEvents);
    if (newFirst && placeEvents.userEvents.length > 0) {
      this.recordFault({ kind: "modifyNewFirst", time: this.now(), user: acct.user, asset: o.asset, oid: o.oid });
      pending.userEvents.push(...placeEvents.userEvents, ...cancelEvents.userEvents);
    } else pending.userEvents.push(...cancelEvents.userEvents, ...placeEvents.userEvents);
    return result;
  }

  private scheduleCancel(acct: SimAccount, time: number | null): void {
    acct.scheduledCancelAt = time;
    // a re-arm or a disarm replaces the pending trigger (a live timer would keep a process alive)
    this.scheduleCancelTimers.get(acct)?.unsubscribe();
    this.scheduleCancelTimers.delete(acct);
    if (time === null || this.disposed) return;
    const sub = this.scheduler.schedule(() => {
      this.scheduleCancelTimers.delete(acct);
      if (acct.scheduledCancelAt !== time) return;
      acct.scheduledCancelAt = null;
      simCountScheduleTrigger(acct, this.now());
      for (const o of [...this.live.values()]) if (o.user === acct.user) this.cancelResting(o, "scheduledCancel");
    }, Math.max(0, time - this.now()));
    this.scheduleCancelTimers.set(acct, sub);
  }

  // ---------------------------------------------------------------- faults on clocks

  /** Funding at every hour of exchange time (a market clock, not a fault: it runs under every profile). */
  private startFundingClock(): void {
    const rate = this.fundingRatePerHour;
    if (!(rate !== 0)) return;
    const loop = (): void => {
      if (!this.running) return;
      this.clockSubs.set(
        -1,
        this.scheduler.schedule(() => {
          if (!this.running) return;
          this.payFunding(rate);
          loop();
        }, simMsToNextHour(this.now())),
      );
    };
    loop();
  }

  /** Pay one hour of funding on every open position: usdc = −szi × mark × rate. */
  payFunding(rate: number): void {
    const now = this.now();
    for (const acct of this.accounts.values()) {
      // fixed delay, no latency draw: funding must not shift the seeded sequence of everything else
      for (const record of simPayFunding(acct, (a) => this.mark(a), rate, now)) this.deliver({ kind: "funding", user: acct.user, record }, this.config.userFeedMs[0]);
    }
    this.fundingHistory.push({ time: now, rate });
    if (this.fundingHistory.length > 10_000) this.fundingHistory.shift();
  }

  private startFaultClocks(): void {
    const c = this.config;
    this.poisson(c.marginCancelsPerHour, () => this.injectMarginCancel());
    this.poisson(c.dropoutsPerHour, () => this.injectDropout(simSample(this.rngFaults, c.dropoutMs)));
    this.poisson(c.stalePerHour, () => this.feedFaults.goStale([...this.books.keys()], this.now(), (rng) => simSample(rng, c.staleMs)));
  }

  private poisson(perHour: number, fire: () => void): void {
    if (!(perHour > 0)) return;
    const id = this.clockSubs.size;
    const rng = this.rngFaults.fork(`clock${id}`);
    const loop = (): void => {
      if (!this.running) return;
      this.clockSubs.set(
        id,
        this.scheduler.schedule(() => {
          if (!this.running) return;
          fire();
          loop();
        }, Math.max(1, Math.round(rng.exponential(3_600_000 / perHour)))),
      );
    };
    loop();
  }

  /**
   * A deployer's `haltTrading` on a HIP-3 asset (sim/hip3.ts): every resting order on it is
   * canceled (with a `nonUserCancel`), every position settled at the mark (a closing fill, no fee),
   * and new orders refused from now on. False when `asset` is not a HIP-3 asset or already halted.
   */
  haltAsset(asset: string): boolean {
    const meta = this.metaByName.get(asset);
    if (!meta || !this.hip3.halt(asset, this.now())) return false;
    for (const o of [...this.live.values()]) {
      if (o.asset !== asset) continue;
      this.cancelResting(o, "canceled");
      this.queueUser({ kind: "nonUserCancel", user: o.user, asset: o.asset, oid: o.oid, time: this.now() });
    }
    const mark = this.mark(asset);
    if (mark === undefined) return true;
    const px = simRoundPrice(mark, meta.szDecimals);
    for (const acct of [...this.accounts.values()]) {
      const p = acct.positions.get(asset);
      if (!p || p.szi === 0) continue;
      const rec = this.recordFill(acct.user, asset, this.nextOid++, null, p.szi < 0, px, Math.abs(p.szi), true, this.newTid(), this.rngIds.hash32(), true);
      this.queueUser({ kind: "fill", user: acct.user, record: rec });
    }
    return true;
  }

  /** Drop every connection for `durationMs` (also what the seeded dropout clock calls). */
  injectDropout(durationMs: number): void {
    const now = this.now();
    const until = now + durationMs;
    this.recordFault({ kind: "dropout", time: now, until });
    this.dropoutSubject.next({ kind: "dropout", time: now, until });
  }

  /** Cancel one resting order as the exchange would on a margin check (marginCanceled + nonUserCancel). */
  injectMarginCancel(): void {
    const orders = [...this.live.values()];
    if (orders.length === 0) return;
    const o = this.matcherFaults.marginCancelVictim(orders);
    this.recordFault({ kind: "marginCancel", time: this.now(), user: o.user, asset: o.asset, oid: o.oid });
    this.cancelResting(o, "marginCanceled");
    this.queueUser({ kind: "nonUserCancel", user: o.user, asset: o.asset, oid: o.oid, time: this.now() });
  }
}
