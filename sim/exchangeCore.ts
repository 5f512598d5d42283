// The simulated exchange's core: the matcher, the ledger's fills and the delivery of answers, order
// updates and fills on their seeded delays (sim/exchange.ts adds the request flow and the clocks).
import { Subject, asyncScheduler, type Observable, type Subscription } from "rxjs";
import type { OrderUpdate } from "../streams/orders.js";
import { SimAccount, type SimFillRecord } from "./account.js";
import { SimRecentByTime, simExpireTimes, simTrimMap } from "./bounded.js";
import { type SimExecution, type SimRestingOrder } from "./assetBook.js";
import { simFaultConfig, type SimFaultConfig, type SimFaultRecord } from "./faults.js";
import type { SimMarketEvent } from "./market.js";
import { simPerpDexNames, simUniverse } from "./meta.js";
import { SimLedger } from "./ledger.js";
import { SimHip3, simHip3Meta } from "./hip3.js";
import { SimRng } from "./prng.js";
import { SimBlocks } from "./blocks.js";
import { SimMarketPump } from "./marketPump.js";
import { SimDeliveryFaults } from "./faultDelivery.js";
import { SimFeedFaults } from "./faultFeed.js";
import { SimMatcherFaults } from "./faultMatcher.js";
import { SimFlatFees, SimUniformLatency, type SimFeeModel, type SimLatencyModel } from "./models.js";
import { simQueueModel } from "./queueModel.js";
import { SimIpWeightWindow } from "./rateLimits.js";

import { type PaperExchangeOptions, type SimDropout, type SimFeedEvent, type SimPending, type SimTrade, type SimUserEvent, EPS, FIRST_OID, SIM_ENDED_MEMORY_MS, SIM_MARKET_ADDRESS, SIM_ORDER_MEMORY, SIM_TID_MEMORY_MS } from "./exchangeTypes.js";
import { FanoutSubject } from "../streams/fanout.js";
import { scheduleTracked } from "./scheduleTracked.js";

/** A market trade's users and hash as the venue prints them (one frozen pair and one string for every trade). */
const MARKET_USERS: readonly [string, string] = Object.freeze([SIM_MARKET_ADDRESS, SIM_MARKET_ADDRESS] as const);
const MARKET_HASH = "0x" + "0".repeat(64);
/** applyExecutions' answer when there is nothing to apply (one frozen object for every such call). */
const NOTHING_FILLED: { readonly filled: number; readonly notional: number } = Object.freeze({ filled: 0, notional: 0 });

export class SimExchangeCore extends SimLedger {
  readonly config: SimFaultConfig;
  /** Every injected fault, in order. */
  readonly faults: SimFaultRecord[] = [];
  /** Market data as published (after feed faults). */
  readonly feed$: Observable<SimFeedEvent>;
  /** User events at their delivery time (after latency). */
  readonly user$: Observable<SimUserEvent>;
  /** Connection faults (dropouts) every connection must suffer. */
  readonly dropouts$: Observable<SimDropout>;
  /** Market events consumed, and whether the (finite) market has ended. */
  marketEvents = 0;
  marketEnded = false;

  protected readonly feedSubject = new FanoutSubject<SimFeedEvent>();
  protected readonly userSubject = new FanoutSubject<SimUserEvent>();
  protected readonly dropoutSubject = new Subject<SimDropout>();
  protected readonly endedAt = new Map<number, number>();
  protected readonly ipWindows = new Map<string, SimIpWeightWindow>();
  protected readonly recentRequests: number[] = [];
  /** Funding rates paid, by hour (info fundingHistory). */
  readonly fundingHistory: { time: number; rate: number }[] = [];
  protected readonly rngLatency: SimRng;
  /** Request and feed latency (default: uniform in the fault profile's ranges). */
  readonly latency: SimLatencyModel;
  /** Fees per fill (default: flat maker / taker rates). */
  readonly fees: SimFeeModel;
  /** The block the matcher fills (blockMs 0: none). */
  readonly blocks: SimBlocks;
  protected readonly rngFaults: SimRng;
  /** The seeded fault layers around the feed, the delivery and the matcher. */
  protected readonly feedFaults: SimFeedFaults;
  protected readonly deliveryFaults: SimDeliveryFaults;
  protected readonly matcherFaults: SimMatcherFaults;
  protected readonly rngIds: SimRng;
  protected readonly options: PaperExchangeOptions;
  protected readonly seenTids = new SimRecentByTime<number>(SIM_TID_MEMORY_MS);
  protected nextOid = FIRST_OID;
  protected nextSeq = 0;
  protected readonly marketPump: SimMarketPump;
  protected running = false;
  protected readonly clockSubs = new Map<number, Subscription>();
  protected readonly pendingWork = new Set<Subscription>();
  /** The pending scheduleCancel trigger of each account (replaced on every re-arm or disarm). */
  protected readonly scheduleCancelTimers = new Map<SimAccount, Subscription>();
  protected disposed = false;

