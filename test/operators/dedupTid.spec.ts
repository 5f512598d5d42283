import { describe, expect, it } from "vitest";
import { concatMap, filter, from, range, map, Subject, concat, of, toArray, lastValueFrom } from "rxjs";
import { dedupTid } from "../../operators/index.js";
import type { VenueFill, VenueFillBatch } from "../../streams/index.js";
import { marbles } from "../marbles.js";

const t = (tid: number) => ({ tid });

function venueFill(tid: number, asset = "BTC"): VenueFill {
  return { tid, oid: tid * 10, cloid: null, asset, isBuy: tid % 2 === 0, size: 1, price: 100 + tid, time: 1_000 + tid, fee: 0.01, crossed: false };
}

describe("dedupTid", () => {
  it(
    "passes first sightings and drops repeats (happy path)",
    marbles((m) => {
      const source = m.cold("  -a-b-a-c-b-|", { a: t(1), b: t(2), c: t(3) });
      const subs = "           ^----------!";
      const expected = "       -a-b---c---|";
      m.expect(source.pipe(dedupTid())).toBeObservable(expected, { a: t(1), b: t(2), c: t(3) });
      m.expect(source).toHaveSubscriptions(subs);
    }),
  );

  it(
    "evicts first-in-first-out: a key pushed out by `capacity` newer keys passes again",
    marbles((m) => {
      const source = m.cold("  -a-b-a-c-b-a-|", { a: t(1), b: t(2), c: t(3) });
      // capacity 2: c evicts a (the oldest), so the second b is still remembered and dropped,
      // and the third a passes.
      const expected = "       -a-b---c---a-|";
      m.expect(source.pipe(dedupTid({ capacity: 2 }))).toBeObservable(expected, { a: t(1), b: t(2), c: t(3) });
    }),
  );

  it(
    "behaves as its doc diagram",
    marbles((m) => {
      const source = m.cold("  -a-b-a-c-a-|", { a: t(1), b: t(2), c: t(3) });
      m.expect(source.pipe(dedupTid({ capacity: 2 }))).toBeObservable("-a-b---c-a-|", { a: t(1), b: t(2), c: t(3) });
    }),
  );

  it(
    "does not let a repeat refresh its slot (FIFO by first sight, not LRU)",
    marbles((m) => {
      const source = m.cold("  a-b-a-a-c-a-|", { a: t(1), b: t(2), c: t(3) });
      // capacity 2: the repeats of a do not move it; c evicts a, so the last a passes.
      const expected = "       a-b-----c-a-|";
      m.expect(source.pipe(dedupTid({ capacity: 2 }))).toBeObservable(expected, { a: t(1), b: t(2), c: t(3) });
    }),
  );

  it(
    "a duplicate tid after 10,000 other tids passes; within them it is dropped",
    marbles((m) => {
      const others = (n: number) => Array.from({ length: n }, (_, i) => t(1_000 + i));
      const within = m.cold("   a-b-c|", { a: [t(1)], b: others(9_999), c: [t(1)] });
      const after = m.cold("    a-b-c|", { a: [t(1)], b: others(10_000), c: [t(1)] });
      const onlyTid1 = filter((v: { tid: number }) => v.tid === 1);
      m.expect(within.pipe(concatMap((batch) => from(batch)), dedupTid(), onlyTid1)).toBeObservable("a----|", { a: t(1) });
      m.expect(after.pipe(concatMap((batch) => from(batch)), dedupTid(), onlyTid1)).toBeObservable("a---c|", { a: t(1), c: t(1) });
    }),
  );

  it(
    "dedupes the isSnapshot replay of the fills feed after a reconnect",
    marbles((m) => {
      const [f1, f2, f3, f4] = [venueFill(1), venueFill(2), venueFill(3), venueFill(4)] as const;
      const batches: Record<string, VenueFillBatch> = {
        s: { isSnapshot: true, fills: [f1, f2] },
        u: { isSnapshot: false, fills: [f3] },
        // reconnect: the snapshot replays everything so far plus the fill missed while away
        r: { isSnapshot: true, fills: [f1, f2, f3, f4] },
      };
      const feed = m.hot("  -s------u----r-|", batches);
      const expected = "    -(ab)---c----d-|";
      const fills = feed.pipe(
        concatMap((b) => from(b.fills)),
        dedupTid<VenueFill>({ key: (x) => `${x.asset}:${x.tid}` }),
      );
      m.expect(fills).toBeObservable(expected, { a: f1, b: f2, c: f3, d: f4 });
    }),
  );

  it(
    "keeps state per subscription: two subscribers each see every first sighting",
    marbles((m) => {
      const source = m.cold("  -a-a-b-|", { a: t(1), b: t(2) });
      const deduped = source.pipe(dedupTid());
      m.expect(deduped).toBeObservable("-a---b-|", { a: t(1), b: t(2) });
      m.expect(deduped).toBeObservable("-a---b-|", { a: t(1), b: t(2) });
    }),
  );

  it(
    "completes on an empty source",
    marbles((m) => {
      const source = m.cold("  |");
      m.expect(source.pipe(dedupTid())).toBeObservable("|");
      m.expect(source).toHaveSubscriptions("(^!)");
    }),
  );

  it(
    "stays silent on a never source",
    marbles((m) => {
      const source = m.cold("  -");
      m.expect(source.pipe(dedupTid())).toBeObservable("-");
      m.expect(source).toHaveSubscriptions("^");
    }),
  );

  it(
    "passes a source error through",
    marbles((m) => {
      const source = m.cold("  -a-a-#", { a: t(1) }, new Error("feed down"));
      m.expect(source.pipe(dedupTid())).toBeObservable("-a---#", { a: t(1) }, new Error("feed down"));
      m.expect(source).toHaveSubscriptions("^----!");
    }),
  );

  it(
    "unsubscribes from the source when the consumer unsubscribes",
    marbles((m) => {
      const source = m.hot("  -a-b-c-d-|", { a: t(1), b: t(2), c: t(3), d: t(4) });
      const unsub = "          ^----!";
      m.expect(source.pipe(dedupTid()), unsub).toBeObservable("-a-b-", { a: t(1), b: t(2) });
      m.expect(source).toHaveSubscriptions("^----!");
    }),
  );

  it(
    "errors the stream when the key function throws",
    marbles((m) => {
      const source = m.cold("  -a-b-|", { a: t(1), b: t(2) });
      const boom = new Error("bad key");
      const key = (v: { tid: number }) => {
        if (v.tid === 2) throw boom;
        return v.tid;
      };
      m.expect(source.pipe(dedupTid({ key }))).toBeObservable("-a-#", { a: t(1) }, boom);
      m.expect(source).toHaveSubscriptions("^--!");
    }),
  );

  it("errors with a clear message when a value has no tid and no key is given", async () => {
    const src = of({ id: 1 } as unknown as { tid: number });
    await expect(lastValueFrom(src.pipe(dedupTid()))).rejects.toThrow(/no string or number `tid`.*options\.key/);
  });

  it("rejects a capacity that is not a positive integer", () => {
    expect(() => dedupTid({ capacity: 0 })).toThrow(RangeError);
    expect(() => dedupTid({ capacity: 2.5 })).toThrow(/capacity/);
  });

  it("is O(1) per value: memory stays at `capacity` over a long run", async () => {
    // 200k distinct keys through capacity 1,000, then the last 1,000 replayed: all dropped,
    // and the 1,001st most recent passes again.
    const n = 200_000;
    const out = await lastValueFrom(
      concat(range(0, n), range(n - 1_000, 1_000), of(n - 1_001)).pipe(
        map((tid) => ({ tid })),
        dedupTid({ capacity: 1_000 }),
        toArray(),
      ),
    );
    expect(out.length).toBe(n + 1);
    expect(out[out.length - 1]).toEqual({ tid: n - 1_001 });
  });

  it("passes values from a Subject synchronously (usable in a hot fan-out)", () => {
    const s = new Subject<{ tid: number }>();
    const seen: number[] = [];
    const sub = s.pipe(dedupTid()).subscribe((v) => seen.push(v.tid));
    s.next({ tid: 5 });
    s.next({ tid: 5 });
    s.next({ tid: 6 });
    sub.unsubscribe();
    s.next({ tid: 7 });
    expect(seen).toEqual([5, 6]);
  });
});
