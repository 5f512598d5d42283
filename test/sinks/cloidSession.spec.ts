import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cloidSeedHex, createCloidGenerator, sessionCloidSeed } from "../../sinks/cloid.js";

describe("sessionCloidSeed", () => {
  it("is the start time in ms when no earlier session recorded a larger prefix", () => {
    expect(sessionCloidSeed(1_700_000_000_123.7, undefined)).toBe(1_700_000_000_123n);
    expect(sessionCloidSeed(1_700_000_000_123, 5n)).toBe(1_700_000_000_123n);
  });

  it("is one more than the last session's prefix when the clock stepped back or two starts share a millisecond", () => {
    expect(sessionCloidSeed(1000, 1000n)).toBe(1001n);
    expect(sessionCloidSeed(500, 1000n)).toBe(1001n);
  });

  it("refuses a negative or non-finite time", () => {
    expect(() => sessionCloidSeed(-1, undefined)).toThrow(RangeError);
    expect(() => sessionCloidSeed(Number.NaN, undefined)).toThrow(/non-negative/);
  });

  it("property: a chain of sessions (any clock, stepping back included) never repeats a CLOID", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 1, max: 20 })), { minLength: 1, maxLength: 30 }), (sessions) => {
        const seen = new Set<string>();
        let last: bigint | undefined;
        for (const [now, n] of sessions) {
          const seed = sessionCloidSeed(now, last);
          if (last !== undefined) expect(seed > last).toBe(true);
          last = BigInt(`0x${cloidSeedHex(seed)}`);
          const gen = createCloidGenerator(seed);
          for (let i = 0; i < n; i++) {
            const id = gen.next();
            expect(seen.has(id)).toBe(false);
            seen.add(id);
          }
        }
      }),
    );
  });
});
