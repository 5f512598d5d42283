// dedupTid adds a key and looks at the Set's size (one hash lookup for a new key) instead of
// has-then-add. Property: it passes exactly what the has-then-add ring buffer (kept here as the
// reference) passes, for any keys — repeats, NaN, ±0, strings beside numbers — and any capacity.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { from, lastValueFrom, toArray } from "rxjs";
import { dedupTid } from "../../operators/dedupTid.js";

function reference(keys: readonly (string | number)[], capacity: number): (string | number)[] {
  const ring: (string | number)[] = new Array<string | number>(capacity);
  const seen = new Set<string | number>();
  let next = 0;
  let size = 0;
  return keys.filter((key) => {
    if (seen.has(key)) return false;
    if (size === capacity) seen.delete(ring[next]!);
    else size++;
    ring[next] = key;
    next = next + 1 === capacity ? 0 : next + 1;
    seen.add(key);
    return true;
  });
}

const arbKey = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constantFrom(Number.NaN, 0, -0, "1", "a", 1.5, 2 ** 50), fc.string({ maxLength: 2 }));

describe("dedupTid, add-then-size ≡ has-then-add", () => {
  it("passes the same values in the same order", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbKey, { maxLength: 200 }), fc.integer({ min: 1, max: 8 }), async (keys, capacity) => {
        const got = await lastValueFrom(from(keys.map((k) => ({ k }))).pipe(dedupTid({ capacity, key: (v) => v.k }), toArray()));
        expect(got.map((v) => v.k)).toStrictEqual(reference(keys, capacity));
      }),
      { numRuns: 3_000 },
    );
  });
});
