// Order updates as the venue reports them (orderUpdates / orderStatus), in domain units.

/**
 * Hyperliquid's order status strings (FACTS §2.5). The set is open-ended on the wire; decoders
 * classify unknown values by suffix with `statusClass`.
 */
export type WireOrderStatus =
  | "open"
  | "filled"
  | "canceled"
  | "triggered"
  | "rejected"
  | "marginCanceled"
  | "vaultWithdrawalCanceled"
  | "openInterestCapCanceled"
  | "selfTradeCanceled"
  | "reduceOnlyCanceled"
  | "siblingFilledCanceled"
  | "delistedCanceled"
  | "liquidatedCanceled"
  | "scheduledCancel"
  | "tickRejected"
  | "minTradeNtlRejected"
  | "perpMarginRejected"
  | "reduceOnlyRejected"
  | "badAloPxRejected"
  | "iocCancelRejected"
  | "badTriggerPxRejected"
  | "marketOrderNoLiquidityRejected"
  | "positionIncreaseAtOpenInterestCapRejected"
  | "positionFlipAtOpenInterestCapRejected"
  | "tooAggressiveAtOpenInterestCapRejected"
  | "openInterestIncreaseRejected"
  | "insufficientSpotBalanceRejected"
  | "oracleRejected"
  | "perpMaxPositionRejected"
  | (string & {});

export type StatusClass = "open" | "filled" | "canceled" | "rejected" | "triggered";

/** open / filled / canceled / rejected / triggered, classifying unknown statuses by suffix. */
export function statusClass(status: string): StatusClass {
  if (status === "open") return "open";
  if (status === "filled") return "filled";
  if (status === "triggered") return "triggered";
  if (status.endsWith("Rejected") || status === "rejected") return "rejected";
  // "canceled", "*Canceled", "scheduledCancel", "internalCancel", and anything else: the order is gone.
  return "canceled";
}

/** One order's state change, from orderUpdates (or an orderStatus answer). */
export interface OrderUpdate {
  readonly asset: string;
  readonly oid: number;
  readonly cloid: string | null;
  readonly isBuy: boolean;
  readonly px: number;
  /** Remaining size. */
  readonly sz: number;
  readonly origSz: number;
  readonly status: WireOrderStatus;
  /** statusTimestamp (ms). */
  readonly time: number;
}

/** A resting order as the venue's open-order list shows it. */
export interface OpenOrder {
  readonly asset: string;
  readonly oid: number;
  readonly cloid: string | null;
  readonly isBuy: boolean;
  readonly px: number;
  readonly sz: number;
  readonly origSz: number;
  readonly time: number;
}

/** A position as the venue's clearinghouseState shows it. `szi` is signed: positive long. */
export interface Position {
  readonly asset: string;
  readonly szi: number;
  readonly entryPx: number;
  readonly unrealizedPnl: number;
}

/** userRateLimit, numbers. Remaining ≈ cap + surplus − used. */
export interface RateLimitSnapshot {
  readonly cumVlm: number;
  readonly nRequestsUsed: number;
  readonly nRequestsCap: number;
  readonly nRequestsSurplus: number;
}

/** What the venue says our account holds. Venue truth wins over our records. */
export interface AccountSnapshot {
  readonly time: number;
  readonly accountValue: number;
  /** What the account could withdraw (clearinghouseState `withdrawable`), when the venue said. */
  readonly withdrawable?: number;
  readonly positions: readonly Position[];
  readonly openOrders: readonly OpenOrder[];
  /** False when only positions were asked for (account({ openOrders: false })): openOrders is then empty and says nothing. Absent: included. */
  readonly openOrdersIncluded?: boolean;
}

/** The answer to orderStatus: the order's last known update, or unknown to the venue. */
export type OrderStatusAnswer = { readonly kind: "known"; readonly update: OrderUpdate } | { readonly kind: "unknownOid" };
