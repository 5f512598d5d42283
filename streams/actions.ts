// Exchange actions and their results, in domain units. Wire formatting (strings, asset ids,
// signing) is the protocol layer's job; the sink and the in-process venue speak these.
import type { GenerationSource } from "./intent.js";

export type Tif = "Alo" | "Gtc" | "Ioc";

/** One order to place (also the new order of a modify). `cloid` is 0x + 32 hex. */
export interface OrderSpec {
  readonly asset: string;
  readonly isBuy: boolean;
  readonly px: number;
  readonly sz: number;
  readonly tif: Tif;
  readonly reduceOnly: boolean;
  readonly cloid: string;
}

export interface CancelSpec {
  readonly asset: string;
  readonly oid: number;
}

export interface CancelByCloidSpec {
  readonly asset: string;
  readonly cloid: string;
}

/** Modify = cancel-replace at Hyperliquid: the venue cancels `oid` and rests a new OID with the same cloid. */
export interface ModifySpec {
  /** The order to modify: its OID, or its cloid. */
  readonly oid: number | string;
  readonly order: OrderSpec;
}

/**
 * One request to the venue. Hyperliquid batches only like with like; cancels and ALO-only
 * batches are prioritised, so the sink never mixes them with anything else.
 */
export type ActionBatch =
  | { readonly type: "order"; readonly orders: readonly OrderSpec[] }
  | { readonly type: "cancel"; readonly cancels: readonly CancelSpec[] }
  | { readonly type: "cancelByCloid"; readonly cancels: readonly CancelByCloidSpec[] }
  | { readonly type: "batchModify"; readonly modifies: readonly ModifySpec[] }
  | { readonly type: "scheduleCancel"; readonly time: number | null }
  /**
   * Buy `weight` more address-budget requests at 0.0005 USDC each, paid from the perps balance
   * (FACTS §5.6, §9). One request of IP weight 1 that itself counts one address request.
   */
  | { readonly type: "reserveRequestWeight"; readonly weight: number };

export type ActionType = ActionBatch["type"];

/** How many elements the batch carries (the `n` of address-budget accounting). */
export function batchLength(batch: ActionBatch): number {
  switch (batch.type) {
    case "order":
      return batch.orders.length;
    case "cancel":
    case "cancelByCloid":
      return batch.cancels.length;
    case "batchModify":
      return batch.modifies.length;
    case "scheduleCancel":
    case "reserveRequestWeight":
      return 1;
  }
}

/** IP weight of one exchange request: 1 + floor(n / 40) (FACTS §9). */
export function batchWeight(batch: ActionBatch): number {
  return 1 + Math.floor(batchLength(batch) / 40);
}

export function isCancelBatch(batch: ActionBatch): boolean {
  return batch.type === "cancel" || batch.type === "cancelByCloid" || batch.type === "scheduleCancel";
}

/**
 * Typed classes of the venue's error strings (FACTS §5.7), matched by prefix because live texts
 * carry suffixes such as " asset=1". `Other` keeps the text.
 */
export type ExchangeErrorCode =
  | "Tick"
  | "MinTradeNtl"
  | "PerpMargin"
  | "ReduceOnly"
  | "BadAloPx"
  | "IocCancel"
  | "BadTriggerPx"
  | "MarketOrderNoLiquidity"
  | "OpenInterestCap"
  | "Oracle"
  | "PerpMaxPosition"
  | "MissingOrder"
  | "CannotModify"
  | "RateLimited"
  | "TooManyPending"
  | "Signature"
  | "Other";

/** Per-order answer to a placement. */
export type OrderResult =
  | { readonly kind: "resting"; readonly oid: number; readonly cloid?: string }
  | { readonly kind: "filled"; readonly oid: number; readonly totalSz: number; readonly avgPx: number; readonly cloid?: string }
  | { readonly kind: "rejected"; readonly code: ExchangeErrorCode; readonly error: string }
  | { readonly kind: "waiting" };

/** Per-element answer to a modify: batchModify answers with order statuses (the new OID when resting). */
export type ModifyResult = OrderResult;

/**
 * Per-element answer to a cancel. Only AlreadyFilled is unsafe to stop tracking: the venue's
 * "never placed, already canceled, or filled" maps here, and a fill or a reconciliation decides.
 */
export type CancelResult =
  | { readonly kind: "Cancelled" }
  | { readonly kind: "AlreadyCancelled" }
  | { readonly kind: "AlreadyFilled"; readonly error: string }
  | { readonly kind: "Failed"; readonly code: ExchangeErrorCode; readonly error: string };

/** True for every cancel outcome after which the order can be dropped from tracking. */
export function safeToStopTracking(result: CancelResult): boolean {
  return result.kind !== "AlreadyFilled" && result.kind !== "Failed";
}

/** The venue's answer to one ActionBatch. A whole-request error (`ok: false`) applies to every element. */
export type BatchResult =
  | {
      readonly ok: true;
      readonly type: "order" | "batchModify";
      readonly statuses: readonly OrderResult[];
    }
  | { readonly ok: true; readonly type: "cancel" | "cancelByCloid"; readonly statuses: readonly CancelResult[] }
  | { readonly ok: true; readonly type: "scheduleCancel" }
  | { readonly ok: true; readonly type: "reserveRequestWeight" }
  | {
      readonly ok: false;
      readonly code: ExchangeErrorCode;
      readonly error: string;
      /** HTTP 429 or an address-budget text: a quota signal for quotaThrottle. */
      readonly rateLimited: boolean;
    };

/** Metadata the sink attaches to a placement so fills can inherit it. Not sent to the venue. */
export interface PlacementContext {
  readonly cloid: string;
  readonly source: GenerationSource;
  readonly midAtPlacement: number;
  readonly quotedHalfSpreadBps: number;
  readonly placedAt: number;
}
