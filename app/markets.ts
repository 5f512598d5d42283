// Which market the paper venue plays (`quoteflow run`, `replay`, `cluster`, the sim server).
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { type SimMarket, type SimMarketEvent, replayMarket, simEventTime } from "../sim/market.js";
import { syntheticAssetFor, syntheticMarket } from "../sim/synthetic.js";
import { readDjienneBooks, readDjienneTrades } from "../sources/recordings/djienne.js";
import { readHyperliquidFrames } from "../sources/recordings/hyperliquidFrames.js";
import { packageRoot } from "../sources/paths.js";
import type { BookEvent, TradeEvent } from "../streams/market.js";

// Which market the paper venue plays: the shipped BTC recording (book only; the sim infers taker
// flow) plus a synthetic ETH market (no licensed ETH recording is shipped), or the djienne CSVs
// (35 min of BTC and ETH book + trades) when the research data sits beside the clone.

export const SHIPPED_BTC_RECORDING = "data/recordings/hyperliquid_btc_l2book_20240101_12.jsonl.gz";
/** ETH's price around the shipped BTC recording (2024-01-01 12:00Z), for the synthetic ETH market. */
const ETH_START_PX_20240101 = 2280;

/** The research data set beside a clone (CI has ../shared next to the repository). */
export function djienneDir(): string {
  return join(packageRoot(), "..", "shared", "data", "real", "hyperliquid", "djienne_avellaneda_calibration");
}

export interface MarketChoice {
  readonly market: SimMarket;
  /** What a person is told: where the data comes from. */
  readonly description: string;
  readonly assets: readonly string[];
  /** Recorded span (ms), when finite. */
  readonly spanMs: number | undefined;
}

/**
 * Merge markets into one, time-ordered. Every part after the first is opened at the first
 * part's first event time, so a synthetic market runs alongside a recording on its clock.
 */
export function mergeMarkets(parts: readonly SimMarket[]): SimMarket {
  return {
    kind: parts.every((p) => p.kind === "synthetic") ? "synthetic" : "replay",
    assets: parts.flatMap((p) => p.assets),
    open(startTime: number): Iterator<SimMarketEvent> {
      const first = parts[0]!.open(startTime);
      const head = first.next();
      const t0 = head.done ? startTime : simEventTime(head.value);
      const its = [first, ...parts.slice(1).map((p) => p.open(t0))];
      const heads: (SimMarketEvent | undefined)[] = [head.done ? undefined : head.value, ...its.slice(1).map((it) => {
        const n = it.next();
        return n.done ? undefined : n.value;
      })];
      return {
        next(): IteratorResult<SimMarketEvent> {
          let best = -1;
          for (let i = 0; i < heads.length; i++) {
            const h = heads[i];
            if (h !== undefined && (best < 0 || simEventTime(h) < simEventTime(heads[best]!))) best = i;
          }
          if (best < 0) return { done: true, value: undefined };
          const value = heads[best]!;
          const n = its[best]!.next();
          heads[best] = n.done ? undefined : n.value;
          return { done: false, value };
        },
      };
    },
  };
}

function span(books: readonly BookEvent[]): number | undefined {
  if (books.length < 2) return undefined;
  return books[books.length - 1]!.time - books[0]!.time;
}

function firstMinutes<T extends { time: number }>(xs: readonly T[], t0: number, minutes: number | undefined): T[] {
  if (minutes === undefined) return [...xs];
  const end = t0 + minutes * 60_000;
  return xs.filter((x) => x.time <= end);
}

/**
 * The default market: the shipped BTC recording and a synthetic ETH market beside it.
 * `loop` restarts the recording when it ends (the service runs until stopped).
 */
export function defaultMarket(options: { readonly seed: number; readonly loop: boolean; readonly minutes?: number }): MarketChoice {
  const path = join(packageRoot(), SHIPPED_BTC_RECORDING);
  const rec = readHyperliquidFrames(path);
  const t0 = rec.books[0]?.time ?? 0;
  const books = firstMinutes(rec.books, t0, options.minutes);
  const btc = replayMarket({ books, trades: firstMinutes(rec.trades, t0, options.minutes) }, { loop: options.loop, seed: options.seed, inferTakers: true });
  const spanMs = span(books);
  const eth = syntheticMarket({
    assets: [{ name: "ETH", startPx: ETH_START_PX_20240101, szDecimals: 4 }],
    seed: options.seed,
    ...(options.loop || spanMs === undefined ? {} : { durationMs: spanMs }),
  });
  return {
    market: mergeMarkets([btc, eth]),
    description: `BTC: ${SHIPPED_BTC_RECORDING} (Hyperliquid S3 archive, 1 h of l2Book, taker flow inferred by the sim); ETH: synthetic (seed ${options.seed}; no licensed ETH recording is shipped)`,
    assets: ["BTC", "ETH"],
    spanMs,
  };
}

/** A market from `--data`: a djienne CSV directory, or one Hyperliquid frame recording. */
export function dataMarket(path: string, options: { readonly seed: number; readonly minutes?: number }): MarketChoice {
  if (!existsSync(path)) throw new Error(`--data ${path}: no such file or directory`);
  if (statSync(path).isDirectory()) {
    const files = readdirSync(path);
    const assets = files.map((f) => /^orderbooks_([A-Za-z0-9]+)\.csv(\.gz)?$/.exec(f)?.[1]).filter((a): a is string => a !== undefined).sort();
    if (assets.length === 0) throw new Error(`--data ${path}: expected orderbooks_<ASSET>.csv files (djienne format)`);
    const books: BookEvent[] = [];
    const trades: TradeEvent[] = [];
    for (const a of assets) {
      const b = readDjienneBooks(join(path, files.find((f) => f.startsWith(`orderbooks_${a}.csv`))!), a);
      const tf = files.find((f) => f.startsWith(`trades_${a}.csv`));
      const t0 = b[0]?.time ?? 0;
      books.push(...firstMinutes(b, t0, options.minutes));
      if (tf) trades.push(...firstMinutes(readDjienneTrades(join(path, tf), a), t0, options.minutes).filter((t) => t.time >= t0));
    }
    books.sort((x, y) => x.time - y.time);
    return {
      market: replayMarket({ books, trades }, { seed: options.seed }),
      description: `${basename(path)}: ${assets.join(", ")} book + trades (djienne CSV)`,
      assets,
      spanMs: span(books),
    };
  }
  const rec = readHyperliquidFrames(path);
  const t0 = rec.books[0]?.time ?? 0;
  const books = firstMinutes(rec.books, t0, options.minutes);
  const assets = [...new Set(books.map((b) => b.asset))];
  return {
    // The window opens at the first book: trades before it are the feed's backfill on subscribe
    // (49 s of them in hftbacktest_btcusd_20250126.gz), and a window opened there ended before the book.
    market: replayMarket({ books, trades: firstMinutes(rec.trades, t0, options.minutes).filter((t) => t.time >= t0) }, { seed: options.seed, inferTakers: true }),
    description: `${basename(path)}: ${assets.join(", ")} (Hyperliquid frames)`,
    assets,
    spanMs: span(books),
  };
}

/** A synthetic market for `--synthetic BTC,ETH`. */
export function syntheticOnly(assets: readonly string[], seed: number): MarketChoice {
  return {
    market: syntheticMarket({ assets: assets.map((name) => syntheticAssetFor(name)), seed }),
    description: `synthetic ${assets.join(", ")} (seed ${seed})`,
    assets,
    spanMs: undefined,
  };
}
