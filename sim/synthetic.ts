// A synthetic market for any asset. A latent price moves by diffusion with jumps; a reference
// venue (Binance-like bookTicker) quotes it at once; the traded venue's book and trades see it
// 50–500 ms later (configurable lead-lag). Uninformed takers arrive at random; informed takers
// trade when the traded book lags the latent price, so resting fills show adverse selection.
import type { BookLevel } from "../streams/market.js";
import type { SimMarket, SimMarketEvent } from "./market.js";
import { SimRng } from "./prng.js";
import { simRoundPrice, simTickAt } from "./format.js";
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
  latent: number;
  /** (time, latent) history for the lagged view. */
  readonly history: { t: number; px: number }[];
  bestBid: number;
  bestAsk: number;
  bidSz: number;
  askSz: number;
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
    open(startTime: number): Iterator<SimMarketEvent> {
      const rng = new SimRng(options.seed ?? 1, "synthetic");
      const states: AssetState[] = options.assets.map((spec) => ({
        spec,
        szDecimals: szd(spec),
        latent: spec.startPx,
        history: [{ t: startTime, px: spec.startPx }],
        bestBid: 0,
        bestAsk: 0,
        bidSz: 0,
        askSz: 0,
      }));
      const queue: SimMarketEvent[] = [];
      let t = startTime;
      let nextBook = startTime;
      let nextRef = startTime;
      const roundSz = (x: number, d: number): number => Math.floor(x * 10 ** d) / 10 ** d;
      const lagged = (s: AssetState, at: number): number => {
        for (let i = s.history.length - 1; i >= 0; i--) if (s.history[i]!.t <= at) return s.history[i]!.px;
        return s.history[0]!.px;
      };
      const tid = (): number => rng.bits50();
      const step = (): void => {
        t += stepMs;
        for (const s of states) {
          const vol = (s.spec.volBpsPerSqrtSec ?? 1.5) / 1e4;
          let r = vol * Math.sqrt(stepMs / 1000) * rng.normal();
          if (rng.chance(((s.spec.jumpsPerHour ?? 6) * stepMs) / 3_600_000)) r += ((s.spec.jumpBps ?? 25) / 1e4) * rng.normal();
          s.latent *= Math.exp(r);
          s.history.push({ t, px: s.latent });
          while (s.history.length > 2 && s.history[0]!.t < t - 5_000) s.history.shift();
        }
        if (t >= nextRef) {
          nextRef += refEvery;
          for (const s of states) {
            const half = s.latent * 0.5e-5;
            queue.push({
              kind: "ref",
              quote: { asset: s.spec.name, time: t, bid: s.latent - half, bidSz: roundSz(rng.exponential(2), 3), ask: s.latent + half, askSz: roundSz(rng.exponential(2), 3) },
            });
          }
        }
        for (const s of states) {
          if (s.bestBid <= 0) continue;
          const dt = stepMs / 1000;
          const mid = (s.bestBid + s.bestAsk) / 2;
          const size = (): number => Math.max(roundSz((medianUsd * Math.exp(0.8 * rng.normal())) / mid, s.szDecimals), 10 ** -s.szDecimals);
          if (rng.chance(uninformed * dt)) {
            const buy = rng.chance(0.5);
            queue.push({ kind: "trade", trade: { asset: s.spec.name, time: t, tid: tid(), px: buy ? s.bestAsk : s.bestBid, sz: Math.min(size(), buy ? s.askSz : s.bidSz), side: buy ? "buy" : "sell" } });
          }
          const edgeUp = ((s.latent - s.bestAsk) / s.bestAsk) * 1e4;
          const edgeDown = ((s.bestBid - s.latent) / s.bestBid) * 1e4;
          if ((edgeUp > edgeBps || edgeDown > edgeBps) && rng.chance(informed * dt * 4)) {
            const buy = edgeUp > edgeBps;
            queue.push({ kind: "trade", trade: { asset: s.spec.name, time: t, tid: tid(), px: buy ? s.bestAsk : s.bestBid, sz: size(), side: buy ? "buy" : "sell" } });
          }
        }
        if (t >= nextBook) {
          nextBook += bookEvery;
          for (const s of states) {
            const seen = lagged(s, t - rng.uniform(lag[0], lag[1]));
            const tick = simTickAt(seen, s.szDecimals);
            const bid = simRoundPrice(Math.floor(seen / tick) * tick, s.szDecimals);
            const ask = simRoundPrice(bid + tick, s.szDecimals);
            const levels = (isBid: boolean): BookLevel[] => {
              const out: BookLevel[] = [];
              for (let i = 0; i < nLevels; i++) {
                const px = simRoundPrice(isBid ? bid - i * tick : ask + i * tick, s.szDecimals);
                if (i > 0 && rng.chance(0.3)) continue;
                const sz = Math.max(roundSz((medianUsd * (1 + i * 0.3) * rng.exponential(1)) / seen, s.szDecimals), 10 ** -s.szDecimals);
                out.push({ px, sz, n: 1 + rng.int(0, 4) });
              }
              return out;
            };
            const bids = levels(true);
            const asks = levels(false);
            s.bestBid = bids[0]!.px;
            s.bestAsk = asks[0]!.px;
            s.bidSz = bids[0]!.sz;
            s.askSz = asks[0]!.sz;
            queue.push({ kind: "book", book: { asset: s.spec.name, time: t, bids, asks } });
          }
        }
      };
      return {
        next(): IteratorResult<SimMarketEvent> {
          while (queue.length === 0) {
            if (t - startTime >= duration) return { done: true, value: undefined };
            step();
          }
          return { done: false, value: queue.shift()! };
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
