// The execution core's state, and the small helpers every step shares. The state is a plain
// object that one `step` at a time owns: steps update it in place and return it (copying a
// thousand-order store per input would cost the hot path more than the whole step). Nothing here
// reads a clock, does I/O or touches a stream: time is the `now` of the step, effects leave as
// commands, news leaves as events, both collected in `out` and handed to the shell.
import { budgetScale, shapeThresholds } from "./budgetShaping.js";
import { createDeadManState } from "./deadManStep.js";
import type { DeadManState } from "./deadManStep.js";
import { createReserveState, type ReserveState } from "./reserveWeight.js";
import type { QuoteGateReason } from "../streams/gate.js";
import type { QuotaThrottleState } from "../streams/quota.js";
import { createCloidGenerator } from "./cloid.js";
import type { CloidGenerator } from "./cloid.js";
import { KillSwitch } from "./killSwitch.js";
import type { KillTrigger } from "./killSwitch.js";
import { DEFAULT_LADDER_THRESHOLDS } from "./ladderDiff.js";
import type { LadderThresholds } from "./ladderDiff.js";
import { MarketViews } from "./marketView.js";
import { OrderStore } from "./orderStore.js";
import { PnlBook, PositionBook } from "./position.js";
import type { ContestedStatus } from "./statusConfirm.js";
import type { DriftWatch } from "./driftWatch.js";
import type { PnlGapWatch } from "./pnlCorrection.js";
import type { ExecutionSinkAssetConfig, ExecutionSinkConfig, SinkCommand, SinkEvent, SinkMetrics } from "./sinkTypes.js";
import { DirtyAssets } from "./dirtyAssets.js";

/** A side held empty after a race until `until` and the sync numbered `sync` completed. */
export interface SideHolds {
  bidUntil: number;
  askUntil: number;
  bidSync: number;
  askSync: number;
}

/** A cancel answered AlreadyFilled: the fill it is owed, and when to stop waiting for it. */
export interface AlreadyFilledWatch {
  readonly asset: string;
  remaining: number;
  readonly deadline: number;
}

export interface SyncState {
  inFlight: boolean;
  pending: string | null;
  /** When the gap timer for an event-triggered sync fires (null: none armed). */
  timerAt: number | null;
  lastEventSyncStart: number;
  /** Request time of the last sync that fetched open orders. */
  lastOrdersSyncAt: number;
  pendingWantsOrders: boolean;
  done: number;
  /** When the venue last pushed an account snapshot (accountPushes$), or -Infinity. */
  lastPushAt: number;
  /** Request time of the last periodic REST sync (the safety poll while pushes arrive). */
  lastPeriodicAt: number;
  /** After an HTTP 429 on a snapshot: no REST sync before this, and the current backoff (0: none). */
  backoffUntil: number;
  backoffMs: number;
}

export interface SinkState {
  readonly config: ExecutionSinkConfig;
  readonly store: OrderStore;
  readonly positions: PositionBook;
  readonly pnl: PnlBook;
  readonly killSwitch: KillSwitch;
  readonly metrics: SinkMetrics;
  readonly cloids: CloidGenerator;
  /** One market view per asset: mid, volatility, book, latest intent. */
  readonly markets: MarketViews;
  /** Size displayed ahead at an order's price when it joined the queue (queue-aware keeping). */
  readonly queueAtJoin: Map<string, number>;
  readonly gateShown: Map<string, string>;
  /** Assets the executor's send queue was last told are closed (see closeGateCommand). */
  readonly execClosed: Set<string>;
  /** Terminal statuses held until orderStatus confirms them, by CLOID (statusConfirm.ts). */
  readonly contested: Map<string, ContestedStatus>;
  /** Gaps between the PnL book and the venue, watched across snapshots (pnlCorrection.ts). */
  readonly pnlGaps: Map<string, PnlGapWatch>;
  /** Drifts found by reconciliation, watched for the fills in flight that explain them (driftWatch.ts). */
  readonly driftWatch: Map<string, DriftWatch>;
  /** Orders sent shrunk by the margin check: the size their level asked for (margin.ts). */
  readonly shrunkFrom: Map<string, number>;
  /** The UTC day (number) the loss limit counts (dayRoll.ts). */
  pnlDay: number;
  /** The first account snapshot (with open orders) has been adopted. */
  accountAdopted: boolean;
  /** The account's value at the last adopted snapshot (USD); undefined before the first. */
  accountValue: number | undefined;
  readonly staleSince: Map<string, number>;
  /** Assets with leftover orders adopted at the start, and when (adoptGrace.ts). */
  readonly adoptedAt: Map<string, number>;
  readonly holds: Map<string, SideHolds>;
  readonly moveSinceSync: Map<string, number>;
  readonly orphanCancelAt: Map<number, number>;
  readonly quotaCooldown: Map<string, number>;
  readonly watches: Map<string, AlreadyFilledWatch>;
  readonly dirty: DirtyAssets;
  readonly sync: SyncState;
  quota: QuotaThrottleState | null;
  /** The dead-man's switch as the core last asked for it (deadManStep.ts). */
  readonly deadMan: DeadManState;
  /** Requests bought with reserveRequestWeight (reserveWeight.ts; idle unless config.reserve). */
  readonly reserve: ReserveState;
  stopping: boolean;
  connOpen: boolean;
  connDownSince: number | null;
  rateLimitedRun: number;
  reconcileInstant: number;
  reconcilesThisInstant: number;
  /** What the current step produced so far. */
  readonly out: { commands: SinkCommand[]; events: SinkEvent[] };
  /** Each asset's merged config and base thresholds, built at first use (the config never changes). */
  readonly assetSettings: Map<string, AssetSettings>;
}

