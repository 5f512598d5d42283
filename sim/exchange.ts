// The simulated exchange: one matcher and ledger for every account, driven by a market source
// on a SchedulerLike. Requests travel with seeded latency; answers, order updates and fills come
// back on their own delays, so races happen the way they do live; faults are injected and logged.
// PaperVenue (one account, in-process) and the protocol server are both views of this object.
import { Subject, asyncScheduler, type Observable, type SchedulerLike, type Subscription } from "rxjs";
import type { ActionBatch, BatchResult, CancelResult, ModifySpec, OrderResult, OrderSpec } from "../streams/actions.js";
import { batchLength, isCancelBatch } from "../streams/actions.js";
import type { AssetMeta, BookEvent, ReferenceQuote, TradeEvent } from "../streams/market.js";
import type { OrderUpdate } from "../streams/orders.js";
import { SimAccount, type SimFillRecord } from "./account.js";
import { SimRecentByTime, simExpireTimes, simTrimMap } from "./bounded.js";
import { type SimExecution, type SimRestingOrder } from "./assetBook.js";
import { simFaultConfig, type SimFaultConfig, type SimFaultRecord, type SimFaultSpec, type SimRange } from "./faults.js";
import { simRoundPrice, simValidPrice, simValidSize, simWireNumber } from "./format.js";
import type { SimMarket, SimMarketEvent } from "./market.js";
import { simPerpDexNames, simUniverse } from "./meta.js";
import { SimLedger } from "./ledger.js";
import { SimHip3, simHip3Meta, type SimPerpDexSpec } from "./hip3.js";
import { SimRng } from "./prng.js";
import { SimBlocks, simBlockPriority } from "./blocks.js";
import { SimMarketPump } from "./marketPump.js";
import { SimDeliveryFaults } from "./faultDelivery.js";
import { SimFeedFaults } from "./faultFeed.js";
import { SimMatcherFaults } from "./faultMatcher.js";
import { SimFlatFees, SimUniformLatency, type SimFeeModel, type SimLatencyModel } from "./models.js";
import { simQueueModel, type SimQueueFunction, type SimQueueModel } from "./queueModel.js";
import { SimIpWeightWindow, simExchangeWeight } from "./rateLimits.js";
import { SIM_TEXT, badAloText, priceBandText, simErrorCode, withAsset } from "./texts.js";
import { simCountScheduleTrigger, simMsToNextHour, simPayFunding, simScheduleCancelRefusal, type SimFundingRecord } from "./accountRules.js";

export type { SimFundingRecord, SimLeverage } from "./accountRules.js";
export type { SimVenueTruth } from "./ledger.js";

/** Options of one submit: the IP it came from, and a check made when it reaches the matcher. */
export interface SimSubmitOptions {
  readonly ip?: string;
  /** Runs at the matcher before the batch (nonce and expiry rules); a text refuses the whole request. */
  readonly gate?: (account: SimAccount) => string | undefined;
}

/** The counterparty address printed for the recorded/synthetic market side of a trade. */
export const SIM_MARKET_ADDRESS = "0x0000000000000000000000000000000000000000";

/** A public trade as the feed prints it (domain trade + the wire's users and hash). */
export interface SimTrade extends TradeEvent {
  readonly users: readonly [string, string];
  readonly hash: string;
}

export type SimFeedEvent =
  | { readonly kind: "book"; readonly book: BookEvent }
  | { readonly kind: "trades"; readonly asset: string; readonly trades: readonly SimTrade[] }
  | { readonly kind: "ref"; readonly quote: ReferenceQuote }
  | { readonly kind: "malformed"; readonly channel: "l2Book" | "trades"; readonly asset: string; readonly time: number; readonly text: string };

export type SimUserEvent =
  | { readonly kind: "orderUpdate"; readonly user: string; readonly update: OrderUpdate }
  | { readonly kind: "fill"; readonly user: string; readonly record: SimFillRecord }
  | { readonly kind: "nonUserCancel"; readonly user: string; readonly asset: string; readonly oid: number; readonly time: number }
  | { readonly kind: "funding"; readonly user: string; readonly record: SimFundingRecord };

export interface SimDropout {
  readonly kind: "dropout";
  readonly time: number;
  readonly until: number;
}

/** What a request gets back: the HTTP status it would carry, and the domain answer. */
export interface SimReply {
  readonly http: 200 | 429;
  readonly result: BatchResult;
}

