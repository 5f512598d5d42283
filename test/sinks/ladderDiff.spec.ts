import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  DEFAULT_LADDER_THRESHOLDS,
  diffLadder,
  planBatches,
  priceDiffBps,
  queueValue,
  sizeDiffPct,
  targetFromIntent,
} from "../../sinks/ladderDiff.js";
import type { LadderDiff, LadderOrder, LadderTarget, TargetLevel } from "../../sinks/ladderDiff.js";
import type { LevelKey } from "../../sinks/orderStore.js";
import type { OrderState } from "../../streams/execution.js";
import type { OrderSpec } from "../../streams/actions.js";

const STATES: OrderState[] = [
  "pending-new",
  "resting",
  "partially-filled",
  "pending-modify",
  "pending-cancel",
  "cancelled",
  "filled",
  "rejected",
  "cancel-raced",
];

function order(over: Partial<LadderOrder> & { cloid: string; px: number }): LadderOrder {
  return { oid: 1, isBuy: true, sz: 1, state: "resting", level: "bid:0", ...over };
}
function level(key: LevelKey, px: number, sz = 1): TargetLevel {
  return { key, isBuy: key.startsWith("bid"), px, sz, source: "base_ladder" };
}

describe("diffLadder thresholds", () => {
  // the order varies; the target is 100 × 1 (differences are relative to the target)
  const at = (px: number, sz = 1) => diffLadder([order({ cloid: "a", px, sz })], { levels: [level("bid:0", 100, 1)] });

  it("leaves an order within 20 bps and 10% alone", () => {
    const d = at(100.19, 1.09);
    expect(at(99.81, 0.91).keep).toHaveLength(1);
    expect(d).toMatchObject({ keep: [{ cloid: "a", level: "bid:0", reason: "unchanged" }], cancel: [], modify: [], place: [] });
  });

  it("modifies beyond 20 bps up to 50 bps and 50%", () => {
    expect(at(100.21).modify).toHaveLength(1);
    expect(at(100.5).modify).toHaveLength(1);
    expect(at(99.5).modify).toHaveLength(1);
    expect(at(100, 1.11).modify).toHaveLength(1);
    expect(at(100, 1.5).modify).toHaveLength(1);
    expect(at(100, 0.5).modify).toHaveLength(1);
  });

  it("cancels and places beyond 50 bps or 50%", () => {
    for (const d of [at(100.51), at(99.49), at(100, 1.51), at(100, 0.49)]) {
      expect(d.modify).toHaveLength(0);
      expect(d.cancel).toEqual([{ cloid: "a", oid: 1 }]);
      expect(d.place).toHaveLength(1);
    }
  });

  it("re-uses a resting order for the level whose price it already has (a shifted ladder)", () => {
    const current = [order({ cloid: "a", px: 100, level: "bid:0" }), order({ cloid: "b", px: 99, level: "bid:1", oid: 2 })];
    const d = diffLadder(current, { levels: [level("bid:0", 99), level("bid:1", 98)] }, { ...DEFAULT_LADDER_THRESHOLDS, modifyPriceBps: 50 });
    expect(d.keep).toEqual([{ cloid: "b", level: "bid:0", reason: "unchanged" }]);
    expect(d.cancel).toEqual([{ cloid: "a", oid: 1 }]);
    expect(d.place.map((t) => t.key)).toEqual(["bid:1"]);
  });

  it("scales the bps thresholds with volatility when configured", () => {
    const th = { ...DEFAULT_LADDER_THRESHOLDS, volatility: { refVolBps: 5, maxScale: 3 } };
    const t = (volBps: number): LadderTarget => ({ levels: [level("bid:0", 100.3)], volBps });
    expect(diffLadder([order({ cloid: "a", px: 100 })], t(5), th).modify).toHaveLength(1);
    expect(diffLadder([order({ cloid: "a", px: 100 })], t(10), th).keep).toHaveLength(1);
    expect(diffLadder([order({ cloid: "a", px: 100 })], t(100), th).keep).toHaveLength(1);
  });

  it("does nothing for a level held by a pending order and never touches pending orders", () => {
    const current = [
      order({ cloid: "p", px: 90, state: "pending-new", oid: null, level: "bid:0" }),
      order({ cloid: "c", px: 100, state: "pending-cancel", oid: 3, level: "bid:1" }),
    ];
    const d = diffLadder(current, { levels: [level("bid:0", 100), level("bid:1", 99)] });
    expect(d.waiting).toEqual(["bid:0"]);
    expect(d.cancel).toEqual([]);
    expect(d.modify).toEqual([]);
    expect(d.place.map((t) => t.key)).toEqual(["bid:1"]);
  });
});