interface AssetSettings {
  readonly config: ExecutionSinkAssetConfig;
  /** Before budget shaping (which follows the quota state: applied per call). */
  readonly thresholds: LadderThresholds;
}

export function createSinkState(config: ExecutionSinkConfig, now: number): SinkState {
  return {
    config,
    store: new OrderStore(config.orderStore),
    positions: new PositionBook(),
    pnl: new PnlBook(),
    killSwitch: new KillSwitch(now),
    metrics: {
      intents: 0,
      badIntents: 0,
      batchesSent: 0,
      batchResults: 0,
      batchFailures: 0,
      timeouts: 0,
      quotaRefused: 0,
      placementsRefused: 0,
      statusQueries: 0,
      fills: 0,
      raceFills: 0,
      unmatchedFills: 0,
      pulls: 0,
      reconciles: 0,
      reconcileFailures: 0,
      reconcileRateLimited: 0,
      accountPushes: 0,
      driftRecords: 0,
      driftUnexplained: 0,
      orphansCancelled: 0,
      ordersAdopted: 0,
      volumeUsd: 0,
      fillsSkippedByPosition: 0,
      droppedAtGate: 0,
      invalidTransitions: 0,
      contested: 0,
      contestedConfirmed: 0,
      contestedFalse: 0,
      pnlCorrections: 0,
      dayRollovers: 0,
      marginHeld: 0,
      marginShrunk: 0,
      marginRejectSyncs: 0,
      deadManArms: 0,
      deadManDisarms: 0,
      deadManRefusals: 0,
      reserveRequestsBought: 0,
      reserveUsdSpent: 0,
      reserveRefusals: { dailyCap: 0, funds: 0, venue: 0, quota: 0, unanswered: 0 },
    },
    cloids: createCloidGenerator(config.cloidSeed),
    markets: new MarketViews(config.volatilitySpan ?? 50),
    queueAtJoin: new Map(),
    gateShown: new Map(),
    execClosed: new Set(),
    contested: new Map(),
    pnlGaps: new Map(),
    driftWatch: new Map(),
    shrunkFrom: new Map(),
    pnlDay: Math.floor(now / 86_400_000),
    accountAdopted: false,
    accountValue: undefined,
    staleSince: new Map(),
    adoptedAt: new Map(),
    holds: new Map(),
    moveSinceSync: new Map(),
    orphanCancelAt: new Map(),
    quotaCooldown: new Map(),
    watches: new Map(),
    dirty: new DirtyAssets(),
    sync: { inFlight: false, pending: null, timerAt: null, lastEventSyncStart: -Infinity, lastOrdersSyncAt: -Infinity, pendingWantsOrders: false, done: 0, lastPushAt: -Infinity, lastPeriodicAt: -Infinity, backoffUntil: -Infinity, backoffMs: 0 },
    quota: null,
    deadMan: createDeadManState(),
    reserve: createReserveState(),
    stopping: false,
    connOpen: true,
    connDownSince: null,
    rateLimitedRun: 0,
    reconcileInstant: Number.NaN,
    reconcilesThisInstant: 0,
    out: { commands: [], events: [] },
    assetSettings: new Map(),
  };
}

/** An asset's settings: the defaults, overridden by its own. */
export function assetConfig(s: SinkState, asset: string): ExecutionSinkAssetConfig {
  return settingsOf(s, asset).config;
}

export function thresholdsOf(s: SinkState, asset: string): LadderThresholds {
  const t = settingsOf(s, asset).thresholds;
  // requote less as the address budget runs low (budgetShaping.ts), before the breaker stops quoting
  return s.config.budgetShaping === false ? t : shapeThresholds(t, budgetScale(s.quota, s.config.budgetShaping));
}

// asked on every reconcile and tick: merged once per asset, not spread afresh each time
function settingsOf(s: SinkState, asset: string): AssetSettings {
  let a = s.assetSettings.get(asset);
  if (a === undefined) {
    const config = { ...(s.config.defaults ?? {}), ...(s.config.assets?.[asset] ?? {}) };
    const thresholds = { ...DEFAULT_LADDER_THRESHOLDS, ...(s.config.defaults?.thresholds ?? {}), ...(config.thresholds ?? {}) };
    s.assetSettings.set(asset, (a = { config, thresholds }));
  }
  return a;
}

