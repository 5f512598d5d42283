// The fill journal: JSONL, one `fill` line per fill with the signals at fill time, and a later
// `markout` line (keyed by tid) when its horizons are known. The report and anyone's notebook
// read it back with the codecs below.
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import * as t from "io-ts";
import { FiniteNumber } from "../streams/codec.js";
import { FillSource, HorizonMarkout, type FillEvent, type FillMarkouts } from "../streams/fill.js";
import type { BookEvent, TradeEvent } from "../streams/market.js";
import { scrubSecrets } from "../app/logger.js";

const Num = t.union([FiniteNumber, t.null]);

/** What the market looked like when a fill happened: the features a fill-quality model starts from. */
export const FillSignalSnapshot = t.type(
  {
    /** (Σ bid size − Σ ask size) / Σ over the top 5 levels, −1..1. */
    bookImbalance: Num,
    /** (buy − sell) / (buy + sell) aggressor volume over the last 10 s of trades, −1..1. */
    tradeFlowImbalance: Num,
    spreadBps: Num,
    /** The quoter's volatility estimate (bps per book update). */
    volatilityBps: Num,
    /** Reasons quoting was closed at fill time (empty: all gates open). */
    closedGates: t.array(t.string),
    /**
     * Estimated size (coins) ahead of us in the queue at the fill price: the displayed size at that
     * price on our side in the last book before the fill. An estimate — the book does not show our place.
     */
    queueAheadEstimate: Num,
    source: FillSource,
    midAtPlacement: FiniteNumber,
  },
  "FillSignalSnapshot",
);
export type FillSignalSnapshot = t.TypeOf<typeof FillSignalSnapshot>;

export const JournalFillLine = t.type(
  {
    type: t.literal("fill"),
    tid: FiniteNumber,
    asset: t.string,
    time: FiniteNumber,
    side: t.keyof({ buy: null, sell: null }),
    price: FiniteNumber,
    size: FiniteNumber,
    fee: FiniteNumber,
    oid: FiniteNumber,
    cloid: t.union([t.string, t.null]),
    flag: t.string,
    midAtFill: FiniteNumber,
    quotedHalfSpreadBps: FiniteNumber,
    signals: FillSignalSnapshot,
  },
  "JournalFillLine",
);
export type JournalFillLine = t.TypeOf<typeof JournalFillLine>;

export const JournalMarkoutLine = t.type(
  { type: t.literal("markout"), tid: FiniteNumber, asset: t.string, source: FillSource, complete: t.boolean, horizons: t.array(HorizonMarkout) },
  "JournalMarkoutLine",
);
export type JournalMarkoutLine = t.TypeOf<typeof JournalMarkoutLine>;

export const JournalLine = t.union([JournalFillLine, JournalMarkoutLine], "JournalLine");
export type JournalLine = t.TypeOf<typeof JournalLine>;

const TRADE_WINDOW_MS = 10_000;
const MAX_TRADES = 4096;

/** Per-asset market features for the fill snapshot, fed from the book and trade streams. */
export class SignalTracker {
  private book: BookEvent | undefined;
  private readonly trades: TradeEvent[] = [];

  observeBook(book: BookEvent): void {
    this.book = book;
  }

  observeTrade(trade: TradeEvent): void {
    this.trades.push(trade);
    if (this.trades.length > MAX_TRADES) this.trades.splice(0, this.trades.length - MAX_TRADES);
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
    while (this.trades.length > 0 && this.trades[0]!.time < cutoff) this.trades.shift();
    let buy = 0;
    let sell = 0;
    for (const tr of this.trades) {
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

export function fillLine(fill: FillEvent, flag: string, signals: FillSignalSnapshot): JournalFillLine {
  return {
    type: "fill",
    tid: fill.tid,
    asset: fill.asset,
    time: fill.time,
    side: fill.isBuy ? "buy" : "sell",
    price: fill.price,
    size: fill.size,
    fee: fill.fee,
    oid: fill.oid,
    cloid: fill.cloid,
    flag,
    midAtFill: fill.midAtFill,
    quotedHalfSpreadBps: fill.quotedHalfSpreadBps,
    signals,
  };
}

export function markoutLine(m: FillMarkouts): JournalMarkoutLine {
  return { type: "markout", tid: m.fill.tid, asset: m.fill.asset, source: m.fill.source, complete: m.complete, horizons: m.horizons };
}

/** Appends journal lines to `<dir>/fills-<stamp>.jsonl`. */
export class FillJournal {
  readonly path: string;
  private readonly stream: WriteStream;
  private lines = 0;

  constructor(dir: string, stamp: string) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `fills-${stamp}.jsonl`);
    this.stream = createWriteStream(this.path, { flags: "a" });
  }

  get count(): number {
    return this.lines;
  }

  write(line: JournalLine): void {
    this.lines++;
    this.stream.write(scrubSecrets(JSON.stringify(line)) + "\n");
  }

  /** Flush and close; resolves when every line is on disk. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
  }
}

/** A file-name-safe wall-clock stamp: 20261126-004512. */
export function fileStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
}
