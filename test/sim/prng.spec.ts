// SimRng keeps its state in a Uint32Array: the same mulberry32 sequence as the number-field
// version it replaced (kept here as the oracle), for any seed and stream, across forks.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SimRng, hashSeed } from "../../sim/prng.js";

class Mulberry32Oracle {
  private state: number;
  constructor(seed: number | string, stream = "") {
    this.state = hashSeed(seed, stream);
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

describe("SimRng", () => {
  it("draws the same sequence as the number-state mulberry32, for any seed, stream and fork", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.string()), fc.string({ maxLength: 8 }), fc.integer({ min: 1, max: 500 }), (seed, stream, n) => {
        const rng = new SimRng(seed, stream);
        const oracle = new Mulberry32Oracle(seed, stream);
        for (let i = 0; i < n; i++) expect(rng.next()).toBe(oracle.next());
        const forked = rng.fork("x");
        const forkedOracle = new Mulberry32Oracle(seed, stream === "" ? "x" : `${stream}.x`);
        for (let i = 0; i < 50; i++) expect(forked.next()).toBe(forkedOracle.next());
      }),
      { numRuns: 500 },
    );
  });

  it("the state wraps at 2^32 as the >>> 0 did", () => {
    const rng = new SimRng(1);
    (rng as unknown as { state: Uint32Array }).state[0] = 0xffffffff;
    const oracle = new Mulberry32Oracle(1);
    (oracle as unknown as { state: number }).state = 0xffffffff;
    for (let i = 0; i < 10; i++) expect(rng.next()).toBe(oracle.next());
  });
});