export interface PaperExchangeOptions {
  readonly market: SimMarket;
  readonly scheduler?: SchedulerLike;
  readonly seed?: number | string;
  /** A profile name (`none`, `realistic`, `hostile`) or knobs over one. Default `none`. */
  readonly faults?: SimFaultSpec;
  /** USDC each new account starts with. Default 100,000. */
  readonly startingBalance?: number;
  /** Maker / taker fee rates (fraction of notional). Defaults 0.00015 / 0.00045 (Hyperliquid tier 0). */
  readonly makerFee?: number;
  readonly takerFee?: number;
  /** Initial address budget (FACTS §9: 10,000). Lower it to reach the limited regime in a test. */
  readonly addressInitialBuffer?: number;
  readonly ipWeightPerMinute?: number;
  /** Queue model: a shape of hftbacktest's ProbQueueModel (`{ kind: "power", n }`, `{ kind: "log" }`) or your own SimQueueModel. */
  readonly queue?: SimQueueFunction | SimQueueModel;
  /** Cancel of an order the venue knows was canceled → AlreadyCancelled (default: AlreadyFilled, as the live text can't tell). */
  readonly revealCancelOutcome?: boolean;
  /** Stop fault timers when a finite market ends (so a VirtualTimeScheduler flush terminates). Default true. */
  readonly stopWithMarket?: boolean;
  /** Block length (ms): requests reaching the matcher run at the block's end, cancels and ALO first (FACTS §13: ~70 ms). Default 0 (no blocks); the server's default is 70. */
  readonly blockMs?: number;
  /** Latency model (default SimUniformLatency over the fault profile's ranges). */
  readonly latency?: SimLatencyModel;
  /** Fee model (default SimFlatFees(makerFee, takerFee)). */
  readonly fees?: SimFeeModel;
  /** Orders priced further than this fraction from the mark are refused (3P: 80 %). Default 0.8; Infinity turns it off. */
  readonly priceBand?: number;
  /** Hourly funding rate paid on positions at each hour of exchange time (longs pay when positive). Default 0.0000125 (0.01 % per 8 h, premium 0); 0 turns it off. */
  readonly fundingRatePerHour?: number;
  /** Volume (USDC) an account must have traded before scheduleCancel may be armed (FACTS §13: $1,000,000 live). Default 0. */
  readonly scheduleCancelMinVolume?: number;
  /** Knobs of the HIP-3 dexes the market's `dex:COIN` assets name (fee scale, growth mode, OI cap, isolated-only; sim/hip3.ts). */
  readonly perpDexs?: readonly SimPerpDexSpec[];
}

const EPS = 1e-9;
const FIRST_OID = 40_000_000_000;
/** Order records kept per account for orderStatus / race detection (oldest forgotten first). */
const SIM_ORDER_MEMORY = 200_000; // beyond 2^32 like live oids, so uint64 encodings get exercised
/**
 * How long an ended order's end time is kept for cancel-fill race detection: a cancel is matched
 * within its request latency of being sent (≤ 400 ms plus a block in the hostile profile), so ten
 * minutes is far beyond any, and the map no longer grows with the run.
 */
const SIM_ENDED_MEMORY_MS = 10 * 60_000;
/**
 * How long tids are remembered to keep them unique: a userFills snapshot replays the 2000 most
 * recent fills (minutes at this venue's rates); a 50-bit random tid repeating after an hour has a
 * chance of ~1e-11 per fill against the fills a client remembers.
 */
const SIM_TID_MEMORY_MS = 60 * 60_000;

function sample(rng: SimRng, r: SimRange): number {
  return r[0] === r[1] ? r[0] : Math.round(rng.uniform(r[0], r[1]));
}

interface Pending {
  readonly userEvents: { ev: SimUserEvent; delay: number }[];
}

export class PaperExchange extends SimLedger {
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

