// The execution core's vocabulary: its configuration, the one input union (SinkInput), what one
// step returns (commands for the shell to carry out, events for whoever listens), and the event
// union the sink publishes on `events$`.
import type { BudgetShapingOptions } from "./budgetShaping.js";
import type { ActionBatch, Tif } from "../streams/actions.js";
import type { FillEvent, VenueFill } from "../streams/fill.js";
import type { GuardedFill, OrderState } from "../streams/execution.js";
import type { QuoteGateReason } from "../streams/gate.js";
import type { QuoteIntent } from "../streams/intent.js";
import type { BookEvent, MidEvent } from "../streams/market.js";
import type { AccountSnapshot, OrderUpdate } from "../streams/orders.js";
import type { QuotaThrottleState } from "../streams/quota.js";
import type { ConnectionState } from "../streams/venue.js";
import type { DecodeFailure } from "../streams/codec.js";
import type { ExecutionEvent, ExecutorOptions, StatusRef } from "./executor.js";
import type { DeadMansSwitchOptions } from "./executor.js";
import type { KillSwitchState } from "./killSwitch.js";
import type { LadderThresholds } from "./ladderDiff.js";
import type { OrderStoreOptions, PlacementRefusal } from "./orderStore.js";
import type { ReserveOptions, ReserveRefusalReason } from "./reserveWeight.js";
import type { InvalidTransition } from "./orderTransitions.js";
import type { DriftRecord } from "./position.js";

export interface ExecutionSinkAssetConfig {
  /**
   * At the first account snapshot, adopt the orders an earlier session left resting (those with a
   * CLOID) instead of cancelling them: they rest as this session's, the ladder diff decides. Default false.
   */
  readonly adoptLeftovers?: boolean;
  readonly thresholds?: Partial<LadderThresholds>;
  /** Quoter's max position (USD). Kill switch at `kill.maxPositionMultiple` × this; syncs on 5% moves. */
  readonly maxPositionUsd?: number;
  /** Kill switch when realised − fees + unrealised falls below −maxLossUsd. */
  readonly maxLossUsd?: number;
  /** Kill switch when a reconcile finds our position off by more than this (USD). */
  readonly maxDriftUsd?: number;
  /** Time in force of placements (default Alo). */
  readonly tif?: Tif;
}

