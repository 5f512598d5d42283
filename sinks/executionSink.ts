// ExecutionSink — the execution side of quoteflow for one venue and any number of assets.
//
// It turns gated quote intents into exchange actions and keeps our picture of the exchange true.
// It owns: the OrderStore (every order by CLOID), the ladder reconciler (diffLadder + planBatches),
// the Executor (quotaThrottle, ≤ N in flight, timeouts, status-before-resend, dead-man's switch),
// fill processing (one dedupTid → cancelFillRaceGuard → one fan-out), position reconciliation
// (venue truth wins) and the kill switch.
//
// How the app composes it:
//
//   const sink = new ExecutionSink(venue, {
//     cloidSeed: sessionSeed,                        // from the app edge: start time or random bits
//     defaults: { thresholds: { skipPriceBps: 20, skipSizePct: 10, modifyPriceBps: 50, modifySizePct: 50 },
//                 maxPositionUsd: 200, maxLossUsd: 100, maxDriftUsd: 100 },
//     assets: { ETH: { maxPositionUsd: 100 } },
//     executor: { maxInFlight: 16, timeoutMs: 10_000, quota: { random: seededRandom } },
//   }, scheduler);
//   const running = sink.connect(gatedIntents$, mids$);   // QuoteIntent of all assets; MidEvent optional
//   sink.fills$      → GuardedFill (FillEvent + race/unmatched flag): journal, metrics
//   sink.fillEvents$ → FillEvent alone: markoutWindow's input
//   sink.races$      → RaceEvent (race/unmatched fills, pulls, reconcile requests)
//   sink.drift$      → DriftRecord per reconcile that found our position wrong (sizes)
//   sink.reconciles$ → ReconcileReport after every account snapshot (positions, orphans, missing)
//   sink.killSwitch$ → KillSwitchState (trigger, asset, detail, since); sink.kill(detail) trips it
//                      by hand; sink.clearKillSwitch() is the only way out
//   sink.gates$      → { asset, reason } whenever the sink's own gate for an asset changes:
//                      OrderStale / KillSwitch (quoting stopped, resting orders cancelled) or
//                      QuotaBreaker (no new placements or modifies; resting orders kept)
//   sink.actions$    → ExecutionEvent (sent / result / failed / refused / status) for the journal
//   sink.refusals$   → placements refused before sending (duplicate CLOID / price)
//   sink.badInput$   → malformed intents (DecodeFailure naming the path), ignored
//   sink.metrics     → counters; sink.position(asset), sink.pnl, sink.liveOrders(), sink.store
//   sink.shutdown()  → Observable<void>: stop quoting, cancel everything, wait for the answers
//                      (bounded by shutdownTimeoutMs), disarm the dead-man's switch, tear down.
//
// Threading model: every input (intents, venue events, executor answers, timers) is applied
// through one FIFO trampoline, so the synchronous OrderStore is never entered twice and a venue
// that answers synchronously inside `submit` cannot interleave with a half-done reconciliation.
// A guard output is applied inside the step of the fill that caused it (store reads stay exact).
//
// Failure: an exception inside the sink (a bug) or a runaway loop (more than
// maxReconcilesPerInstant reconciliations at one instant) trips the kill switch (InternalError),
// sends one best-effort cancel of everything known to rest, errors the event streams and closes
// the trampoline — the dead-man's switch, no longer re-armed, pulls whatever is left.
import { Observable, Subject, Subscription, asyncScheduler, concatMap, defer, map, of, take, timeout } from "rxjs";
import type { SchedulerLike } from "rxjs";
import type { ActionBatch, BatchResult, CancelByCloidSpec, CancelResult, CancelSpec, ExchangeErrorCode, ModifySpec, OrderResult, OrderSpec, Tif } from "../streams/actions.js";
import type { AlreadyFilledNotice, GuardOutput, GuardedFill } from "../streams/execution.js";
import { isTerminalOrderState } from "../streams/execution.js";
import type { FillEvent, VenueFill } from "../streams/fill.js";
import type { QuoteGateReason } from "../streams/gate.js";
import type { QuoteIntent } from "../streams/intent.js";
import type { BookEvent, MidEvent } from "../streams/market.js";
import type { AccountSnapshot, OrderUpdate } from "../streams/orders.js";
import { statusClass } from "../streams/orders.js";
import { DecodeFailure, decodeWith } from "../streams/codec.js";
import { QuoteIntent as QuoteIntentCodec } from "../streams/intent.js";
import type { ConnectionState, Venue } from "../streams/venue.js";
import type { CancelFillRaceGuardOptions } from "../operators/cancelFillRaceGuard.js";
import { createCloidGenerator } from "./cloid.js";
import type { CloidGenerator } from "./cloid.js";
import { OrderStore } from "./orderStore.js";
import type { OrderStoreOptions, PlacementRefusal, TrackedOrder } from "./orderStore.js";
import { DEFAULT_LADDER_THRESHOLDS, diffLadder, planBatches, targetFromIntent } from "./ladderDiff.js";
import type { LadderOrder, LadderThresholds, TargetLevel } from "./ladderDiff.js";
import { Executor, deadMansSwitch } from "./executor.js";
import type { DeadMansSwitchOptions, ExecutionEvent, ExecutorOptions } from "./executor.js";
import { fanOutFill, flattenFillBatches, guardedFills } from "./fills.js";
import type { FillConsumers } from "./fills.js";
import { PnlBook, PositionBook } from "./position.js";
import type { DriftRecord } from "./position.js";
import { KillSwitch } from "./killSwitch.js";
import { everyOn } from "./periodic.js";
import type { KillSwitchState, KillTrigger } from "./killSwitch.js";

