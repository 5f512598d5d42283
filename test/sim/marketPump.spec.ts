// The pump restamps a fresh market's events in place (SimMarket.freshEvents) instead of copying
// event and payload; property: it delivers the same events, value for value and in the same
// order, as the copying restamp (the market declared not fresh), for any seed, knobs and start.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SimMarketPump } from "../../sim/marketPump.js";
import { simReplayScheduler } from "../../sim/replayScheduler.js";
import { syntheticMarket, type SyntheticMarketOptions } from "../../sim/synthetic.js";
import type { SimMarket, SimMarketEvent } from "../../sim/market.js";

function pumped(market: SimMarket, start: number): SimMarketEvent[] {
  const scheduler = simReplayScheduler(start);
  const out: SimMarketEvent[] = [];
  const pump = new SimMarketPump(scheduler, (e) => out.push(e), () => undefined);
  pump.start(market);
  scheduler.flush();
  return out;
}

describe("SimMarketPump restamp", () => {
  it("restamps a fresh market in place with the same events as the copying restamp", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.constantFrom(50, 100, 250),
        fc.constantFrom(200, 500, 1_000),
        (seed, start, stepMs, bookIntervalMs) => {
          const o: SyntheticMarketOptions = { assets: [{ name: "BTC", startPx: 100_000, szDecimals: 5 }, { name: "ETH", startPx: 3_500, szDecimals: 4 }], seed, stepMs, bookIntervalMs, durationMs: 20_000 };
          const fresh = syntheticMarket(o);
          expect(fresh.freshEvents).toBe(true);
          const copied = pumped({ ...syntheticMarket(o), freshEvents: false }, start);
          expect(copied.length).toBeGreaterThan(0);
          expect(pumped(fresh, start)).toStrictEqual(copied);
        },
      ),
      { numRuns: 100, seed: 19 },
    );
  });
});
