// Paper venue replay speed: market events per second through PaperVenue on a VirtualTimeScheduler
// (realistic faults, a quoter resting and cancelling ALO pairs at the touch), beside a parse-only
// pass over the same recording files in the same run.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { readDjienneBooks, readDjienneTrades, readHyperliquidFrames } from "../../sources/recordings/index.js";
import { PaperVenue, replayMarket, simReplayScheduler, type SimMarket } from "../../sim/index.js";
import type { BookEvent, TradeEvent } from "../../streams/market.js";
import type { BenchRow } from "./table.js";
import { realDataDir } from "./data.js";

const DJIENNE = join(realDataDir(), "hyperliquid/djienne_avellaneda_calibration");
const SHIPPED = resolve(process.cwd(), "data/recordings/hyperliquid_btc_l2book_20240101_12.jsonl.gz");

function best<T>(n: number, f: () => T): { ms: number; value: T } {
  let ms = Infinity;
  let value!: T;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    value = f();
    ms = Math.min(ms, performance.now() - t);
  }
  return { ms, value };
}

/** Replay with a quoter; returns market events consumed and orders sent. */
function replay(market: SimMarket, start: number, quote: boolean): { events: number; orders: number; fills: number } {
  const scheduler = simReplayScheduler(start);
  const venue = new PaperVenue({ market, scheduler, seed: 1, faults: "realistic" });
  let books = 0;
  let orders = 0;
  let n = 0;
  const live: string[] = [];
  const cl = (k: number) => "0x" + k.toString(16).padStart(32, "0");
  if (quote) {
    venue.book("BTC").subscribe((b) => {
      if (++books % 5 !== 0 || !b.bids[0] || !b.asks[0]) return;
      if (live.length > 0) venue.submit({ type: "cancelByCloid", cancels: live.splice(0).map((c) => ({ asset: "BTC", cloid: c })) }).subscribe();
      const bid = cl(++n);
      const ask = cl(++n);
      live.push(bid, ask);
      orders += 2;
      venue
        .submit({
          type: "order",
          orders: [
            { asset: "BTC", isBuy: true, px: b.bids[0].px, sz: 0.001, tif: "Alo", reduceOnly: false, cloid: bid },
            { asset: "BTC", isBuy: false, px: b.asks[0].px, sz: 0.001, tif: "Alo", reduceOnly: false, cloid: ask },
          ],
        })
        .subscribe();
    });
  }
  scheduler.flush();
  return { events: venue.exchange.marketEvents, orders, fills: venue.truth().fills.length };
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  if (existsSync(DJIENNE)) {
    const bp = join(DJIENNE, "orderbooks_BTC.csv");
    const tp = join(DJIENNE, "trades_BTC.csv");
    const parse = best(3, () => ({ books: readDjienneBooks(bp), trades: readDjienneTrades(tp) }));
    const { books, trades } = parse.value as { books: BookEvent[]; trades: TradeEvent[] };
    const nEvents = books.length + trades.length;
    const parseRate = nEvents / (parse.ms / 1000);
    const start = Math.min(books[0]!.time, trades[0]!.time);
    const bare = best(3, () => replay(replayMarket({ books, trades }), start, false));
    const quoted = best(3, () => replay(replayMarket({ books, trades }), start, true));
    const spanMin = (books[books.length - 1]!.time - start) / 60_000;
    const baseline = { name: "parse-only, same CSVs", value: parseRate, unit: "events/s" };
    rows.push({
      name: `sim replay ${spanMin.toFixed(0)}-min BTC book+trades (realistic faults, no orders)`,
      value: bare.value.events / (bare.ms / 1000),
      unit: "events/s",
      baseline,
      ratio: bare.value.events / (bare.ms / 1000) / parseRate,
      ratioLabel: "replay / parse",
    });
    rows.push({
      name: `sim replay ${spanMin.toFixed(0)}-min BTC with a quoter (${quoted.value.orders} orders, ${quoted.value.fills} fills)`,
      value: quoted.value.events / (quoted.ms / 1000),
      unit: "events/s",
      baseline,
      ratio: quoted.value.events / (quoted.ms / 1000) / parseRate,
      ratioLabel: "replay / parse",
    });
    rows.push({
      name: `sim replay ${spanMin.toFixed(0)}-min BTC with a quoter, wall time (parse + replay)`,
      value: (parse.ms + quoted.ms) / 1000,
      unit: "s",
      baseline: { name: "recorded span", value: spanMin * 60, unit: "s" },
      ratio: (spanMin * 60) / ((parse.ms + quoted.ms) / 1000),
      ratioLabel: "× real time",
      goal: "< 10 s",
      met: (parse.ms + quoted.ms) / 1000 < 10,
    });
  }
  const parse = best(3, () => readHyperliquidFrames(SHIPPED));
  const books = parse.value.books;
  const market = replayMarket({ books }, { seed: 1 });
  const quoted = best(3, () => replay(market, books[0]!.time, true));
  rows.push({
    name: `sim replay shipped 60-min archive (book only + inferred takers, quoter, ${quoted.value.fills} fills)`,
    value: quoted.value.events / (quoted.ms / 1000),
    unit: "events/s",
    baseline: { name: "parse-only, same gz", value: books.length / (parse.ms / 1000), unit: "books/s" },
  });
  return rows;
}
