import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { simBehindShare, simQueueAfterDepthChange } from "../../sim/index.js";

const qty = fc.double({ min: 0, max: 1000, noNaN: true });

describe("queue model (hftbacktest ProbQueueModel, expected value)", () => {
  it("never moves us back, never below zero, never beyond the displayed size", () => {
    fc.assert(
      fc.property(qty, qty, qty, qty, (a, b, c, traded) => {
        const prev = Math.max(a, b);
        const front = Math.min(a, b);
        const next = simQueueAfterDepthChange(front, prev, c, traded);
        expect(next).toBeGreaterThanOrEqual(0);
        expect(next).toBeLessThanOrEqual(front + 1e-9);
        expect(next).toBeLessThanOrEqual(c + 1e-9);
      }),
    );
  });

  it("attributes more of a cancel to the front when we are near the back of the queue", () => {
    // same level (10), same cancel (4): at the back (front 9) we gain more than at the front (front 1)
    const nearBack = 9 - simQueueAfterDepthChange(9, 10, 6, 0);
    const nearFront = 1 - simQueueAfterDepthChange(1, 10, 6, 0);
    expect(nearBack).toBeGreaterThan(nearFront);
    expect(simBehindShare(0, 10)).toBe(1);
    expect(simBehindShare(10, 0)).toBe(0);
  });

  it("does not count a drop already explained by trades at the level as cancels", () => {
    expect(simQueueAfterDepthChange(3, 10, 7, 3)).toBe(3);
  });

  it("with nobody behind us, every cancel was ahead", () => {
    expect(simQueueAfterDepthChange(10, 10, 2, 0)).toBe(2);
  });
});

describe("bounded memory helpers", () => {
  it("SimRecentSet forgets the oldest beyond its capacity", async () => {
    const { SimRecentSet } = await import("../../sim/index.js");
    const s = new SimRecentSet<number>(3);
    [1, 2, 3, 4].forEach((v) => s.add(v));
    expect([1, 2, 3, 4].map((v) => s.has(v))).toEqual([false, true, true, true]);
    s.add(5);
    expect(s.has(2)).toBe(false);
    expect(s.size).toBe(3);
  });

  it("simTrimMap drops the oldest entries down to 90 % of the cap", async () => {
    const { simTrimMap } = await import("../../sim/index.js");
    const m = new Map<number, number>();
    for (let i = 0; i < 11; i++) m.set(i, i);
    simTrimMap(m, 10);
    expect([...m.keys()]).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("SimRecentByTime forgets a value once its time is older than the horizon, whatever the count", async () => {
    const { SimRecentByTime } = await import("../../sim/index.js");
    const s = new SimRecentByTime<number>(1_000);
    s.add(1, 0);
    s.add(2, 500);
    s.add(1, 900); // already known: keeps its first time
    expect([s.has(1), s.has(2), s.size]).toEqual([true, true, 2]);
    s.add(3, 1_200); // 1 (time 0) is now older than 1200 − 1000
    expect([s.has(1), s.has(2), s.has(3), s.size]).toEqual([false, true, true, 2]);
    for (let t = 0; t < 5_000; t++) s.add(10_000 + t, 2_000 + t); // compaction of the queue on the way
    expect(s.size).toBe(1_001);
    expect([s.has(10_000 + 3_998), s.has(10_000 + 3_999), s.has(10_000 + 4_999), s.has(2)]).toEqual([false, true, true, false]);
  });

  it("simExpireTimes drops the entries older than the cutoff, from the front", async () => {
    const { simExpireTimes } = await import("../../sim/index.js");
    const m = new Map<string, number>([["a", 1], ["b", 5], ["c", 9]]);
    simExpireTimes(m, 5);
    expect([...m.keys()]).toEqual(["b", "c"]);
    simExpireTimes(m, 100);
    expect(m.size).toBe(0);
  });
});
