// diffLadder works on indices into the caller's arrays and reusable buffers (no filtered arrays,
// Sets, closures or pair objects per call). Property: it equals the implementation it replaced,
// kept here as the oracle, on random ladders and orders — prices on a coarse grid and sizes from a
// few values so that candidate pairs tie (the stable sort's order decides those), every order
// state (pending ones hold levels), duplicate level keys, missing OIDs, queue-aware keeping,
// volatility scaling, and degenerate zero prices and sizes (NaN distances in the queue pass).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DEFAULT_LADDER_THRESHOLDS, diffLadder, LadderDiffBuffer, priceDiffBps, queueValue, sizeDiffPct } from "../../sinks/ladderDiff.js";
import type { LadderDiff, LadderOrder, LadderTarget, LadderThresholds, TargetLevel } from "../../sinks/ladderDiff.js";
import type { LevelKey } from "../../sinks/orderStore.js";
import type { OrderState } from "../../streams/execution.js";

// ---- the oracle: diffLadder before the index-based rewrite, verbatim ---------------------------

function isLive(state: OrderState): boolean {
  return state === "resting" || state === "partially-filled";
}

function holdsLevel(state: OrderState): boolean {
  return state === "pending-new" || state === "pending-modify";
}

function oracle(current: readonly LadderOrder[], target: LadderTarget, thresholds: LadderThresholds = DEFAULT_LADDER_THRESHOLDS): LadderDiff {
  const scale = volatilityScale(thresholds, target.volBps);
  const skipBps = thresholds.skipPriceBps * scale;
  const modBps = thresholds.modifyPriceBps * scale;
  const keep: { cloid: string; level: LevelKey; reason: "unchanged" | "queue" }[] = [];
  const cancel: { cloid: string; oid: number | null }[] = [];
  const modify: { cloid: string; oid: number; target: TargetLevel }[] = [];
  const place: TargetLevel[] = [];
  const waiting: LevelKey[] = [];

  const held = new Set<LevelKey>();
  for (const o of current) if (holdsLevel(o.state) && o.level !== null) held.add(o.level);

  for (const isBuy of [true, false]) {
    const targets = target.levels.filter((t) => t.isBuy === isBuy && !isHeld(t, held, waiting));
    const orders = current.filter((o) => o.isBuy === isBuy && isLive(o.state));
    const tUsed = new Set<TargetLevel>();
    const oUsed = new Set<LadderOrder>();

    const match = (accept: (o: LadderOrder, t: TargetLevel, dBps: number) => boolean, onMatch: (o: LadderOrder, t: TargetLevel) => void) => {
      const pairs: { o: LadderOrder; t: TargetLevel; d: number; s: number }[] = [];
      for (const t of targets) {
        if (tUsed.has(t)) continue;
        for (const o of orders) {
          if (oUsed.has(o)) continue;
          const d = priceDiffBps(o.px, t.px);
          if (accept(o, t, d)) pairs.push({ o, t, d, s: sizeDiffPct(o.sz, t.sz) });
        }
      }
      pairs.sort((a, b) => a.d - b.d || a.s - b.s);
      for (const p of pairs) {
        if (tUsed.has(p.t) || oUsed.has(p.o)) continue;
        tUsed.add(p.t);
        oUsed.add(p.o);
        onMatch(p.o, p.t);
      }
    };

    match(
      (o, t, d) => d <= skipBps && sizeDiffPct(o.sz, t.sz) <= thresholds.skipSizePct,
      (o, t) => keep.push({ cloid: o.cloid, level: t.key, reason: "unchanged" }),
    );
    const q = thresholds.queue;
    const mid = target.mid;
    if (q && mid !== undefined && mid > 0) {
      const hyst = 1 + (q.hysteresis ?? 0.1);
      match(
        (o, t, d) => {
          if (o.queueAhead === undefined || d > modBps || sizeDiffPct(o.sz, t.sz) > thresholds.modifySizePct) return false;
          const kept = queueValue(o.isBuy, o.px, o.sz, o.queueAhead, mid, q.turnover);
          const fresh = queueValue(t.isBuy, t.px, t.sz, t.queueAhead ?? 0, mid, q.turnover);
          return kept > 0 && kept >= fresh * hyst;
        },
        (o, t) => keep.push({ cloid: o.cloid, level: t.key, reason: "queue" }),
      );
    }
    match(
      (o, t, d) => o.oid !== null && d <= modBps && sizeDiffPct(o.sz, t.sz) <= thresholds.modifySizePct,
      (o, t) => modify.push({ cloid: o.cloid, oid: o.oid as number, target: t }),
    );
    for (const t of targets) if (!tUsed.has(t)) place.push(t);
    for (const o of orders) if (!oUsed.has(o)) cancel.push({ cloid: o.cloid, oid: o.oid });
  }
  return { keep, cancel, modify, place, waiting };
}

