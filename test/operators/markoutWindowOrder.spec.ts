// A mid looks only at each waiting fill's next unresolved horizon (in horizon order) instead of at
// every horizon of every waiting fill. Property: the output — records, their order, their timing
// and completion — equals the previous code's (test/operators/markoutWindowReference.ts) for any
// horizons (unsorted, repeated, zero), assets, late or out-of-order mids and fills, stale timeouts,
// eviction at maxPending and the mids cap.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Subject, VirtualTimeScheduler, type OperatorFunction } from "rxjs";
import { markoutWindow, type MarkoutWindowOptions } from "../../operators/markoutWindow.js";
import type { FillEvent, FillMarkouts } from "../../streams/fill.js";
import { referenceMarkoutWindow } from "./markoutWindowReference.js";

function fill(time: number, isBuy: boolean, price: number, asset: string, tid: number): FillEvent {
  return { tid, oid: 1, cloid: null, asset, isBuy, size: 1, price, time, fee: 0, crossed: false, midAtFill: price, placementPrice: price, midAtPlacement: price * 1.0001, quotedHalfSpreadBps: 5, source: "base_ladder" };
}

type Step =
  | { readonly at: number; readonly kind: "mid"; readonly asset: string; readonly time: number; readonly mid: number }
  | { readonly at: number; readonly kind: "fill"; readonly asset: string; readonly time: number; readonly isBuy: boolean; readonly price: number }
  | { readonly at: number; readonly kind: "endFills" | "endMids" };

const arbAsset = fc.constantFrom("BTC", "ETH", "SOL");
const arbStep = fc.oneof(
  { weight: 6, arbitrary: fc.record({ at: fc.integer({ min: 0, max: 400 }), kind: fc.constant("mid" as const), asset: arbAsset, time: fc.integer({ min: 0, max: 400 }), mid: fc.oneof(fc.double({ min: 90, max: 110, noNaN: true }), fc.constant(Number.NaN)) }) },
  { weight: 3, arbitrary: fc.record({ at: fc.integer({ min: 0, max: 400 }), kind: fc.constant("fill" as const), asset: arbAsset, time: fc.integer({ min: 0, max: 400 }), isBuy: fc.boolean(), price: fc.double({ min: 90, max: 110, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ at: fc.integer({ min: 0, max: 500 }), kind: fc.constantFrom("endFills" as const, "endMids" as const) }) },
);
const arbOptions: fc.Arbitrary<MarkoutWindowOptions> = fc.record({
  horizonsMs: fc.array(fc.oneof(fc.integer({ min: 0, max: 120 }), fc.constantFrom(0, 0.5, 10, 10)), { minLength: 1, maxLength: 8 }),
  staleAfterMs: fc.integer({ min: 0, max: 300 }),
  maxPending: fc.integer({ min: 1, max: 6 }),
  lookbackMs: fc.integer({ min: 0, max: 100 }),
  maxMidsPerAsset: fc.integer({ min: 1, max: 50 }),
});

interface Seen {
  readonly at: number;
  readonly value?: FillMarkouts;
  readonly done?: true;
}

function run(op: (mids$: Subject<{ asset: string; time: number; mid: number }>, scheduler: VirtualTimeScheduler) => OperatorFunction<FillEvent, FillMarkouts>, steps: readonly Step[]): Seen[] {
  const scheduler = new VirtualTimeScheduler();
  const mids$ = new Subject<{ asset: string; time: number; mid: number }>();
  const fills$ = new Subject<FillEvent>();
  const seen: Seen[] = [];
  fills$.pipe(op(mids$, scheduler)).subscribe({
    next: (value) => seen.push({ at: scheduler.now(), value }),
    complete: () => seen.push({ at: scheduler.now(), done: true }),
  });
  steps.forEach((s, tid) => {
    scheduler.schedule(() => {
      if (s.kind === "mid") mids$.next({ asset: s.asset, time: s.time, mid: s.mid });
      else if (s.kind === "fill") fills$.next(fill(s.time, s.isBuy, s.price, s.asset, tid));
      else if (s.kind === "endFills") fills$.complete();
      else mids$.complete();
    }, s.at);
  });
  scheduler.flush();
  return seen;
}

describe("markoutWindow, next-unresolved-horizon scan ≡ the all-horizons scan", () => {
  it("same records at the same times for any interleaving", () => {
    fc.assert(
      fc.property(arbOptions, fc.array(arbStep, { maxLength: 80 }), (options, steps) => {
        const got = run((mids$, s) => markoutWindow(mids$, options, s), steps);
        const want = run((mids$, s) => referenceMarkoutWindow(mids$, options, s), steps);
        expect(got).toStrictEqual(want);
      }),
      { numRuns: 3_000 },
    );
  });

  it("mids in time order, many fills waiting, short lookback: same records", () => {
    const arbDense = fc.record({
      horizonsMs: fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 10 }),
      staleAfterMs: fc.constant(1_000),
      maxPending: fc.integer({ min: 1, max: 50 }),
      lookbackMs: fc.integer({ min: 0, max: 5 }),
      maxMidsPerAsset: fc.constant(10_000),
    });
    fc.assert(
      fc.property(arbDense, fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 5 })), { maxLength: 150 }), (options, shape) => {
        let t = 0;
        const steps: Step[] = shape.map(([isFill, dt]) => {
          t += dt;
          return isFill ? { at: t, kind: "fill", asset: "BTC", time: t - (dt % 3), isBuy: dt % 2 === 0, price: 100 + dt } : { at: t, kind: "mid", asset: "BTC", time: t, mid: 100 + (t % 7) };
        });
        expect(run((mids$, s) => markoutWindow(mids$, options, s), steps)).toStrictEqual(run((mids$, s) => referenceMarkoutWindow(mids$, options, s), steps));
      }),
      { numRuns: 2_000 },
    );
  });
});
