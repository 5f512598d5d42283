// A synthetic market for any asset. A latent price moves by diffusion with jumps; a reference
// venue (Binance-like bookTicker) quotes it at once; the traded venue's book and trades see it
// 50–500 ms later (configurable lead-lag). Uninformed takers arrive at random; informed takers
// trade when the traded book lags the latent price, so resting fills show adverse selection.
import type { BookLevel } from "../streams/market.js";
import type { SimMarket, SimMarketEvent } from "./market.js";
import { SimRng } from "./prng.js";
import { SimPriceRounder, simRoundPrice, simTickAt } from "./format.js";
import type { SimRange } from "./faults.js";
import { simUniverseFor } from "./meta.js";

export interface SyntheticAssetSpec {
  readonly name: string;
  readonly startPx: number;
  /** Default: the cassette universe's (BTC 5, ETH 4, …), else 2. */
  readonly szDecimals?: number;
  /** Diffusion volatility, bps per √second. Default 1.5. */
  readonly volBpsPerSqrtSec?: number;
  /** Jumps per hour (Poisson) and their size (bps, normal σ). Defaults 6 and 25. */
  readonly jumpsPerHour?: number;
  readonly jumpBps?: number;
}

export interface SyntheticMarketOptions {
  readonly assets: readonly SyntheticAssetSpec[];
  readonly seed?: number | string;
  /** Latent-price step (ms). Default 100. */
  readonly stepMs?: number;
  /** Traded venue's book cadence (ms). Default 500 (Hyperliquid's fast l2Book). */
  readonly bookIntervalMs?: number;
  /** How late the traded venue sees the latent price (ms), drawn per book. Default [50, 500]. */
  readonly leadLagMs?: SimRange;
  /** Reference quotes per second. Default 10. */
  readonly refPerSec?: number;
  readonly uninformedPerSec?: number;
  readonly informedPerSec?: number;
  /** Informed takers act when the latent price is this far beyond the traded touch (bps). Default 1. */
  readonly informedEdgeBps?: number;
  readonly medianNotionalUsd?: number;
  /** Levels per side. Default 20. */
  readonly levels?: number;
  /** Stop after this long (ms); default Infinity. */
  readonly durationMs?: number;
}

interface AssetState {
  readonly spec: SyntheticAssetSpec;
  readonly szDecimals: number;
  /** 10 ** szDecimals and 10 ** -szDecimals: the size rounding factor and the smallest size. */
  readonly szFactor: number;
  readonly minSz: number;
  /** Rounds the levels' prices (simRoundPrice without a log10 per level). */
  readonly rounder: SimPriceRounder;
  /** Diffusion σ per step and the jump chance and size per step (the spec's knobs, computed once). */
  readonly stepVol: number;
  readonly jumpChance: number;
  readonly jumpVol: number;
  latent: number;
  /** (time, latent) history for the lagged view. */
  readonly history: LatentHistory;
  bestBid: number;
  bestAsk: number;
  bidSz: number;
  askSz: number;
}

/**
 * The latent prices of the last few seconds, oldest first, in a ring (two parallel arrays grown by
 * doubling): a push and a trim per step without an object per entry or an array shift.
 */
class LatentHistory {
  private ts: number[];
  private pxs: number[];
  private head = 0;
  private size = 0;

  constructor(t: number, px: number) {
    this.ts = [t, 0, 0, 0];
    this.pxs = [px, 0, 0, 0];
    this.size = 1;
  }

  push(t: number, px: number): void {
    if (this.size === this.ts.length) this.grow();
    const i = (this.head + this.size) % this.ts.length;
    this.ts[i] = t;
    this.pxs[i] = px;
    this.size++;
  }

  /** Drop entries older than `cutoff`, keeping at least two. */
  trim(cutoff: number): void {
    while (this.size > 2 && this.ts[this.head]! < cutoff) {
      this.head = (this.head + 1) % this.ts.length;
      this.size--;
    }
  }

  /** The latest price at or before `at`; the oldest one when all are later. */
  at(at: number): number {
    const cap = this.ts.length;
    for (let k = this.size - 1; k >= 0; k--) {
      const i = (this.head + k) % cap;
      if (this.ts[i]! <= at) return this.pxs[i]!;
    }
    return this.pxs[this.head]!;
  }

