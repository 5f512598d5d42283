// Hyperliquid error strings (FACTS §5.7, §3, §9) → typed outcomes. Live texts carry suffixes
// such as " asset=1" and embedded values ("bbo was …"), so every match is by prefix.
import type { CancelResult, ExchangeErrorCode, OrderResult } from "../actions.js";
import type { HlCancelStatusWire, HlOrderStatusWire } from "./exchange.js";

/** The MissingOrder text: a cancel that lost to a fill, or an order that never existed. */
export const HL_MISSING_ORDER_TEXT = "Order was never placed, already canceled, or filled";

const PREFIXES: ReadonlyArray<readonly [string, ExchangeErrorCode]> = [
  [HL_MISSING_ORDER_TEXT, "MissingOrder"],
  ["Price must be divisible by tick size", "Tick"],
  ["Order must have minimum value of", "MinTradeNtl"],
  ["Insufficient margin to place order", "PerpMargin"],
  ["Reduce only order would increase position", "ReduceOnly"],
  ["Post only order would have immediately matched", "BadAloPx"],
  ["Order could not immediately match against any resting orders", "IocCancel"],
  ["Invalid TP/SL price", "BadTriggerPx"],
  ["No liquidity available for market order", "MarketOrderNoLiquidity"],
  ["Order would increase open interest", "OpenInterestCap"],
  ["Order rejected due to price more aggressive than oracle while at open interest cap", "OpenInterestCap"],
  ["Order price too far from oracle", "Oracle"],
  ["Order would cause position to exceed margin tier limit", "PerpMaxPosition"],
  ["Cannot modify canceled or filled order", "CannotModify"],
  ["Too many cumulative requests sent", "RateLimited"],
  ["too many pending post requests", "TooManyPending"],
  ["L1 error: User or API Wallet", "Signature"],
  ["User or API Wallet", "Signature"],
  ["Must deposit before performing actions", "Signature"],
  ["Unable to recover signer", "Signature"],
];

/** Texts that mean "quota exhausted" wherever they appear (address budget, IP weight, HTTP 429 bodies). */
const RATE_LIMIT_PATTERNS = [/^Too many cumulative requests sent/, /rate limit/i, /too many requests/i, /^HTTP 429\b/];

/** The typed class of a venue error string; `Other` when unknown. */
export function classifyExchangeError(text: string): ExchangeErrorCode {
  for (const [prefix, code] of PREFIXES) if (text.startsWith(prefix)) return code;
  if (isRateLimitText(text)) return "RateLimited";
  return "Other";
}

/** True when the text is a quota signal (address budget or IP rate limit). */
export function isRateLimitText(text: string): boolean {
  return RATE_LIMIT_PATTERNS.some((re) => re.test(text));
}

/** One element of an order/batchModify response → OrderResult. */
export function orderResultFromWire(status: HlOrderStatusWire): OrderResult {
  if (typeof status === "string") return { kind: "waiting" };
  if ("resting" in status) {
    const r = status.resting;
    return r.cloid === undefined ? { kind: "resting", oid: r.oid } : { kind: "resting", oid: r.oid, cloid: r.cloid };
  }
  if ("filled" in status) {
    const f = status.filled;
    const base = { kind: "filled" as const, oid: f.oid, totalSz: Number(f.totalSz), avgPx: Number(f.avgPx) };
    return f.cloid === undefined ? base : { ...base, cloid: f.cloid };
  }
  return { kind: "rejected", code: classifyExchangeError(status.error), error: status.error };
}

/**
 * One element of a cancel/cancelByCloid response → CancelResult. MissingOrder becomes
 * AlreadyFilled: the order may have filled, so it is unsafe to stop tracking it until a fill
 * or a reconciliation says otherwise.
 */
export function cancelResultFromWire(status: HlCancelStatusWire): CancelResult {
  if (status === "success") return { kind: "Cancelled" };
  return cancelResultFromError(status.error);
}

export function cancelResultFromError(error: string): CancelResult {
  const code = classifyExchangeError(error);
  if (code === "MissingOrder") return { kind: "AlreadyFilled", error };
  return { kind: "Failed", code, error };
}

/** `too many pending post requests id=1234` → 1234 (the only error frame that names a post). */
export function postIdFromErrorText(text: string): number | undefined {
  const m = /\bid[=:]\s*"?(\d+)/.exec(text) ?? /"id"\s*:\s*(\d+)/.exec(text);
  if (!m || m[1] === undefined) return undefined;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) ? id : undefined;
}
