// The ledger half of the paper venue: the universe, the books, the accounts and the resting
// orders, and every read-only view of them (open orders, positions, order status, rate limit,
// venue truth). PaperExchange (exchange.ts) extends it with the request flow, the matcher's
// executions, delivery and the clocks.
import type { SchedulerLike } from "rxjs";
import type { VenueFill } from "../streams/fill.js";
import type { AssetMeta, BookEvent } from "../streams/market.js";
import { bookMid } from "../streams/market.js";
import type { OpenOrder, OrderStatusAnswer, OrderUpdate, Position, RateLimitSnapshot } from "../streams/orders.js";
import { SimAccount } from "./account.js";
import { simLeverageOf, simSetLeverage, type SimLeverage } from "./accountRules.js";
import { SimAssetBook, type SimRestingOrder } from "./assetBook.js";
import { SIM_HIP3_TEXT, SimHip3 } from "./hip3.js";
import type { SimQueueModel } from "./queueModel.js";
import { SIM_TEXT } from "./texts.js";

export interface SimLedgerOptions {
  readonly scheduler: SchedulerLike;
  readonly universe: readonly AssetMeta[];
  readonly queueModel: SimQueueModel;
  readonly startingBalance?: number;
  readonly addressInitialBuffer?: number | undefined;
  /** The builder-deployed dexes of the universe (default: none). */
  readonly hip3?: SimHip3;
}

export class SimLedger {
  readonly scheduler: SchedulerLike;
  readonly universe: readonly AssetMeta[];
  /** Queue position of resting orders (default SimProbQueue, power 3). */
  readonly queueModel: SimQueueModel;
  protected readonly books = new Map<string, SimAssetBook>();
  protected readonly metaByName = new Map<string, AssetMeta>();
  protected readonly accounts = new Map<string, SimAccount>();
  protected readonly live = new Map<number, SimRestingOrder>();
  /** HIP-3 dexes: fee scale, growth mode, OI cap, halts (sim/hip3.ts). */
  readonly hip3: SimHip3;
  private readonly metaById = new Map<number, AssetMeta>();
  private readonly startingBalance: number;
  private readonly addressInitialBuffer: number | undefined;

  constructor(options: SimLedgerOptions) {
    this.scheduler = options.scheduler;
    this.universe = options.universe;
    this.queueModel = options.queueModel;
    this.startingBalance = options.startingBalance ?? 100_000;
    this.addressInitialBuffer = options.addressInitialBuffer;
    this.hip3 = options.hip3 ?? new SimHip3([]);
    for (const m of this.universe) {
      this.metaByName.set(m.name, m);
      this.metaById.set(m.id, m);
    }
  }

  now(): number {
    return this.scheduler.now();
  }

  assetMeta(asset: string): AssetMeta | undefined {
    return this.metaByName.get(asset);
  }

  assetById(id: number): AssetMeta | undefined {
    return this.metaById.get(id);
  }

  protected book(asset: string): SimAssetBook {
    let b = this.books.get(asset);
    if (!b) {
      b = new SimAssetBook(asset, this.metaByName.get(asset)?.szDecimals ?? 2, this.queueModel);
      this.books.set(asset, b);
    }
    return b;
  }

  /** The account of `user` (lower-cased address), created with the starting balance on first use. */
  account(user: string): SimAccount {
    const key = user.toLowerCase();
    let a = this.accounts.get(key);
    if (!a) {
      a = new SimAccount(key, this.startingBalance, this.addressInitialBuffer);
      this.accounts.set(key, a);
    }
    return a;
  }

  hasAccount(user: string): boolean {
    return this.accounts.has(user.toLowerCase());
  }

  /** Mid of the published book (market + simulated orders), used as the mark. */
  mark(asset: string): number | undefined {
    const b = this.books.get(asset);
    if (!b) return undefined;
    const { bid, ask } = b.bbo();
    return bid !== undefined && ask !== undefined ? (bid + ask) / 2 : b.market ? bookMid(b.market) : undefined;
  }

  /** Current published book of an asset (for /info l2Book). */
  currentBook(asset: string): BookEvent | undefined {
    const b = this.books.get(asset);
    return b?.market ? b.displayed(this.now()) : undefined;
  }