  private grow(): void {
    const cap = this.ts.length;
    const ts: number[] = new Array<number>(cap * 2).fill(0);
    const pxs: number[] = new Array<number>(cap * 2).fill(0);
    for (let k = 0; k < this.size; k++) {
      ts[k] = this.ts[(this.head + k) % cap]!;
      pxs[k] = this.pxs[(this.head + k) % cap]!;
    }
    this.ts = ts;
    this.pxs = pxs;
    this.head = 0;
  }
}

export function syntheticMarket(options: SyntheticMarketOptions): SimMarket {
  const stepMs = options.stepMs ?? 100;
  const bookEvery = options.bookIntervalMs ?? 500;
  const lag = options.leadLagMs ?? [50, 500];
  const refEvery = 1000 / (options.refPerSec ?? 10);
  const uninformed = options.uninformedPerSec ?? 1;
  const informed = options.informedPerSec ?? 0.5;
  const edgeBps = options.informedEdgeBps ?? 1;
  const medianUsd = options.medianNotionalUsd ?? 2_000;
  const nLevels = options.levels ?? 20;
  const duration = options.durationMs ?? Infinity;
  // szDecimals default to the cassette universe (BTC 5, ETH 4, …), 2 for names outside it
  const universe = simUniverseFor(options.assets.map((a) => a.name));
  const szd = (a: SyntheticAssetSpec): number => a.szDecimals ?? universe.find((m) => m.name === a.name)?.szDecimals ?? 2;
  return {
    kind: "synthetic",
    assets: options.assets.map((a) => ({ name: a.name, szDecimals: szd(a) })),
    // each event and its payload are built in `step` and only queued until yielded
    freshEvents: true,
    open(startTime: number): Iterator<SimMarketEvent> {
      const rng = new SimRng(options.seed ?? 1, "synthetic");
      const stepSqrt = Math.sqrt(stepMs / 1000);
      const states: AssetState[] = options.assets.map((spec) => {
        const szDecimals = szd(spec);
        return {
          spec,
          szDecimals,
          szFactor: 10 ** szDecimals,
          minSz: 10 ** -szDecimals,
          rounder: new SimPriceRounder(szDecimals),
          stepVol: ((spec.volBpsPerSqrtSec ?? 1.5) / 1e4) * stepSqrt,
          jumpChance: ((spec.jumpsPerHour ?? 6) * stepMs) / 3_600_000,
          jumpVol: (spec.jumpBps ?? 25) / 1e4,
          latent: spec.startPx,
          history: new LatentHistory(startTime, spec.startPx),
          bestBid: 0,
          bestAsk: 0,
          bidSz: 0,
          askSz: 0,
        };
      });
      // the queue drains before the next step: a read index instead of an array shift per event,
      // and a write index instead of `length = 0` (which drops the array's store: a new one per step)
      const queue: SimMarketEvent[] = [];
      let head = 0;
      let tail = 0;
      let t = startTime;
      let nextBook = startTime;
      let nextRef = startTime;
      const refSzFactor = 10 ** 3;
      const roundSz = (x: number, f: number): number => Math.floor(x * f) / f;
      const tid = (): number => rng.bits50();
      const size = (s: AssetState, mid: number): number => Math.max(roundSz((medianUsd * Math.exp(0.8 * rng.normal())) / mid, s.szFactor), s.minSz);
      const levels = (s: AssetState, isBid: boolean, bid: number, ask: number, tick: number, seen: number): BookLevel[] => {
        const out: BookLevel[] = [];
        for (let i = 0; i < nLevels; i++) {
          if (i > 0 && rng.chance(0.3)) continue;
          // rounded only for a level kept (simRoundPrice draws nothing: the same draws in the same order)
          const px = s.rounder.round(isBid ? bid - i * tick : ask + i * tick);
          const sz = Math.max(roundSz((medianUsd * (1 + i * 0.3) * rng.exponential(1)) / seen, s.szFactor), s.minSz);
          out.push({ px, sz, n: 1 + rng.int(0, 4) });
        }
        return out;
      };
      const step = (): void => {
        t += stepMs;
        for (const s of states) {
          let r = s.stepVol * rng.normal();
          if (rng.chance(s.jumpChance)) r += s.jumpVol * rng.normal();
          s.latent *= Math.exp(r);
          s.history.push(t, s.latent);
          s.history.trim(t - 5_000);
        }
        if (t >= nextRef) {
          nextRef += refEvery;
          for (const s of states) {
            const half = s.latent * 0.5e-5;
            queue[tail++] = {
              kind: "ref",
              quote: { asset: s.spec.name, time: t, bid: s.latent - half, bidSz: roundSz(rng.exponential(2), refSzFactor), ask: s.latent + half, askSz: roundSz(rng.exponential(2), refSzFactor) },
            };
          }
        }
        const dt = stepMs / 1000;
        for (const s of states) {
          if (s.bestBid <= 0) continue;
          const mid = (s.bestBid + s.bestAsk) / 2;
          if (rng.chance(uninformed * dt)) {
            const buy = rng.chance(0.5);
            queue[tail++] = { kind: "trade", trade: { asset: s.spec.name, time: t, tid: tid(), px: buy ? s.bestAsk : s.bestBid, sz: Math.min(size(s, mid), buy ? s.askSz : s.bidSz), side: buy ? "buy" : "sell" } };
          }
          const edgeUp = ((s.latent - s.bestAsk) / s.bestAsk) * 1e4;
          const edgeDown = ((s.bestBid - s.latent) / s.bestBid) * 1e4;
          if ((edgeUp > edgeBps || edgeDown > edgeBps) && rng.chance(informed * dt * 4)) {
            const buy = edgeUp > edgeBps;
            queue[tail++] = { kind: "trade", trade: { asset: s.spec.name, time: t, tid: tid(), px: buy ? s.bestAsk : s.bestBid, sz: size(s, mid), side: buy ? "buy" : "sell" } };
          }
        }
        if (t >= nextBook) {
          nextBook += bookEvery;
          for (const s of states) {
            const seen = s.history.at(t - rng.uniform(lag[0], lag[1]));
            const tick = simTickAt(seen, s.szDecimals);
            const bid = simRoundPrice(Math.floor(seen / tick) * tick, s.szDecimals);
            const ask = simRoundPrice(bid + tick, s.szDecimals);
            const bids = levels(s, true, bid, ask, tick, seen);
            const asks = levels(s, false, bid, ask, tick, seen);
            s.bestBid = bids[0]!.px;
            s.bestAsk = asks[0]!.px;
            s.bidSz = bids[0]!.sz;
            s.askSz = asks[0]!.sz;
            queue[tail++] = { kind: "book", book: { asset: s.spec.name, time: t, bids, asks } };
          }
        }
      };
      return {
        next(): IteratorResult<SimMarketEvent> {
          if (head === tail) {
            head = 0;
            tail = 0;
          }
          while (tail === 0) {
            if (t - startTime >= duration) return { done: true, value: undefined };
            step();
          }
          return { done: false, value: queue[head++]! };
        },
      };
    },
  };
}

