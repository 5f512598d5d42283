// Binance reference-feed wire shapes (FACTS §11): combined-stream envelope, bookTicker (spot and
// USDⓈ-M), trade, aggTrade, depth updates and the REST depth snapshot; decoders to the domain.
import * as t from "io-ts";
import { decodeWith, type Decoded } from "../codec.js";
import type { ReferenceQuote, TradeEvent } from "../market.js";
import { DecimalString, WireNumber } from "./scalars.js";

/** `{"stream": "btcusdt@bookTicker", "data": {...}}` (combined streams). */
export const BinanceStreamEnvelope = t.type({ stream: t.string, data: t.unknown }, "BinanceStreamEnvelope");
export type BinanceStreamEnvelope = t.TypeOf<typeof BinanceStreamEnvelope>;

/** bookTicker: spot has no event time; futures adds e/E/T. */
export const BinanceBookTicker = t.intersection(
  [
    t.type({ u: WireNumber, s: t.string, b: DecimalString, B: DecimalString, a: DecimalString, A: DecimalString }),
    t.partial({ e: t.literal("bookTicker"), E: WireNumber, T: WireNumber }),
  ],
  "BinanceBookTicker",
);
export type BinanceBookTicker = t.TypeOf<typeof BinanceBookTicker>;

export const BinanceTrade = t.intersection(
  [
    t.type({ e: t.literal("trade"), E: WireNumber, s: t.string, t: WireNumber, p: DecimalString, q: DecimalString, T: WireNumber, m: t.boolean }),
    t.partial({ M: t.boolean, X: t.string }),
  ],
  "BinanceTrade",
);
export type BinanceTrade = t.TypeOf<typeof BinanceTrade>;

export const BinanceAggTrade = t.intersection(
  [
    t.type({ e: t.literal("aggTrade"), E: WireNumber, s: t.string, a: WireNumber, p: DecimalString, q: DecimalString, T: WireNumber, m: t.boolean }),
    t.partial({ f: WireNumber, l: WireNumber, M: t.boolean }),
  ],
  "BinanceAggTrade",
);
export type BinanceAggTrade = t.TypeOf<typeof BinanceAggTrade>;

const PriceQty = t.tuple([DecimalString, DecimalString]);
export const BinanceDepthUpdate = t.intersection(
  [
    t.type({ e: t.literal("depthUpdate"), E: WireNumber, s: t.string, U: WireNumber, u: WireNumber, b: t.array(PriceQty), a: t.array(PriceQty) }),
    t.partial({ T: WireNumber, pu: WireNumber }),
  ],
  "BinanceDepthUpdate",
);
export type BinanceDepthUpdate = t.TypeOf<typeof BinanceDepthUpdate>;

export const BinanceDepthSnapshot = t.intersection(
  [t.type({ lastUpdateId: WireNumber, bids: t.array(PriceQty), asks: t.array(PriceQty) }), t.partial({ E: WireNumber, T: WireNumber })],
  "BinanceDepthSnapshot",
);
export type BinanceDepthSnapshot = t.TypeOf<typeof BinanceDepthSnapshot>;

/** bookTicker → ReferenceQuote. Spot frames carry no time: `receivedAt` stamps them. */
export function decodeBinanceBookTicker(data: unknown, receivedAt: number, what = "binance bookTicker"): Decoded<ReferenceQuote> {
  const r = decodeWith(BinanceBookTicker, data, what);
  if (!r.ok) return r;
  const x = r.value;
  return {
    ok: true,
    value: { asset: x.s, time: x.T ?? x.E ?? receivedAt, bid: Number(x.b), bidSz: Number(x.B), ask: Number(x.a), askSz: Number(x.A) },
  };
}

/** trade / aggTrade → TradeEvent. `m` ("buyer is the maker") true means the aggressor sold. */
export function decodeBinanceTrade(data: unknown, what = "binance trade"): Decoded<TradeEvent> {
  const e = (data as { e?: unknown } | null)?.e;
  if (e === "aggTrade") {
    const r = decodeWith(BinanceAggTrade, data, what);
    if (!r.ok) return r;
    const x = r.value;
    return { ok: true, value: { asset: x.s, time: x.T, tid: x.a, px: Number(x.p), sz: Number(x.q), side: x.m ? "sell" : "buy" } };
  }
  const r = decodeWith(BinanceTrade, data, what);
  if (!r.ok) return r;
  const x = r.value;
  return { ok: true, value: { asset: x.s, time: x.T, tid: x.t, px: Number(x.p), sz: Number(x.q), side: x.m ? "sell" : "buy" } };
}

/** Which codec a combined-stream name needs: "btcusdt@bookTicker" → "bookTicker". */
export function binanceStreamKind(stream: string): "bookTicker" | "trade" | "aggTrade" | "depth" | "other" {
  const kind = stream.split("@")[1] ?? "";
  if (kind === "bookTicker" || kind === "trade" || kind === "aggTrade") return kind;
  if (kind === "depth" || kind.startsWith("depth")) return "depth";
  return "other";
}