  /** The account's leverage on an asset (accountRules.ts). */
  leverageOf(acct: SimAccount | string, meta: AssetMeta): SimLeverage {
    return simLeverageOf(typeof acct === "string" ? this.account(acct) : acct, meta);
  }

  /** updateLeverage: undefined when set, else the refusal text. */
  setLeverage(user: string, asset: string, isCross: boolean, leverage: number): string | undefined {
    const meta = this.metaByName.get(asset);
    if (meta && isCross && this.hip3.dexOf(asset)?.onlyIsolated) return `${SIM_HIP3_TEXT.onlyIsolated} asset=${meta.id}`;
    return meta ? simSetLeverage(this.account(user), meta, isCross, leverage) : SIM_TEXT.unknownAsset;
  }

  /** Long open interest of `asset` in USDC at the mark (every account): what a HIP-3 OI cap bounds. */
  openInterestUsd(asset: string): number {
    const mark = this.mark(asset);
    let oi = 0;
    for (const a of this.accounts.values()) {
      const p = a.positions.get(asset);
      if (p && p.szi > 0) oi += p.szi * (mark ?? p.entryPx);
    }
    return oi;
  }

  protected accountValue(acct: SimAccount): number {
    return acct.balance + acct.unrealized((a) => this.mark(a));
  }

  // ---------------------------------------------------------------- views

  openOrders(user: string): OpenOrder[] {
    const u = user.toLowerCase();
    const out: OpenOrder[] = [];
    for (const o of this.live.values()) {
      if (o.user === u) out.push({ asset: o.asset, oid: o.oid, cloid: o.cloid, isBuy: o.isBuy, px: o.px, sz: o.sz, origSz: o.origSz, time: o.time });
    }
    return out;
  }

  /** The resting orders of `user` with their time-in-force and reduce-only flag, oldest first. */
  restingOrders(user: string): readonly SimRestingOrder[] {
    const u = user.toLowerCase();
    return [...this.live.values()].filter((o) => o.user === u);
  }

  positions(user: string): Position[] {
    const acct = this.account(user);
    const out: Position[] = [];
    for (const [asset, p] of acct.positions) {
      if (p.szi === 0) continue;
      const m = this.mark(asset) ?? p.entryPx;
      out.push({ asset, szi: p.szi, entryPx: p.entryPx, unrealizedPnl: p.szi * (m - p.entryPx) });
    }
    return out;
  }

  accountValueOf(user: string): number {
    return this.accountValue(this.account(user));
  }

  orderStatus(user: string, ref: { readonly oid: number } | { readonly cloid: string }): OrderStatusAnswer {
    const acct = this.account(user);
    const oid = "oid" in ref ? ref.oid : acct.cloidToOid.get(ref.cloid.toLowerCase());
    const u = oid === undefined ? undefined : acct.orders.get(oid);
    return u ? { kind: "known", update: u } : { kind: "unknownOid" };
  }

  rateLimit(user: string): RateLimitSnapshot {
    return this.account(user).budget.snapshot();
  }

  /** Venue truth for tests and the soak: every fill sent, open orders, positions, cash. */
  truth(user: string): SimVenueTruth {
    const acct = this.account(user);
    return {
      user: acct.user,
      fills: acct.fills.map((r) => r.fill),
      openOrders: this.openOrders(acct.user),
      positions: this.positions(acct.user),
      balance: acct.balance,
      realisedPnl: acct.realisedPnl,
      feesPaid: acct.feesPaid,
      accountValue: this.accountValue(acct),
      rateLimit: acct.budget.snapshot(),
      orders: [...acct.orders.values()],
    };
  }

  /** Every account the exchange has seen (lower-case addresses). */
  users(): string[] {
    return [...this.accounts.keys()];
  }
}

export interface SimVenueTruth {
  readonly user: string;
  readonly fills: readonly VenueFill[];
  readonly openOrders: readonly OpenOrder[];
  readonly positions: readonly Position[];
  readonly balance: number;
  readonly realisedPnl: number;
  readonly feesPaid: number;
  readonly accountValue: number;
  readonly rateLimit: RateLimitSnapshot;
  /** Latest update of every order the account placed. */
  readonly orders: readonly OrderUpdate[];
}