  private readonly feedSubject = new Subject<SimFeedEvent>();
  private readonly userSubject = new Subject<SimUserEvent>();
  private readonly dropoutSubject = new Subject<SimDropout>();
  private readonly endedAt = new Map<number, number>();
  private readonly ipWindows = new Map<string, SimIpWeightWindow>();
  private readonly recentRequests: number[] = [];
  /** Funding rates paid, by hour (info fundingHistory). */
  readonly fundingHistory: { time: number; rate: number }[] = [];
  private readonly rngLatency: SimRng;
  /** Request and feed latency (default: uniform in the fault profile's ranges). */
  readonly latency: SimLatencyModel;
  /** Fees per fill (default: flat maker / taker rates). */
  readonly fees: SimFeeModel;
  /** The block the matcher fills (blockMs 0: none). */
  readonly blocks: SimBlocks;
  private readonly rngFaults: SimRng;
  /** The seeded fault layers around the feed, the delivery and the matcher. */
  private readonly feedFaults: SimFeedFaults;
  private readonly deliveryFaults: SimDeliveryFaults;
  private readonly matcherFaults: SimMatcherFaults;
  private readonly rngIds: SimRng;
  private readonly options: PaperExchangeOptions;
  private readonly seenTids = new SimRecentByTime<number>(SIM_TID_MEMORY_MS);
  private nextOid = FIRST_OID;
  private nextSeq = 0;
  private readonly marketPump: SimMarketPump;
  private running = false;
  private readonly clockSubs = new Map<number, Subscription>();
  private readonly pendingWork = new Set<Subscription>();
  /** The pending scheduleCancel trigger of each account (replaced on every re-arm or disarm). */
  private readonly scheduleCancelTimers = new Map<SimAccount, Subscription>();
  private disposed = false;

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

  /** Start consuming the market (idempotent). Exchange time drives the clock on replay. */
  start(): this {
    if (this.running || this.marketPump.opened) return this;
    this.running = true;
    if (!this.marketPump.start(this.options.market)) return this;
    this.startFaultClocks();
    this.startFundingClock();
    return this;
  }

  /** Stop the market and fault clocks; pending deliveries still arrive. */
  stop(): void {
    this.running = false;
    this.marketPump.stop();
    for (const s of this.clockSubs.values()) s.unsubscribe();
    this.clockSubs.clear();
    for (const s of this.scheduleCancelTimers.values()) s.unsubscribe();
    this.scheduleCancelTimers.clear();
  }

  private endMarket(): void {
    this.marketEnded = true;
    if (this.options.stopWithMarket ?? true) this.stop();
  }

  private onMarket(e: SimMarketEvent): void {
    this.marketEvents++;
    if (e.kind === "ref") {
      this.feedSubject.next({ kind: "ref", quote: e.quote });
      return;
    }
    if (e.kind === "trade") {
      const t = e.trade;
      const b = this.book(t.asset);
      this.applyExecutions(t.asset, b.applyTrade(t), undefined, false);
      this.publishTrades(t.asset, [{ ...t, users: [SIM_MARKET_ADDRESS, SIM_MARKET_ADDRESS], hash: "0x" + "0".repeat(64) }]);
      return;
    }
    const b = this.book(e.book.asset);
    const crossings = b.applyBook(e.book);
    this.applyExecutions(e.book.asset, crossings, undefined, true);
    this.publishBook(e.book.asset);
  }

  private isStale(asset: string): boolean {
    return this.feedFaults.isStale(asset, this.now());
  }

  private publishBook(asset: string): void {
    if (this.isStale(asset)) return;
    const now = this.now();
    const broken = this.feedFaults.malformedBook(asset, now);
    if (broken !== undefined) {
      this.feedSubject.next({ kind: "malformed", channel: "l2Book", asset, time: now, text: broken });
      return;
    }
    this.feedSubject.next({ kind: "book", book: this.feedFaults.publishedBook(this.book(asset).displayed(now), now) });
  }

  private publishTrades(asset: string, trades: SimTrade[]): void {
    if (trades.length === 0 || this.isStale(asset)) return;
    this.feedSubject.next({ kind: "trades", asset, trades });
  }


  // ---------------------------------------------------------------- executions and fills

  private newTid(): number {
    let tid = this.rngIds.bits50();
    while (this.seenTids.has(tid)) tid = this.rngIds.bits50();
    this.seenTids.add(tid, this.now());
    return tid;
  }

  private fee(asset: string, user: string, px: number, sz: number, maker: boolean): number {
    return this.fees.fee({ asset, user, px, sz, maker }) * this.hip3.feeScale(asset);
  }