describe("queue-aware keeping", () => {
  it("documents the estimate: value = min(1, turnover / (ahead + sz)) × edge", () => {
    expect(queueValue(true, 99, 1, 1, 100, 4)).toBeCloseTo(100);
    expect(queueValue(true, 99, 1, 9, 100, 4)).toBeCloseTo(40);
    expect(queueValue(false, 101, 1, 0, 100, 0.5)).toBeCloseTo(50);
  });

  it("keeps an order near the front of the queue instead of moving it to a slightly better price", () => {
    const th = { ...DEFAULT_LADDER_THRESHOLDS, queue: { turnover: 2 } };
    const front = order({ cloid: "a", px: 99.7, queueAhead: 0 });
    const target: LadderTarget = { levels: [{ ...level("bid:0", 99.4), queueAhead: 20 }], mid: 100 };
    expect(diffLadder([front], target, th).keep).toEqual([{ cloid: "a", level: "bid:0", reason: "queue" }]);
    const back = order({ cloid: "a", px: 99.7, queueAhead: 50 });
    expect(diffLadder([back], { levels: [{ ...level("bid:0", 99.4), queueAhead: 0 }], mid: 100 }, th).modify).toHaveLength(1);
  });

  it("does not keep an order past the mid however good its queue", () => {
    const th = { ...DEFAULT_LADDER_THRESHOLDS, queue: { turnover: 2 } };
    const d = diffLadder([order({ cloid: "a", px: 100.3, queueAhead: 0 })], { levels: [level("bid:0", 99.9)], mid: 100 }, th);
    expect(d.keep).toEqual([]);
  });
});

// ---- properties ---------------------------------------------------------------------------------

const arbTarget: fc.Arbitrary<LadderTarget> = fc
  .record({
    bids: fc.array(fc.record({ gap: fc.double({ min: 0.01, max: 1, noNaN: true }), sz: fc.double({ min: 0.1, max: 2, noNaN: true }) }), { maxLength: 4 }),
    asks: fc.array(fc.record({ gap: fc.double({ min: 0.01, max: 1, noNaN: true }), sz: fc.double({ min: 0.1, max: 2, noNaN: true }) }), { maxLength: 4 }),
  })
  .map(({ bids, asks }) => {
    const levels: TargetLevel[] = [];
    let px = 100;
    bids.forEach((b, i) => {
      px -= b.gap;
      levels.push(level(`bid:${i}`, px, b.sz));
    });
    px = 100;
    asks.forEach((a, i) => {
      px += a.gap;
      levels.push(level(`ask:${i}`, px, a.sz));
    });
    return { levels };
  });

