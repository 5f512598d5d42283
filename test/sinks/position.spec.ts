import { describe, expect, it } from "vitest";
import { from, toArray, firstValueFrom } from "rxjs";
import { PnlBook, PositionBook } from "../../sinks/position.js";
import { KillSwitch } from "../../sinks/killSwitch.js";
import { FILL_CONSUMER_KEYS, fanOutFill } from "../../sinks/fills.js";
import { dedupedSessionFills } from "../../app/service.js";
import type { FillConsumers } from "../../sinks/fills.js";
import type { AccountSnapshot } from "../../streams/orders.js";
import { fill } from "./helpers.js";

const snap = (time: number, szi: number): AccountSnapshot => ({ time, accountValue: 0, positions: [{ asset: "BTC", szi, entryPx: 100, unrealizedPnl: 0 }], openOrders: [] });

describe("PositionBook", () => {
  it("adopts the venue's position and reports the drift with sizes", () => {
    const p = new PositionBook();
    p.applyFill(fill({ tid: 1, oid: 1, size: 1, time: 10 }));
    expect(p.adopt(snap(20, 1.5))).toEqual([{ asset: "BTC", ours: 1, venue: 1.5, drift: 0.5, time: 20 }]);
    expect(p.position("BTC")).toBe(1.5);
    expect(p.adopt(snap(30, 1.5))).toEqual([]);
  });

  it("does not count twice a fill the snapshot already contained (in flight when it was taken)", () => {
    const p = new PositionBook();
    // the venue filled us at t=15 and took the snapshot at t=20; our fill arrives at t=25
    expect(p.adopt(snap(20, 1))).toHaveLength(1);
    expect(p.applyFill(fill({ tid: 1, oid: 1, size: 1, time: 15 }))).toBe(false);
    expect(p.position("BTC")).toBe(1);
  });

  it("does not lose a fill applied before an older snapshot arrived", () => {
    const p = new PositionBook();
    // snapshot taken at t=20 (position 0) arrives after we applied a fill of t=22
    expect(p.applyFill(fill({ tid: 1, oid: 1, size: 1, time: 22, isBuy: false }))).toBe(true);
    expect(p.adopt(snap(20, 0))).toEqual([]);
    expect(p.position("BTC")).toBe(-1);
  });

  describe("fills stamped in the snapshot's millisecond (startPosition decides the side)", () => {
    it("counts a fill the venue made after answering in the same millisecond", () => {
      const p = new PositionBook();
      expect(p.adopt(snap(20, 1))).toHaveLength(1);
      // venue: position 1 at the snapshot, then (still t=20) a sell of 0.5 starting from 1
      expect(p.applyFill(fill({ tid: 1, oid: 1, size: 0.5, time: 20, isBuy: false, startPosition: 1 }))).toBe(true);
      expect(p.position("BTC")).toBe(0.5);
      expect(p.adopt(snap(23, 0.5))).toEqual([]);
    });

    it("does not count twice a fill of that millisecond the snapshot already holds", () => {
      const p = new PositionBook();
      p.adopt(snap(20, 1));
      // venue: a buy of 0.5 from 0.5 to 1 at t=20, then the snapshot (1)
      expect(p.applyFill(fill({ tid: 1, oid: 1, size: 0.5, time: 20, startPosition: 0.5 }))).toBe(false);
      expect(p.position("BTC")).toBe(1);
      expect(p.adopt(snap(23, 1))).toEqual([]);
    });

    it("places fills of that millisecond whatever order they arrive in", () => {
      const p = new PositionBook();
      p.adopt(snap(20, 0));
      // venue at t=20: snapshot (0), buy 1 (0 → 1), buy 2 (1 → 3); the second reaches us first
      expect(p.applyFill(fill({ tid: 2, oid: 1, size: 2, time: 20, startPosition: 1 }))).toBe(false); // chain not yet complete
      expect(p.position("BTC")).toBe(0);
      expect(p.applyFill(fill({ tid: 1, oid: 1, size: 1, time: 20, startPosition: 0 }))).toBe(true);
      expect(p.position("BTC")).toBe(3);
      expect(p.adopt(snap(21, 3))).toEqual([]);
    });

    it("splits the millisecond's fills on both sides of the snapshot", () => {
      const p = new PositionBook();
      // venue at t=20: buy 1 (0 → 1), snapshot (1), buy 2 (1 → 3); we receive the first before the snapshot
      p.applyFill(fill({ tid: 1, oid: 1, size: 1, time: 20, startPosition: 0 }));
      expect(p.adopt(snap(20, 1))).toEqual([]);
      expect(p.applyFill(fill({ tid: 2, oid: 1, size: 2, time: 20, startPosition: 1 }))).toBe(true);
      expect(p.position("BTC")).toBe(3);
      // a second snapshot in the same millisecond, after both
      expect(p.adopt(snap(20, 3))).toEqual([]);
      expect(p.position("BTC")).toBe(3);
    });

    it("without a startPosition takes the fill as inside the snapshot", () => {
      const p = new PositionBook();
      p.adopt(snap(20, 1));
      expect(p.applyFill(fill({ tid: 1, oid: 1, size: 1, time: 20 }))).toBe(false);
      expect(p.position("BTC")).toBe(1);
    });
  });

  it("ignores a snapshot older than the one adopted", () => {
    const p = new PositionBook();
    p.adopt(snap(20, 1));
    p.applyFill(fill({ tid: 1, oid: 1, size: 1, time: 22 }));
    expect(p.adopt(snap(18, 0))).toEqual([]);
    expect(p.position("BTC")).toBe(2);
  });

  it("treats an asset missing from the snapshot as flat", () => {
    const p = new PositionBook();
    p.applyFill(fill({ tid: 1, oid: 1, size: 2, time: 1, asset: "ETH" }));
    const d = p.adopt({ time: 5, accountValue: 0, positions: [], openOrders: [] });
    expect(d).toEqual([{ asset: "ETH", ours: 2, venue: 0, drift: -2, time: 5 }]);
    expect(p.position("ETH")).toBe(0);
  });
});