  private recordFill(user: string, asset: string, oid: number, cloid: string | null, isBuy: boolean, px: number, sz: number, crossed: boolean, tid: number, hash: string, settlement = false): SimFillRecord {
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
  private applyExecutions(
    asset: string,
    execs: readonly SimExecution[],
    taker: { user: string; oid: number; cloid: string | null } | undefined,
    print: boolean,
    pending?: Pending,
    takerEvents?: SimUserEvent[],
  ): { filled: number; notional: number } {
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

  private orderUpdate(o: SimRestingOrder | { oid: number; cloid: string | null; asset: string; isBuy: boolean; px: number; sz: number; origSz: number }, status: string): OrderUpdate {
    const u: OrderUpdate = { asset: o.asset, oid: o.oid, cloid: o.cloid, isBuy: o.isBuy, px: o.px, sz: Math.max(0, o.sz), origSz: o.origSz, status, time: this.now() };
    const acct = "user" in o ? this.account((o as SimRestingOrder).user) : undefined;
    acct?.orders.set(o.oid, u);
    return u;
  }

  // ---------------------------------------------------------------- delivery

  private deliver(ev: SimUserEvent, delay: number): void {
    this.later(() => this.userSubject.next(ev), delay);
  }

  /** Queue a user event: within a request it goes out with that request's feed delay; otherwise at once + feed latency. */
  private queueUser(ev: SimUserEvent, pending?: Pending, extra = 0): void {
    if (pending) pending.userEvents.push({ ev, delay: extra });
    else this.deliver(ev, this.latency.userFeed() + extra);
  }

  private deliverFillAndUpdate(rec: SimFillRecord, update: OrderUpdate | undefined, pending?: Pending): void {
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
  private later(work: () => void, delay: number): void {
    if (this.disposed) return;
    let sub: Subscription | undefined;
    let done = false;
    sub = this.scheduler.schedule(() => {
      done = true;
      if (sub) this.pendingWork.delete(sub);
      work();
    }, Math.max(0, delay));
    if (!done) this.pendingWork.add(sub);
  }

  /** Stop everything, pending deliveries included (the server's close). */
  dispose(): void {
    this.disposed = true;
    this.stop();
    for (const s of this.pendingWork) s.unsubscribe();
    this.pendingWork.clear();
  }

  /** Orders that ended (for cancel-fill race detection and orderStatus), bounded per account. */
  private ended(acct: SimAccount | undefined, oid: number): void {
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

  private recordFault(f: SimFaultRecord): void {
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
          const pending: Pending = { userEvents: [] };
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

  private flushRequest(user: string, batch: ActionBatch, result: BatchResult, pending: Pending, ack: number, reply: (r: SimReply) => void): void {
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

  private process(acct: SimAccount, batch: ActionBatch, sentAt: number, pending: Pending): BatchResult {
    const load = this.loadFactor();
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

  private place(acct: SimAccount, spec: OrderSpec, load: number, pending: Pending): OrderResult {
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
    const base = { oid, cloid, asset: spec.asset, isBuy: spec.isBuy, px: spec.px, origSz: spec.sz };
    if (spec.tif === "Ioc" || remaining <= EPS) {
      if (filled <= EPS) {
        acct.orders.set(oid, { ...base, sz: spec.sz, status: "iocCancelRejected", time: this.now() });
        this.ended(acct, oid);
        return this.reject(SIM_TEXT.iocCancel);
      }
      const status = remaining <= EPS ? "filled" : "canceled";
      const upd: OrderUpdate = { ...base, sz: remaining, status, time: this.now() };
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
  private queueTakerEvents(update: SimUserEvent, fills: SimUserEvent[], pending: Pending): void {
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


  private cancel(acct: SimAccount, asset: string, oid: number | undefined, sentAt: number, pending: Pending): CancelResult {
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

  private cancelResting(o: SimRestingOrder, status: string, pending?: Pending): OrderUpdate {
    this.book(o.asset).remove(o);
    this.live.delete(o.oid);
    const upd = this.orderUpdate(o, status);
    this.ended(this.accounts.get(o.user), o.oid);
    this.queueUser({ kind: "orderUpdate", user: o.user, update: upd }, pending);
    return upd;
  }

  private modify(acct: SimAccount, m: ModifySpec, load: number, pending: Pending): OrderResult {
    const oid = typeof m.oid === "number" ? m.oid : acct.cloidToOid.get(m.oid.toLowerCase());
    const o = oid === undefined ? undefined : this.live.get(oid);
    if (!o || o.user !== acct.user) return this.reject(SIM_TEXT.cannotModify);
    const newFirst = this.deliveryFaults.modifyNewFirst();
    const cancelEvents: Pending = { userEvents: [] };
    this.cancelResting(o, "canceled", cancelEvents);
    const placeEvents: Pending = { userEvents: [] };
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
    this.poisson(c.dropoutsPerHour, () => this.injectDropout(sample(this.rngFaults, c.dropoutMs)));
    this.poisson(c.stalePerHour, () => this.feedFaults.goStale([...this.books.keys()], this.now(), (rng) => sample(rng, c.staleMs)));
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