export interface ExecutionSinkConfig {
  /** Seed of the CLOID generator (high 64 bits). Pick a fresh one per session at the app edge. */
  readonly cloidSeed: number | bigint;
  readonly defaults?: ExecutionSinkAssetConfig;
  /**
   * Hold every placement and modify (cancels go) until the first account snapshot with open orders
   * has been adopted — a start never quotes blind (default false; the service turns it on).
   */
  readonly awaitAccount?: boolean;
  /**
   * Margin before sending (sinks/margin.ts): a placement whose initial margin (px × sz / leverage)
   * exceeds what the account has left — its value at the last adopted snapshot, less the margin of
   * positions and resting orders, less `bufferPct` — is held (not sent; counted `marginHeld`) and
   * tried again at the next reconcile. Leverage per asset from `leverage` (the service fills it from
   * the venue's meta: min(20, maxLeverage), Hyperliquid's default), else `defaultLeverage` (20).
   * Absent: no check.
   */
  readonly margin?: {
    readonly leverage?: ReadonlyMap<string, number>;
    readonly defaultLeverage?: number;
    readonly bufferPct?: number;
    /** Size decimals per asset: with them an order that does not fit whole is shrunk to what fits (else held). */
    readonly szDecimals?: ReadonlyMap<string, number>;
    /** A shrunk order below this notional is held instead (default 10 USD, Hyperliquid's minimum order value). */
    readonly minNotionalUsd?: number;
  };
  readonly assets?: Readonly<Record<string, ExecutionSinkAssetConfig>>;
  readonly executor?: ExecutorOptions;
  /**
   * Sees every batch the core plans, as the step hands it to the executor: on the call stack of
   * the input that caused it, before the coalescer or the throttle may hold it (the service's
   * tick-to-action metric stamps a book's orders with it). Must not throw or call into the sink.
   */
  readonly onPlanned?: (batch: ActionBatch) => void;
  /** Address-budget requests one USDC traded on `asset` earns (default 1; 0.1 on a HIP-3 asset in growth mode, app/hip3.ts). */
  readonly addressCredit?: (asset: string) => number;
  /** Perp dexes an account snapshot covers (main + HIP-3): its IP weight is per dex (default 1). */
  readonly accountDexes?: number;
  /** Elements per request (default 39: IP weight 1). */
  readonly maxBatchSize?: number;
  readonly orderStore?: OrderStoreOptions;
  /**
   * Confirm with orderStatus a terminal orderUpdates status that contradicts what the record knows
   * (sinks/statusConfirm.ts) before its level is re-placed (default true).
   */
  readonly confirmTerminal?: boolean;
  /**
   * The PnL book corrected to the venue's position and entry when a gap persists (sinks/pnlCorrection.ts):
   * the same gap on snapshots spanning `afterMs` (default 5000), nothing in flight; false: never.
   */
  readonly pnlCorrection?: { readonly afterMs?: number } | false;
  /** A `filled` status whose fills have not arrived waits this long for them before asking orderStatus (default 1000 ms). */
  readonly confirmGraceMs?: number;
  readonly raceGuard?: {
    /** How long a cancel answered AlreadyFilled waits for its fill before a reconcile is asked (default 5000 ms). */
    readonly alreadyFilledTimeoutMs?: number;
    readonly sizeEpsilon?: number;
  };
  readonly reconcile?: {
    /** Account snapshot period (default 3000 ms). */
    readonly intervalMs?: number;
    /**
     * Open orders (frontendOpenOrders, IP weight 20 beside clearinghouseState's 2) are fetched by a
     * periodic or positionChange sync only when the last fetch is at least this old; every other
     * trigger (reconnect, rejections, races) fetches them at once. Default: with every snapshot.
     */
    readonly openOrdersIntervalMs?: number;
    /** Event-triggered syncs at least this far apart (default 2000 ms). */
    readonly minGapMs?: number;
    /** A position move above this % of max position (since the last sync) triggers one (default 5). */
    readonly positionChangePct?: number;
    /** A drift is news only if the fills in flight have not explained it this long after (default 5000 ms; driftWatch.ts). */
    readonly driftGraceMs?: number;
    /** An order missing from the venue's open orders is only questioned if its last event is this much older than the snapshot (default 1000 ms). */
    readonly missingGraceMs?: number;
    /** Give up on one account() call after this long (default 10 000 ms). */
    readonly timeoutMs?: number;
    /**
     * While the venue pushes account snapshots (Venue.accountPushes$, adopted like polled ones), the
     * periodic REST snapshot runs only this often, as a safety poll (default 60 000 ms). Event
     * triggers (rejections, races, unmatched fills, reconnects) still ask REST at once.
     */
    readonly safetyPollMs?: number;
    /** Pushes count as arriving while the last one is at most this old; beyond, the periodic poll resumes at intervalMs (default 15 000 ms: ~3 push rounds). */
    readonly pushStaleMs?: number;
  };
  /** Budget-shaped quoting: tolerances widen as the address headroom falls (default on; false: never). */
  readonly budgetShaping?: BudgetShapingOptions | false;
  /** Buy address requests with reserveRequestWeight when headroom runs low (reserveWeight.ts); absent: never (the default). */
  readonly reserve?: ReserveOptions;
  /** The dead-man's switch, or false to never arm it. */
  readonly deadMan?: DeadMansSwitchOptions | false;
  readonly kill?: {
    /** Intents carrying StaleData/NoDataReceived, or the connection not open, for this long trip the switch (default 60 000 ms). */
    readonly staleDataMs?: number;
    /** |position| above this multiple of maxPositionUsd trips it (default 1.5). */
    readonly maxPositionMultiple?: number;
    /** This many rate-limited answers in a row trip it (default 10); cancels held back by quota trip it at once. */
    readonly rateLimitedInARow?: number;
    /** A kill switch tripped by the loss limit stays tripped past 00:00 UTC (default false: the new day clears it, sinks/dayRoll.ts). */
    readonly maxLossCarriesOver?: boolean;
  };
  /** After a race, the side that added exposure stays empty this long and until the next sync completes (default 2000 ms). */
  readonly pullHoldMs?: number;
  /** After the quota throttle refuses a placement on an asset, no placement or modify there for this long (default 1000 ms). */
  readonly quotaCooldownMs?: number;
  /** Span (in mid updates) of the volatility EWMA used when thresholds.volatility is set (default 50). */
  readonly volatilitySpan?: number;
  /** Period of the stale sweep, gate and kill checks (default 250 ms). */
  readonly housekeepingMs?: number;
  /** Safety net: more inputs than this at one instant is a runaway loop → the sink fails (default 200 000). */
  readonly maxStepsPerInstant?: number;
  /** Safety net: more ladder reconciliations than this at one instant is a runaway loop → the sink fails (default 5000). */
  readonly maxReconcilesPerInstant?: number;
  /** shutdown() waits at most this long for answers (default 15 000 ms). */
  readonly shutdownTimeoutMs?: number;
}