const arbCurrent: fc.Arbitrary<LadderOrder[]> = fc
  .array(
    fc.record({
      isBuy: fc.boolean(),
      px: fc.double({ min: 97, max: 103, noNaN: true }),
      sz: fc.double({ min: 0.05, max: 3, noNaN: true }),
      state: fc.constantFrom(...STATES),
      levelIdx: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }),
    }),
    { maxLength: 10 },
  )
  .map((raw) => {
    const heldKeys = new Set<string>();
    const out: LadderOrder[] = [];
    raw.forEach((r, i) => {
      let lvl: LevelKey | null = r.levelIdx === null ? null : `${r.isBuy ? "bid" : "ask"}:${r.levelIdx}`;
      // a valid store never has two pending orders holding one level
      if ((r.state === "pending-new" || r.state === "pending-modify") && lvl !== null) {
        if (heldKeys.has(lvl)) lvl = null;
        else heldKeys.add(lvl);
      }
      out.push({
        cloid: `c${i}`,
        oid: r.state === "pending-new" ? null : 1000 + i,
        isBuy: r.isBuy,
        px: r.px,
        sz: r.sz,
        state: r.state,
        level: lvl,
      });
    });
    return out;
  });

/** The live orders after applying the diff, each with the level it serves. */
function apply(current: readonly LadderOrder[], d: LadderDiff) {
  const live: { cloid: string; px: number; sz: number; level: LevelKey | null; pending: boolean }[] = [];
  const cancelled = new Set(d.cancel.map((c) => c.cloid));
  const kept = new Map(d.keep.map((k) => [k.cloid, k.level] as const));
  const modified = new Map(d.modify.map((m) => [m.cloid, m.target] as const));
  for (const o of current) {
    if (o.state === "pending-new" || o.state === "pending-modify") {
      live.push({ cloid: o.cloid, px: o.px, sz: o.sz, level: o.level, pending: true });
      continue;
    }
    if (o.state !== "resting" && o.state !== "partially-filled") continue;
    if (cancelled.has(o.cloid)) continue;
    const m = modified.get(o.cloid);
    if (m) live.push({ cloid: o.cloid, px: m.px, sz: m.sz, level: m.key, pending: false });
    else live.push({ cloid: o.cloid, px: o.px, sz: o.sz, level: kept.get(o.cloid) ?? null, pending: false });
  }
  d.place.forEach((t, i) => live.push({ cloid: `new${i}`, px: t.px, sz: t.sz, level: t.key, pending: false }));
  return live;
}