describe("PnlBook", () => {
  it("realises PnL on average cost and subtracts fees", () => {
    const b = new PnlBook();
    b.applyFill(fill({ tid: 1, oid: 1, size: 1, price: 100, fee: 0.1 }));
    b.applyFill(fill({ tid: 2, oid: 1, size: 1, price: 110, fee: 0.1 }));
    b.applyFill(fill({ tid: 3, oid: 2, size: 1, price: 120, isBuy: false, fee: 0.1 }));
    expect(b.get("BTC")).toMatchObject({ position: 1, avgEntry: 105, realized: 15 });
    expect(b.total("BTC", 100)).toBeCloseTo(15 - 0.3 - 5);
    b.applyFill(fill({ tid: 4, oid: 2, size: 2, price: 100, isBuy: false }));
    expect(b.get("BTC")).toMatchObject({ position: -1, avgEntry: 100, realized: 10 });
  });
});

describe("KillSwitch", () => {
  it("records the first trigger, lists later ones, and clears only explicitly", () => {
    const k = new KillSwitch(0);
    const states = new Set<unknown>([k.state]);
    expect(k.trip("MaxLoss", "PnL −120 < −100", 5, "BTC")).toBe(true);
    states.add(k.state);
    expect(k.trip("StaleData", "feed silent 60 s", 6)).toBe(false);
    states.add(k.state);
    expect(k.state).toMatchObject({ active: true, trip: { trigger: "MaxLoss", asset: "BTC" }, alsoTriggered: [{ trigger: "StaleData" }] });
    expect(k.gateReason()).toEqual({ kind: "KillSwitch", trigger: "MaxLoss", detail: "PnL −120 < −100" });
    expect(k.clear(10)).toBe(true);
    states.add(k.state);
    expect(k.state).toMatchObject({ active: false, clearedTrip: { trigger: "MaxLoss" } });
    expect(k.clear(11)).toBe(false);
    states.add(k.state);
    // four distinct states: initial, tripped, tripped + also, cleared (a refused clear changes nothing)
    expect(states.size).toBe(4);
  });
});

describe("fill processing", () => {
  it("dedupes a snapshot replay by (asset, tid) before the sink", async () => {
    const a = fill({ tid: 1, oid: 5 });
    const b = fill({ tid: 2, oid: 5 });
    const eth = fill({ tid: 1, oid: 6, asset: "ETH" });
    const batches = from([
      { isSnapshot: false, fills: [a] },
      { isSnapshot: false, fills: [b, eth] },
      { isSnapshot: true, fills: [a, b, eth] },
    ]);
    // the one dedup pass, as the service composes it in front of the sink (fills of the session; here all)
    const out = await firstValueFrom(dedupedSessionFills(batches, -Infinity).pipe(toArray()));
    const fills = out.map((f) => `${f.asset}:${f.tid}`);
    expect(fills).toEqual(["BTC:1", "BTC:2", "ETH:1"]);
  });

  it("calls every consumer once per fill, the order record first", () => {
    const calls: string[] = [];
    const consumers = Object.fromEntries(FILL_CONSUMER_KEYS.map((k) => [k, () => calls.push(k)])) as unknown as FillConsumers;
    fanOutFill(consumers, { kind: "fill", flag: "matched", cloid: null, stateBefore: null, fill: { ...fill({ tid: 1, oid: 1 }), midAtFill: 1, placementPrice: 1, midAtPlacement: 1, quotedHalfSpreadBps: 0, source: "base_ladder" } });
    expect(calls).toEqual(["orders", "position", "pnl", "markouts", "metrics", "quota"]);
  });
});