function isHeld(t: TargetLevel, held: ReadonlySet<LevelKey>, waiting: LevelKey[]): boolean {
  if (!held.has(t.key)) return false;
  waiting.push(t.key);
  return true;
}

function volatilityScale(th: LadderThresholds, volBps: number | undefined): number {
  if (!th.volatility || volBps === undefined || !(th.volatility.refVolBps > 0)) return 1;
  return Math.min(Math.max(volBps / th.volatility.refVolBps, 1), th.volatility.maxScale ?? 4);
}

// ---- generators ---------------------------------------------------------------------------------

const STATES: OrderState[] = ["pending-new", "resting", "partially-filled", "pending-modify", "pending-cancel", "cancelled", "filled", "rejected", "cancel-raced"];

// prices 99.90 … 100.10 in 0.01 steps (1 bps apart), sizes from a few values: many exact ties
const px = fc.integer({ min: 9990, max: 10010 }).map((p) => p / 100);
const sz = fc.constantFrom(0.5, 0.9, 1, 1.05, 1.1, 1.5, 2);
const key = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 4 })).map(([b, i]) => `${b ? "bid" : "ask"}:${i}` as LevelKey);

const targetLevel = (degenerate: boolean) =>
  fc.record(
    {
      key,
      isBuy: fc.boolean(),
      px: degenerate ? fc.oneof(px, fc.constant(0)) : px,
      sz: degenerate ? fc.oneof(sz, fc.constant(0)) : sz,
      source: fc.constantFrom("base_ladder" as const, "spike_defense" as const),
      queueAhead: fc.double({ min: 0, max: 10, noNaN: true }),
    },
    { requiredKeys: ["key", "isBuy", "px", "sz", "source"] },
  );

const ladderOrder = (degenerate: boolean) =>
  fc.record(
    {
      cloid: fc.string({ minLength: 1, maxLength: 4 }),
      oid: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 1000 })),
      isBuy: fc.boolean(),
      px: degenerate ? fc.oneof(px, fc.constant(0)) : px,
      sz: degenerate ? fc.oneof(sz, fc.constant(0)) : sz,
      state: fc.constantFrom(...STATES),
      level: fc.oneof(fc.constant(null), key),
      queueAhead: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 10, noNaN: true })),
    },
    { requiredKeys: ["cloid", "oid", "isBuy", "px", "sz", "state", "level"] },
  );

const thresholds: fc.Arbitrary<LadderThresholds> = fc.record(
  {
    skipPriceBps: fc.constantFrom(0, 1, 2, 5, 20),
    skipSizePct: fc.constantFrom(0, 5, 10),
    modifyPriceBps: fc.constantFrom(0, 3, 5, 10, 50),
    modifySizePct: fc.constantFrom(0, 10, 50, 100),
    volatility: fc.record({ refVolBps: fc.constantFrom(0, 1, 2), maxScale: fc.constantFrom(1.5, 4) }, { requiredKeys: ["refVolBps"] }),
    queue: fc.record({ turnover: fc.constantFrom(0.5, 1, 5), hysteresis: fc.constantFrom(0, 0.1, 0.5) }, { requiredKeys: ["turnover"] }),
  },
  { requiredKeys: ["skipPriceBps", "skipSizePct", "modifyPriceBps", "modifySizePct"] },
);

const ladderTarget = (degenerate: boolean): fc.Arbitrary<LadderTarget> =>
  fc.record(
    {
      levels: fc.array(targetLevel(degenerate), { maxLength: 10 }),
      mid: fc.oneof(fc.constant(0), fc.constant(100), px),
      volBps: fc.constantFrom(0, 1, 3, 10),
    },
    { requiredKeys: ["levels"] },
  );

/** Where each place/modify target sits in the target's levels (the diff hands back the caller's own objects). */
function targetsOf(d: LadderDiff, target: LadderTarget): number[][] {
  return [d.place.map((t) => target.levels.indexOf(t)), d.modify.map((m) => target.levels.indexOf(m.target))];
}

