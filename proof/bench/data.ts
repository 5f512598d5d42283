// Where the shared research data set is: `../shared/data/real` beside the clone (CI, the main
// checkout), or one level further up for a git worktree under a folder beside it.
import { existsSync, readFileSync } from "node:fs";
import path, { resolve } from "node:path";
import { gunzipSync } from "node:zlib";

export function realDataDir(): string {
  const candidates = [resolve(process.cwd(), "../shared/data/real"), resolve(process.cwd(), "../../shared/data/real")];
  return candidates.find((d) => existsSync(d)) ?? candidates[0]!;
}

/** A real recorded l2Book frame (S3 archive, BTC, 20+20 levels) and a typical streaming trades frame (hftbacktest, BTC). */
export function realFrames(): { book: string; trades: string } {
  const line = readFileSync(path.join(realDataDir(), "hyperliquid", "s3_archive_vigil_hypertrace/market_data_20240101_12_l2Book_BTC.jsonl"), "utf8").split("\n", 1)[0]!;
  const book = JSON.stringify((JSON.parse(line) as { raw: unknown }).raw);
  const frames = gunzipSync(readFileSync(path.join(realDataDir(), "hyperliquid", "hftbacktest/btcusd_20250126.gz"))).toString("utf8").split("\n").filter(Boolean);
  // the largest trades frame after the subscription backfill, i.e. a typical streaming frame
  const trades = frames
    .map((l) => l.slice(l.indexOf(" ") + 1))
    .filter((f) => f.startsWith('{"channel":"trades"'))
    .slice(1)
    .sort((a, b) => b.length - a.length)[0]!;
  return { book, trades };
}
