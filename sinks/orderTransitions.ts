// The order state machine as one table (model: NautilusTrader `OrderStatus::transition`,
// crates/model/src/orders/mod.rs). One row per legal (state, event) → state; every other pair is
// an explicit invalid transition that the OrderStore counts and reports, never throws, and that
// leaves the order as it was.
//
// Events are what the store has learnt, already classified by size where size decides the
// outcome: the store says `filled` when the current leg is covered and `canceled` when it is not
// ("the venue cancelled it, or answered Cancelled/AlreadyCancelled" ends a fully filled leg as
// filled). `prior` is the state an order had before its cancel or modify was sent (resting,
// partially-filled, or pending-new for a cancel sent before the ack).
import type { OrderState } from "../streams/execution.js";

export type OrderEvent =
  /** The leg rests on the venue with nothing filled (ack, open update, open-orders snapshot). */
  | "acked"
  /** Part of the current leg filled (fill, or the venue's remaining size). */
  | "partFilled"
  /** The current leg is covered (fills, a filled answer or update). */
  | "filled"
  /** Still no OID for the current leg (the ack has not arrived). */
  | "unacked"
  /** The order ended without filling its leg: cancel confirmed, venue cancel, or inferred gone. */
  | "canceled"
  | "rejected"
  /** We sent a cancel. */
  | "cancelSent"
  /** We sent a modify (cancel-replace). */
  | "modifySent"
  /** The cancel was answered AlreadyFilled ("never placed, already canceled, or filled"): fate unknown. */
  | "cancelTooLate"
  /** The cancel or modify did not land (failed, refused before sending, or the venue still rests the leg). */
  | "reverted"
  /** The modify's new leg is live under its new OID. */
  | "modifyLegLive"
  /** The venue shows open an order we had only inferred gone, or (authoritatively) a cancel-raced one. */
  | "revived";

export const ORDER_EVENTS: readonly OrderEvent[] = [
  "acked",
  "partFilled",
  "filled",
  "unacked",
  "canceled",
  "rejected",
  "cancelSent",
  "modifySent",
  "cancelTooLate",
  "reverted",
  "modifyLegLive",
  "revived",
];

export const ORDER_STATES: readonly OrderState[] = [
  "pending-new",
  "resting",
  "partially-filled",
  "pending-modify",
  "pending-cancel",
  "cancelled",
  "filled",
  "rejected",
  "cancel-raced",
];

/** Where a row leads: a state, or back to the state before the pending cancel/modify. */
export type TransitionTarget = OrderState | "prior";

type Table = { readonly [S in OrderState]: Partial<Readonly<Record<OrderEvent, TransitionTarget>>> };

/** The legal moves. A pair missing here is invalid. */
export const ORDER_TRANSITIONS: Table = {
  "pending-new": {
    acked: "resting",
    // a fill before the ack (FACTS §5.4: userFills may precede the post response and orderUpdates)
    partFilled: "partially-filled",
    filled: "filled",
    unacked: "pending-new",
    // a cancel answered Cancelled before the placement's own answer arrived (cancel by CLOID)
    canceled: "cancelled",
    rejected: "rejected",
    // cancel by CLOID before the OID is known
    cancelSent: "pending-cancel",
    cancelTooLate: "cancel-raced",
  },
  resting: {
    acked: "resting",
    partFilled: "partially-filled",
    filled: "filled",
    // a modify whose old leg's CANCELED was seen, then reverted: no live OID until the venue says
    unacked: "pending-new",
    canceled: "cancelled",
    rejected: "rejected",
    cancelSent: "pending-cancel",
    modifySent: "pending-modify",
    cancelTooLate: "cancel-raced",
  },
  "partially-filled": {
    // a modify's new leg starts with nothing filled
    acked: "resting",
    partFilled: "partially-filled",
    filled: "filled",
    unacked: "pending-new",
    canceled: "cancelled",
    rejected: "rejected",
    cancelSent: "pending-cancel",
    modifySent: "pending-modify",
    cancelTooLate: "cancel-raced",
  },
  "pending-modify": {
    // the fill landed before our modify did; the leg is covered
    filled: "filled",
    canceled: "cancelled",
    rejected: "rejected",
    cancelTooLate: "cancel-raced",
    reverted: "prior",
    // modify legs arrive in either order (FACTS §5.4): the new OID's open or the answer
    modifyLegLive: "resting",
  },
  "pending-cancel": {
    // fill after cancel sent: the venue filled before our cancel landed
    filled: "filled",
    canceled: "cancelled",
    rejected: "rejected",
    cancelTooLate: "cancel-raced",
    reverted: "prior",
  },
  cancelled: {
    // fill after cancel: the venue filled before our cancel landed, and the fill came last
    filled: "filled",
    // inferred cancelled (status unknown to the venue), then the venue shows it open: a placement
    // landed late, or a cancel answered "never placed" reached the venue before the order did
    revived: "resting",
  },
  filled: {
    // inferred filled (status unknown, remainder covered by fills we had), then shown open
    revived: "resting",
  },
  rejected: {
    // the venue's filled update or answer after a rejection we had applied (answers out of order)
    filled: "filled",
  },
  "cancel-raced": {
    // the fill that made our cancel too late arrives
    filled: "filled",
    canceled: "cancelled",
    rejected: "rejected",
    // a second cancel answer, again AlreadyFilled
    cancelTooLate: "cancel-raced",
    // an authoritative status answer: the order still rests (our cancel reached the venue first)
    revived: "resting",
  },
};

export type Transition =
  | { readonly ok: true; readonly to: TransitionTarget }
  | { readonly ok: false; readonly from: OrderState; readonly event: OrderEvent };

/** The table lookup: the target of (state, event), or an invalid transition naming both. */
export function transition(state: OrderState, event: OrderEvent): Transition {
  const to = ORDER_TRANSITIONS[state][event];
  return to === undefined ? { ok: false, from: state, event } : { ok: true, to };
}

/** Whether the table has a row for (state, event): for commands, which check before they act. */
export function canTransition(state: OrderState, event: OrderEvent): boolean {
  return ORDER_TRANSITIONS[state][event] !== undefined;
}

/** A pair the table refused, as the store records it. */
export interface InvalidTransition {
  readonly cloid: string;
  readonly from: OrderState;
  readonly event: OrderEvent;
  readonly time: number;
}
