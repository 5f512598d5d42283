// Scalar codecs shared by the Hyperliquid and Binance wire shapes: decimal strings (prices,
// sizes, USD amounts travel as strings), sides, cloids, addresses.
import * as t from "io-ts";

const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** True for a decimal string that parses to a finite number ("0.0", "-12.5", "1e-5"). */
export function isDecimalString(u: unknown): u is string {
  return typeof u === "string" && u.length > 0 && u.length <= 64 && DECIMAL.test(u) && Number.isFinite(Number(u));
}

/** A number carried as a decimal string on the wire. Decodes to the string; convert with `Number`. */
export const DecimalString = new t.Type<string, string, unknown>(
  "DecimalString",
  isDecimalString,
  (u, c) => (isDecimalString(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);
export type DecimalString = t.TypeOf<typeof DecimalString>;

/** A finite JSON number (the shared FiniteNumber lives in streams/codec.ts; this one is wire-local to keep names apart). */
export const WireNumber = new t.Type<number, number, unknown>(
  "number",
  (u): u is number => typeof u === "number" && Number.isFinite(u),
  (u, c) => (typeof u === "number" && Number.isFinite(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);

/** Hyperliquid side: "B" = bid/buy, "A" = ask/sell (for trades: the aggressor). */
export const HlSide = t.keyof({ B: null, A: null }, "HlSide");
export type HlSide = t.TypeOf<typeof HlSide>;

const CLOID = /^0x[0-9a-fA-F]{32}$/;
/** Client order id: 0x + 32 hex (128 bits). */
export const HlCloid = new t.Type<string, string, unknown>(
  "Cloid(0x+32hex)",
  (u): u is string => typeof u === "string" && CLOID.test(u),
  (u, c) => (typeof u === "string" && CLOID.test(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
/** 0x + 40 hex. */
export const HlAddress = new t.Type<string, string, unknown>(
  "Address(0x+40hex)",
  (u): u is string => typeof u === "string" && ADDRESS.test(u),
  (u, c) => (typeof u === "string" && ADDRESS.test(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);

export function isHlCloid(u: unknown): u is string {
  return typeof u === "string" && CLOID.test(u);
}
export function isHlAddress(u: unknown): u is string {
  return typeof u === "string" && ADDRESS.test(u);
}

/** Optional-and-nullable in one: absent, `null` and a value are all accepted (cloids, entryPx, …). */
export function nullable<C extends t.Mixed>(codec: C) {
  return t.union([codec, t.null]);
}