/** Everything the core reacts to, in the order the shell folds it. */
export type SinkInput =
  | { readonly kind: "intent"; readonly intent: QuoteIntent }
  | { readonly kind: "mid"; readonly mid: MidEvent }
  | { readonly kind: "book"; readonly book: BookEvent }
  | { readonly kind: "orderUpdate"; readonly update: OrderUpdate }
  /** One venue fill, already deduped by (asset, tid). */
  | { readonly kind: "fill"; readonly fill: VenueFill }
  /** What the executor did or heard (sent, result, failed, refused, status). */
  | { readonly kind: "executor"; readonly event: ExecutionEvent }
  | { readonly kind: "quota"; readonly state: QuotaThrottleState }
  /** A polled snapshot (the answer to a fetchAccount), or with trigger "push" one the venue pushed (accountPushes$). */
  | { readonly kind: "account"; readonly snapshot: AccountSnapshot; readonly trigger: string; readonly withOrders: boolean }
  | { readonly kind: "accountFailed"; readonly trigger: string; readonly withOrders: boolean; readonly error: string }
  | { readonly kind: "connection"; readonly state: ConnectionState }
  /** Housekeeping period: stale sweep, holds, gates, kill checks, pruning. */
  | { readonly kind: "tick" }
  /** The account snapshot period. */
  | { readonly kind: "syncDue" }
  /** A timer the core asked for (SinkCommand "wake") came due. */
  | { readonly kind: "wake"; readonly key: string }
  /** A dead-man's switch batch (scheduleCancel) to send. */
  | { readonly kind: "deadMan"; readonly batch: ActionBatch }
  /** Reconcile every asset left dirty by the inputs before it (the shell sends it once they are all folded). */
  | { readonly kind: "flush" }
  | { readonly kind: "kill"; readonly detail: string }
  | { readonly kind: "clearKillSwitch" }
  | { readonly kind: "shutdown" };

/** What the core asks the shell to do. */
export type SinkCommand =
  | { readonly kind: "submit"; readonly batch: ActionBatch }
  | { readonly kind: "queryStatus"; readonly ref: StatusRef }
  | { readonly kind: "fetchAccount"; readonly withOrders: boolean; readonly trigger: string; readonly timeoutMs: number }
  /** IP weight of an info request made from the same IP (clearinghouseState 2, frontendOpenOrders 20). */
  | { readonly kind: "infoWeight"; readonly weight: number }
  /** USDC traded, or requests bought with reserveRequestWeight (the address budget grows by one request per unit). */
  | { readonly kind: "volume"; readonly usd: number }
  /** An asset's quoting closed (reason) or reopened (null): the executor's send queue drops its placements and modifies while closed. */
  | { readonly kind: "gate"; readonly asset: string; readonly reason: QuoteGateReason | null }
  /** Feed `{ kind: "wake", key }` back after `delayMs`. */
  | { readonly kind: "wake"; readonly key: string; readonly delayMs: number };

export type RaceEvent =
  | { readonly kind: "race"; readonly fill: GuardedFill; readonly time: number }
  | { readonly kind: "unmatched"; readonly fill: GuardedFill; readonly time: number }
  | { readonly kind: "pull"; readonly asset: string; readonly isBuy: boolean; readonly cloids: readonly string[]; readonly tid: number; readonly time: number }
  | { readonly kind: "reconcileRequest"; readonly reason: string; readonly asset: string; readonly cloid: string | null; readonly time: number };

export interface ReconcileReport {
  readonly time: number;
  readonly trigger: string;
  readonly snapshotTime: number;
  readonly drifts: readonly DriftRecord[];
  /** Venue orders we do not track (or had ended): cancelled by OID. */
  readonly orphansCancelled: readonly number[];
  /** OIDs of an earlier session's orders adopted at the first snapshot (reconciliation.leftoverOrders: adopt). */
  readonly ordersAdopted?: readonly number[];
  /** Our live orders the venue's list lacks: asked about with orderStatus. */
  readonly missingQueried: readonly string[];
  readonly positions: Readonly<Record<string, number>>;
  /** False for a positions-only sync (reconcile.openOrdersIntervalMs): no orphan or missing check ran. */
  readonly openOrdersIncluded: boolean;
}

export interface SinkGateEvent {
  readonly asset: string;
  readonly reason: QuoteGateReason | null;
  readonly time: number;
}

