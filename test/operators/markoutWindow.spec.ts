import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Subject, VirtualTimeScheduler } from "rxjs";
import { markoutWindow } from "../../operators/index.js";
import type { FillEvent, FillMarkouts, HorizonMarkout, MidEvent } from "../../streams/index.js";
import { marbles } from "../marbles.js";

function fill(time: number, isBuy: boolean, price: number, midAtPlacement: number, asset = "BTC", tid = time): FillEvent {
  return {
    tid,
    oid: 1,
    cloid: null,
    asset,
    isBuy,
    size: 1,
    price,
    time,
    fee: 0,
    crossed: false,
    midAtFill: price,
    placementPrice: price,
    midAtPlacement,
    quotedHalfSpreadBps: 5,
    source: "base_ladder",
  };
}
const mid = (time: number, value: number, asset = "BTC"): MidEvent => ({ asset, time, mid: value });
function h(horizonMs: number, m: number | null, markoutBps: number | null, adverseBps: number | null, complete: boolean): HorizonMarkout {
  return { horizonMs, mid: m, markoutBps, adverseBps, complete };
}

describe("markoutWindow", () => {
  it(
    "emits one record when every horizon is known; a horizon with no new mid uses the last one",
    marbles((m) => {
      const mids = m.hot("   m-----n---o", { m: mid(0, 100), n: mid(6, 101), o: mid(10, 99) });
      const fills = m.hot("  --f|", { f: fill(2, true, 100, 100) });
      // +2 ms (due 4): no mid in (2, 4], known at n (6 > 4) → m = 100.  +5 ms (due 7): known at o → n = 101.
      const expected = "     ----------(r|)";
      const r: FillMarkouts = {
        fill: fill(2, true, 100, 100),
        horizons: [h(2, 100, 0, 0, true), h(5, 101, 100, 100, true)],
        complete: true,
      };
      m.expect(fills.pipe(markoutWindow(mids, { horizonsMs: [2, 5], staleAfterMs: 20 }, m.scheduler))).toBeObservable(expected, { r });
      m.expect(fills).toHaveSubscriptions("^--!");
      m.expect(mids).toHaveSubscriptions("^---------!");
    }),
  );

  it(
    "a fill whose mids stop arrives incomplete at 30 s (default horizons), with provisional mids",
    marbles((m) => {
      const mids = m.hot("   m 999ms n", { m: mid(0, 100), n: mid(1_000, 102) });
      const fills = m.hot("  100ms f", { f: fill(100, false, 100, 104) });
      const expected = "     30100ms r";
      // sell: markout = −(mid − 100)/100 × 10⁴; adverse = −(mid − 104)/104 × 10⁴
      const r = {
        fill: fill(100, false, 100, 104),
        horizons: [
          h(500, 100, -0, expect.closeTo(384.615, 2) as unknown as number, true),
          h(2_000, 102, -200, expect.closeTo(192.308, 2) as unknown as number, false),
          h(10_000, 102, -200, expect.closeTo(192.308, 2) as unknown as number, false),
        ],
        complete: false,
      };
      m.expect(fills.pipe(markoutWindow(mids, {}, m.scheduler))).toBeObservable(expected, { r });
    }),
  );

  it(
    "resolves at once a fill that arrives after all its horizons have passed (a late fills feed)",
    marbles((m) => {
      const mids = m.hot("   a-b-c-d-e", { a: mid(0, 100), b: mid(2, 101), c: mid(4, 102), d: mid(6, 103), e: mid(8, 104) });
      const fills = m.hot("  ---------f|", { f: fill(1, true, 100, 100) });
      const r: FillMarkouts = {
        fill: fill(1, true, 100, 100),
        horizons: [h(2, 101, 100, 100, true), h(5, 103, 300, 300, true)],
        complete: true,
      };
      m.expect(fills.pipe(markoutWindow(mids, { horizonsMs: [2, 5] }, m.scheduler))).toBeObservable("---------r|", { r });
    }),
  );

  it(
    "matches mids to fills by asset",
    marbles((m) => {
      const mids = m.hot("   a-e---b-----c", { a: mid(0, 100), e: mid(2, 50, "ETH"), b: mid(6, 110), c: mid(12, 120) });
      const fills = m.hot("  -f|", { f: fill(1, true, 100, 100) });
      // ETH's mid at 2 neither resolves nor answers BTC's horizon: +2 ms (due 3) is known at b → a.
      const r: FillMarkouts = {
        fill: fill(1, true, 100, 100),
        horizons: [h(2, 100, 0, 0, true), h(10, 110, 1000, 1000, true)],
        complete: true,
      };
      m.expect(fills.pipe(markoutWindow(mids, { horizonsMs: [2, 10] }, m.scheduler))).toBeObservable("------------(r|)", { r });
    }),
  );

  it(
    "bounds pending fills: the oldest is emitted incomplete to make room",
    marbles((m) => {
      const mids = m.hot("   m", { m: mid(0, 100) });
      const fills = m.hot("  -f-g", { f: fill(1, true, 100, 100), g: fill(3, true, 100, 100) });
      const evicted: FillMarkouts = { fill: fill(1, true, 100, 100), horizons: [h(5, 100, 0, 0, false)], complete: false };
      const stale: FillMarkouts = { fill: fill(3, true, 100, 100), horizons: [h(5, 100, 0, 0, false)], complete: false };
      m.expect(fills.pipe(markoutWindow(mids, { horizonsMs: [5], staleAfterMs: 10, maxPending: 1 }, m.scheduler))).toBeObservable(
        "---e---------s",
        { e: evicted, s: stale },
      );
    }),
  );

  it(
    "prunes mids to lookbackMs: a fill older than that finds no mid for its horizon",
    marbles((m) => {
      const mids = m.hot("   abcdefghijk", Object.fromEntries([..."abcdefghijk"].map((k, i) => [k, mid(i, 100 + i)])));
      const fills = m.hot("  -----------f|", { f: fill(0, true, 100, 100) });
      const r: FillMarkouts = { fill: fill(0, true, 100, 100), horizons: [h(2, null, null, null, false)], complete: false };
      m.expect(fills.pipe(markoutWindow(mids, { horizonsMs: [2], lookbackMs: 3 }, m.scheduler))).toBeObservable("-----------r|", { r });
    }),
  );

  it(
    "keeps the mids a waiting fill needs even beyond lookbackMs",
    marbles((m) => {
      const mids = m.hot("   a-b-------c", { a: mid(0, 100), b: mid(2, 101), c: mid(10, 105) });
      const fills = m.hot("  -f|", { f: fill(1, true, 100, 100) });
      const r: FillMarkouts = { fill: fill(1, true, 100, 100), horizons: [h(8, 101, 100, 100, true)], complete: true };
      m.expect(fills.pipe(markoutWindow(mids, { horizonsMs: [8], lookbackMs: 1 }, m.scheduler))).toBeObservable("----------(r|)", { r });
    }),
  );

  it(
    "completes at once on an empty fill source",
    marbles((m) => {
      const mids = m.hot("   m-", { m: mid(0, 100) });
      m.expect(m.cold("|").pipe(markoutWindow(mids, {}, m.scheduler))).toBeObservable("|");
      m.expect(mids).toHaveSubscriptions("(^!)");
    }),
  );

  it(
    "stays silent on a never fill source",
    marbles((m) => {
      const mids = m.hot("   m-n", { m: mid(0, 100), n: mid(2, 101) });
      m.expect(m.cold("-").pipe(markoutWindow(mids, {}, m.scheduler))).toBeObservable("-");
    }),
  );

  it(
    "passes a fill-source error through",
    marbles((m) => {
      const mids = m.hot("   m---", { m: mid(0, 100) });
      const fills = m.hot("  -f-#", { f: fill(1, true, 100, 100) }, new Error("fills"));
      m.expect(fills.pipe(markoutWindow(mids, { horizonsMs: [2] }, m.scheduler))).toBeObservable("---#", {}, new Error("fills"));
      m.expect(mids).toHaveSubscriptions("^--!");
    }),
  );

  it(
    "passes a mid-feed error through",
    marbles((m) => {
      const mids = m.hot("   m-#", { m: mid(0, 100) }, new Error("mids"));
      const fills = m.hot("  -f--", { f: fill(1, true, 100, 100) });
      m.expect(fills.pipe(markoutWindow(mids, { horizonsMs: [2] }, m.scheduler))).toBeObservable("--#", {}, new Error("mids"));
      m.expect(fills).toHaveSubscriptions("^-!");
    }),
  );

  it(
    "unsubscribes both inputs and cancels stale timers when the consumer unsubscribes",
    marbles((m) => {
      const mids = m.hot("   m------", { m: mid(0, 100) });
      const fills = m.hot("  -f-----", { f: fill(1, true, 100, 100) });
      m.expect(fills.pipe(markoutWindow(mids, { horizonsMs: [2], staleAfterMs: 5 }, m.scheduler)), "^--!").toBeObservable("----");
      m.expect(fills).toHaveSubscriptions("^--!");
      m.expect(mids).toHaveSubscriptions("^--!");
    }),
  );

  it("keeps state per subscription and leaves no timers after unsubscribe", () => {
    const scheduler = new VirtualTimeScheduler();
    const mids = new Subject<MidEvent>();
    const fills = new Subject<FillEvent>();
    const op = fills.pipe(markoutWindow(mids, { horizonsMs: [5], staleAfterMs: 50 }, scheduler));
    const a: FillMarkouts[] = [];
    const b: FillMarkouts[] = [];
    const s1 = op.subscribe((v) => a.push(v));
    mids.next(mid(0, 100));
    const s2 = op.subscribe((v) => b.push(v));
    fills.next(fill(1, true, 100, 100));
    mids.next(mid(10, 101));
    expect(a.map((r) => r.horizons[0]!.mid)).toEqual([100]);
    // the second subscription never saw the mid at 0: the horizon is known but has no mid
    expect(b.map((r) => r.horizons[0]!.mid)).toEqual([null]);
    fills.next(fill(20, true, 100, 100));
    s1.unsubscribe();
    s2.unsubscribe();
    scheduler.flush();
    expect(scheduler.actions.length).toBe(0);
    expect(a.length).toBe(1);
  });

  it("resolves 10,000 waiting fills with the one mid that passes their horizon", () => {
    const scheduler = new VirtualTimeScheduler();
    const mids = new Subject<MidEvent>();
    const fills = new Subject<FillEvent>();
    const out: FillMarkouts[] = [];
    const sub = fills.pipe(markoutWindow(mids, { horizonsMs: [100] }, scheduler)).subscribe((r) => out.push(r));
    mids.next(mid(0, 100));
    for (let i = 0; i < 10_000; i++) fills.next(fill(1, true, 100, 100, "BTC", i));
    expect(out.length).toBe(0);
    mids.next(mid(200, 101));
    sub.unsubscribe();
    expect(out.length).toBe(10_000);
    expect(out.every((r) => r.complete && r.horizons[0]!.mid === 100)).toBe(true);
    expect(out.map((r) => r.fill.tid)).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
  });

  it("lets go of an emitted fill once every older one is emitted (a 24 h soak held up to ~2,000 until a compaction)", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const scheduler = new VirtualTimeScheduler();
    const mids = new Subject<MidEvent>();
    const fills = new Subject<FillEvent>();
    let emitted = 0;
    const sub = fills.pipe(markoutWindow(mids, { horizonsMs: [5], staleAfterMs: 1_000 }, scheduler)).subscribe(() => emitted++);
    // built in a function: no reference to a fill stays on the test's frame
    const feed = (asset: string, from: number, to: number): WeakRef<FillEvent>[] => {
      const refs: WeakRef<FillEvent>[] = [];
      for (let tid = from; tid < to; tid++) {
        const f = fill(0, true, 100, 100, asset, tid);
        refs.push(new WeakRef(f));
        fills.next(f);
      }
      return refs;
    };
    const collected = async (refs: readonly WeakRef<FillEvent>[]): Promise<number> => {
      await new Promise((resolve) => setImmediate(resolve)); // a WeakRef holds its target until the job ends
      gc();
      return refs.filter((r) => r.deref() === undefined).length;
    };
    const refs = feed("ETH", 0, 1).concat(feed("BTC", 1, 301));
    mids.next(mid(10, 100, "BTC"));
    expect(emitted).toBe(300); // the BTC fills, behind the ETH one that still waits
    mids.next(mid(10, 100, "ETH"));
    expect(emitted).toBe(301);
    expect(await collected(refs)).toBe(301);
    sub.unsubscribe();
  });

  it("rejects bad options", () => {
    const mids = new Subject<MidEvent>();
    expect(() => markoutWindow(mids, { horizonsMs: [] })).toThrow(/horizonsMs/);
    expect(() => markoutWindow(mids, { maxPending: 0 })).toThrow(/maxPending/);
  });

  it("agrees with a keep-every-mid model whatever the interleaving (pruning never loses a needed mid)", () => {
    const event = fc.oneof(
      fc.record({ kind: fc.constant("mid" as const), dt: fc.integer({ min: 0, max: 400 }), value: fc.integer({ min: 90, max: 110 }), eth: fc.boolean() }),
      fc.record({ kind: fc.constant("fill" as const), lag: fc.integer({ min: 0, max: 300 }), isBuy: fc.boolean(), eth: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(event, { minLength: 20, maxLength: 200 }), fc.integer({ min: 0, max: 400 }), (events, lookbackMs) => {
        const horizons = [50, 200, 1_000];
        const scheduler = new VirtualTimeScheduler();
        const mids = new Subject<MidEvent>();
        const fills = new Subject<FillEvent>();
        const out: FillMarkouts[] = [];
        const sub = fills.pipe(markoutWindow(mids, { horizonsMs: horizons, staleAfterMs: 1e9, lookbackMs }, scheduler)).subscribe((r) => out.push(r));
        const seen: MidEvent[] = [];
        const fed: FillEvent[] = [];
        let now = 0;
        let tid = 0;
        for (const e of events) {
          const asset = e.eth ? "ETH" : "BTC";
          if (e.kind === "mid") {
            now += e.dt;
            const m = mid(now, e.value, asset);
            seen.push(m);
            mids.next(m);
          } else {
            // fills lag the mids by at most `lookbackMs` (the documented late-fill tolerance)
            const f = fill(Math.max(0, now - Math.min(e.lag, lookbackMs)), e.isBuy, 100, 100, asset, ++tid);
            fed.push(f);
            fills.next(f);
          }
        }
        fills.complete();
        scheduler.flush();
        sub.unsubscribe();
        expect(out.length).toBe(fed.length);
        for (const r of out) {
          const T = r.fill.time;
          const ofAsset = seen.filter((m) => m.asset === r.fill.asset);
          horizons.forEach((hMs, i) => {
            const due = T + hMs;
            const known = ofAsset.some((m) => m.time > due);
            const before = ofAsset.filter((m) => m.time <= due);
            const expectedMid = before.length > 0 ? before[before.length - 1]!.mid : null;
            const got = r.horizons[i]!;
            if (known) {
              expect(got.mid).toBe(expectedMid);
              expect(got.complete).toBe(expectedMid !== null);
            } else {
              expect(got.complete).toBe(false);
            }
          });
        }
      }),
    );
  });
});
