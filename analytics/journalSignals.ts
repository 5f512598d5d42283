// Market features at fill time for the journal's `signals` snapshot, fed from the book and trade streams.
import type { FillEvent } from "../streams/fill.js";
import type { BookEvent, TradeEvent } from "../streams/market.js";
import type { FillSignalSnapshot } from "./journalFormat.js";

const TRADE_WINDOW_MS = 10_000;
const MAX_TRADES = 4096;

/** Per-asset market features for the fill snapshot, fed from the book and trade streams. */
export class SignalTracker {
  private book: BookEvent | undefined;
  /** The last MAX_TRADES trades, oldest first from `head` (a ring: no array shift per trade). */
  private readonly trades: (TradeEvent | undefined)[] = new Array<TradeEvent | undefined>(MAX_TRADES);
  private head = 0;
  private count = 0;

  observeBook(book: BookEvent): void {
    this.book = book;
  }

  observeTrade(trade: TradeEvent): void {
    if (this.count === MAX_TRADES) {
      this.trades[this.head] = trade; // overwrite the oldest
      this.head = this.head + 1 === MAX_TRADES ? 0 : this.head + 1;
    } else {
      this.trades[(this.head + this.count) % MAX_TRADES] = trade;
      this.count++;
    }
  }

  lastBook(): BookEvent | undefined {
    return this.book;
  }

  snapshot(fill: FillEvent, closedGates: readonly string[], volatilityBps: number | undefined): FillSignalSnapshot {
    const book = this.book;
    let bookImbalance: number | null = null;
    let spreadBps: number | null = null;
    let queueAheadEstimate: number | null = null;
    if (book) {
      const b = book.bids.slice(0, 5).reduce((s, l) => s + l.sz, 0);
      const a = book.asks.slice(0, 5).reduce((s, l) => s + l.sz, 0);
      bookImbalance = b + a > 0 ? (b - a) / (b + a) : null;
      const bb = book.bids[0]?.px;
      const ba = book.asks[0]?.px;
      if (bb !== undefined && ba !== undefined) spreadBps = ((ba - bb) / ((ba + bb) / 2)) * 1e4;
      const side = fill.isBuy ? book.bids : book.asks;
      queueAheadEstimate = side.find((l) => Math.abs(l.px - fill.price) < 1e-9)?.sz ?? 0;
    }
    const cutoff = fill.time - TRADE_WINDOW_MS;
    while (this.count > 0 && this.trades[this.head]!.time < cutoff) {
      this.trades[this.head] = undefined;
      this.head = this.head + 1 === MAX_TRADES ? 0 : this.head + 1;
      this.count--;
    }
    let buy = 0;
    let sell = 0;
    for (let i = 0; i < this.count; i++) {
      const tr = this.trades[(this.head + i) % MAX_TRADES]!;
      if (tr.time > fill.time) continue;
      if (tr.side === "buy") buy += tr.sz;
      else sell += tr.sz;
    }
    return {
      bookImbalance,
      tradeFlowImbalance: buy + sell > 0 ? (buy - sell) / (buy + sell) : null,
      spreadBps,
      volatilityBps: volatilityBps ?? null,
      closedGates: [...closedGates],
      queueAheadEstimate,
      source: fill.source,
      midAtPlacement: fill.midAtPlacement,
    };
  }
}
