// djienne's CSV recordings of Hyperliquid mainnet (orderbooks_*.csv: 20-level l2Book snapshots,
// n dropped; trades_*.csv: one row per trade, side = aggressor). Exchange time = exchange_timestamp.
import { basename } from "node:path";
import type { BookEvent, BookLevel, TradeEvent } from "../../streams/market.js";
import { RecordingParseError, recordingLines } from "./files.js";

function assetFromName(path: string): string {
  const m = /_([A-Za-z0-9]+)\.csv(\.gz)?$/.exec(basename(path));
  if (!m?.[1]) throw new Error(`${path}: cannot tell the asset from the file name; pass it explicitly`);
  return m[1];
}

/** orderbooks_<ASSET>.csv → BookEvent[] (n = 0: the collector dropped order counts). */
export function readDjienneBooks(path: string, asset = assetFromName(path)): BookEvent[] {
  const lines = recordingLines(path);
  const header = lines[0]?.split(",") ?? [];
  const col = (name: string): number => header.indexOf(name);
  const tCol = col("exchange_timestamp");
  if (tCol < 0) throw new RecordingParseError(path, 1, "header: no exchange_timestamp column");
  const depth: { bp: number; bs: number; ap: number; as: number }[] = [];
  for (let i = 0; ; i++) {
    const bp = col(`bid_price_${i}`);
    if (bp < 0) break;
    depth.push({ bp, bs: col(`bid_size_${i}`), ap: col(`ask_price_${i}`), as: col(`ask_size_${i}`) });
  }
  const out: BookEvent[] = [];
  for (let r = 1; r < lines.length; r++) {
    const f = lines[r]!.split(",");
    const time = Number(f[tCol]);
    if (!Number.isFinite(time)) throw new RecordingParseError(path, r + 1, `exchange_timestamp: got ${f[tCol]}`);
    const bids: BookLevel[] = [];
    const asks: BookLevel[] = [];
    for (const d of depth) {
      const bp = Number(f[d.bp]);
      const bs = Number(f[d.bs]);
      const ap = Number(f[d.ap]);
      const as = Number(f[d.as]);
      if (f[d.bp] !== "" && Number.isFinite(bp) && Number.isFinite(bs)) bids.push({ px: bp, sz: bs, n: 0 });
      if (f[d.ap] !== "" && Number.isFinite(ap) && Number.isFinite(as)) asks.push({ px: ap, sz: as, n: 0 });
    }
    out.push({ asset, time, bids, asks });
  }
  return out;
}

/** trades_<ASSET>.csv → TradeEvent[] sorted by exchange time (the first rows are the subscribe backfill). */
export function readDjienneTrades(path: string, asset = assetFromName(path)): TradeEvent[] {
  const lines = recordingLines(path);
  const header = lines[0]?.split(",") ?? [];
  const [p, s, side, id, t] = ["price", "size", "side", "trade_id", "exchange_timestamp"].map((n) => header.indexOf(n));
  if ([p, s, side, id, t].some((c) => c === undefined || c < 0)) throw new RecordingParseError(path, 1, "header: expected price,size,side,trade_id,exchange_timestamp");
  const out: TradeEvent[] = [];
  for (let r = 1; r < lines.length; r++) {
    const f = lines[r]!.split(",");
    const px = Number(f[p!]);
    const sz = Number(f[s!]);
    const time = Number(f[t!]);
    const sd = f[side!];
    if (!Number.isFinite(px) || !Number.isFinite(sz) || !Number.isFinite(time) || (sd !== "buy" && sd !== "sell")) {
      throw new RecordingParseError(path, r + 1, `trade row: ${lines[r]!.slice(0, 80)}`);
    }
    out.push({ asset, time, tid: Number(f[id!]), px, sz, side: sd });
  }
  out.sort((a, b) => a.time - b.time);
  return out;
}
