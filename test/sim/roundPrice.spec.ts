// simRoundPrice looks 10^d up in a table instead of computing it: the same doubles, so the same
// rounded prices as the formula it replaced (kept here as the oracle).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SimPriceRounder, simRoundPrice, simValidPrice } from "../../sim/format.js";

function oracle(px: number, szDecimals: number, isSpot = false): number {
  if (!(px > 0)) return px;
  const maxDecimals = Math.max((isSpot ? 8 : 6) - szDecimals, 0);
  const magnitude = Math.floor(Math.log10(px));
  const d = Math.min(maxDecimals, Math.max(4 - magnitude, 0));
  const f = 10 ** d;
  return Math.round(px * f) / f;
}

describe("simRoundPrice", () => {
  it("equals the Math.pow formula for any price, szDecimals and market kind", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.double({ min: 1e-9, max: 1e9, noNaN: true }), fc.double(), fc.constantFrom(0, -1, Number.NaN, Infinity)),
        fc.integer({ min: -2, max: 10 }),
        fc.boolean(),
        (px, szDecimals, isSpot) => {
          expect(Object.is(simRoundPrice(px, szDecimals, isSpot), oracle(px, szDecimals, isSpot))).toBe(true);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it("gives a valid tick (5 significant figures, decimals capped)", () => {
    expect(simRoundPrice(97_123.456, 5)).toBe(97_123);
    expect(simRoundPrice(3_456.789, 4)).toBe(3_456.8);
    expect(simRoundPrice(0.0123456, 0)).toBe(0.012346);
    expect(simValidPrice(simRoundPrice(0.0123456, 0), 0)).toBe(true);
  });

  it("SimPriceRounder rounds a run of prices as simRoundPrice does each, across and beside powers of ten", () => {
    // prices near a power of ten (the band edges), ladders walking across one, and anything
    const nearPow = fc.tuple(fc.integer({ min: -6, max: 8 }), fc.integer({ min: -2000, max: 2000 })).map(([m, k]) => 10 ** m * (1 + k * 1e-13));
    const start = fc.oneof(fc.double({ min: 1e-6, max: 1e8, noNaN: true }), fc.tuple(fc.integer({ min: -6, max: 8 }), fc.double({ min: -0.01, max: 0.01, noNaN: true })).map(([m, u]) => 10 ** m * (1 + u)));
    const ladder = fc.tuple(start, fc.double({ min: -0.05, max: 0.05, noNaN: true }), fc.integer({ min: 1, max: 40 })).map(([p0, stepPct, n]) =>
      Array.from({ length: n }, (_, i) => p0 * (1 + (stepPct * i) / 100)),
    );
    const one = fc.oneof(nearPow, fc.double({ min: 1e-9, max: 1e9, noNaN: true }), fc.double(), fc.constantFrom(0, -1, Number.NaN, Infinity, 10, 100, 1e5, 99_999.99999999999));
    fc.assert(
      fc.property(fc.array(fc.oneof(one.map((x) => [x]), ladder)), fc.integer({ min: 0, max: 6 }), fc.boolean(), (runs, szDecimals, isSpot) => {
        const r = new SimPriceRounder(szDecimals, isSpot);
        for (const px of runs.flat()) expect(Object.is(r.round(px), simRoundPrice(px, szDecimals, isSpot))).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });
});