export interface ExecutionSinkAssetConfig {
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
  readonly assets?: Readonly<Record<string, ExecutionSinkAssetConfig>>;
  readonly executor?: ExecutorOptions;
  /** Elements per request (default 39: IP weight 1). */
  readonly maxBatchSize?: number;
  readonly orderStore?: OrderStoreOptions;
  readonly raceGuard?: CancelFillRaceGuardOptions;
  readonly dedupCapacity?: number;
  readonly reconcile?: {
    /** Account snapshot period (default 3000 ms). */
    readonly intervalMs?: number;
    /**
     * Open orders (frontendOpenOrders, IP weight 20 beside clearinghouseState's 2) are fetched by a
     * periodic or positionChange sync only when the last fetch is at least this old; every other
     * trigger (reconnect, rejections, races) fetches them at once. Default: with every snapshot.
     * Orphans and orders the venue no longer has are found at this period (plus missingGraceMs).
     */
    readonly openOrdersIntervalMs?: number;
    /** Event-triggered syncs at least this far apart (default 2000 ms). */
    readonly minGapMs?: number;
    /** A position move above this % of max position (since the last sync) triggers one (default 5). */
    readonly positionChangePct?: number;
    /** An order missing from the venue's open orders is only questioned if its last event is this much older than the snapshot (default 1000 ms). */
    readonly missingGraceMs?: number;
    /** Give up on one account() call after this long (default 10 000 ms). */
    readonly timeoutMs?: number;
  };
  /** The dead-man's switch, or false to never arm it. */
  readonly deadMan?: DeadMansSwitchOptions | false;
  readonly kill?: {
    /** Intents carrying StaleData/NoDataReceived, or the connection not open, for this long trip the switch (default 60 000 ms). */
    readonly staleDataMs?: number;
    /** |position| above this multiple of maxPositionUsd trips it (default 1.5). */
    readonly maxPositionMultiple?: number;
    /** This many rate-limited answers in a row trip it (default 10); cancels held back by quota trip it at once. */
    readonly rateLimitedInARow?: number;
  };
  /** After a race, the side that added exposure stays empty this long and until the next sync completes (default 2000 ms). */
  readonly pullHoldMs?: number;
  /** After quotaThrottle refuses a placement on an asset, no placement or modify there for this long (default 1000 ms). */
  readonly quotaCooldownMs?: number;
  /** Span (in mid updates) of the volatility EWMA used when thresholds.volatility is set (default 50). */
  readonly volatilitySpan?: number;
  /** Period of the stale sweep, gate and kill checks (default 250 ms). */
  readonly housekeepingMs?: number;
  /** Safety net: more trampoline steps than this at one instant is a runaway loop → the sink fails (default 200 000). */
  readonly maxStepsPerInstant?: number;
  /** Safety net: more ladder reconciliations than this at one instant is a runaway loop → the sink fails (default 5000). */
  readonly maxReconcilesPerInstant?: number;
  /** shutdown() waits at most this long for answers (default 15 000 ms). */
  readonly shutdownTimeoutMs?: number;
}

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
  driftRecords: number;
  orphansCancelled: number;
  volumeUsd: number;
  fillsSkippedByPosition: number;
}

const POSITION_CODES: ReadonlySet<ExchangeErrorCode> = new Set(["PerpMargin", "ReduceOnly", "PerpMaxPosition", "OpenInterestCap"]);

export class ExecutionSink {
  readonly store: OrderStore;
  readonly positions = new PositionBook();
  readonly pnl = new PnlBook();
  readonly killSwitch: KillSwitch;
  readonly executor: Executor;
  readonly metrics: SinkMetrics = {
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
    driftRecords: 0,
    orphansCancelled: 0,
    volumeUsd: 0,
    fillsSkippedByPosition: 0,
  };

  readonly #fills = new Subject<GuardedFill>();
  readonly #fillEvents = new Subject<FillEvent>();
  readonly #races = new Subject<RaceEvent>();
  readonly #drift = new Subject<DriftRecord>();
  readonly #reconciles = new Subject<ReconcileReport>();
  readonly #gates = new Subject<SinkGateEvent>();
  readonly #refusals = new Subject<PlacementRefusal & { readonly time: number }>();
  readonly #alreadyFilled = new Subject<AlreadyFilledNotice>();
  readonly #fillIn = new Subject<VenueFill>();
  readonly #badInput = new Subject<DecodeFailure>();

  /** Every guarded fill (FillEvent + flag), after all consumers ran. */
  readonly fills$: Observable<GuardedFill> = this.#fills.asObservable();
  /** The FillEvents alone (markoutWindow's input). */
  readonly fillEvents$: Observable<FillEvent> = this.#fillEvents.asObservable();
  readonly races$: Observable<RaceEvent> = this.#races.asObservable();
  readonly drift$: Observable<DriftRecord> = this.#drift.asObservable();
  readonly reconciles$: Observable<ReconcileReport> = this.#reconciles.asObservable();
  readonly gates$: Observable<SinkGateEvent> = this.#gates.asObservable();
  readonly refusals$: Observable<PlacementRefusal & { readonly time: number }> = this.#refusals.asObservable();
  readonly actions$: Observable<ExecutionEvent>;
  readonly killSwitch$: Observable<KillSwitchState>;
  /** Intents refused as malformed (each a DecodeFailure naming what and where); counted in metrics.badIntents. */
  readonly badInput$: Observable<DecodeFailure> = this.#badInput.asObservable();

  readonly #cloids: CloidGenerator;
  readonly #latest = new Map<string, QuoteIntent>();
  readonly #mids = new Map<string, number>();
  readonly #vol = new Map<string, number>();
  readonly #books = new Map<string, BookEvent>();
  /** Size displayed ahead at an order's price when it joined the queue (queue-aware keeping). */
  readonly #queueAtJoin = new Map<string, number>();
  readonly #gateShown = new Map<string, string>();
  readonly #staleSince = new Map<string, number>();
  readonly #holds = new Map<string, { bidUntil: number; askUntil: number; bidSync: number; askSync: number }>();
  readonly #moveSinceSync = new Map<string, number>();
  readonly #orphanCancelAt = new Map<number, number>();
  readonly #quotaCooldown = new Map<string, number>();
  readonly #dirty = new Set<string>();
  readonly #queue: (() => void)[] = [];
  #running = false;
  #instant = Number.NaN;
  #stepsThisInstant = 0;
  #reconcileInstant = Number.NaN;
  #reconcilesThisInstant = 0;
  #subs = new Subscription();
  #connected = false;
  #stopping = false;
  #connOpen = true;
  #connDownSince: number | null = null;
  #rateLimitedRun = 0;
  #syncInFlight = false;
  #syncPending: string | null = null;
  #syncTimer: Subscription | null = null;
  #lastEventSyncStart = -Infinity;
  /** Request time of the last sync that fetched open orders; a merged trigger that needs them. */
  #lastOrdersSyncAt = -Infinity;
  #pendingWantsOrders = false;
  #syncsDone = 0;
  #failure: unknown = null;

  constructor(
    private readonly venue: Venue,
    private readonly config: ExecutionSinkConfig,
    private readonly scheduler: SchedulerLike = asyncScheduler,
  ) {
    this.store = new OrderStore(config.orderStore);
    this.killSwitch = new KillSwitch(scheduler.now());
    this.killSwitch$ = this.killSwitch.state$;
    this.executor = new Executor(venue, config.executor, scheduler);
    this.actions$ = this.executor.events$;
    this.#cloids = createCloidGenerator(config.cloidSeed);
  }

  // ---- public ----------------------------------------------------------------------------------

