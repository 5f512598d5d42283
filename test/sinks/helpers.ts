// Small builders for sink specs.
import type { OrderSpec } from "../../streams/actions.js";
import type { VenueFill } from "../../streams/fill.js";
import type { OrderUpdate } from "../../streams/orders.js";
import type { PlacementFacts } from "../../sinks/orderStore.js";

export function cloidOf(n: number): string {
  return "0x" + n.toString(16).padStart(32, "0");
}

export function spec(n: number, over: Partial<OrderSpec> = {}): OrderSpec {
  return { asset: "BTC", isBuy: true, px: 100, sz: 1, tif: "Alo", reduceOnly: false, cloid: cloidOf(n), ...over };
}

export const FACTS: PlacementFacts = { source: "base_ladder", midAtPlacement: 101, quotedHalfSpreadBps: 99, level: "bid:0" };

export function fill(over: Partial<VenueFill> & { tid: number; oid: number }): VenueFill {
  return {
    cloid: null,
    asset: "BTC",
    isBuy: true,
    size: 1,
    price: 100,
    time: 0,
    fee: 0,
    crossed: false,
    ...over,
  };
}

export function update(over: Partial<OrderUpdate> & { oid: number; status: string }): OrderUpdate {
  return { asset: "BTC", cloid: null, isBuy: true, px: 100, sz: 1, origSz: 1, time: 0, ...over };
}