  constructor(options: PaperExchangeOptions) {
    const hip3 = new SimHip3(simPerpDexNames(options.market.assets.map((a) => a.name)), options.perpDexs);
    super({
      scheduler: options.scheduler ?? asyncScheduler,
      universe: simUniverse({ extra: options.market.assets.map((a) => ({ name: a.name, szDecimals: a.szDecimals ?? 2 })) }).map((m) => simHip3Meta(hip3, m)),
      queueModel: simQueueModel(options.queue),
      ...(options.startingBalance === undefined ? {} : { startingBalance: options.startingBalance }),
      addressInitialBuffer: options.addressInitialBuffer,
      hip3,
    });
    this.options = options;
    this.config = simFaultConfig(options.faults ?? "none");
    const root = new SimRng(options.seed ?? 1);
    this.rngLatency = root.fork("latency");
    this.rngFaults = root.fork("faults");
    this.rngIds = root.fork("ids");
    this.marketPump = new SimMarketPump(this.scheduler, (e) => this.onMarket(e), () => this.endMarket());
    const log = (f: SimFaultRecord): void => this.recordFault(f);
    this.feedFaults = new SimFeedFaults(this.config, this.rngFaults, log);
    this.deliveryFaults = new SimDeliveryFaults(this.config, this.rngFaults, log);
    this.matcherFaults = new SimMatcherFaults(this.config, this.rngFaults, log);
    this.latency = options.latency ?? new SimUniformLatency(this.config, this.rngLatency);
    this.fees = options.fees ?? new SimFlatFees(options.makerFee ?? 0.00015, options.takerFee ?? 0.00045);
    this.blocks = new SimBlocks(options.blockMs ?? 0, () => this.now(), (delay, work) => this.later(work, delay));
    this.feed$ = this.feedSubject.asObservable();
    this.user$ = this.userSubject.asObservable();
    this.dropouts$ = this.dropoutSubject.asObservable();
  }


  get makerFeeRate(): number {
    return this.fees.makerRate;
  }

  get takerFeeRate(): number {
    return this.fees.takerRate;
  }

  /** The hourly funding rate the venue pays (constant: premium 0, interest 0.01 % per 8 h). */
  get fundingRatePerHour(): number {
    return this.options.fundingRatePerHour ?? 0.0000125;
  }


  // ---------------------------------------------------------------- market pump


  /** Stop the market and fault clocks; pending deliveries still arrive. */
  stop(): void {
    this.running = false;
    this.marketPump.stop();
    for (const s of this.clockSubs.values()) s.unsubscribe();
    this.clockSubs.clear();
    for (const s of this.scheduleCancelTimers.values()) s.unsubscribe();
    this.scheduleCancelTimers.clear();
  }

  protected endMarket(): void {
    this.marketEnded = true;
    if (this.options.stopWithMarket ?? true) this.stop();
  }

  protected onMarket(e: SimMarketEvent): void {
    this.marketEvents++;
    if (e.kind === "ref") {
      // a market ref event is a feed ref event (same two fields): published as is, not rewrapped
      this.feedSubject.next(e);
      return;
    }
    if (e.kind === "trade") {
      const t = e.trade;
      const b = this.book(t.asset);
      this.applyExecutions(t.asset, b.applyTrade(t), undefined, false);
      // field by field, not `{ ...t, users, hash }` (a hidden class per object in Node 20's V8: see SimAssetBook.rest)
      this.publishTrades(t.asset, [{ asset: t.asset, time: t.time, tid: t.tid, px: t.px, sz: t.sz, side: t.side, users: MARKET_USERS, hash: MARKET_HASH }]);
      return;
    }
    const b = this.book(e.book.asset);
    const crossings = b.applyBook(e.book);
    this.applyExecutions(e.book.asset, crossings, undefined, true);
    this.publishBook(e.book.asset);
  }

  protected isStale(asset: string): boolean {
    return this.feedFaults.isStale(asset, this.now());
  }

  protected publishBook(asset: string): void {
    if (this.isStale(asset)) return;
    const now = this.now();
    const broken = this.feedFaults.malformedBook(asset, now);
    if (broken !== undefined) {
      this.feedSubject.next({ kind: "malformed", channel: "l2Book", asset, time: now, text: broken });
      return;
    }
    this.feedSubject.next({ kind: "book", book: this.feedFaults.publishedBook(this.book(asset).displayed(now), now) });
  }