/** Start prices of the named synthetic markets that `quoteflow sim --synthetic` knows. */
const KNOWN_START: Readonly<Record<string, readonly [number, number]>> = { BTC: [100_000, 5], ETH: [3_500, 4], SOL: [150, 2], GOLD: [2_600, 3] };

/**
 * Start price and size decimals for a synthetic market named `name`: BTC, ETH, SOL and GOLD as
 * they trade (a HIP-3 `xyz:GOLD` as GOLD); any other name its own price, log-uniform in [0.5, 5000) from a hash of the name (so
 * 100 names give 100 distinct books, not 100 copies at 100), with size decimals that keep a
 * $10–$20 order expressible (roughly Hyperliquid's: more decimals for dearer coins).
 */
export function syntheticAssetFor(name: string): { readonly name: string; readonly startPx: number; readonly szDecimals: number } {
  const known = KNOWN_START[name.slice(name.indexOf(":") + 1)];
  if (known) return { name, startPx: known[0], szDecimals: known[1] };
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  // FNV-1a alone leaves names one letter apart (S001, S002) close together: finish with murmur3's mix
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  const u = h / 2 ** 32;
  const raw = 0.5 * 10 ** (4 * u);
  const startPx = Number(raw.toPrecision(4));
  const szDecimals = Math.max(0, Math.min(5, Math.floor(Math.log10(startPx)) + 1));
  return { name, startPx, szDecimals };
}
