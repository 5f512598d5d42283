// Cross-asset batch packing: kinds never mixed, size limits, every element exactly once, each
// asset's order kept — as properties over random step outputs, and a few worked examples.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_BATCH_SIZE, packBatches, packKindOf } from "../../sinks/batchPacking.js";
import type { ActionBatch } from "../../streams/actions.js";
import { batchLength, batchWeight } from "../../streams/actions.js";
import { spec } from "./helpers.js";

type El = { readonly batch: number; readonly key: string; readonly asset: string; readonly kind: string };

/** Every element of a sequence of batches, with an identity key, its asset and its pack kind. */
function elements(batches: readonly ActionBatch[]): El[] {
  const out: El[] = [];
  batches.forEach((b, i) => {
    switch (b.type) {
      case "order":
        for (const o of b.orders) out.push({ batch: i, key: `o:${o.cloid}`, asset: o.asset, kind: o.tif === "Alo" ? "alo" : "other" });
        return;
      case "batchModify":
        for (const m of b.modifies) out.push({ batch: i, key: `m:${m.order.cloid}`, asset: m.order.asset, kind: "modify" });
        return;
      case "cancel":
        for (const c of b.cancels) out.push({ batch: i, key: `c:${c.oid}`, asset: c.asset, kind: "cancel" });
        return;
      case "cancelByCloid":
        for (const c of b.cancels) out.push({ batch: i, key: `k:${c.cloid}`, asset: c.asset, kind: "cancelByCloid" });
        return;
      case "scheduleCancel":
        out.push({ batch: i, key: `s:${String(b.time)}`, asset: "", kind: "schedule" });
    }
  });
  return out;
}

const ASSETS = ["BTC", "ETH", "SOL", "HYPE", "DOGE"];

/** A random step output: per-asset batches of one kind, 1–45 elements each, unique ids. */
const arbBatches = fc
  .array(
    fc.record({
      kind: fc.constantFrom("alo", "gtc", "modify", "cancel", "cancelByCloid", "schedule"),
      asset: fc.constantFrom(...ASSETS),
      n: fc.integer({ min: 1, max: 45 }),
    }),
    { maxLength: 30 },
  )
  .map((raw) => {
    let id = 0;
    return raw.map(({ kind, asset, n }): ActionBatch => {
      const ids = Array.from({ length: n }, () => ++id);
      switch (kind) {
        case "alo":
          return { type: "order", orders: ids.map((i) => spec(i, { asset })) };
        case "gtc":
          return { type: "order", orders: ids.map((i) => spec(i, { asset, tif: "Gtc" })) };
        case "modify":
          return { type: "batchModify", modifies: ids.map((i) => ({ oid: i, order: spec(i, { asset }) })) };
        case "cancel":
          return { type: "cancel", cancels: ids.map((i) => ({ asset, oid: i })) };
        case "cancelByCloid":
          return { type: "cancelByCloid", cancels: ids.map((i) => ({ asset, cloid: spec(i).cloid })) };
        default:
          return { type: "scheduleCancel", time: ++id };
      }
    });
  })
  // per-asset batches of one ALO/GTC kind, as the ladder step plans them
  .filter((bs) => bs.every((b) => b.type !== "order" || new Set(b.orders.map((o) => o.tif === "Alo")).size === 1));

describe("packBatches", () => {
  it("never mixes kinds, keeps every request within the size limit, and carries every element exactly once", () => {
    fc.assert(
      fc.property(arbBatches, fc.integer({ min: 1, max: 80 }), (batches, max) => {
        const packed = packBatches(batches, { maxBatchSize: max });
        for (const b of packed) {
          const kinds = new Set(elements([b]).map((e) => e.kind));
          expect(kinds.size).toBe(1);
          if (b.type !== "scheduleCancel") expect(batchLength(b)).toBeLessThanOrEqual(max);
          expect(batchLength(b)).toBeGreaterThan(0);
        }
        const before = elements(batches).map((e) => e.key).sort();
        const after = elements(packed).map((e) => e.key).sort();
        expect(after).toEqual(before);
      }),
    );
  });

  it("keeps each asset's elements in their order across requests (a cancel never overtakes its own asset's placement)", () => {
    fc.assert(
      fc.property(arbBatches, fc.integer({ min: 1, max: 80 }), (batches, max) => {
        const packed = packBatches(batches, { maxBatchSize: max });
        const flatOrder = elements(packed);
        for (const asset of ASSETS) {
          const before = elements(batches).filter((e) => e.asset === asset).map((e) => e.key);
          const after = flatOrder.filter((e) => e.asset === asset).map((e) => e.key);
          expect(after).toEqual(before);
        }
      }),
    );
  });

  it("never sends more requests, nor more IP weight, than the per-asset batches it packs", () => {
    fc.assert(
      fc.property(arbBatches, (batches) => {
        const split = batches.flatMap((b) => packBatches([b]));
        const packed = packBatches(batches);
        expect(packed.length).toBeLessThanOrEqual(split.length);
        const w = (bs: ActionBatch[]) => bs.reduce((t, b) => t + batchWeight(b), 0);
        expect(w(packed)).toBeLessThanOrEqual(w(split));
      }),
    );
  });

  it("packs one step's per-asset ladders into one request per kind", () => {
    const step: ActionBatch[] = [];
    let id = 0;
    for (const asset of ASSETS) {
      step.push({ type: "cancel", cancels: [{ asset, oid: ++id }] });
      step.push({ type: "order", orders: [spec(++id, { asset }), spec(++id, { asset, isBuy: false })] });
    }
    const packed = packBatches(step);
    expect(packed.map((b) => [b.type, batchLength(b)])).toEqual([
      ["cancel", 5],
      ["order", 10],
    ]);
    expect(packed.map(packKindOf)).toEqual(["cancel", "order:Alo"]);
  });

  it("starts a new request at the size limit (39 by default: weight 1)", () => {
    const orders = Array.from({ length: 100 }, (_, i) => spec(i + 1, { asset: ASSETS[i % 5]! }));
    const packed = packBatches(ASSETS.map((asset) => ({ type: "order", orders: orders.filter((o) => o.asset === asset) })));
    expect(packed.map(batchLength)).toEqual([39, 39, 22]);
    expect(packed.every((b) => batchWeight(b) === 1)).toBe(true);
    expect(DEFAULT_MAX_BATCH_SIZE).toBe(39);
  });

  it("puts a cancel by CLOID after the request holding the placement it cancels, and keeps ALO and GTC apart", () => {
    const p: ActionBatch = { type: "order", orders: [spec(1, { asset: "BTC" })] };
    const g: ActionBatch = { type: "order", orders: [spec(2, { asset: "ETH", tif: "Gtc" })] };
    const k: ActionBatch = { type: "cancelByCloid", cancels: [{ asset: "BTC", cloid: spec(1).cloid }] };
    const p2: ActionBatch = { type: "order", orders: [spec(3, { asset: "BTC" })] };
    const p3: ActionBatch = { type: "order", orders: [spec(4, { asset: "SOL" })] };
    const packed = packBatches([p, g, k, p2, p3]);
    expect(packed).toEqual([
      { type: "order", orders: [spec(1, { asset: "BTC" }), spec(4, { asset: "SOL" })] },
      { type: "order", orders: [spec(2, { asset: "ETH", tif: "Gtc" })] },
      k,
      p2,
    ]);
  });

  it("leaves scheduleCancel alone, in its place", () => {
    const s: ActionBatch = { type: "scheduleCancel", time: 5 };
    expect(packBatches([s, s])).toEqual([s, s]);
    expect(packBatches([])).toEqual([]);
  });
});