/** A fill as the sink applied it, with what analytics and plugins want beside it. */
export interface SinkFill extends GuardedFill {
  /** Our position in the asset after this fill (coins). */
  readonly positionAfter: number;
  /** Placement → fill (ms of venue time), when the order is known. */
  readonly orderAgeMs: number | null;
  /** Size the book showed ahead of us at the fill price when we joined, shrunk by what the book shows now (queue-aware estimate), when books are fed. */
  readonly queueAhead: number | null;
}

/** Everything the sink tells the world, in order. `events$` completes on shutdown and errors on failure. */
export type SinkEvent =
  | ({ readonly type: "fill"; readonly time: number } & SinkFill)
  /** The FillEvent alone: markoutWindow's input. */
  | { readonly type: "markoutInput"; readonly fill: FillEvent; readonly time: number }
  | { readonly type: "position"; readonly asset: string; readonly position: number; readonly cause: "fill" | "reconcile"; readonly time: number }
  | { readonly type: "race"; readonly race: RaceEvent; readonly time: number }
  /** Reconciliation found our position off the venue's and adopted the venue's; watched `graceMs` for fills in flight (driftWatch.ts). */
  | { readonly type: "drift"; readonly drift: DriftRecord; readonly graceMs: number; readonly time: number }
  /** An asset's watched drift was fills in flight: they arrived inside the adopted snapshots and account for all of it (`late`: after it had been reported unexplained). */
  | { readonly type: "driftExplained"; readonly asset: string; readonly fills: number; readonly afterMs: number; readonly late: boolean; readonly time: number }
  /** An asset's watched drift that fills in flight had not explained within the grace: `unexplained` coins were news (the drift records since the last report). */
  | { readonly type: "driftUnexplained"; readonly asset: string; readonly drifts: readonly DriftRecord[]; readonly unexplained: number; readonly fills: number; readonly sinceMs: number; readonly time: number }
  /** The first account snapshot was adopted: the positions inherited from before this session (coins, venue entry price), and the venue's open orders then. */
  | { readonly type: "accountAdopted"; readonly inherited: readonly { readonly asset: string; readonly position: number; readonly entryPx: number }[]; readonly openOrders: number; readonly time: number }
  | { readonly type: "reconcile"; readonly report: ReconcileReport; readonly time: number }
  /** An account sync was sent: why, whether it fetches open orders, and the IP weight it costs. */
  | { readonly type: "syncStarted"; readonly trigger: string; readonly withOrders: boolean; readonly infoWeight: number; readonly time: number }
  | { readonly type: "reconcileFailed"; readonly trigger: string; readonly error: string; readonly time: number }
  | ({ readonly type: "gate" } & SinkGateEvent)
  | { readonly type: "killSwitch"; readonly state: KillSwitchState; readonly time: number }
  /** The dead-man's switch: armed (until), disarmed when flat, refused by the venue (its text), or not sent (quota, transport). */
  | { readonly type: "deadMan"; readonly state: "armed" | "disarmed" | "refused" | "notSent"; readonly until: number | null; readonly error: string | null; readonly time: number }
  /** A reserveRequestWeight purchase: sent, bought (the venue confirmed it), or refused (by the policy, the throttle or the venue: `reason`, `error`). `usdToday`: spent on the UTC day. */
  | { readonly type: "reserve"; readonly state: "sent" | "bought" | "refused"; readonly weight: number; readonly usdToday: number; readonly reason: ReserveRefusalReason | null; readonly error: string | null; readonly time: number }
  /** What the executor did or heard: sent / result (rate-limited answers included) / failed / refused by quota / status. */
  | { readonly type: "action"; readonly action: VenueExecutionEvent; readonly time: number }
  /** Placements/modifies that waited for a send slot and were dropped because their asset's gate closed meanwhile (never sent). */
  | { readonly type: "dropped"; readonly asset: string; readonly reason: QuoteGateReason; readonly batch: ActionBatch; readonly elements: number; readonly time: number }
  | { readonly type: "refusal"; readonly refusal: PlacementRefusal; readonly time: number }
  /** 00:00 UTC passed: the loss limit's day restarted (dayRoll.ts); a kill switch of yesterday's loss cleared unless configured to carry. */
  | { readonly type: "dayRolled"; readonly dayStart: number; readonly killSwitchCleared: boolean; readonly time: number }
  /** The venue refused or cancelled an order for margin: an account sync was asked at once (margin.ts). */
  | { readonly type: "marginReject"; readonly asset: string | null; readonly reason: string; readonly time: number }
  /** The PnL book's position was persistently off the venue's and was set to it (pnlCorrection.ts). */
  | { readonly type: "pnlCorrected"; readonly asset: string; readonly before: number; readonly after: number; readonly entryPx: number; readonly gap: number; readonly snapshots: number; readonly sinceMs: number; readonly time: number }
  /**
   * A terminal orderUpdates status that contradicts the record, held (not applied) until orderStatus answers (statusConfirm.ts).
   * `graceMs`: a `filled` ahead of its fills first waits this long for them (no request unless they do not come); null: asked at once.
   */
  | { readonly type: "statusContested"; readonly asset: string; readonly cloid: string; readonly oid: number; readonly status: string; readonly state: OrderState; readonly why: string; readonly graceMs: number | null; readonly time: number }
  /** A contested `filled` whose fills did not come within its grace: orderStatus asked now (IP weight 2). */
  | { readonly type: "statusAsked"; readonly asset: string; readonly cloid: string; readonly status: string; readonly waitedMs: number; readonly time: number }
  /** The contest settled: the venue (or the fills) confirmed the end, or the status was false and the order still rests. `asked`: orderStatus was asked (false: the fills or the record settled it first). */
  | { readonly type: "statusResolved"; readonly asset: string; readonly cloid: string; readonly status: string; readonly outcome: "confirmed" | "false"; readonly state: OrderState | null; readonly heldMs: number; readonly asked: boolean; readonly time: number }
  | { readonly type: "invalidTransition"; readonly transition: InvalidTransition; readonly time: number }
  | { readonly type: "badInput"; readonly error: DecodeFailure; readonly time: number };