  protected publishTrades(asset: string, trades: SimTrade[]): void {
    if (trades.length === 0 || this.isStale(asset)) return;
    this.feedSubject.next({ kind: "trades", asset, trades });
  }


  // ---------------------------------------------------------------- executions and fills

  protected newTid(): number {
    let tid = this.rngIds.bits50();
    while (this.seenTids.has(tid)) tid = this.rngIds.bits50();
    this.seenTids.add(tid, this.now());
    return tid;
  }

  protected fee(asset: string, user: string, px: number, sz: number, maker: boolean): number {
    return this.fees.fee({ asset, user, px, sz, maker }) * this.hip3.feeScale(asset);
  }

  protected recordFill(user: string, asset: string, oid: number, cloid: string | null, isBuy: boolean, px: number, sz: number, crossed: boolean, tid: number, hash: string, settlement = false): SimFillRecord {
    const acct = this.account(user);
    const fee = settlement ? 0 : this.fee(asset, acct.user, px, sz, !crossed);
    const eff = acct.applyFill(asset, isBuy, px, sz, fee, settlement ? 0 : this.hip3.creditScale(asset));
    const record: SimFillRecord = {
      user: acct.user,
      dir: eff.dir,
      fill: {
        tid,
        oid,
        cloid,
        asset,
        isBuy,
        size: sz,
        price: px,
        time: this.now(),
        fee,
        crossed,
        startPosition: eff.startPosition,
        closedPnl: Math.round(eff.closedPnl * 1e6) / 1e6,
        hash,
      },
    };
    acct.fills.push(record);
    return record;
  }

  /**
   * Apply matches to accounts and books. `taker` is our aggressing order (when a simulated order
   * takes); `print` publishes trades that the recorded feed does not already carry.
   */
  protected applyExecutions(
    asset: string,
    execs: readonly SimExecution[],
    taker: { user: string; oid: number; cloid: string | null } | undefined,
    print: boolean,
    pending?: SimPending,
    takerEvents?: SimUserEvent[],
  ): { filled: number; notional: number } {
    // most books and trades match nothing of ours: no prints to publish, nothing filled
    if (execs.length === 0) return NOTHING_FILLED;
    const prints: SimTrade[] = [];
    let filled = 0;
    let notional = 0;
    const b = this.book(asset);
    for (const x of execs) {
      if (x.sz <= EPS) continue;
      const maker = x.maker;
      if (maker && maker.sz <= EPS) continue;
      const sz = maker ? Math.min(x.sz, maker.sz) : x.sz;
      const tid = this.newTid();
      const hash = this.rngIds.hash32();
      const makerUser = maker ? maker.user : SIM_MARKET_ADDRESS;
      const takerUser = taker ? taker.user : SIM_MARKET_ADDRESS;
      if (maker) {
        const rec = this.recordFill(maker.user, asset, maker.oid, maker.cloid, maker.isBuy, x.px, sz, false, tid, hash);
        maker.sz = b.roundSz(maker.sz - sz + 1e-12);
        const done = maker.sz <= EPS;
        if (done) {
          b.remove(maker);
          this.live.delete(maker.oid);
          this.ended(this.accounts.get(maker.user), maker.oid);
        }
        this.deliverFillAndUpdate(rec, done ? this.orderUpdate(maker, "filled") : undefined, pending);
      }
      if (taker) {
        const rec = this.recordFill(taker.user, asset, taker.oid, taker.cloid, x.aggressorIsBuy, x.px, sz, true, tid, hash);
        const ev: SimUserEvent = { kind: "fill", user: taker.user, record: rec };
        if (takerEvents) takerEvents.push(ev);
        else this.queueUser(ev, pending);
        filled += sz;
        notional += sz * x.px;
      }
      if (print || taker) {
        const buyer = x.aggressorIsBuy ? takerUser : makerUser;
        const seller = x.aggressorIsBuy ? makerUser : takerUser;
        prints.push({ asset, time: this.now(), tid, px: x.px, sz, side: x.aggressorIsBuy ? "buy" : "sell", users: [buyer, seller], hash });
      }
    }
    this.publishTrades(asset, prints);
    return { filled, notional };
  }

  protected orderUpdate(o: SimRestingOrder | { oid: number; cloid: string | null; asset: string; isBuy: boolean; px: number; sz: number; origSz: number }, status: string): OrderUpdate {
    const u: OrderUpdate = { asset: o.asset, oid: o.oid, cloid: o.cloid, isBuy: o.isBuy, px: o.px, sz: Math.max(0, o.sz), origSz: o.origSz, status, time: this.now() };
    const acct = "user" in o ? this.account((o as SimRestingOrder).user) : undefined;
    acct?.orders.set(o.oid, u);
    return u;
  }

