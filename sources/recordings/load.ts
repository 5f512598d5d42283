// One entry for the CLI's `--data <file>`: detect the recording format by name and content and
// return domain events ready for sim's replayMarket.
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { BookEvent, ReferenceQuote, TradeEvent } from "../../streams/market.js";
import { readBinanceFrames } from "./binance.js";
import { readDjienneBooks, readDjienneTrades } from "./djienne.js";
import { readHyperliquidFrames } from "./hyperliquidFrames.js";

export interface LoadedRecording {
  readonly books: BookEvent[];
  readonly trades: TradeEvent[];
  readonly refs: ReferenceQuote[];
}

/**
 * - `orderbooks_<A>.csv` / `trades_<A>.csv` (djienne): both files of the pair are read when present;
 * - `*btcusdt*.gz` (Binance, hftbacktest format): reference quotes + trades for asset BTC;
 * - anything else: Hyperliquid frames (archive JSONL, bare frames, hftbacktest), plain or gzip.
 */
export function loadRecordingFile(path: string): LoadedRecording {
  const name = basename(path);
  const csv = /^(orderbooks|trades)_([A-Za-z0-9]+)\.csv$/.exec(name);
  if (csv) {
    const asset = csv[2]!;
    const booksPath = join(dirname(path), `orderbooks_${asset}.csv`);
    const tradesPath = join(dirname(path), `trades_${asset}.csv`);
    return {
      books: existsSync(booksPath) ? readDjienneBooks(booksPath, asset) : [],
      trades: existsSync(tradesPath) ? readDjienneTrades(tradesPath, asset) : [],
      refs: [],
    };
  }
  const binance = /(usdm|spot)_([a-z]+)usdt/i.exec(name);
  if (binance) {
    const r = readBinanceFrames(path, binance[2]!.toUpperCase());
    return { books: [], trades: [], refs: r.refs };
  }
  const r = readHyperliquidFrames(path);
  return { books: r.books, trades: r.trades, refs: [] };
}
