// Small builders for sim specs: hand-made books and trades on a VirtualTimeScheduler.
import type { BookEvent, TradeEvent } from "../../streams/market.js";
import type { OrderSpec } from "../../streams/actions.js";

export const T0 = 1_700_000_000_000;
export const ALICE = "0x00000000000000000000000000000000000a11ce";
export const BOB = "0x0000000000000000000000000000000000000b0b";

export function book(time: number, bids: [number, number][], asks: [number, number][], asset = "BTC"): BookEvent {
  return {
    asset,
    time,
    bids: bids.map(([px, sz]) => ({ px, sz, n: 1 })),
    asks: asks.map(([px, sz]) => ({ px, sz, n: 1 })),
  };
}

let tid = 1;
export function trade(time: number, side: "buy" | "sell", px: number, sz: number, asset = "BTC"): TradeEvent {
  return { asset, time, tid: tid++, px, sz, side };
}

export function cloid(n: number): string {
  return "0x" + n.toString(16).padStart(32, "0");
}

export function order(px: number, sz: number, isBuy: boolean, tif: OrderSpec["tif"], n: number, asset = "BTC"): OrderSpec {
  return { asset, isBuy, px, sz, tif, reduceOnly: false, cloid: cloid(n) };
}
