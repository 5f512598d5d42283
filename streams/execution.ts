// Execution vocabulary shared by the sink (sinks/) and the cancel-fill race guard (operators/):
// order lifecycle states, the read-only view of the OrderStore the guard needs, and what the
// guard emits. Lives here because operators/ must not import sinks/.
import type { GenerationSource, StrategySignals } from "./intent.js";
import type { FillEvent, VenueFill } from "./fill.js";

/**
 * Lifecycle of one order (one CLOID). `cancel-raced`: a cancel was answered AlreadyFilled
 * ("never placed, already canceled, or filled") — the order is gone from the book but its fate
 * is unknown until its fill arrives or a status query / reconciliation resolves it.
 */
export type OrderState =
  | "pending-new"
  | "resting"
  | "partially-filled"
  | "pending-modify"
  | "pending-cancel"
  | "cancelled"
  | "filled"
  | "rejected"
  | "cancel-raced";

export function isTerminalOrderState(state: OrderState): boolean {
  return state === "cancelled" || state === "filled" || state === "rejected";
}

/** Live = may rest on the venue's book (or is about to). */
export function isLiveOrderState(state: OrderState): boolean {
  return !isTerminalOrderState(state) && state !== "cancel-raced";
}

/** What the race guard needs to know about the order a fill belongs to, at the moment the fill arrives. */
export interface OrderFillContext {
  readonly cloid: string;
  readonly asset: string;
  readonly isBuy: boolean;
  readonly px: number;
  readonly state: OrderState;
  /** Size still expected to fill on the venue (current leg), before this fill. */
  readonly remainingSz: number;
  readonly source: GenerationSource;
  readonly midAtPlacement: number;
  readonly quotedHalfSpreadBps: number;
  /** The strategy's signals the order was placed with (absent: the strategy sent none). */
  readonly signals?: StrategySignals;
}

/** A resting order of ours, as the guard sees it when deciding what to pull. */
export interface RestingOrderRef {
  readonly cloid: string;
  readonly asset: string;
  readonly isBuy: boolean;
  readonly oid: number | null;
  readonly state: OrderState;
}

/** Read-only view of the order record (the sink's OrderStore implements it). */
export interface RaceGuardLookup {
  /** The order a fill belongs to (by CLOID first, then OID, including superseded modify OIDs), or undefined. */
  orderForFill(fill: VenueFill): OrderFillContext | undefined;
  /** Our orders on `asset` in state resting or partially-filled. */
  restingOrders(asset: string): readonly RestingOrderRef[];
  /** The latest mid we know for `asset` (for `midAtFill`), or undefined. */
  midOf(asset: string): number | undefined;
}

/** The venue answered a cancel with AlreadyFilled: the guard watches for the fill. */
export interface AlreadyFilledNotice {
  readonly cloid: string;
  readonly asset: string;
  /** Size still expected to fill when the answer came. */
  readonly remainingSz: number;
  readonly time: number;
}

/** matched: an ordinary fill; race: the order was pending-cancel/cancelled/cancel-raced; unmatched: no order known. */
export type FillFlag = "matched" | "race" | "unmatched";

export type ReconcileReason = "race" | "unmatched" | "alreadyFilledTimeout";

/** What cancelFillRaceGuard emits: enriched fills, and side-effect requests as values. */
export type GuardOutput =
  | {
      readonly kind: "fill";
      readonly fill: FillEvent;
      readonly flag: FillFlag;
      readonly cloid: string | null;
      /** The order's state when the fill arrived (null when unmatched). */
      readonly stateBefore: OrderState | null;
    }
  | {
      readonly kind: "pull";
      readonly asset: string;
      /** Side of the orders to pull: the side of the fill that acquired exposure. */
      readonly isBuy: boolean;
      readonly cloids: readonly string[];
      /** tid of the race fill that caused it. */
      readonly tid: number;
    }
  | {
      readonly kind: "reconcile";
      readonly reason: ReconcileReason;
      readonly asset: string;
      readonly cloid: string | null;
      readonly time: number;
    };

export type GuardedFill = Extract<GuardOutput, { kind: "fill" }>;