export type SinkEventType = SinkEvent["type"];

/** What the executor did with the venue or heard from it (a drop at a closed gate is its own `dropped` event). */
export type VenueExecutionEvent = Exclude<ExecutionEvent, { readonly kind: "dropped" | "account" | "accountFailed" }>;

/** What one step returns beside the (updated) state. */
export interface SinkOutput {
  readonly commands: readonly SinkCommand[];
  readonly events: readonly SinkEvent[];
}

export interface SinkMetrics {
  intents: number;
  badIntents: number;
  batchesSent: number;
  batchResults: number;
  batchFailures: number;
  timeouts: number;
  quotaRefused: number;
  placementsRefused: number;
  statusQueries: number;
  fills: number;
  raceFills: number;
  unmatchedFills: number;
  pulls: number;
  reconciles: number;
  reconcileFailures: number;
  /** Snapshot requests the venue answered HTTP 429 (rate limited): each one backs the REST syncs off. */
  reconcileRateLimited: number;
  /** Account snapshots the venue pushed and the sink adopted (no REST weight). */
  accountPushes: number;
  driftRecords: number;
  /** Of them, drifts that fills in flight did not explain within reconcile.driftGraceMs (driftWatch.ts). */
  driftUnexplained: number;
  orphansCancelled: number;
  /** Leftover orders of an earlier session adopted at the start (instead of cancelled). */
  ordersAdopted: number;
  volumeUsd: number;
  fillsSkippedByPosition: number;
  /** Placement/modify elements dropped from the send queue because their asset's gate closed. */
  droppedAtGate: number;
  invalidTransitions: number;
  /** Terminal orderUpdates statuses that contradicted the record, held for orderStatus (statusConfirm.ts)… */
  contested: number;
  /** …of which the venue (or the fills) confirmed… */
  contestedConfirmed: number;
  /** …and which were false (the order still rested). */
  contestedFalse: number;
  /** 00:00 UTC rollovers of the loss limit's day (dayRoll.ts). */
  dayRollovers: number;
  /** PnL book corrections to the venue's position (pnlCorrection.ts). */
  pnlCorrections: number;
  /** Placements and modifies held because the account's margin would not cover them (sinks/margin.ts). */
  marginHeld: number;
  /** Placements and modifies shrunk to what the margin covers (sinks/margin.ts). */
  marginShrunk: number;
  /** Account syncs asked at once after a margin reject (batch, order answer or orderUpdates status). */
  marginRejectSyncs: number;
  /** scheduleCancel arms sent (deadManStep.ts: 0 while flat, ≤ 3600 / rearmMs an hour otherwise). */
  deadManArms: number;
  deadManDisarms: number;
  /** scheduleCancel answers the venue refused (its text is in the `deadMan` event). */
  deadManRefusals: number;
  /** Requests bought with reserveRequestWeight (confirmed by the venue) and their USD (0.0005 each). */
  reserveRequestsBought: number;
  reserveUsdSpent: number;
  /** Purchase refusals by reason, one per episode (reserveWeight.ts). */
  readonly reserveRefusals: Record<ReserveRefusalReason, number>;
}
