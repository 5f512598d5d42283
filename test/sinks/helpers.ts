// Small builders for sink specs.
import type { OrderSpec } from "../../streams/actions.js";
import type { VenueFill } from "../../streams/fill.js";
import type { OrderUpdate } from "../../streams/orders.js";
import type { OrderStore, PlacementFacts } from "../../sinks/orderStore.js";

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

/** The moves the order store's random-history properties drive, on the record of order `n`. */
export type StoreMove = "place" | "ack" | "cancel" | "cancelled" | "raced" | "fill" | "open" | "canceledUpdate";

/**
 * Apply one move to the record of order `n` (CLOID cloidOf(n), OID 100 + n, price 100 − n) at `now`:
 * placed, acked resting, cancel asked, cancel answered, cancel raced by a fill, filled `fillSize`,
 * an `open` update (revives an order the store had ended) or a `canceled` one.
 */
export function applyStoreMove(s: OrderStore, move: StoreMove, n: number, now: number, options: { readonly asset?: string; readonly fillSize?: number } = {}): void {
  const c = cloidOf(n);
  const oid = 100 + n;
  const px = 100 - n;
  const on = options.asset !== undefined ? { asset: options.asset } : {};
  switch (move) {
    case "place":
      s.registerPlacement(spec(n, { ...on, px }), FACTS, now);
      return;
    case "ack":
      s.applyOrderResult(c, { kind: "resting", oid }, now);
      return;
    case "cancel":
      s.requestCancel(c, now);
      return;
    case "cancelled":
      s.applyCancelResult(c, { kind: "Cancelled" }, now);
      return;
    case "raced":
      s.applyCancelResult(c, { kind: "AlreadyFilled", error: "already filled" }, now);
      return;
    case "fill":
      s.applyFill(fill({ tid: now * 10 + n, oid, cloid: c, ...on, size: options.fillSize ?? 1, price: px }), now);
      return;
    case "open":
      s.applyUpdate(update({ oid, cloid: c, ...on, px, status: "open" }), now, true);
      return;
    case "canceledUpdate":
      s.applyUpdate(update({ oid, cloid: c, ...on, px, status: "canceled" }), now);
      return;
  }
}
