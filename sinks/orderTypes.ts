// The order record's types: what the store tracks per order (one CLOID, its legs), what a
// placement is refused for, and what applying one event returns.
import type { OrderSpec, Tif } from "../streams/actions.js";
import type { OrderState } from "../streams/execution.js";
import type { GenerationSource, StrategySignals } from "../streams/intent.js";

export interface OrderStoreOptions {
  /** An order with no venue answer for this long is stale (default 5000 ms). */
  readonly staleAfterMs?: number;
  /** Same side+price refused while the first is unresolved and younger than this (default 60 000 ms). */
  readonly duplicateWindowMs?: number;
  /** Terminal orders are forgotten this long after they ended (default 120 000 ms). */
  readonly retentionMs?: number;
  /** Size tolerance for "fully filled" (default 1e-9). */
  readonly sizeEpsilon?: number;
}

/** Which ladder level an order serves: "bid:0" is the best bid level of the intent. */
export type LevelKey = `${"bid" | "ask"}:${number}`;

/** Facts attached at placement (inherited by every fill). */
export interface PlacementFacts {
  readonly source: GenerationSource;
  readonly midAtPlacement: number;
  readonly quotedHalfSpreadBps: number;
  readonly level: LevelKey | null;
  /** The strategy's signals of the intent this order serves (inherited by its fills). */
  readonly signals?: StrategySignals;
}

export interface TrackedOrder {
  readonly cloid: string;
  readonly asset: string;
  readonly isBuy: boolean;
  /** Price and size of the current leg (after an accepted modify, the new ones). */
  readonly px: number;
  readonly origSz: number;
  readonly tif: Tif;
  readonly reduceOnly: boolean;
  readonly oid: number | null;
  /** OIDs superseded by modifies; their cancels and fills belong to this CLOID but never end it. */
  readonly oldOids: readonly number[];
  readonly state: OrderState;
  /** Sum of fills over all legs. */
  readonly filledSz: number;
  /** Sum of fills on the current leg. */
  readonly legFilledSz: number;
  /** Remaining size the venue last reported for the current leg (null before any update). */
  readonly venueRemainingSz: number | null;
  readonly source: GenerationSource;
  readonly midAtPlacement: number;
  readonly quotedHalfSpreadBps: number;
  readonly level: LevelKey | null;
  readonly signals: StrategySignals | undefined;
  readonly placedAt: number;
  /**
   * When the executor sent the placement (null while it waits in the coalescer, the quota throttle
   * or the send queue). The venue cannot know an unsent order: it is never asked about.
   */
  readonly sentAt: number | null;
  readonly lastEventAt: number;
  readonly terminalAt: number | null;
  readonly stale: boolean;
  readonly staleSince: number | null;
  readonly lastStatusQueryAt: number | null;
  /** A fill arrived while a cancel was pending or after it. */
  readonly raced: boolean;
  /** The terminal state was inferred (status unknown to the venue), not reported by it. */
  readonly inferred: boolean;
  readonly pendingModify: PendingModify | null;
  /** Set by a failed modify with an ambiguous answer: ask orderStatus. */
  readonly needsVerify: boolean;
}

export interface PendingModify {
  readonly spec: OrderSpec;
  readonly facts: PlacementFacts;
  readonly requestedAt: number;
  /** The old OID's CANCELED has been seen (it may precede the new OID's open). */
  readonly cancelLegSeen: boolean;
}

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
/** The store's own, mutable record of one order. */
export type Rec = Mutable<Omit<TrackedOrder, "oldOids" | "pendingModify">> & {
  oldOids: number[];
  pendingModify: Mutable<PendingModify> | null;
  priorState: OrderState | null;
  legOrigSz: number;
};

export type PlacementRefusal =
  | { readonly kind: "DuplicateCloid"; readonly cloid: string }
  | { readonly kind: "DuplicatePrice"; readonly cloid: string; readonly existing: string; readonly px: number; readonly isBuy: boolean }
  | { readonly kind: "InvalidSpec"; readonly cloid: string; readonly detail: string };

export type PlacementCheck = { readonly ok: true } | { readonly ok: false; readonly refusal: PlacementRefusal };

/** The result of applying one event: the order after it (undefined when the event matched no order). */
export interface StoreChange {
  readonly order: TrackedOrder | undefined;
  readonly before: OrderState | null;
  readonly changed: boolean;
}

export const NO_CHANGE: StoreChange = { order: undefined, before: null, changed: false };