describe("diffLadder properties", () => {
  it("applying the actions yields the target within tolerance (every free level exactly one order, nothing else)", () => {
    fc.assert(
      fc.property(arbCurrent, arbTarget, (current, target) => {
        const d = diffLadder(current, target);
        const live = apply(current, d).filter((o) => !o.pending);
        const held = new Set(current.filter((o) => o.state === "pending-new" || o.state === "pending-modify").map((o) => o.level));
        const free = target.levels.filter((t) => !held.has(t.key));
        expect(live).toHaveLength(free.length);
        for (const t of free) {
          const serving = live.filter((o) => o.level === t.key);
          expect(serving).toHaveLength(1);
          expect(priceDiffBps(serving[0]!.px, t.px)).toBeLessThanOrEqual(DEFAULT_LADDER_THRESHOLDS.skipPriceBps + 1e-9);
          expect(sizeDiffPct(serving[0]!.sz, t.sz)).toBeLessThanOrEqual(DEFAULT_LADDER_THRESHOLDS.skipSizePct + 1e-9);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("takes no action for an order that is already pending (or gone)", () => {
    fc.assert(
      fc.property(arbCurrent, arbTarget, (current, target) => {
        const d = diffLadder(current, target);
        const touched = [...d.cancel.map((c) => c.cloid), ...d.modify.map((m) => m.cloid), ...d.keep.map((k) => k.cloid)];
        for (const cloid of touched) {
          const o = current.find((x) => x.cloid === cloid)!;
          expect(["resting", "partially-filled"]).toContain(o.state);
        }
        expect(new Set(touched).size).toBe(touched.length);
      }),
      { numRuns: 500 },
    );
  });

  it("never leaves two live orders serving one intent level", () => {
    fc.assert(
      fc.property(arbCurrent, arbTarget, (current, target) => {
        const d = diffLadder(current, target);
        const labels = apply(current, d)
          .map((o) => o.level)
          .filter((l): l is LevelKey => l !== null && target.levels.some((t) => t.key === l));
        expect(new Set(labels).size).toBe(labels.length);
      }),
      { numRuns: 500 },
    );
  });

  it("is idempotent: once actions are pending, the same target yields no new action", () => {
    fc.assert(
      fc.property(arbCurrent, arbTarget, (current, target) => {
        const d = diffLadder(current, target);
        const cancelled = new Set(d.cancel.map((c) => c.cloid));
        const modified = new Map(d.modify.map((m) => [m.cloid, m.target] as const));
        const kept = new Map(d.keep.map((k) => [k.cloid, k.level] as const));
        const next: LadderOrder[] = current.map((o) => {
          if (cancelled.has(o.cloid)) return { ...o, state: "pending-cancel" };
          const m = modified.get(o.cloid);
          if (m) return { ...o, state: "pending-modify", level: m.key };
          const k = kept.get(o.cloid);
          return k ? { ...o, level: k } : o;
        });
        d.place.forEach((t, i) => next.push({ cloid: `n${i}`, oid: null, isBuy: t.isBuy, px: t.px, sz: t.sz, state: "pending-new", level: t.key }));
        const again = diffLadder(next, target);
        expect(again.cancel).toEqual([]);
        expect(again.modify).toEqual([]);
        expect(again.place).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe("planBatches", () => {
  const o = (i: number, tif: OrderSpec["tif"] = "Alo"): OrderSpec => ({ asset: "BTC", isBuy: true, px: 100 - i, sz: 1, tif, reduceOnly: false, cloid: `0x${i}` });

  it("sends cancels first, then modifies, then ALO placements, never mixed, within the batch size", () => {
    const batches = planBatches(
      {
        cancels: Array.from({ length: 5 }, (_, i) => ({ asset: "BTC", oid: i })),
        cancelsByCloid: [{ asset: "BTC", cloid: "0xabc" }],
        modifies: [{ oid: 9, order: o(9) }],
        places: [o(1), o(2, "Gtc"), o(3), o(4)],
      },
      { maxBatchSize: 2 },
    );
    expect(batches.map((b) => b.type)).toEqual(["cancel", "cancel", "cancel", "cancelByCloid", "batchModify", "order", "order", "order"]);
    const orders = batches.filter((b) => b.type === "order");
    expect(orders).toEqual([
      { type: "order", orders: [o(1), o(3)] },
      { type: "order", orders: [o(4)] },
      { type: "order", orders: [o(2, "Gtc")] },
    ]);
  });

  it("puts non-ALO placements in their own batch after the ALO ones", () => {
    const batches = planBatches({ cancels: [], cancelsByCloid: [], modifies: [], places: [o(1, "Gtc"), o(2)] });
    expect(batches).toEqual([
      { type: "order", orders: [o(2)] },
      { type: "order", orders: [o(1, "Gtc")] },
    ]);
  });

  it("keeps every batch at IP weight 1 by default (≤ 39 elements)", () => {
    const batches = planBatches({ cancels: Array.from({ length: 100 }, (_, i) => ({ asset: "BTC", oid: i })), cancelsByCloid: [], modifies: [], places: [] });
    expect(batches.map((b) => (b.type === "cancel" ? b.cancels.length : 0))).toEqual([39, 39, 22]);
  });
});

describe("targetFromIntent", () => {
  it("labels levels bid:i / ask:i best first", () => {
    const t = targetFromIntent(
      { asset: "BTC", time: 0, bids: [{ px: 99, sz: 1, source: "base_ladder" }], asks: [{ px: 101, sz: 2, source: "recovery" }] },
      { mid: 100 },
    );
    expect(t.levels.map((l) => l.key)).toEqual(["bid:0", "ask:0"]);
    expect(t.mid).toBe(100);
  });
});