describe("diffLadder ≡ the implementation it replaced", () => {
  for (const degenerate of [false, true]) {
    it(`gives the same diff, in the same order, on random ladders and orders${degenerate ? " (zero prices and sizes too)" : ""}`, () => {
      fc.assert(
        fc.property(fc.array(ladderOrder(degenerate), { maxLength: 12 }), ladderTarget(degenerate), fc.option(thresholds, { nil: undefined }), (current, target, th) => {
          const want = oracle(current, target, th);
          const got = diffLadder(current, target, th);
          expect(got).toStrictEqual(want);
          expect(targetsOf(got, target)).toStrictEqual(targetsOf(want, target));
        }),
        { numRuns: 3000, seed: 19 },
      );
    });
  }

  it("gives the same diff for the typical ladder: five levels a side, orders a tick or two away", () => {
    const nearLevel = (isBuy: boolean, i: number) => fc.record({ dPx: fc.integer({ min: -2, max: 2 }), sz }).map(({ dPx, sz: s }): TargetLevel => ({ key: `${isBuy ? "bid" : "ask"}:${i}`, isBuy, px: (isBuy ? 9995 - i + dPx : 10005 + i + dPx) / 100, sz: s, source: "base_ladder" }));
    const levels = fc.tuple(...[0, 1, 2, 3, 4].map((i) => nearLevel(true, i)), ...[0, 1, 2, 3, 4].map((i) => nearLevel(false, i)));
    fc.assert(
      fc.property(levels, fc.array(ladderOrder(false), { maxLength: 12 }), (ls, current) => {
        const target: LadderTarget = { levels: ls, mid: 100 };
        expect(diffLadder(current, target)).toStrictEqual(oracle(current, target));
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it("follows the sort where its comparator answers NaN (zero sizes in the queue pass)", () => {
    // three candidate pairs at 0 bps, found in this order: (bid:0, o) 40% off in size, (bid:1, z)
    // with both sizes 0 (size distance NaN, which the sort reads as "equal" to anything), (bid:2, o)
    // 20% off. The sort sees no inversion, so o goes to bid:0; the smallest-pair scan (the finite
    // case) would have given o to bid:2.
    const lv = (i: number, sz: number): TargetLevel => ({ key: `bid:${i}`, isBuy: true, px: 99.99, sz, source: "base_ladder", queueAhead: 0 });
    const t: LadderTarget = { levels: [lv(0, 1 / 1.4), lv(1, 0), lv(2, 1 / 1.2)], mid: 100 };
    const o = (cloid: string, sz: number): LadderOrder => ({ cloid, oid: 1, isBuy: true, px: 99.99, sz, state: "resting", level: null, queueAhead: 0 });
    const current = [o("o", 1), o("z", 0)];
    const th: LadderThresholds = { skipPriceBps: 0, skipSizePct: 0, modifyPriceBps: 5, modifySizePct: 50, queue: { turnover: 5, hysteresis: 0 } };
    const want = oracle(current, t, th);
    expect(want.keep).toStrictEqual([
      { cloid: "o", level: "bid:0", reason: "queue" },
      { cloid: "z", level: "bid:1", reason: "queue" },
    ]);
    expect(diffLadder(current, t, th)).toStrictEqual(want);
  });

  it("leaves nothing behind between calls (a large call, then a small one)", () => {
    const big: LadderOrder[] = Array.from({ length: 40 }, (_, i) => ({ cloid: `c${i}`, oid: i + 1, isBuy: i % 2 === 0, px: 100 + (i % 5) / 100, sz: 1, state: "resting", level: null }));
    const bigTarget: LadderTarget = { levels: Array.from({ length: 30 }, (_, i): TargetLevel => ({ key: `${i % 2 === 0 ? "bid" : "ask"}:${i}`, isBuy: i % 2 === 0, px: 100 + (i % 7) / 100, sz: 1, source: "base_ladder" })) };
    expect(diffLadder(big, bigTarget)).toStrictEqual(oracle(big, bigTarget));
    const small: LadderOrder[] = [{ cloid: "x", oid: 9, isBuy: true, px: 100, sz: 1, state: "resting", level: "bid:0" }];
    const smallTarget: LadderTarget = { levels: [{ key: "bid:0", isBuy: true, px: 100.5, sz: 1, source: "base_ladder" }] };
    expect(diffLadder(small, smallTarget)).toStrictEqual(oracle(small, smallTarget));
  });

  it("gives the same diff written into one reused buffer, call after call (longer answers, then shorter)", () => {
    const buffer = new LadderDiffBuffer();
    const plain = (d: LadderDiff): LadderDiff => ({
      keep: d.keep.map((k) => ({ ...k })),
      cancel: d.cancel.map((c) => ({ ...c })),
      modify: d.modify.map((m) => ({ ...m })),
      place: [...d.place],
      waiting: [...d.waiting],
    });
    const call = fc.tuple(fc.array(ladderOrder(false), { maxLength: 12 }), ladderTarget(false), fc.option(thresholds, { nil: undefined }));
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 6 }), (calls) => {
        for (const [current, target, th] of calls) {
          const want = oracle(current, target, th);
          const got = diffLadder(current, target, th, buffer);
          expect(got).toBe(buffer);
          expect(plain(got)).toStrictEqual(want);
          expect(targetsOf(got, target)).toStrictEqual(targetsOf(want, target));
        }
      }),
      { numRuns: 1000, seed: 23 },
    );
  });
});
