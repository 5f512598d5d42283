// Venue error strings → typed outcomes (FACTS §5.7): prefix matches, MissingOrder is
// AlreadyFilled (unsafe to stop tracking), rate-limit texts and HTTP 429 are quota signals.
import { describe, expect, it } from "vitest";
import {
  cancelResultFromWire,
  classifyExchangeError,
  decodeHlExchangeResponse,
  hlHttpErrorResult,
  orderResultFromWire,
  postIdFromErrorText,
  safeToStopTracking,
  type ActionBatch,
} from "../../streams/index.js";

const order = (n: number): ActionBatch => ({
  type: "order",
  orders: Array.from({ length: n }, (_, i) => ({
    asset: "BTC", isBuy: true, px: 100 + i, sz: 1, tif: "Alo" as const, reduceOnly: false, cloid: "0x" + String(i).padStart(32, "0"),
  })),
});
const cancel = (n: number): ActionBatch => ({ type: "cancel", cancels: Array.from({ length: n }, (_, i) => ({ asset: "BTC", oid: i })) });

describe("classifyExchangeError", () => {
  const cases: Array<[string, string]> = [
    ["Price must be divisible by tick size. asset=0", "Tick"],
    ["Order must have minimum value of $10. asset=3", "MinTradeNtl"],
    ["Order must have minimum value of 10 USDC.", "MinTradeNtl"],
    ["Insufficient margin to place order. asset=1", "PerpMargin"],
    ["Reduce only order would increase position. asset=1", "ReduceOnly"],
    ["Post only order would have immediately matched, bbo was 100.1@100.2. asset=1", "BadAloPx"],
    ["Order could not immediately match against any resting orders. asset=3", "IocCancel"],
    ["Invalid TP/SL price. asset=1", "BadTriggerPx"],
    ["No liquidity available for market order.", "MarketOrderNoLiquidity"],
    ["Order would increase open interest while open interest is capped", "OpenInterestCap"],
    ["Order would increase open interest too quickly", "OpenInterestCap"],
    ["Order rejected due to price more aggressive than oracle while at open interest cap", "OpenInterestCap"],
    ["Order price too far from oracle", "Oracle"],
    ["Order would cause position to exceed margin tier limit at current leverage", "PerpMaxPosition"],
    ["Order was never placed, already canceled, or filled. asset=1", "MissingOrder"],
    ["Order was never placed, already canceled, or filled.", "MissingOrder"],
    ["Cannot modify canceled or filled order", "CannotModify"],
    [
      "Too many cumulative requests sent (97460 > 97456) for cumulative volume traded $87457.46. Place taker orders to free up 1 request per USDC traded.",
      "RateLimited",
    ],
    ["too many pending post requests id=1234", "TooManyPending"],
    ["L1 error: User or API Wallet 0x0123456789012345678901234567890123456789 does not exist.", "Signature"],
    ["Must deposit before performing actions. User: 0x123", "Signature"],
    ["Unable to recover signer.", "Signature"],
    ["Cannot modify leverage with open orders.", "Other"],
  ];
  for (const [text, code] of cases) it(`${code} ← ${text.slice(0, 50)}`, () => expect(classifyExchangeError(text)).toBe(code));
});

describe("per-element outcomes", () => {
  it("maps a MissingOrder cancel (with asset suffix) to AlreadyFilled, unsafe to stop tracking", () => {
    const r = cancelResultFromWire({ error: "Order was never placed, already canceled, or filled. asset=1" });
    expect(r).toEqual({ kind: "AlreadyFilled", error: "Order was never placed, already canceled, or filled. asset=1" });
    expect(safeToStopTracking(r)).toBe(false);
    expect(cancelResultFromWire("success")).toEqual({ kind: "Cancelled" });
  });

  it("maps order statuses to resting / filled / rejected / waiting", () => {
    expect(orderResultFromWire({ resting: { oid: 77738308 } })).toEqual({ kind: "resting", oid: 77738308 });
    expect(orderResultFromWire({ filled: { totalSz: "0.02", avgPx: "1891.4", oid: 77747314 } })).toEqual({
      kind: "filled", oid: 77747314, totalSz: 0.02, avgPx: 1891.4,
    });
    expect(orderResultFromWire({ error: "Order must have minimum value of $10." })).toEqual({
      kind: "rejected", code: "MinTradeNtl", error: "Order must have minimum value of $10.",
    });
    expect(orderResultFromWire("waitingForFill")).toEqual({ kind: "waiting" });
  });
});

describe("decodeHlExchangeResponse", () => {
  it("decodes the documented order response", () => {
    const body = { status: "ok", response: { type: "order", data: { statuses: [{ resting: { oid: 88383 } }, { error: "Price must be divisible by tick size." }] } } };
    const r = decodeHlExchangeResponse(body, order(2));
    expect(r).toEqual({
      ok: true,
      value: { ok: true, type: "order", statuses: [{ kind: "resting", oid: 88383 }, { kind: "rejected", code: "Tick", error: "Price must be divisible by tick size." }] },
    });
  });

  it("applies a single pre-validation error to every element of the batch", () => {
    const body = { status: "ok", response: { type: "cancel", data: { statuses: [{ error: "Order was never placed, already canceled, or filled." }] } } };
    const r = decodeHlExchangeResponse(body, cancel(3));
    expect(r.ok && r.value.ok && r.value.type === "cancel" && r.value.statuses.map((s) => s.kind)).toEqual(["AlreadyFilled", "AlreadyFilled", "AlreadyFilled"]);
  });

  it("turns a whole-request rate-limit error into rateLimited: true", () => {
    const body = { status: "err", response: "Too many cumulative requests sent (97460 > 97456) for cumulative volume traded $87457.46." };
    const r = decodeHlExchangeResponse(body, cancel(1));
    expect(r.ok && r.value).toMatchObject({ ok: false, code: "RateLimited", rateLimited: true });
  });

  it("keeps other whole-request errors as not rate-limited", () => {
    const r = decodeHlExchangeResponse({ status: "err", response: "Unable to recover signer." }, order(1));
    expect(r.ok && r.value).toEqual({ ok: false, code: "Signature", error: "Unable to recover signer.", rateLimited: false });
  });

  it("decodes scheduleCancel's default response", () => {
    const r = decodeHlExchangeResponse({ status: "ok", response: { type: "default" } }, { type: "scheduleCancel", time: null });
    expect(r).toEqual({ ok: true, value: { ok: true, type: "scheduleCancel" } });
  });

  it("maps HTTP 429 to a rate-limited result", () => {
    expect(hlHttpErrorResult(429, "")).toEqual({ ok: false, code: "RateLimited", error: "HTTP 429", rateLimited: true });
    expect(hlHttpErrorResult(500, "boom")).toMatchObject({ ok: false, rateLimited: false, code: "Other" });
  });
});

describe("postIdFromErrorText", () => {
  it("reads the id of a refused post, and of an echoed malformed request", () => {
    expect(postIdFromErrorText("too many pending post requests id=1234")).toBe(1234);
    expect(postIdFromErrorText('Error parsing JSON into valid websocket request: {"method":"post","id":77,"request":{}}')).toBe(77);
    expect(postIdFromErrorText('Already subscribed: {"type":"trades","coin":"BTC"}')).toBeUndefined();
  });
});
