// The synthetic market's step is rewritten allocation-light (a ring for the latent history, a read
// index for the queue, per-asset constants and rounding factors computed once, no closure per
// step); property: it yields the same events, value for value, as the implementation before the
// rewrite (kept here as the reference), for any assets, seed and knobs.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { syntheticMarket, type SyntheticAssetSpec, type SyntheticMarketOptions } from "../../sim/synthetic.js";
import type { SimMarket, SimMarketEvent } from "../../sim/market.js";
import { SimRng } from "../../sim/prng.js";
import { simRoundPrice, simTickAt } from "../../sim/format.js";
import { simUniverseFor } from "../../sim/meta.js";
import type { BookLevel } from "../../streams/market.js";

// ---- the implementation before the rewrite (the reference)

interface RefAssetState {
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

function referenceMarket(options: SyntheticMarketOptions): SimMarket {
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
      const states: RefAssetState[] = options.assets.map((spec) => ({
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
      const lagged = (s: RefAssetState, at: number): number => {
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


function take(market: SimMarket, start: number, n: number): SimMarketEvent[] {
  const it = market.open(start);
  const out: SimMarketEvent[] = [];
  for (let i = 0; i < n; i++) {
    const r = it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

const asset = fc.record(
  {
    name: fc.constantFrom("BTC", "ETH", "SOL", "FOO", "xyz:GOLD"),
    startPx: fc.oneof(fc.double({ min: 0.0001, max: 200_000, noNaN: true }), fc.constantFrom(1, 9.99995, 10, 99_999.5, 100_000, 0.001)),
    szDecimals: fc.integer({ min: 0, max: 6 }),
    volBpsPerSqrtSec: fc.double({ min: 0, max: 200, noNaN: true }),
    jumpsPerHour: fc.double({ min: 0, max: 5_000, noNaN: true }),
    jumpBps: fc.double({ min: 0, max: 500, noNaN: true }),
  },
  { requiredKeys: ["name", "startPx"] },
);

const options = fc.record(
  {
    assets: fc.array(asset, { minLength: 1, maxLength: 3 }),
    seed: fc.oneof(fc.integer(), fc.string({ maxLength: 6 })),
    stepMs: fc.integer({ min: 1, max: 3_000 }),
    bookIntervalMs: fc.integer({ min: 1, max: 3_000 }),
    leadLagMs: fc.tuple(fc.integer({ min: 0, max: 4_000 }), fc.integer({ min: 0, max: 8_000 })),
    refPerSec: fc.double({ min: 0.1, max: 50, noNaN: true }),
    uninformedPerSec: fc.double({ min: 0, max: 20, noNaN: true }),
    informedPerSec: fc.double({ min: 0, max: 20, noNaN: true }),
    informedEdgeBps: fc.double({ min: -1, max: 5, noNaN: true }),
    medianNotionalUsd: fc.double({ min: 0.01, max: 1e6, noNaN: true }),
    levels: fc.integer({ min: 1, max: 30 }),
    durationMs: fc.integer({ min: 0, max: 20_000 }),
  },
  { requiredKeys: ["assets"] },
);

describe("syntheticMarket", () => {
  it("yields the reference implementation's events for any assets, seed and knobs", () => {
    fc.assert(
      fc.property(options, fc.integer({ min: 0, max: 2 ** 41 }), (o: SyntheticMarketOptions, start) => {
        expect(take(syntheticMarket(o), start, 600)).toStrictEqual(take(referenceMarket(o), start, 600));
      }),
      { numRuns: 300, seed: 19 },
    );
  });

  it("yields the reference implementation's events over a soak-like hour (BTC and ETH, default knobs)", () => {
    const o: SyntheticMarketOptions = { assets: [{ name: "BTC", startPx: 100_000, szDecimals: 5 }, { name: "ETH", startPx: 3_500, szDecimals: 4 }], seed: 1 };
    const start = Date.UTC(2026, 0, 1);
    expect(take(syntheticMarket(o), start, 100_000)).toStrictEqual(take(referenceMarket(o), start, 100_000));
  });
});