  /**
   * Start: subscribe the venue's feeds, the intents and the timers. `mids$` feeds midAtPlacement /
   * midAtFill and the volatility scaling; `books$` (the traded venue's books, any assets) feeds the
   * queue estimate of queue-aware keeping (thresholds.queue). Unsubscribe to stop without cancelling.
   */
  connect(intents$: Observable<QuoteIntent>, mids$?: Observable<MidEvent>, books$?: Observable<BookEvent>): Subscription {
    if (this.#connected) throw new Error("ExecutionSink: connect() called twice");
    this.#connected = true;
    const s = this.#subs;
    const fail = (where: string) => (err: unknown) => this.#fail(where, err);
    const startedAt = this.scheduler.now();

    s.add(this.executor.events$.subscribe({ next: (e) => this.#dispatch(() => this.#onExec(e)), error: fail("executor") }));
    s.add(this.executor.start());
    s.add(
      guardedFills(this.#fillIn, this.store, this.#alreadyFilled, { ...(this.config.dedupCapacity !== undefined ? { dedupCapacity: this.config.dedupCapacity } : {}), ...(this.config.raceGuard ? { guard: this.config.raceGuard } : {}) }, this.scheduler).subscribe({
        next: (o) => this.#inline(() => this.#onGuard(o)),
        error: fail("fills"),
      }),
    );
    s.add(
      flattenFillBatches(
        // A snapshot replays history: fills from before this session are not ours to count (the
        // first account sync adopts the position they built). Later snapshots carry what a dropout
        // lost; dedupTid drops what we already had.
        this.venue.fills$.pipe(map((b) => (b.isSnapshot ? { ...b, fills: b.fills.filter((f) => f.time >= startedAt) } : b))),
      ).subscribe({
        next: (f) => this.#dispatch(() => this.#fillIn.next(f)),
        error: fail("venue fills$"),
      }),
    );
    s.add(this.venue.orderUpdates$.subscribe({ next: (u) => this.#dispatch(() => this.#onUpdate(u)), error: fail("venue orderUpdates$") }));
    s.add(this.venue.connection$.subscribe({ next: (c) => this.#dispatch(() => this.#onConnection(c)), error: fail("venue connection$") }));
    if (mids$) s.add(mids$.subscribe({ next: (m) => this.#dispatch(() => this.#onMid(m)), error: fail("mids$") }));
    if (books$) s.add(books$.subscribe({ next: (b) => this.#books.set(b.asset, b), error: fail("books$") }));
    s.add(intents$.subscribe({ next: (i) => this.#dispatch(() => this.#onIntent(i)), error: fail("intents$") }));
    s.add(this.venue.rateLimit().pipe(take(1)).subscribe({ next: (r) => this.executor.feedRateLimit(r), error: () => undefined }));
    if (this.config.deadMan !== false) {
      s.add(
        deadMansSwitch(this.venue.connection$, this.config.deadMan ?? {}, this.scheduler).subscribe({
          next: (b) => this.#dispatch(() => this.#submit(b)),
          error: fail("deadMansSwitch"),
        }),
      );
    }
    const hk = this.config.housekeepingMs ?? 250;
    const every = this.config.reconcile?.intervalMs ?? 3000;
    const housekeeping = () => this.#dispatch(() => this.#housekeeping());
    const periodic = () => this.#dispatch(() => this.#requestSync("periodic", true));
    s.add(everyOn(this.scheduler, hk, housekeeping));
    s.add(everyOn(this.scheduler, every, periodic, 0));
    return s;
  }

  /** Stop quoting, cancel every order, wait for the answers (or shutdownTimeoutMs), disarm the dead-man's switch, tear down. */
  shutdown(): Observable<void> {
    return defer(() => {
      this.#dispatch(() => {
        this.#stopping = true;
        for (const a of this.#assets()) this.#dirty.add(a);
      });
      const limit = this.config.shutdownTimeoutMs ?? 15_000;
      const when = (test: () => boolean) =>
        new Observable<void>((sub) =>
          everyOn(
            this.scheduler,
            50,
            () => {
              if (!test()) return;
              sub.next();
              sub.complete();
            },
            0,
          ),
        );
      const quiet$ = () => when(() => this.#openCount() === 0 && this.executor.pending === 0);
      const disarm$ = defer(() => {
        if (this.config.deadMan !== false) this.#dispatch(() => this.#submit({ type: "scheduleCancel", time: null }));
        return when(() => this.executor.pending === 0);
      });
      return quiet$().pipe(
        concatMap(() => disarm$),
        timeout({ first: limit, with: () => of(0), scheduler: this.scheduler }),
        take(1),
        map(() => {
          this.#subs.unsubscribe();
          this.#syncTimer?.unsubscribe();
        }),
      );
    });
  }

  /** Trip the kill switch by hand. */
  kill(detail: string): void {
    this.#dispatch(() => this.#trip("Manual", detail, null));
  }

  /** The only way out of the kill switch. */
  clearKillSwitch(): boolean {
    let cleared = false;
    this.#dispatch(() => {
      cleared = this.killSwitch.clear(this.scheduler.now());
      this.#staleSince.clear();
      this.#rateLimitedRun = 0;
      for (const a of this.#assets()) this.#dirty.add(a);
    });
    return cleared;
  }

  /** Our position (coins) as the sink currently believes it. */
  position(asset: string): number {
    return this.positions.position(asset);
  }

  /** Orders we believe may rest on the venue (resting, partially filled, or with a cancel/modify in flight). */
  liveOrders(asset?: string): TrackedOrder[] {
    return this.store.open(asset).filter((o) => o.state !== "cancel-raced" && o.state !== "pending-new");
  }

  // ---- the trampoline --------------------------------------------------------------------------

  #dispatch(fn: () => void): void {
    if (this.#failure !== null) return;
    this.#queue.push(fn);
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        // a feedback loop that never lets time advance (e.g. a refusal answered by a new
        // placement at once) is a bug: fail loudly instead of hanging the process
        const now = this.scheduler.now();
        if (now !== this.#instant) {
          this.#instant = now;
          this.#stepsThisInstant = 0;
        }
        if (++this.#stepsThisInstant > (this.config.maxStepsPerInstant ?? 200_000)) {
          throw new Error(`runaway loop: more than ${this.config.maxStepsPerInstant ?? 200_000} steps at time ${now}`);
        }
        const next = this.#queue.shift()!;
        next();
        if (this.#queue.length === 0) this.#flushDirty();
      }
    } catch (err) {
      this.#queue.length = 0;
      this.#fail("sink", err);
    } finally {
      this.#running = false;
    }
  }

  /** Run now when already inside the trampoline (a guard output belongs to the fill being processed). */
  #inline(fn: () => void): void {
    if (this.#running) fn();
    else this.#dispatch(fn);
  }

  #fail(where: string, err: unknown): void {
    if (this.#failure !== null) return;
    this.#failure = err;
    const error = new Error(`ExecutionSink: ${where} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    this.#trip("InternalError", `internal failure in ${where}`, null);
    // The trampoline is closed from now on. One last best-effort cancel of everything we know
    // rests, straight to the executor; the dead-man's switch (no longer re-armed) covers the rest.
    try {
      const byAsset = new Map<string, CancelSpec[]>();
      for (const o of this.store.open()) {
        if (o.oid === null || o.state === "cancel-raced") continue;
        let list = byAsset.get(o.asset);
        if (!list) byAsset.set(o.asset, (list = []));
        list.push({ asset: o.asset, oid: o.oid });
      }
      for (const cancels of byAsset.values()) {
        for (const b of planBatches({ cancels, cancelsByCloid: [], modifies: [], places: [] })) this.executor.submit(b);
      }
    } catch {
      // nothing more can be done here; the error below says what failed
    }
    for (const subj of [this.#fills, this.#races, this.#drift, this.#reconciles, this.#gates] as Subject<unknown>[]) subj.error(error);
  }

  #flushDirty(): void {
    while (this.#dirty.size > 0) {
      const assets = [...this.#dirty];
      this.#dirty.clear();
      for (const a of assets) this.#reconcileAsset(a);
    }
  }

  // ---- inputs ----------------------------------------------------------------------------------

  #onIntent(intent: QuoteIntent): void {
    this.metrics.intents += 1;
    const problems = checkQuoteIntent(intent);
    if (problems.length > 0) {
      // bad input: named, counted, and no state change (the previous intent stays in force)
      this.metrics.badIntents += 1;
      this.#badInput.next(new DecodeFailure(`QuoteIntent for ${String((intent as { asset?: unknown }).asset)} (sink)`, problems));
      return;
    }
    const now = this.scheduler.now();
    this.#latest.set(intent.asset, intent);
    const k = intent.reason?.kind;
    if (k === "StaleData" || k === "NoDataReceived") {
      if (!this.#staleSince.has(intent.asset)) this.#staleSince.set(intent.asset, now);
    } else this.#staleSince.delete(intent.asset);
    if (!this.#mids.has(intent.asset)) {
      const b = intent.bids[0];
      const a = intent.asks[0];
      if (b && a) this.store.setMid(intent.asset, (b.px + a.px) / 2);
    }
    this.#dirty.add(intent.asset);
  }

  #onMid(m: MidEvent): void {
    if (!(m.mid > 0) || !Number.isFinite(m.mid)) return;
    const prev = this.#mids.get(m.asset);
    if (prev !== undefined) {
      // EWMA of |log return| per mid update, in bps: the volatility that scales the thresholds
      // (LadderThresholds.volatility.refVolBps is in the same unit)
      const r = Math.abs(Math.log(m.mid / prev)) * 1e4;
      const v = this.#vol.get(m.asset);
      const alpha = 2 / ((this.config.volatilitySpan ?? 50) + 1);
      this.#vol.set(m.asset, v === undefined ? r : v + alpha * (r - v));
    }
    this.#mids.set(m.asset, m.mid);
    this.store.setMid(m.asset, m.mid);
  }

  #onUpdate(u: OrderUpdate): void {
    const ch = this.store.applyUpdate(u, this.scheduler.now());
    if (!ch.order) return;
    this.#dirty.add(ch.order.asset);
    if (statusClass(u.status) === "rejected" && /Margin|ReduceOnly|MaxPosition|OpenInterest/i.test(u.status)) {
      this.#requestSync(`rejected:${u.status}`);
    }
  }

  #onConnection(c: ConnectionState): void {
    const open = c.status === "open";
    const now = this.scheduler.now();
    if (open && !this.#connOpen) {
      this.#connDownSince = null;
      this.#requestSync("reconnect");
    } else if (!open && this.#connOpen) {
      this.#connDownSince = now;
    }
    this.#connOpen = open;
  }

  // ---- ladder reconciliation -------------------------------------------------------------------

  #assetConfig(asset: string): ExecutionSinkAssetConfig {
    return { ...(this.config.defaults ?? {}), ...(this.config.assets?.[asset] ?? {}) };
  }

  #thresholds(asset: string): LadderThresholds {
    const c = this.#assetConfig(asset);
    return { ...DEFAULT_LADDER_THRESHOLDS, ...(this.config.defaults?.thresholds ?? {}), ...(c.thresholds ?? {}) };
  }

  #gateFor(asset: string, now: number): QuoteGateReason | null {
    if (this.#stopping) return { kind: "KillSwitch", trigger: "Shutdown", detail: "sink shutting down" };
    return this.killSwitch.gateReason() ?? this.store.gateReason(asset, now) ?? null;
  }

  /**
   * Why new placements and modifies are held back on `asset` while resting orders stay: the quota
   * breaker (reported as its QuotaBreaker reason) or a cool-down after quotaThrottle refused a
   * placement. Without it a refused placement would be re-placed at once, in the same instant.
   */
  #placementHold(asset: string, now: number): QuoteGateReason | null {
    const quota = this.executor.quota?.state;
    if (quota?.reason) return quota.reason;
    if (quota && quota.limited !== "none") return { kind: "QuotaBreaker", headroom: quota.headroom, threshold: 0 };
    if ((this.#quotaCooldown.get(asset) ?? 0) > now) return { kind: "QuotaBreaker", headroom: quota?.headroom ?? 0, threshold: 0 };
    return null;
  }

  #gateKey(gate: QuoteGateReason | null): string {
    if (!gate) return "";
    if (gate.kind === "OrderStale") return `OrderStale:${gate.cloid}`;
    if (gate.kind === "QuotaBreaker") return "QuotaBreaker";
    return JSON.stringify(gate);
  }

  #reconcileAsset(asset: string): void {
    const now = this.scheduler.now();
    if (now !== this.#reconcileInstant) {
      this.#reconcileInstant = now;
      this.#reconcilesThisInstant = 0;
    }
    const limit = this.config.maxReconcilesPerInstant ?? 5000;
    if (++this.#reconcilesThisInstant > limit) {
      throw new Error(`runaway loop: more than ${limit} ladder reconciliations at time ${now} (last asset ${asset})`);
    }
    const gate = this.#gateFor(asset, now);
    const hold = gate ? null : this.#placementHold(asset, now);
    const shownGate = gate ?? hold;
    const shown = this.#gateKey(shownGate);
    if ((this.#gateShown.get(asset) ?? "") !== shown) {
      this.#gateShown.set(asset, shown);
      this.#gates.next({ asset, reason: shownGate, time: now });
    }
    const intent = this.#latest.get(asset);
    let levels: TargetLevel[] = [];
    if (!gate && intent) {
      const sideHold = this.#holds.get(asset);
      levels = targetFromIntent(intent).levels.filter((l) => !sideHold || (l.isBuy ? sideHold.bidUntil === 0 : sideHold.askUntil === 0));
    }
    const book = this.#thresholds(asset).queue ? this.#books.get(asset) : undefined;
    const current: LadderOrder[] = this.store.open(asset).map((o) => {
      const px = o.pendingModify ? o.pendingModify.spec.px : o.px;
      const sz = o.pendingModify ? o.pendingModify.spec.sz : this.store.remaining(o);
      const base = { cloid: o.cloid, oid: o.oid, isBuy: o.isBuy, px, sz, state: o.state, level: o.pendingModify ? o.pendingModify.facts.level : o.level };
      if (!book) return base;
      // FIFO: what was ahead when we joined only shrinks, and can never exceed what the book
      // shows at our price now minus ourselves
      const shown = displayedAt(book, o.isBuy, px);
      const atJoin = this.#queueAtJoin.get(o.cloid) ?? Infinity;
      return { ...base, queueAhead: Math.max(0, Math.min(atJoin, shown - sz)) };
    });
    const mid = this.#mids.get(asset) ?? this.store.midOf(asset);
    const volBps = this.#vol.get(asset);
    const targetLevels = book ? levels.map((l) => ({ ...l, queueAhead: displayedAt(book, l.isBuy, l.px) })) : levels;
    const full = diffLadder(
      current,
      { levels: targetLevels, ...(mid !== undefined ? { mid } : {}), ...(volBps !== undefined ? { volBps } : {}) },
      this.#thresholds(asset),
    );
    // while placements are held back, a modify becomes a cancel (its old price is stale) and nothing is placed
    const diff = hold
      ? { ...full, modify: [], place: [], cancel: [...full.cancel, ...full.modify.map((m) => ({ cloid: m.cloid, oid: m.oid }))] }
      : full;
    for (const k of diff.keep) this.store.relabel(k.cloid, k.level);
    const cancels: CancelSpec[] = [];
    const cancelsByCloid: CancelByCloidSpec[] = [];
    for (const c of diff.cancel) {
      if (!this.store.requestCancel(c.cloid, now)) continue;
      if (c.oid !== null) cancels.push({ asset, oid: c.oid });
      else cancelsByCloid.push({ asset, cloid: c.cloid });
    }
    const tif = this.#assetConfig(asset).tif ?? "Alo";
    const facts = (t: TargetLevel) => ({
      source: t.source,
      midAtPlacement: mid ?? t.px,
      quotedHalfSpreadBps: mid !== undefined ? (Math.abs(t.px - mid) / mid) * 1e4 : 0,
      level: t.key,
      // the order keeps the strategy's signals of the intent it was placed (or modified) for
      ...(intent?.signals !== undefined ? { signals: intent.signals } : {}),
    });
    const modifies: ModifySpec[] = [];
    for (const m of diff.modify) {
      const spec: OrderSpec = { asset, isBuy: m.target.isBuy, px: m.target.px, sz: m.target.sz, tif, reduceOnly: false, cloid: m.cloid };
      const r = this.store.requestModify(m.cloid, spec, facts(m.target), now);
      if (r.ok) {
        modifies.push({ oid: m.oid, order: spec });
        if (book) this.#queueAtJoin.set(m.cloid, displayedAt(book, spec.isBuy, spec.px));
      }
      else this.#refused(r.refusal, now);
    }
    const places: OrderSpec[] = [];
    for (const t of diff.place) {
      const spec: OrderSpec = { asset, isBuy: t.isBuy, px: t.px, sz: t.sz, tif, reduceOnly: false, cloid: this.#cloids.next() };
      const r = this.store.registerPlacement(spec, facts(t), now);
      if (r.ok) {
        places.push(spec);
        if (book) this.#queueAtJoin.set(spec.cloid, displayedAt(book, spec.isBuy, spec.px));
      }
      else this.#refused(r.refusal, now);
    }
    const batches = planBatches({ cancels, cancelsByCloid, modifies, places }, this.config.maxBatchSize !== undefined ? { maxBatchSize: this.config.maxBatchSize } : {});
    for (const b of batches) this.#submit(b);
  }

  #refused(refusal: PlacementRefusal, now: number): void {
    this.metrics.placementsRefused += 1;
    this.#refusals.next({ ...refusal, time: now });
  }

  #submit(batch: ActionBatch): void {
    this.metrics.batchesSent += 1;
    this.executor.submit(batch);
  }

  #assets(): Set<string> {
    const out = new Set<string>(this.#latest.keys());
    for (const o of this.store.open()) out.add(o.asset);
    return out;
  }

  #openCount(): number {
    return this.store.open().length;
  }

  // ---- executor answers ------------------------------------------------------------------------

  #onExec(e: ExecutionEvent): void {
    const now = this.scheduler.now();
    switch (e.kind) {
      case "sent":
        return;
      case "result":
        this.metrics.batchResults += 1;
        this.#applyResult(e.batch, e.result, now);
        return;
      case "failed":
        this.metrics.batchFailures += 1;
        if (e.timedOut) this.metrics.timeouts += 1;
        this.metrics.statusQueries += statusCount(e.batch);
        this.#markQueried(e.batch, now);
        return;
      case "refused":
        this.metrics.quotaRefused += 1;
        if (e.batch.type === "order" || e.batch.type === "batchModify") {
          const until = now + (this.config.quotaCooldownMs ?? 1000);
          for (const a of batchAssets(e.batch)) this.#quotaCooldown.set(a, until);
        }
        this.#applyRefusal(e.batch, now);
        return;
      case "status": {
        const cloid = "cloid" in e.ref ? e.ref.cloid : this.store.byOid(e.ref.oid)?.cloid;
        if (cloid === undefined) return;
        const ch = this.store.applyStatusAnswer(cloid, e.answer, now);
        if (ch.order) this.#dirty.add(ch.order.asset);
        return;
      }
      case "statusFailed":
        return;
    }
  }

  #markQueried(batch: ActionBatch, now: number): void {
    const cloids =
      batch.type === "order"
        ? batch.orders.map((o) => o.cloid)
        : batch.type === "batchModify"
          ? batch.modifies.map((m) => m.order.cloid)
          : batch.type === "cancelByCloid"
            ? batch.cancels.map((c) => c.cloid)
            : batch.type === "cancel"
              ? batch.cancels.map((c) => this.store.byOid(c.oid)?.cloid).filter((c): c is string => c !== undefined)
              : [];
    for (const c of cloids) this.store.noteStatusQuery(c, now);
  }

  #applyResult(batch: ActionBatch, result: BatchResult, now: number): void {
    if (!result.ok) {
      if (result.rateLimited) {
        this.#rateLimitedRun += 1;
        const limit = this.config.kill?.rateLimitedInARow ?? 10;
        if (this.#rateLimitedRun >= limit) this.#trip("QuotaExhaustion", `${this.#rateLimitedRun} rate-limited answers in a row: ${result.error}`, null);
      }
      if (batch.type === "scheduleCancel") return;
      const orderFail: OrderResult = { kind: "rejected", code: result.code, error: result.error };
      const cancelFail: CancelResult = { kind: "Failed", code: result.code, error: result.error };
      this.#applyElements(batch, () => orderFail, () => cancelFail, now);
      if (POSITION_CODES.has(result.code)) this.#requestSync(`rejected:${result.code}`);
      return;
    }
    this.#rateLimitedRun = 0;
    if (result.type === "scheduleCancel") return;
    if (result.type === "order" || result.type === "batchModify") {
      const st = result.statuses;
      const n = batchElements(batch);
      this.#applyElements(batch, (i) => st[st.length === 1 && n > 1 ? 0 : i] ?? null, () => null, now);
      if (st.some((s) => s.kind === "rejected" && POSITION_CODES.has(s.code))) this.#requestSync("rejected:position");
    } else if (result.type === "cancel" || result.type === "cancelByCloid") {
      const st: readonly CancelResult[] = result.statuses;
      const n = batchElements(batch);
      this.#applyElements(batch, () => null, (i) => st[st.length === 1 && n > 1 ? 0 : i] ?? null, now);
    }
  }

  /** Apply per-element answers; a missing answer leaves the order pending and asks orderStatus. */
  #applyElements(batch: ActionBatch, orderAt: (i: number) => OrderResult | null, cancelAt: (i: number) => CancelResult | null, now: number): void {
    const missing = (cloid: string) => {
      this.store.noteStatusQuery(cloid, now);
      this.metrics.statusQueries += 1;
      this.executor.queryStatus({ cloid });
    };
    switch (batch.type) {
      case "order":
        batch.orders.forEach((o, i) => {
          const r = orderAt(i);
          if (r) this.#touch(this.store.applyOrderResult(o.cloid, r, now).order);
          else missing(o.cloid);
        });
        return;
      case "batchModify":
        batch.modifies.forEach((m, i) => {
          const r = orderAt(i);
          if (r) this.#touch(this.store.applyModifyResult(m.order.cloid, r, now).order);
          else missing(m.order.cloid);
        });
        return;
      case "cancel":
      case "cancelByCloid":
        batch.cancels.forEach((c, i) => {
          const cloid = "cloid" in c ? c.cloid : this.store.byOid(c.oid)?.cloid;
          const r = cancelAt(i);
          if (cloid === undefined) {
            if ("oid" in c) this.#orphanCancelAt.delete(c.oid);
            return;
          }
          if (!r) {
            missing(cloid);
            return;
          }
          const ch = this.store.applyCancelResult(cloid, r, now);
          this.#touch(ch.order);
          if (ch.order && ch.order.state === "cancel-raced") {
            this.#alreadyFilled.next({ cloid, asset: ch.order.asset, remainingSz: this.store.remaining(ch.order), time: now });
          }
        });
        return;
      case "scheduleCancel":
        return;
    }
  }

  #applyRefusal(batch: ActionBatch, now: number): void {
    switch (batch.type) {
      case "order":
        for (const o of batch.orders) {
          this.#touch(this.store.applyOrderResult(o.cloid, { kind: "rejected", code: "RateLimited", error: "refused by quotaThrottle before sending" }, now).order);
        }
        return;
      case "batchModify":
        for (const m of batch.modifies) this.#touch(this.store.revertPending(m.order.cloid, now).order);
        return;
      case "cancel":
      case "cancelByCloid":
        for (const c of batch.cancels) {
          const cloid = "cloid" in c ? c.cloid : this.store.byOid(c.oid)?.cloid;
          if (cloid !== undefined) this.#touch(this.store.revertPending(cloid, now).order);
        }
        return;
      case "scheduleCancel":
        return;
    }
  }

  #touch(order: TrackedOrder | undefined): void {
    if (order) this.#dirty.add(order.asset);
  }

  // ---- fills -----------------------------------------------------------------------------------

  readonly #consumers = {
    orders: (f) => {
      const ch = this.store.applyFill(f.fill, this.scheduler.now());
      this.#touch(ch.order);
    },
    position: (f) => {
      if (!this.positions.applyFill(f.fill)) {
        this.metrics.fillsSkippedByPosition += 1;
        return;
      }
      const asset = f.fill.asset;
      const moved = (this.#moveSinceSync.get(asset) ?? 0) + f.fill.size;
      this.#moveSinceSync.set(asset, moved);
      const maxUsd = this.#assetConfig(asset).maxPositionUsd;
      const mid = this.#markOf(asset, f.fill.price);
      if (maxUsd !== undefined) {
        const pct = this.config.reconcile?.positionChangePct ?? 5;
        if (moved * mid > (maxUsd * pct) / 100) {
          this.#moveSinceSync.set(asset, 0);
          this.#requestSync("positionChange");
        }
        this.#checkMaxPosition(asset);
      }
    },
    pnl: (f) => {
      this.pnl.applyFill(f.fill);
      this.#checkMaxLoss(f.fill.asset);
    },
    markouts: (f) => this.#fillEvents.next(f.fill),
    metrics: (f) => {
      this.metrics.fills += 1;
      if (f.flag === "race") this.metrics.raceFills += 1;
      if (f.flag === "unmatched") this.metrics.unmatchedFills += 1;
      this.metrics.volumeUsd += f.fill.size * f.fill.price;
    },
    quota: (f) => this.executor.addVolume(f.fill.size * f.fill.price),
  } satisfies FillConsumers;

  #onGuard(o: GuardOutput): void {
    const now = this.scheduler.now();
    switch (o.kind) {
      case "fill":
        fanOutFill(this.#consumers, o);
        // a race acquired exposure: that side stays empty (orders placed meanwhile included) until
        // the position is reconciled and pullHoldMs passed; the guard's pull lists what rested.
        if (o.flag === "race") this.#hold(o.fill.asset, o.fill.isBuy, now);
        this.#fills.next(o);
        if (o.flag === "race") this.#races.next({ kind: "race", fill: o, time: now });
        if (o.flag === "unmatched") this.#races.next({ kind: "unmatched", fill: o, time: now });
        return;
      case "pull":
        this.metrics.pulls += 1;
        this.#hold(o.asset, o.isBuy, now);
        this.#races.next({ ...o, time: now });
        return;
      case "reconcile":
        this.#races.next({ kind: "reconcileRequest", reason: o.reason, asset: o.asset, cloid: o.cloid, time: now });
        if (o.reason === "alreadyFilledTimeout" && o.cloid !== null) {
          this.store.noteStatusQuery(o.cloid, now);
          this.metrics.statusQueries += 1;
          this.executor.queryStatus({ cloid: o.cloid });
        }
        this.#requestSync(o.reason);
        return;
    }
  }

  #hold(asset: string, isBuy: boolean, now: number): void {
    const pullHold = this.config.pullHoldMs ?? 2000;
    const h = this.#holds.get(asset) ?? { bidUntil: 0, askUntil: 0, bidSync: 0, askSync: 0 };
    if (isBuy) {
      h.bidUntil = now + pullHold;
      h.bidSync = this.#syncsDone + 1;
    } else {
      h.askUntil = now + pullHold;
      h.askSync = this.#syncsDone + 1;
    }
    this.#holds.set(asset, h);
    this.#dirty.add(asset);
  }

  #markOf(asset: string, fallback: number): number {
    return this.#mids.get(asset) ?? this.store.midOf(asset) ?? fallback;
  }

  #checkMaxPosition(asset: string): void {
    const maxUsd = this.#assetConfig(asset).maxPositionUsd;
    if (maxUsd === undefined) return;
    const mult = this.config.kill?.maxPositionMultiple ?? 1.5;
    const pos = this.positions.position(asset);
    const usd = Math.abs(pos) * this.#markOf(asset, 0);
    if (usd > maxUsd * mult) this.#trip("MaxPosition", `|position| ${pos} (${usd.toFixed(2)} USD) > ${mult} × ${maxUsd} USD`, asset);
  }

  #checkMaxLoss(asset: string): void {
    const maxLoss = this.#assetConfig(asset).maxLossUsd;
    if (maxLoss === undefined) return;
    const total = this.pnl.total(asset, this.#mids.get(asset) ?? this.store.midOf(asset));
    if (total < -maxLoss) this.#trip("MaxLoss", `PnL ${total.toFixed(2)} USD < −${maxLoss} USD`, asset);
  }

  // ---- kill switch -----------------------------------------------------------------------------

  #trip(trigger: KillTrigger, detail: string, asset: string | null): void {
    if (this.killSwitch.trip(trigger, detail, this.scheduler.now(), asset)) {
      for (const a of this.#assets()) this.#dirty.add(a);
    }
  }

  // ---- housekeeping ----------------------------------------------------------------------------

  #housekeeping(): void {
    const now = this.scheduler.now();
    for (const cloid of this.store.sweepStale(now)) {
      this.store.noteStatusQuery(cloid, now);
      this.metrics.statusQueries += 1;
      this.executor.queryStatus({ cloid });
    }
    for (const [asset, h] of this.#holds) {
      if (h.bidUntil !== 0 && now >= h.bidUntil && this.#syncsDone >= h.bidSync) h.bidUntil = 0;
      if (h.askUntil !== 0 && now >= h.askUntil && this.#syncsDone >= h.askSync) h.askUntil = 0;
      if (h.bidUntil === 0 && h.askUntil === 0) {
        this.#holds.delete(asset);
        this.#dirty.add(asset);
      }
    }
    for (const asset of this.#assets()) {
      const gate = this.#gateFor(asset, now);
      if ((this.#gateShown.get(asset) ?? "") !== this.#gateKey(gate ?? this.#placementHold(asset, now))) this.#dirty.add(asset);
    }
    for (const [asset, until] of this.#quotaCooldown) if (until <= now) this.#quotaCooldown.delete(asset);
    const staleMs = this.config.kill?.staleDataMs ?? 60_000;
    for (const [asset, since] of this.#staleSince) {
      if (now - since >= staleMs) this.#trip("StaleData", `${asset}: market data stale for ${now - since} ms`, asset);
    }
    if (this.#connDownSince !== null && now - this.#connDownSince >= staleMs) {
      this.#trip("StaleData", `venue connection down for ${now - this.#connDownSince} ms`, null);
    }
    if (this.executor.quota?.state.limited === "all") {
      this.#trip("QuotaExhaustion", "even cancels are held back by the address budget", null);
    }
    for (const asset of this.pnl.assets()) this.#checkMaxLoss(asset);
    if (this.store.prune(now) > 0 && this.#queueAtJoin.size > 0) {
      for (const cloid of this.#queueAtJoin.keys()) if (!this.store.get(cloid)) this.#queueAtJoin.delete(cloid);
    }
  }

  // ---- position reconciliation -----------------------------------------------------------------

  /**
   * Ask for an account sync. Event-triggered syncs start at once but at least `minGapMs` after the
   * previous event-triggered one (a burst of races is one sync, not twenty); periodic ones run on
   * their own clock. One sync in flight at a time: a request meanwhile runs when it completes.
   */
  #requestSync(trigger: string, periodic = false): void {
    if (!positionsOnlyTrigger(trigger)) this.#pendingWantsOrders = true;
    if (this.#syncInFlight) {
      this.#syncPending ??= trigger;
      return;
    }
    const now = this.scheduler.now();
    const gap = this.config.reconcile?.minGapMs ?? 2000;
    const earliest = periodic ? now : this.#lastEventSyncStart + gap;
    if (now >= earliest) {
      if (!periodic) this.#lastEventSyncStart = now;
      this.#startSync(trigger);
      return;
    }
    this.#syncPending ??= trigger;
    if (this.#syncTimer) return;
    this.#syncTimer = this.scheduler.schedule(() => {
      this.#syncTimer = null;
      this.#dispatch(() => {
        const t = this.#syncPending;
        this.#syncPending = null;
        if (t !== null) this.#requestSync(t);
      });
    }, earliest - now);
  }

  #startSync(trigger: string): void {
    this.#syncInFlight = true;
    const now = this.scheduler.now();
    const every = this.config.reconcile?.openOrdersIntervalMs;
    const withOrders = every === undefined || this.#pendingWantsOrders || now - this.#lastOrdersSyncAt >= every;
    if (withOrders) {
      this.#pendingWantsOrders = false;
      this.#lastOrdersSyncAt = now;
    }
    this.executor.addInfoWeight(withOrders ? 2 + 20 : 2); // clearinghouseState (+ frontendOpenOrders)
    const limit = this.config.reconcile?.timeoutMs ?? 10_000;
    this.#subs.add(
      this.venue
        .account(withOrders ? undefined : { openOrders: false })
        .pipe(take(1), timeout({ first: limit, scheduler: this.scheduler }))
        .subscribe({
          next: (snap) =>
            this.#dispatch(() => {
              // a venue that answers with open orders anyway spent their weight too
              if (!withOrders && snap.openOrdersIncluded !== false) this.executor.addInfoWeight(20);
              this.#onSnapshot(snap, trigger);
            }),
          error: () =>
            this.#dispatch(() => {
              this.metrics.reconcileFailures += 1;
              if (withOrders) this.#pendingWantsOrders = true;
              this.#syncDone();
            }),
        }),
    );
  }

  #syncDone(): void {
    this.#syncInFlight = false;
    const pending = this.#syncPending;
    this.#syncPending = null;
    if (pending !== null) this.#requestSync(pending);
  }

  #onSnapshot(snap: AccountSnapshot, trigger: string): void {
    const now = this.scheduler.now();
    this.metrics.reconciles += 1;
    const drifts = this.positions.adopt(snap);
    for (const d of drifts) {
      this.metrics.driftRecords += 1;
      this.#drift.next(d);
      const bound = this.#assetConfig(d.asset).maxDriftUsd;
      const usd = Math.abs(d.drift) * this.#markOf(d.asset, 0);
      if (bound !== undefined && usd > bound) {
        this.#trip("PositionDivergence", `${d.asset}: ours ${d.ours}, venue ${d.venue} (${usd.toFixed(2)} USD > ${bound} USD)`, d.asset);
      }
    }
    for (const a of this.positions.assets()) this.#moveSinceSync.set(a, 0);
    if (snap.openOrdersIncluded === false) {
      this.#syncsDone += 1;
      this.#finishSnapshot(snap, trigger, now, drifts, [], []);
      return;
    }

    // the venue's open orders: map OIDs, revive what we had inferred gone, cancel orphans
    const venueCloids = new Set<string>();
    const venueOids = new Set<number>();
    const orphans: CancelSpec[] = [];
    for (const o of snap.openOrders) {
      venueOids.add(o.oid);
      if (o.cloid !== null) venueCloids.add(o.cloid);
      const rec = (o.cloid !== null ? this.store.get(o.cloid) : undefined) ?? this.store.byOid(o.oid);
      if (rec && !(isTerminalOrderState(rec.state) && !rec.inferred)) {
        this.#touch(this.store.applyOpenOrder(o, now).order);
        continue;
      }
      if (rec && rec.terminalAt !== null && rec.terminalAt > snap.time) continue; // ended after the snapshot
      const last = this.#orphanCancelAt.get(o.oid);
      if (last !== undefined && now - last < (this.config.reconcile?.intervalMs ?? 3000) * 2) continue;
      this.#orphanCancelAt.set(o.oid, now);
      orphans.push({ asset: o.asset, oid: o.oid });
    }
    if (orphans.length > 0) {
      this.metrics.orphansCancelled += orphans.length;
      for (const b of planBatches({ cancels: orphans, cancelsByCloid: [], modifies: [], places: [] }, this.config.maxBatchSize !== undefined ? { maxBatchSize: this.config.maxBatchSize } : {})) this.#submit(b);
    }
    for (const [oid, t] of this.#orphanCancelAt) if (now - t > 60_000) this.#orphanCancelAt.delete(oid);

    // our orders the venue no longer has: ask (orderStatus decides filled / cancelled / unknown)
    const grace = this.config.reconcile?.missingGraceMs ?? 1000;
    const missing: string[] = [];
    for (const o of this.store.open()) {
      if (venueCloids.has(o.cloid) || (o.oid !== null && venueOids.has(o.oid))) continue;
      if (o.lastEventAt > snap.time - grace) continue;
      if (o.lastStatusQueryAt !== null && now - o.lastStatusQueryAt < this.store.staleAfterMs) continue;
      missing.push(o.cloid);
      this.store.noteStatusQuery(o.cloid, now);
      this.metrics.statusQueries += 1;
      this.executor.queryStatus({ cloid: o.cloid });
    }
    this.#syncsDone += 1;
    this.#finishSnapshot(snap, trigger, now, drifts, orphans.map((o) => o.oid), missing);
  }

  #finishSnapshot(snap: AccountSnapshot, trigger: string, now: number, drifts: readonly DriftRecord[], orphansCancelled: readonly number[], missingQueried: readonly string[]): void {
    for (const asset of this.positions.assets()) this.#checkMaxPosition(asset);
    const positions: Record<string, number> = {};
    for (const a of this.positions.assets()) positions[a] = this.positions.position(a);
    this.#reconciles.next({ time: now, trigger, snapshotTime: snap.time, drifts, orphansCancelled, missingQueried, positions, openOrdersIncluded: snap.openOrdersIncluded !== false });
    this.#syncDone();
  }
}

/** Triggers about the position alone: their syncs may leave open orders out (reconcile.openOrdersIntervalMs). */
function positionsOnlyTrigger(trigger: string): boolean {
  return trigger === "periodic" || trigger === "positionChange";
}

function batchElements(batch: ActionBatch): number {
  switch (batch.type) {
    case "order":
      return batch.orders.length;
    case "batchModify":
      return batch.modifies.length;
    case "cancel":
    case "cancelByCloid":
      return batch.cancels.length;
    case "scheduleCancel":
      return 1;
  }
}

/**
 * What is wrong with an intent, one line per problem (empty when it is usable): its shape (io-ts),
 * then the ladder's own rules — bids strictly descending, asks strictly ascending, best bid below
 * best ask.
 */
export function checkQuoteIntent(intent: unknown): string[] {
  const d = decodeWith(QuoteIntentCodec, intent, "QuoteIntent");
  if (!d.ok) return d.error.problems;
  const i = d.value;
  const out: string[] = [];
  i.bids.forEach((l, k) => {
    if (!(l.px > 0)) out.push(`$.bids.${k}.px: expected a positive price, got ${l.px}`);
    if (!(l.sz > 0)) out.push(`$.bids.${k}.sz: expected a positive size, got ${l.sz}`);
    const prev = i.bids[k - 1];
    if (prev && !(l.px < prev.px)) out.push(`$.bids.${k}.px: bids must be strictly descending (${prev.px} then ${l.px})`);
  });
  i.asks.forEach((l, k) => {
    if (!(l.px > 0)) out.push(`$.asks.${k}.px: expected a positive price, got ${l.px}`);
    if (!(l.sz > 0)) out.push(`$.asks.${k}.sz: expected a positive size, got ${l.sz}`);
    const prev = i.asks[k - 1];
    if (prev && !(l.px > prev.px)) out.push(`$.asks.${k}.px: asks must be strictly ascending (${prev.px} then ${l.px})`);
  });
  const b = i.bids[0];
  const a = i.asks[0];
  if (b && a && !(b.px < a.px)) out.push(`$: crossed ladder, best bid ${b.px} ≥ best ask ${a.px}`);
  return out;
}

/** Size the book shows at exactly `px` on our side (0 when the level is absent). */
function displayedAt(book: BookEvent, isBuy: boolean, px: number): number {
  const side = isBuy ? book.bids : book.asks;
  let sz = 0;
  for (const l of side) if (Math.abs(l.px - px) <= 1e-9 * px) sz += l.sz;
  return sz;
}

function batchAssets(batch: ActionBatch): Set<string> {
  switch (batch.type) {
    case "order":
      return new Set(batch.orders.map((o) => o.asset));
    case "batchModify":
      return new Set(batch.modifies.map((m) => m.order.asset));
    case "cancel":
    case "cancelByCloid":
      return new Set(batch.cancels.map((c) => c.asset));
    case "scheduleCancel":
      return new Set();
  }
}

function statusCount(batch: ActionBatch): number {
  return batch.type === "scheduleCancel" ? 0 : batchElements(batch);
}