export function emit(s: SinkState, event: SinkEvent): void {
  s.out.events.push(event);
}

export function command(s: SinkState, c: SinkCommand): void {
  s.out.commands.push(c);
}

export function submit(s: SinkState, batch: Parameters<typeof submitCommand>[0]): void {
  s.metrics.batchesSent += 1;
  command(s, submitCommand(batch));
}

function submitCommand(batch: Extract<SinkCommand, { kind: "submit" }>["batch"]): SinkCommand {
  return { kind: "submit", batch };
}

/** Ask orderStatus about one of our orders (noted, counted). */
export function askStatus(s: SinkState, cloid: string, now: number): void {
  s.store.noteStatusQuery(cloid, now);
  s.metrics.statusQueries += 1;
  command(s, { kind: "queryStatus", ref: { cloid } });
}

export function touch(s: SinkState, order: { readonly asset: string } | undefined): void {
  if (order) s.dirty.add(order.asset);
}

/**
 * Every asset the sink knows: with an intent (in the order their market views were made), then
 * those with an order still open but no intent (in the store's order). Asked on every tick: in the
 * usual case — every asset with an open order has an intent — it is the markets' kept list as is.
 */
export function knownAssets(s: SinkState): readonly string[] {
  const withIntent = s.markets.assetsWithIntent();
  for (const asset of s.store.assets()) {
    if (!s.markets.hasIntent(asset) && s.store.open(asset).length > 0) {
      const out = new Set<string>(withIntent);
      for (const o of s.store.open()) out.add(o.asset);
      return [...out];
    }
  }
  return withIntent;
}

/** Trip the kill switch; on activation every asset is reconciled (to an empty ladder). */
export function trip(s: SinkState, trigger: KillTrigger, detail: string, asset: string | null, now: number): void {
  const before = s.killSwitch.state;
  const activated = s.killSwitch.trip(trigger, detail, now, asset);
  if (s.killSwitch.state !== before) emit(s, { type: "killSwitch", state: s.killSwitch.state, time: now });
  if (activated) {
    // tell the send queue at once (not at the next flush): nothing queued for any asset may leave now
    const reason = s.killSwitch.gateReason();
    for (const a of knownAssets(s)) {
      if (reason) tellExecutorGate(s, a, reason);
      s.dirty.add(a);
    }
  }
}

/**
 * Keep the executor's send queue in step with an asset's quoting: a `gate` command when it closes
 * (its queued placements and modifies are dropped) and when it reopens. Sent before the step's
 * cancels, so the queue hears of the closing first.
 */
export function tellExecutorGate(s: SinkState, asset: string, reason: QuoteGateReason | null): void {
  const closed = reason !== null;
  if (s.execClosed.has(asset) === closed) return;
  if (closed) s.execClosed.add(asset);
  else s.execClosed.delete(asset);
  command(s, { kind: "gate", asset, reason });
}

/** The mark for `asset`: its mid, else the intent's, else `fallback`. */
export function markOf(s: SinkState, asset: string, fallback: number): number {
  return s.markets.mid(asset) ?? fallback;
}

/** Why quoting is closed on `asset` (resting orders cancelled): shutdown, the kill switch, a stale order. */
export function gateFor(s: SinkState, asset: string, now: number): QuoteGateReason | null {
  if (s.stopping) return { kind: "KillSwitch", trigger: "Shutdown", detail: "sink shutting down" };
  return s.killSwitch.gateReason() ?? s.store.gateReason(asset, now) ?? null;
}

/**
 * Why new placements and modifies are held back on `asset` while resting orders stay: the first
 * account snapshot not adopted yet (awaitAccount; shown as NoDataReceived), the quota
 * breaker (reported as its QuotaBreaker reason) or a cool-down after the throttle refused a
 * placement. Without it a refused placement would be re-placed at once, in the same instant.
 */
export function placementHold(s: SinkState, asset: string, now: number): QuoteGateReason | null {
  // before the account is adopted we do not know our position or what already rests: no new risk
  if (s.config.awaitAccount === true && !s.accountAdopted) return { kind: "NoDataReceived" };
  const quota = s.quota;
  if (quota?.reason) return quota.reason;
  if (quota && quota.limited !== "none") return { kind: "QuotaBreaker", headroom: quota.headroom, threshold: 0 };
  if ((s.quotaCooldown.get(asset) ?? 0) > now) return { kind: "QuotaBreaker", headroom: quota?.headroom ?? 0, threshold: 0 };
  return null;
}

export function gateKey(gate: QuoteGateReason | null): string {
  if (!gate) return "";
  if (gate.kind === "OrderStale") return `OrderStale:${gate.cloid}`;
  if (gate.kind === "QuotaBreaker") return "QuotaBreaker";
  return JSON.stringify(gate);
}
