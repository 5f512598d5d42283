// Taker flow for book-only recordings (Hyperliquid's S3 archive has l2Book snapshots and no
// trades). Without trades nothing would ever fill a resting order, so we infer them.
//
// Model (all draws from the seeded SimRng; documented in data/recordings/README.md):
//  1. Depletion at the touch. Between two snapshots, size that left the best bid (or best ask)
//     level — the level shrank, or vanished as the touch moved away — is attributed to takers
//     with probability `touchTradeShare` per unit (expected-value split: that share becomes one
//     trade print at the old touch price, the rest is treated as cancels). A touch that moved
//     through several levels prints one trade per level swept.
//  2. Uninformed takers: Poisson arrivals (`uninformedPerSec`), side 50/50, size lognormal around
//     `medianNotionalUsd`, printed at the touch of the latest snapshot.
//  3. Informed takers: Poisson arrivals (`informedPerSec`); each looks `informedHorizonMs` ahead in
//     the recording and trades in the direction the mid will move (skips if it will not move).
//     They are why resting fills show adverse selection in replay, as they do live.
// Inferred prints are stamped 1 ms before the snapshot that reveals them (takers come first).
import type { BookEvent, TradeEvent } from "../streams/market.js";
import { bookMid } from "../streams/market.js";
import type { SimRng } from "./prng.js";

export interface SimTakerFlowOptions {
  readonly touchTradeShare: number;
  readonly uninformedPerSec: number;
  readonly informedPerSec: number;
  readonly informedHorizonMs: number;
  readonly medianNotionalUsd: number;
  readonly szDecimals: number;
}

export const SIM_DEFAULT_TAKER_FLOW: SimTakerFlowOptions = {
  touchTradeShare: 0.5,
  uninformedPerSec: 0.4,
  informedPerSec: 0.1,
  informedHorizonMs: 5_000,
  medianNotionalUsd: 3_000,
  szDecimals: 5,
};

function roundDown(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.floor(x * f + 1e-6) / f;
}

/** Trades inferred from a book-only series (see the model above). Sorted by time. */
export function inferTakerFlow(books: readonly BookEvent[], rng: SimRng, options: Partial<SimTakerFlowOptions> = {}): TradeEvent[] {
  const o = { ...SIM_DEFAULT_TAKER_FLOW, ...options };
  const out: TradeEvent[] = [];
  const print = (asset: string, time: number, px: number, sz: number, side: "buy" | "sell"): void => {
    const s = roundDown(sz, o.szDecimals);
    if (s > 0) out.push({ asset, time, tid: rng.bits50(), px, sz: s, side });
  };
  let nextArrival = books[0] ? books[0].time + rng.exponential(1000 / Math.max(o.uninformedPerSec, 1e-9)) : 0;
  let nextInformed = books[0] ? books[0].time + rng.exponential(1000 / Math.max(o.informedPerSec, 1e-9)) : 0;
  let ahead = 0;
  for (let i = 1; i < books.length; i++) {
    const prev = books[i - 1]!;
    const cur = books[i]!;
    const t = cur.time - 1;
    // 1. depletion at the touch
    for (const isBid of [true, false]) {
      const prevSide = isBid ? prev.bids : prev.asks;
      const curSide = isBid ? cur.bids : cur.asks;
      const touch = prevSide[0];
      const curTouch = curSide[0];
      if (!touch || !curTouch) continue;
      const side = isBid ? "sell" : "buy";
      const movedAway = isBid ? curTouch.px < touch.px : curTouch.px > touch.px;
      if (movedAway) {
        for (const l of prevSide) {
          if (isBid ? l.px <= curTouch.px : l.px >= curTouch.px) break;
          print(cur.asset, t, l.px, l.sz * o.touchTradeShare, side);
        }
        const same = prevSide.find((l) => l.px === curTouch.px);
        if (same && curTouch.sz < same.sz) print(cur.asset, t, same.px, (same.sz - curTouch.sz) * o.touchTradeShare, side);
      } else if (curTouch.px === touch.px && curTouch.sz < touch.sz) {
        print(cur.asset, t, touch.px, (touch.sz - curTouch.sz) * o.touchTradeShare, side);
      }
    }
    // 2. uninformed arrivals in (prev.time, cur.time], priced at prev's touch
    const mid = bookMid(prev);
    while (o.uninformedPerSec > 0 && nextArrival <= cur.time - 1) {
      const buy = rng.chance(0.5);
      const lvl = buy ? prev.asks[0] : prev.bids[0];
      if (lvl && mid) print(prev.asset, Math.min(cur.time - 1, Math.max(prev.time + 1, Math.floor(nextArrival))), lvl.px, Math.min(lvl.sz, (o.medianNotionalUsd * Math.exp(rng.normal())) / mid), buy ? "buy" : "sell");
      nextArrival += rng.exponential(1000 / o.uninformedPerSec);
    }
    // 3. informed arrivals: trade toward the mid `informedHorizonMs` ahead
    while (o.informedPerSec > 0 && nextInformed <= cur.time - 1) {
      if (ahead < i) ahead = i;
      while (ahead < books.length - 1 && books[ahead]!.time < nextInformed + o.informedHorizonMs) ahead++;
      const future = bookMid(books[ahead]!);
      if (mid !== undefined && future !== undefined && future !== mid) {
        const buy = future > mid;
        const lvl = buy ? prev.asks[0] : prev.bids[0];
        if (lvl) print(prev.asset, Math.min(cur.time - 1, Math.max(prev.time + 1, Math.floor(nextInformed))), lvl.px, Math.min(lvl.sz, (o.medianNotionalUsd * Math.exp(rng.normal())) / mid), buy ? "buy" : "sell");
      }
      nextInformed += rng.exponential(1000 / o.informedPerSec);
    }
  }
  out.sort((a, b) => a.time - b.time);
  return out;
}
