// Replays of real recordings in-process on a VirtualTimeScheduler: the exchange clock is the
// recording's clock, a simple quoter rests ALO orders at the touch, and the venue's books balance.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { BookEvent, TradeEvent } from "../../streams/market.js";
import { readDjienneBooks, readDjienneTrades, readHyperliquidFrames } from "../../sources/recordings/index.js";
import { PaperVenue, replayMarket, simReplayScheduler, type SimMarket } from "../../sim/index.js";
import { cloid } from "./helpers.js";

const DJIENNE = resolve(process.cwd(), "../shared/data/real/hyperliquid/djienne_avellaneda_calibration");
const SHIPPED = resolve(process.cwd(), "data/recordings");

function quoteThrough(market: SimMarket, start: number, asset: string, sz: number, seed = 99) {
  const scheduler = simReplayScheduler(start);
  const venue = new PaperVenue({ market, scheduler, seed, faults: "realistic" });
  let books = 0;
  let n = 0;
  const live: string[] = [];
  const times: number[] = [];
  venue.book(asset).subscribe((b) => {
    books++;
    times.push(b.time);
    if (books % 10 !== 0 || !b.bids[0] || !b.asks[0]) return;
    // cancel the previous pair, rest a new pair at the touch
    if (live.length > 0) venue.submit({ type: "cancelByCloid", cancels: live.splice(0).map((c) => ({ asset, cloid: c })) }).subscribe();
    const bid = cloid(++n);
    const ask = cloid(++n);
    live.push(bid, ask);
    venue
      .submit({
        type: "order",
        orders: [
          { asset, isBuy: true, px: b.bids[0].px, sz, tif: "Alo", reduceOnly: false, cloid: bid },
          { asset, isBuy: false, px: b.asks[0].px, sz, tif: "Alo", reduceOnly: false, cloid: ask },
        ],
      })
      .subscribe();
  });
  scheduler.flush();
  return { venue, books, times, scheduler };
}

function balanced(venue: PaperVenue, asset: string): void {
  const t = venue.truth();
  const net = t.fills.filter((f) => f.asset === asset).reduce((s, f) => s + (f.isBuy ? f.size : -f.size), 0);
  const pos = t.positions.find((p) => p.asset === asset)?.szi ?? 0;
  expect(pos).toBeCloseTo(net, 8);
  const fees = t.fills.reduce((s, f) => s + f.fee, 0);
  const pnl = t.fills.reduce((s, f) => s + (f.closedPnl ?? 0), 0);
  // hourly funding on open positions is paid into the balance too (the recording crosses an hour)
  const funding = venue.exchange.account(venue.user).fundings.reduce((s, f) => s + f.usdc, 0);
  expect(t.balance).toBeCloseTo(100_000 + pnl - fees + funding, 3); // fill records carry closedPnl rounded to 1e-6 like the wire
}

describe("replay of recordings (virtual time)", () => {
  it.runIf(existsSync(DJIENNE))("replays the 35-minute BTC book + trades recording on the exchange clock", () => {
    const books: BookEvent[] = readDjienneBooks(join(DJIENNE, "orderbooks_BTC.csv"));
    const trades: TradeEvent[] = readDjienneTrades(join(DJIENNE, "trades_BTC.csv"));
    const start = Math.min(books[0]!.time, trades[0]!.time);
    const { venue, books: seen, times, scheduler } = quoteThrough(replayMarket({ books, trades }), start, "BTC", 0.001);
    expect(venue.exchange.marketEnded).toBe(true);
    expect(venue.exchange.marketEvents).toBe(books.length + trades.length);
    // exchange time drove the clock: published books carry recorded times, and the clock ended at the last event or later
    expect(times.every((t) => books.some((b) => b.time === t))).toBe(true);
    expect(scheduler.now()).toBeGreaterThanOrEqual(books[books.length - 1]!.time);
    expect(seen).toBeGreaterThan(books.length * 0.9);
    const t = venue.truth();
    expect(t.fills.length).toBeGreaterThan(10);
    expect(t.fills.every((f) => !f.crossed)).toBe(true);
    balanced(venue, "BTC");
  });

  it("replays the shipped book-only archive hour with inferred taker flow so resting orders fill", () => {
    const rec = readHyperliquidFrames(join(SHIPPED, "hyperliquid_btc_l2book_20240101_12.jsonl.gz"));
    const books = rec.books.slice(0, 1200); // ~12 minutes keeps the spec quick
    const market = replayMarket({ books }, { seed: 5 });
    const { venue } = quoteThrough(market, books[0]!.time, "BTC", 0.001);
    expect(venue.exchange.marketEvents).toBeGreaterThan(books.length);
    expect(venue.truth().fills.length).toBeGreaterThan(5);
    balanced(venue, "BTC");
  });

  it("replaying the same recording with the same seed gives the same run; another seed does not", () => {
    const rec = readHyperliquidFrames(join(SHIPPED, "hyperliquid_btc_l2book_20240101_12.jsonl.gz"));
    const books = rec.books.slice(0, 400);
    const once = (seed: number): string => {
      const { venue } = quoteThrough(replayMarket({ books }, { seed }), books[0]!.time, "BTC", 0.001, seed);
      return JSON.stringify({ truth: venue.truth(), faults: venue.exchange.faults, events: venue.exchange.marketEvents });
    };
    const a = once(21);
    expect(once(21)).toBe(a);
    expect(once(22)).not.toBe(a);
  });
});
