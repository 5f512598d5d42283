// Hyperliquid WS frames from recordings: the S3 archive's l2Book JSONL
// ({"time","ver_num","raw":<frame>} per line), bare frames one per line (our shipped copy), and
// hftbacktest's collector format ("<local ns> <frame>"). Output: domain BookEvent / TradeEvent.
import type { BookEvent, BookLevel, TradeEvent } from "../../streams/market.js";
import { RecordingParseError, recordingLines } from "./files.js";

export interface HyperliquidRecording {
  readonly books: BookEvent[];
  readonly trades: TradeEvent[];
  /** Lines that were not l2Book/trades frames (subscription acks etc.). */
  readonly skipped: number;
}

interface WireLevel {
  px: string;
  sz: string;
  n?: number;
}

function levels(raw: unknown, path: string, line: number): BookLevel[] {
  if (!Array.isArray(raw)) throw new RecordingParseError(path, line, "l2Book levels: expected an array");
  return raw.map((l: WireLevel) => {
    const px = Number(l.px);
    const sz = Number(l.sz);
    if (!Number.isFinite(px) || !Number.isFinite(sz)) throw new RecordingParseError(path, line, `l2Book level: bad px/sz ${JSON.stringify(l)}`);
    return { px, sz, n: typeof l.n === "number" ? l.n : 0 };
  });
}

/** Pull the WS frame out of one line in any of the three formats. */
function frameOf(line: string, path: string, n: number): { channel?: unknown; data?: unknown } {
  let text = line;
  if (/^\d+ /.test(text)) text = text.slice(text.indexOf(" ") + 1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RecordingParseError(path, n, "not JSON");
  }
  if (parsed && typeof parsed === "object" && "raw" in parsed) parsed = (parsed as { raw: unknown }).raw;
  if (!parsed || typeof parsed !== "object") throw new RecordingParseError(path, n, "expected a JSON object");
  return parsed as { channel?: unknown; data?: unknown };
}

/** Read l2Book and trades frames from a Hyperliquid recording (plain or gzip). */
export function readHyperliquidFrames(path: string): HyperliquidRecording {
  const books: BookEvent[] = [];
  const trades: TradeEvent[] = [];
  let skipped = 0;
  const lines = recordingLines(path);
  for (let i = 0; i < lines.length; i++) {
    const f = frameOf(lines[i]!, path, i + 1);
    if (f.channel === "l2Book") {
      const d = f.data as { coin?: unknown; time?: unknown; levels?: unknown[] };
      if (typeof d?.coin !== "string" || typeof d.time !== "number" || !Array.isArray(d.levels)) {
        throw new RecordingParseError(path, i + 1, "l2Book frame: expected data.coin, data.time, data.levels");
      }
      books.push({ asset: d.coin, time: d.time, bids: levels(d.levels[0], path, i + 1), asks: levels(d.levels[1], path, i + 1) });
    } else if (f.channel === "trades") {
      if (!Array.isArray(f.data)) throw new RecordingParseError(path, i + 1, "trades frame: expected data to be an array");
      for (const t of f.data as { coin: string; side: string; px: string; sz: string; time: number; tid: number }[]) {
        const px = Number(t.px);
        const sz = Number(t.sz);
        if (!Number.isFinite(px) || !Number.isFinite(sz) || typeof t.time !== "number") {
          throw new RecordingParseError(path, i + 1, `trade: bad fields ${JSON.stringify(t).slice(0, 80)}`);
        }
        trades.push({ asset: t.coin, time: t.time, tid: t.tid, px, sz, side: t.side === "B" ? "buy" : "sell" });
      }
    } else skipped++;
  }
  // The first trades frame after subscribing is a backfill that may predate the books; keep order by time.
  trades.sort((a, b) => a.time - b.time);
  return { books, trades, skipped };
}
