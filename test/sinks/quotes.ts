// Ladders the paper-venue sink specs quote from each book (the strategy is not what they test).
import { simRoundPrice, simRoundSize, simTickAt } from "../../sim/format.js";
import type { QuoteIntent } from "../../streams/intent.js";
import type { BookEvent } from "../../streams/market.js";

function midOf(book: BookEvent): { b: number; a: number; mid: number } | null {
  const b = book.bids[0]?.px;
  const a = book.asks[0]?.px;
  if (b === undefined || a === undefined || b >= a) return null;
  return { b, a, mid: (a + b) / 2 };
}

/** Two levels a side at the touch or 2 / 6 bps from the mid (whichever is further), 200 USD each: it fills. */
export function touchLadder(book: BookEvent): QuoteIntent | null {
  const m = midOf(book);
  if (!m) return null;
  const sz = simRoundSize(200 / m.mid, 5);
  const tick = simTickAt(m.mid, 5);
  const bids = [0, 1].map((i) => ({ px: simRoundPrice(Math.min(m.b - i * tick, m.mid * (1 - (2 + 4 * i) / 1e4)), 5), sz, source: "base_ladder" as const }));
  const asks = [0, 1].map((i) => ({ px: simRoundPrice(Math.max(m.a + i * tick, m.mid * (1 + (2 + 4 * i) / 1e4)), 5), sz, source: "base_ladder" as const }));
  return { asset: book.asset, time: book.time, bids, asks };
}

/** Two levels a side 50 / 60 bps from the mid, 20 USD each (no fills), re-priced with every book. */
export function farLadder(book: BookEvent): QuoteIntent | null {
  const m = midOf(book);
  if (!m) return null;
  const sz = simRoundSize(20 / m.mid, 5);
  const lv = (i: number, side: 1 | -1) => ({ px: simRoundPrice(m.mid * (1 + (side * (50 + 10 * i)) / 1e4), 5), sz, source: "base_ladder" as const });
  return { asset: book.asset, time: book.time, bids: [lv(0, -1), lv(1, -1)], asks: [lv(0, 1), lv(1, 1)] };
}