  // ---------------------------------------------------------------- delivery

  protected deliver(ev: SimUserEvent, delay: number): void {
    this.later(() => this.userSubject.next(ev), delay);
  }

  /** Queue a user event: within a request it goes out with that request's feed delay; otherwise at once + feed latency. */
  protected queueUser(ev: SimUserEvent, pending?: SimPending, extra = 0): void {
    if (pending) pending.userEvents.push({ ev, delay: extra });
    else this.deliver(ev, this.latency.userFeed() + extra);
  }

  protected deliverFillAndUpdate(rec: SimFillRecord, update: OrderUpdate | undefined, pending?: SimPending): void {
    const fillEv: SimUserEvent = { kind: "fill", user: rec.user, record: rec };
    if (!update) {
      this.queueUser(fillEv, pending);
      return;
    }
    const updEv: SimUserEvent = { kind: "orderUpdate", user: rec.user, update };
    const fillFirst = this.deliveryFaults.fillFirst({ time: this.now(), user: rec.user, asset: rec.fill.asset, oid: rec.fill.oid });
    const [first, second] = fillFirst ? [fillEv, updEv] : [updEv, fillEv];
    const gap = fillFirst ? 1 + this.latency.userFeed() : 0;
    if (pending) {
      pending.userEvents.push({ ev: first, delay: 0 }, { ev: second, delay: gap });
    } else {
      const d = this.latency.userFeed();
      this.deliver(first, d);
      this.deliver(second, d + gap);
    }
  }

  /** One-shot work on the scheduler, remembered so dispose() can cancel what is still pending. */
  protected later(work: () => void, delay: number): void {
    if (this.disposed) return;
    scheduleTracked(this.scheduler, this.pendingWork, work, delay);
  }

  /** Stop everything, pending deliveries included (the server's close). */
  dispose(): void {
    this.disposed = true;
    this.stop();
    for (const s of this.pendingWork) s.unsubscribe();
    this.pendingWork.clear();
  }

  /** Orders that ended (for cancel-fill race detection and orderStatus), bounded per account. */
  protected ended(acct: SimAccount | undefined, oid: number): void {
    const now = this.now();
    this.endedAt.delete(oid); // re-inserted at the end, so the map stays in time order
    this.endedAt.set(oid, now);
    simExpireTimes(this.endedAt, now - SIM_ENDED_MEMORY_MS);
    simTrimMap(this.endedAt, SIM_ORDER_MEMORY * 4);
    if (acct) {
      simTrimMap(acct.orders, SIM_ORDER_MEMORY);
      simTrimMap(acct.cloidToOid, SIM_ORDER_MEMORY);
      simTrimMap(acct.orderKind, SIM_ORDER_MEMORY);
    }
  }

  /**
   * Forget `user`'s order records a client can no longer ask about: neither open nor ended within
   * the race memory (SIM_ENDED_MEMORY_MS; an orderStatus on a forgotten one answers unknownOid).
   * For benchmarks that measure the client's memory apart from the venue's; returns how many went.
   */
  forgetEndedOrders(user: string): number {
    const acct = this.account(user);
    const since = this.now() - SIM_ENDED_MEMORY_MS;
    let n = 0;
    for (const [oid, o] of acct.orders) {
      if (o.status === "open" || (this.endedAt.get(oid) ?? -Infinity) >= since) continue;
      acct.orders.delete(oid);
      acct.orderKind.delete(oid);
      n++;
    }
    for (const [cloid, oid] of acct.cloidToOid) if (!acct.orders.has(oid)) acct.cloidToOid.delete(cloid);
    return n;
  }

  protected recordFault(f: SimFaultRecord): void {
    this.faults.push(f);
  }

  // ---------------------------------------------------------------- requests

  /** The IP weight windows by IP (what each IP spent, was refused and peaked at). */
  ipUsage(): ReadonlyMap<string, SimIpWeightWindow> {
    return this.ipWindows;
  }

  /** Charge REST weight for one IP; false = HTTP 429. */
  chargeIp(ip: string, weight: number): boolean {
    let w = this.ipWindows.get(ip);
    if (!w) {
      w = new SimIpWeightWindow(this.options.ipWeightPerMinute);
      this.ipWindows.set(ip, w);
    }
    return w.tryConsume(this.now(), weight);
  }

  protected cancelResting(o: SimRestingOrder, status: string, pending?: SimPending): OrderUpdate {
    this.book(o.asset).remove(o);
    this.live.delete(o.oid);
    const upd = this.orderUpdate(o, status);
    this.ended(this.accounts.get(o.user), o.oid);
    this.queueUser({ kind: "orderUpdate", user: o.user, update: upd }, pending);
    return upd;
  }
}
