// Candles from the trades the venue prints (every print: recorded, synthetic and simulated), kept
// as 1-minute bars per coin (bounded) and rolled up to any interval on request (FACTS §2.3).
import { hlNum } from "../streams/wire/serve.js";

export const SIM_CANDLE_INTERVALS_MS: Readonly<Record<string, number>> = {
  "1m": 60_000, "3m": 180_000, "5m": 300_000, "15m": 900_000, "30m": 1_800_000, "1h": 3_600_000, "2h": 7_200_000,
  "4h": 14_400_000, "8h": 28_800_000, "12h": 43_200_000, "1d": 86_400_000, "3d": 259_200_000, "1w": 604_800_000, "1M": 2_592_000_000,
};

export interface SimBar {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n: number;
}

/** One candle on the wire: {t, T, s, i, o, c, h, l, v, n}, prices and volume as strings. */
export function simCandleWire(coin: string, interval: string, b: SimBar): Record<string, unknown> {
  const ms = SIM_CANDLE_INTERVALS_MS[interval] ?? 60_000;
  return { t: b.t, T: b.t + ms - 1, s: coin, i: interval, o: hlNum(b.o), c: hlNum(b.c), h: hlNum(b.h), l: hlNum(b.l), v: hlNum(b.v), n: b.n };
}

/** Start of the interval holding `time` (months are 30-day buckets here; UNCONFIRMED alignment). */
function floorTo(time: number, ms: number): number {
  return Math.floor(time / ms) * ms;
}

export class SimCandles {
  private readonly bars = new Map<string, SimBar[]>();

  constructor(readonly maxBarsPerCoin = 20_000) {}

  onTrade(coin: string, time: number, px: number, sz: number): void {
    let list = this.bars.get(coin);
    if (!list) {
      list = [];
      this.bars.set(coin, list);
    }
    const t = floorTo(time, 60_000);
    const last = list[list.length - 1];
    if (last && last.t === t) {
      last.h = Math.max(last.h, px);
      last.l = Math.min(last.l, px);
      last.c = px;
      last.v = Math.round((last.v + sz) * 1e10) / 1e10;
      last.n++;
    } else if (!last || t > last.t) {
      list.push({ t, o: px, h: px, l: px, c: px, v: sz, n: 1 });
      if (list.length > this.maxBarsPerCoin) list.splice(0, list.length - this.maxBarsPerCoin);
    }
  }

  /** Bars of `interval` whose open time lies in [start, end], oldest first, at most 5000 (DOC-INFO). */
  snapshot(coin: string, interval: string, start: number, end = Infinity): SimBar[] {
    const ms = SIM_CANDLE_INTERVALS_MS[interval];
    const list = this.bars.get(coin);
    if (ms === undefined || !list) return [];
    const out: SimBar[] = [];
    for (const b of list) {
      const t = floorTo(b.t, ms);
      if (t < floorTo(start, ms) || t > end) continue;
      const last = out[out.length - 1];
      if (last && last.t === t) {
        last.h = Math.max(last.h, b.h);
        last.l = Math.min(last.l, b.l);
        last.c = b.c;
        last.v = Math.round((last.v + b.v) * 1e10) / 1e10;
        last.n += b.n;
      } else out.push({ ...b, t });
    }
    return out.slice(-5000);
  }

  /** The current bar of `interval` (for the WS candle push), if any trade made one. */
  latest(coin: string, interval: string): SimBar | undefined {
    const ms = SIM_CANDLE_INTERVALS_MS[interval];
    const last = this.bars.get(coin)?.at(-1);
    if (ms === undefined || !last) return undefined;
    return this.snapshot(coin, interval, floorTo(last.t, ms)).at(-1);
  }

  /** Volume (base and notional) and first price of the last 24 h, for the asset contexts. */
  day(coin: string, now: number): { base: number; ntl: number; prevDayPx: number | undefined } {
    let base = 0;
    let ntl = 0;
    let prev: number | undefined;
    for (const b of this.bars.get(coin) ?? []) {
      if (b.t < now - 86_400_000) {
        prev = b.c;
        continue;
      }
      prev ??= b.o;
      base += b.v;
      ntl += b.v * ((b.o + b.c) / 2);
    }
    return { base, ntl, prevDayPx: prev };
  }
}
