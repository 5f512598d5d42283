import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeWith } from "../../streams/codec.js";
import { BookEvent, ReferenceQuote, TradeEvent } from "../../streams/market.js";
import { RecordingParseError, loadRecordingFile, readBinanceFrames, readDjienneBooks, readDjienneTrades, readHyperliquidFrames } from "../../sources/recordings/index.js";

const SHARED = resolve(process.cwd(), "../shared/data/real");
const SHIPPED = resolve(process.cwd(), "data/recordings");
const hasShared = existsSync(SHARED);

function allDecode<A>(codec: Parameters<typeof decodeWith<A>>[0], items: readonly unknown[], what: string): void {
  for (const [i, item] of items.entries()) {
    const r = decodeWith(codec, item, `${what}[${i}]`);
    if (!r.ok) throw r.error;
  }
}

describe("recorded-data readers", () => {
  it("reads the shipped S3-archive hour: 5,587 BTC l2Book snapshots, 20 levels, exchange time ordered", () => {
    const rec = readHyperliquidFrames(join(SHIPPED, "hyperliquid_btc_l2book_20240101_12.jsonl.gz"));
    expect(rec.books).toHaveLength(5587);
    expect(rec.trades).toHaveLength(0);
    expect(rec.books[0]).toMatchObject({ asset: "BTC", time: 1704110399915 });
    expect(rec.books[0]!.bids[0]).toEqual({ px: 42727, sz: 0.02265, n: 1 });
    expect(rec.books.every((b, i) => i === 0 || b.time >= rec.books[i - 1]!.time)).toBe(true);
    expect(rec.books.every((b) => b.bids.length === 20 && b.asks.length === 20 && b.bids[0]!.px < b.asks[0]!.px)).toBe(true);
    allDecode(BookEvent, rec.books, "book");
  });

  it("reads the shipped hftbacktest frames: 46 books and the trades of 9 frames", () => {
    const rec = readHyperliquidFrames(join(SHIPPED, "hftbacktest_btcusd_20250126.gz"));
    expect(rec.books).toHaveLength(46);
    expect(rec.trades.length).toBeGreaterThanOrEqual(9);
    expect(rec.trades.every((t) => t.asset === "BTC" && (t.side === "buy" || t.side === "sell"))).toBe(true);
    allDecode(TradeEvent, rec.trades, "trade");
  });

  it.runIf(hasShared)("reads the archive's own wrapper format identically to the shipped raw frames", () => {
    const archive = readHyperliquidFrames(join(SHARED, "hyperliquid/s3_archive_vigil_hypertrace/market_data_20240101_12_l2Book_BTC.jsonl"));
    const shipped = readHyperliquidFrames(join(SHIPPED, "hyperliquid_btc_l2book_20240101_12.jsonl.gz"));
    expect(archive.books).toEqual(shipped.books);
  });

  it.runIf(hasShared)("reads djienne's 35-minute BTC book and trades CSVs", () => {
    const dir = join(SHARED, "hyperliquid/djienne_avellaneda_calibration");
    const books = readDjienneBooks(join(dir, "orderbooks_BTC.csv"));
    const trades = readDjienneTrades(join(dir, "trades_BTC.csv"));
    expect(books).toHaveLength(3785);
    expect(trades).toHaveLength(6675);
    expect(books[0]!.bids).toHaveLength(20);
    expect(trades[0]).toMatchObject({ asset: "BTC", side: "buy" });
    allDecode(BookEvent, books, "book");
    allDecode(TradeEvent, trades, "trade");
  });

  it.runIf(hasShared)("reads Binance bookTicker and trades as reference quotes", () => {
    const rec = readBinanceFrames(join(SHARED, "binance/hftbacktest/usdm_btcusdt_20240808.gz"), "BTC");
    expect(rec.refs).toHaveLength(66_089);
    expect(rec.trades).toHaveLength(21_313);
    expect(rec.refs.every((q) => q.bid <= q.ask)).toBe(true);
    allDecode(ReferenceQuote, rec.refs.slice(0, 1000), "ref");
  });

  it("names the file and line of a record that does not parse", () => {
    const dir = mkdtempSync(join(tmpdir(), "qf-rec-"));
    const p = join(dir, "bad.jsonl");
    writeFileSync(p, '{"channel":"l2Book","data":{"coin":"BTC","time":1,"levels":[[],[]]}}\n{"channel":"l2Book","data":{"coin":"BTC"\n');
    expect(() => readHyperliquidFrames(p)).toThrow(RecordingParseError);
    expect(() => readHyperliquidFrames(p)).toThrow(`${p}:2: not JSON`);
  });
});

describe("loadRecordingFile (the CLI's --data)", () => {
  it("detects the shipped Hyperliquid frames", () => {
    const r = loadRecordingFile(join(SHIPPED, "hftbacktest_btcusd_20250126.gz"));
    expect(r.books).toHaveLength(46);
    expect(r.refs).toEqual([]);
  });

  it.runIf(hasShared)("reads a djienne pair from either file's name", () => {
    const r = loadRecordingFile(join(SHARED, "hyperliquid/djienne_avellaneda_calibration/trades_ETH.csv"));
    expect(r.books).toHaveLength(3785);
    expect(r.trades).toHaveLength(6884);
    expect(r.books[0]!.asset).toBe("ETH");
  });
});
