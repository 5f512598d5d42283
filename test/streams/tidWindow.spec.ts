// dedupTid's number window (streams/tidWindow.ts: typed arrays sized at the start) against
// dedupTid's ring + Set: the same values pass for any capacity and any sequence of tids — repeats,
// evictions and a key coming back after its eviction, 0 and -0, NaN, large and fractional tids —
// through the window itself, through `dedupTid({ keys: "number" })`, and through dedupFills, per asset.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { from, lastValueFrom, toArray } from "rxjs";
import { dedupFills } from "../../app/fillDedup.js";
import { TidWindow } from "../../streams/tidWindow.js";
import { dedupTid } from "../../operators/dedupTid.js";
import type { VenueFill } from "../../streams/fill.js";

const arbTid = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 40 }) },
  { weight: 2, arbitrary: fc.constantFrom(0, -0, Number.NaN, 2 ** 53 - 1, 2 ** 31, 1e15 + 7, 0.5, -3) },
  { weight: 1, arbitrary: fc.double() },
);

function fill(asset: string, tid: number): VenueFill {
  return { tid, oid: 1, cloid: null, asset, isBuy: true, size: 1, price: 100, time: 0, fee: 0, crossed: false };
}

async function viaOperator(tids: readonly number[], capacity: number): Promise<number[]> {
  return lastValueFrom(from(tids).pipe(dedupTid<number>({ capacity, key: (t) => t }), toArray()));
}

describe("TidWindow ≡ dedupTid (number keys)", () => {
  it("passes the same tids for any capacity and sequence", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.array(arbTid, { maxLength: 300 }), async (capacity, tids) => {
        const w = new TidWindow(capacity);
        const got = tids.filter((t) => w.add(t));
        expect(got).toEqual(await viaOperator(tids, capacity));
      }),
      { numRuns: 3_000 },
    );
  });

  it("a full table of colliding neighbours: removal keeps every key reachable (capacity 1–64, keys a small range)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 64 }), fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 2_000 }), async (capacity, tids) => {
        const w = new TidWindow(capacity);
        expect(tids.filter((t) => w.add(t))).toEqual(await viaOperator(tids, capacity));
      }),
      { numRuns: 500 },
    );
  });

  it("10,000 tids as the service keeps them: hash-like tids, replayed snapshots", async () => {
    const tids: number[] = [];
    let x = 12345;
    for (let i = 0; i < 30_000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      tids.push(x * 4096 + (i % 7));
      if (i % 5_000 === 4_999) tids.push(...tids.slice(-2_000)); // a resubscribe's snapshot
    }
    const w = new TidWindow(10_000);
    expect(tids.filter((t) => w.add(t))).toEqual(await viaOperator(tids, 10_000));
  });

  it("dedupFills: per asset, the same fills as one dedupTid per asset", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.array(fc.tuple(fc.constantFrom("BTC", "ETH"), fc.integer({ min: 0, max: 20 })), { maxLength: 200 }), async (capacity, steps) => {
        const fills = steps.map(([asset, tid]) => fill(asset, tid));
        const got = await lastValueFrom(from(fills).pipe(dedupFills(capacity), toArray()));
        const windows = new Map<string, number[]>();
        for (const asset of ["BTC", "ETH"]) windows.set(asset, await viaOperator(fills.filter((f) => f.asset === asset).map((f) => f.tid), capacity));
        const want = fills.filter((f) => {
          const w = windows.get(f.asset)!;
          // the operator's output per asset, consumed in order
          if (w.length > 0 && Object.is(w[0], f.tid)) return w.shift() !== undefined;
          return false;
        });
        expect(got).toEqual(want);
      }),
      { numRuns: 500 },
    );
  });

  it('dedupTid({ keys: "number" }) passes what dedupTid with its ring + Set passes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.array(arbTid, { maxLength: 300 }), async (capacity, tids) => {
        const got = await lastValueFrom(from(tids).pipe(dedupTid<number>({ capacity, key: (t) => t, keys: "number" }), toArray()));
        expect(got).toEqual(await viaOperator(tids, capacity));
      }),
      { numRuns: 1_000 },
    );
  });

  it('dedupTid({ keys: "number" }): a key that is not a number errors the stream, naming what it got', async () => {
    const values = [{ tid: 1 }, { tid: "2" as unknown as number }, { tid: 3 }];
    await expect(lastValueFrom(from(values).pipe(dedupTid<{ tid: number }>({ keys: "number" }), toArray()))).rejects.toThrow(/keys "number", but a key is a string \("2"\)/);
  });

  it("0 and -0 are one tid, NaN is one tid, whatever the table's size", () => {
    for (const capacity of [2, 3, 100, 10_000, 100_000]) {
      const w = new TidWindow(capacity);
      expect([0, -0, Number.NaN, Number.NaN, -0].map((t) => w.add(t))).toEqual([true, false, true, false, false]);
    }
  });

  it("rejects a bad capacity at once, as dedupTid does", () => {
    expect(() => dedupFills(0)).toThrow(/capacity must be an integer ≥ 1/);
    expect(() => new TidWindow(1.5)).toThrow(RangeError);
  });
});
