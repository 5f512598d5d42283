// Binance combined-stream recordings in hftbacktest's collector format ("<local ns> <frame>"):
// bookTicker → ReferenceQuote, trade → TradeEvent. Spot bookTicker has no event time, so its
// time is the local receive time (which runs ~1.3 s behind Binance's E in these files).
import type { ReferenceQuote, TradeEvent } from "../../streams/market.js";
import { RecordingParseError, recordingLines } from "./files.js";

export interface BinanceRecording {
  readonly refs: ReferenceQuote[];
  readonly trades: TradeEvent[];
  readonly skipped: number;
}

/** Read bookTicker and trade frames; `asset` names the traded-venue asset they stand in for (e.g. "BTC"). */
export function readBinanceFrames(path: string, asset: string): BinanceRecording {
  const refs: ReferenceQuote[] = [];
  const trades: TradeEvent[] = [];
  let skipped = 0;
  const lines = recordingLines(path);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const sp = line.indexOf(" ");
    const localMs = Math.floor(Number(line.slice(0, sp)) / 1e6);
    if (!line.includes('"stream"')) {
      skipped++;
      continue;
    }
    let frame: { stream?: string; data?: Record<string, unknown> };
    try {
      frame = JSON.parse(line.slice(sp + 1));
    } catch {
      throw new RecordingParseError(path, i + 1, "not JSON");
    }
    const d = frame.data ?? {};
    const time = typeof d.E === "number" ? d.E : localMs;
    if (frame.stream?.endsWith("@bookTicker")) {
      refs.push({ asset, time, bid: Number(d.b), bidSz: Number(d.B), ask: Number(d.a), askSz: Number(d.A) });
    } else if (frame.stream?.endsWith("@trade")) {
      trades.push({ asset, time: typeof d.T === "number" ? d.T : time, tid: Number(d.t), px: Number(d.p), sz: Number(d.q), side: d.m === true ? "sell" : "buy" });
    } else skipped++;
  }
  return { refs, trades, skipped };
}
