// DirtyAssets replaces the sink's `Set<string>` of assets to reconcile; flushDirty took
// `[...set]` then `set.clear()`. Over random scripts of adds, has, size and drains (including adds
// between drains, as a reconcile that dirties another asset does), both give the same answers.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DirtyAssets } from "../../sinks/dirtyAssets.js";

type Op = { op: "add"; asset: string } | { op: "has"; asset: string } | { op: "drain" };
const asset = fc.constantFrom("BTC", "ETH", "SOL", "xyz:TSLA", "HYPE", "@107");
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant("add" as const), asset }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("has" as const), asset }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("drain" as const) }) },
);

describe("DirtyAssets", () => {
  it("answers as a Set drained by [...set] + clear()", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), (ops) => {
        const set = new Set<string>();
        const dirty = new DirtyAssets();
        for (const o of ops) {
          if (o.op === "add") {
            set.add(o.asset);
            dirty.add(o.asset);
          } else if (o.op === "has") expect(dirty.has(o.asset)).toBe(set.has(o.asset));
          else {
            const expected = [...set];
            set.clear();
            expect(dirty.drain()).toEqual(expected);
          }
          expect(dirty.size).toBe(set.size);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("a drained list is the caller's: adds after the drain do not change it", () => {
    const dirty = new DirtyAssets().add("BTC").add("ETH").add("BTC");
    const first = dirty.drain();
    dirty.add("SOL").add("BTC");
    expect(first).toEqual(["BTC", "ETH"]);
    expect(dirty.drain()).toEqual(["SOL", "BTC"]);
    expect(dirty.size).toBe(0);
    expect(dirty.drain()).toEqual([]);
  });
});
