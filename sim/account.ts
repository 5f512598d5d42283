// One simulated account (keyed by signer address): cash, positions with entry price, realised
// PnL and fees, order records for orderStatus, and every fill the venue sent (the venue truth).
import type { VenueFill } from "../streams/fill.js";
import type { OrderUpdate } from "../streams/orders.js";
import { SimAddressBudget } from "./rateLimits.js";

export interface SimPosition {
  szi: number;
  entryPx: number;
}

/** A fill as the venue recorded it, with the wire-only `dir` text ("Open Long", …). */
export interface SimFillRecord {
  readonly user: string;
  readonly fill: VenueFill;
  readonly dir: string;
}

export interface SimFillEffect {
  readonly startPosition: number;
  readonly closedPnl: number;
  readonly dir: string;
}

function direction(start: number, isBuy: boolean, end: number): string {
  if (isBuy) {
    if (start >= 0) return "Open Long";
    return end > 0 ? "Short > Long" : "Close Short";
  }
  if (start <= 0) return "Open Short";
  return end < 0 ? "Long > Short" : "Close Long";
}

export interface SimOrderKind {
  readonly tif: string;
  readonly reduceOnly: boolean;
}

/**
 * The order kinds by oid, one shared record per (tif, reduceOnly): an order record lives as long
 * as the venue remembers the order (up to 200 000 per account), and a record each was ~8 500 live
 * objects (≈0.3 MB) per 5 virtual hours of a soak for six distinct values.
 */
class SimOrderKinds extends Map<number, SimOrderKind> {
  readonly #shared = new Map<string, SimOrderKind>();

  override set(oid: number, kind: SimOrderKind): this {
    const key = `${kind.tif}:${kind.reduceOnly}`;
    let shared = this.#shared.get(key);
    if (!shared) this.#shared.set(key, (shared = Object.freeze({ tif: kind.tif, reduceOnly: kind.reduceOnly })));
    return super.set(oid, shared);
  }
}

export class SimAccount {
  balance: number;
  realisedPnl = 0;
  feesPaid = 0;
  readonly positions = new Map<string, SimPosition>();
  readonly fills: SimFillRecord[] = [];
  /** Latest update of every order ever placed, by oid. */
  readonly orders = new Map<number, OrderUpdate>();
  readonly cloidToOid = new Map<string, number>();
  /** Time-in-force and reduce-only of every order placed, by oid (frontendOpenOrders / orderStatus). */
  readonly orderKind: Map<number, SimOrderKind> = new SimOrderKinds();
  readonly budget: SimAddressBudget;
  scheduledCancelAt: number | null = null;
  /** scheduleCancel triggers on one UTC day (DOC-EXCH: at most 10 per day). */
  scheduleTriggers = { day: -1, count: 0 };
  /** updateLeverage per asset (unset: the venue default). */
  readonly leverage = new Map<string, { readonly type: "cross" | "isolated"; readonly value: number }>();
  /** Hourly funding payments received (+) or paid (−), newest last (bounded by the exchange). */
  readonly fundings: { readonly time: number; readonly coin: string; readonly usdc: number; readonly szi: number; readonly fundingRate: number }[] = [];
  /** Cumulative funding per asset as clearinghouseState reports it (paid is positive there). */
  readonly cumFunding = new Map<string, { allTime: number; sinceOpen: number; sinceChange: number }>();
  fundingTotal = 0;

  constructor(
    readonly user: string,
    startingBalance: number,
    initialBuffer?: number,
  ) {
    this.balance = startingBalance;
    this.budget = new SimAddressBudget(initialBuffer);
  }

  fundingPaid(asset: string, usdc: number): void {
    let c = this.cumFunding.get(asset);
    if (!c) {
      c = { allTime: 0, sinceOpen: 0, sinceChange: 0 };
      this.cumFunding.set(asset, c);
    }
    // clearinghouseState counts funding paid as positive
    c.allTime -= usdc;
    c.sinceOpen -= usdc;
    c.sinceChange -= usdc;
    this.fundingTotal += usdc;
  }

  position(asset: string): SimPosition {
    let p = this.positions.get(asset);
    if (!p) {
      p = { szi: 0, entryPx: 0 };
      this.positions.set(asset, p);
    }
    return p;
  }

  /** Apply one fill to position, cash and volume (`credit`: address-budget requests per USDC, 0.1 in HIP-3 growth mode); returns what the fill record reports. */
  applyFill(asset: string, isBuy: boolean, px: number, sz: number, fee: number, credit = 1): SimFillEffect {
    const p = this.position(asset);
    const start = p.szi;
    const signed = isBuy ? sz : -sz;
    let closedPnl = 0;
    if (start !== 0 && Math.sign(start) !== Math.sign(signed)) {
      const closing = Math.min(Math.abs(start), sz);
      closedPnl = closing * (px - p.entryPx) * Math.sign(start);
    }
    const end = roundQty(start + signed);
    if (end === 0) p.entryPx = 0;
    else if (start === 0 || Math.sign(start) !== Math.sign(end)) p.entryPx = px;
    else if (Math.abs(end) > Math.abs(start)) p.entryPx = (p.entryPx * Math.abs(start) + px * sz) / Math.abs(end);
    p.szi = end;
    const c = this.cumFunding.get(asset);
    if (c) {
      c.sinceChange = 0;
      if (start === 0 || Math.sign(start) !== Math.sign(end)) c.sinceOpen = 0;
    }
    this.balance += closedPnl - fee;
    this.realisedPnl += closedPnl;
    this.feesPaid += fee;
    this.budget.addVolume(px * sz * credit);
    return { startPosition: start, closedPnl, dir: direction(start, isBuy, end) };
  }

  openOrders(): OrderUpdate[] {
    return [...this.orders.values()].filter((o) => o.status === "open");
  }

  unrealized(marks: (asset: string) => number | undefined): number {
    let u = 0;
    for (const [asset, p] of this.positions) {
      const m = marks(asset);
      if (m !== undefined && p.szi !== 0) u += p.szi * (m - p.entryPx);
    }
    return u;
  }
}

function roundQty(x: number): number {
  return Math.round(x * 1e10) / 1e10;
}
