// The service: one venue, one ExecutionSink, one composed pipeline per asset, and everything a
// person watching needs (logs, metrics, status, fill journal, samples for the report). The same
// class runs live, paper (the Hyperliquid client against the paper server) and replay (the
// in-process PaperVenue on a VirtualTimeScheduler): only the venue and the scheduler differ.
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import {
  BehaviorSubject,
  type Observable,
  type SchedulerLike,
  ReplaySubject,
  Subject,
  Subscription,
  filter,
  firstValueFrom,
  lastValueFrom,
  map,
  merge,
  mergeAll,
  of,
  share,
  shareReplay,
  switchMap,
  takeUntil,
  tap,
  timeout,
} from "rxjs";
import { QuotaThrottleHandle } from "../operators/quotaThrottle.js";
import { everyOn } from "../sinks/periodic.js";
import { ExecutionSink } from "../sinks/executionSink.js";
import type { QuotaThrottleState } from "../streams/quota.js";
import type { QuoteIntent } from "../streams/intent.js";
import type { AssetMeta, BookEvent, MidEvent, TradeEvent } from "../streams/market.js";
import { gatedTrades, tradeSkewMs } from "./tradeGate.js";
import type { Venue } from "../streams/venue.js";
import { type AssetConfig, type ServiceConfig, checkAssetsOffered } from "./config.js";
import { GateTracker, mergeGateTotals } from "../analytics/gates.js";
import { type OrderCounts, type VenueHealth, instrumentVenue, watchVenueHealth } from "./instrument.js";
import { FillJournal, type SampleSource, SignalTracker, headerLine, journalHorizons } from "../analytics/journal.js";
import { cloidSeedHex } from "../sinks/cloid.js";
import { type FillRecoveryResult, startFillHistory } from "./fillRecovery.js";
import { loggedGapFills } from "./gapFill.js";
import { type Health, type ServiceMetrics, zeroSeries } from "./metrics.js";
import { type AssetPipeline, composeAssetPipeline } from "./pipeline.js";
import { type InputsHost, assetPipelineInputs } from "./assetInputs.js";
import { addressCreditOf, haltGate } from "./hip3.js";
import { operatorRegistry } from "./registry.js";
import { type Registries, builtinRegistries } from "./plugins.js";
import type { AssetStatus } from "./status.js";
import type { AssetRuntime } from "./assetRuntime.js";
import { type SinkEventContext, logSinkEvent } from "./sinkEventLog.js";
import { createReserveMetrics } from "./reserveWatch.js";
import { type ReloadResult, applyReload } from "./serviceReload.js";
import type { ServiceOptions } from "./serviceOptions.js";
import { assetMarkouts } from "./assetMarkouts.js";
import { type AssetTotals, type ViewSource, assetStatuses, assetTotals, healthOf, journalStateOf, midOf } from "./serviceViews.js";

export type { ServiceCluster, ServiceOptions } from "./serviceOptions.js";
export { dedupFills, dedupedSessionFills } from "./fillDedup.js";
export { OperatorEventCounts } from "./operatorEvents.js";
export { type ServiceExecutorOptions, sinkConfigOf } from "./sinkConfig.js";
import { OperatorEventCounts } from "./operatorEvents.js";
import { dedupedSessionFills } from "./fillDedup.js";
import { sinkConfigOf } from "./sinkConfig.js";
import { FanoutSubject, ReplayLastSubject } from "../streams/fanout.js";


export class QuoteflowService {
  readonly sink: ExecutionSink;
  /** The quota throttle's state, counts and ledger (null when the mode runs unthrottled). */
  readonly quota: QuotaThrottleHandle | null;
  /** Pipeline gates (from the gated intents). */
  readonly gates: GateTracker;
  /** The sink's own gates (OrderStale, KillSwitch). */
  readonly sinkGates: GateTracker;
  readonly orderCounts: OrderCounts;
  /** Failures the venue wrapper logged and counted, by kind. */
  readonly failures: Readonly<Record<string, number>>;
  private readonly venueHealth: VenueHealth;
  journal: FillJournal | undefined;
  /** Book and trade events seen (for the replay's events/s). */
  events = 0;
  startTime: number | undefined;
  /** The start's fill history: recovery and the day baseline (undefined before start). */
  recovery: FillRecoveryResult | undefined;

  private config: ServiceConfig;
  private readonly venue: Venue;
  private readonly log: Logger;
  private readonly metrics: ServiceMetrics;
  private readonly operatorEvents: OperatorEventCounts;
  private readonly scheduler: SchedulerLike;
  private registries: Registries;
  private readonly assets = new Map<string, AssetRuntime>();
  /** Leverage per asset for the margin check: Hyperliquid's default, min(20, maxLeverage). */
  private readonly leverage = new Map<string, number>();
  /** Size decimals per asset: the margin check shrinks an order that does not fit whole to this step. */
  private readonly szDecimals = new Map<string, number>();
  /** Each asset's trades, gated where they enter (app/tradeGate.ts). */
  private readonly trades = new Map<string, Observable<TradeEvent>>();
  // Replayed: streams added before the sink subscribes must not be lost.
  private readonly intentStreams = new ReplaySubject<Observable<QuoteIntent>>();
  private readonly mids$ = new FanoutSubject<MidEvent>();
  private readonly books$ = new FanoutSubject<BookEvent>();
  private readonly subs = new Subscription();
  private sinkSub: Subscription | undefined;
  private universe: readonly AssetMeta[] = [];
  private lastUserEvent: number | undefined;
  private stopped = false;
  private started = false;
  private readonly quotaState$: Observable<QuotaThrottleState> | undefined;

  constructor(private readonly options: ServiceOptions) {
    this.config = options.config;
    this.log = options.log;
    this.metrics = options.metrics;
    this.operatorEvents = new OperatorEventCounts(options.metrics.operatorEvents);
    this.scheduler = options.scheduler;
    this.registries = options.registries ?? { ...builtinRegistries, operators: options.registry ?? operatorRegistry };
    const instrumented = instrumentVenue(options.cluster ? options.cluster.scopeVenue(options.venue) : options.venue, options.metrics, options.log);
    this.venue = instrumented.venue;
    this.orderCounts = instrumented.counts;
    this.failures = instrumented.failures;
    this.venueHealth = instrumented.health;
    this.gates = new GateTracker(() => this.scheduler.now(), this.metrics);
    this.sinkGates = new GateTracker(() => this.scheduler.now(), this.metrics);
    this.quota = options.executor?.quota === false ? null : new QuotaThrottleHandle();
    const hip3 = { addressCredit: addressCreditOf(() => this.universe), accountDexes: 1 + (this.venue.perpDexs?.length ?? 0) };
    // Margin before sending (sinks/margin.ts): leverage and size decimals per asset are filled from the venue's meta at start.
    const margin = options.marginCheck === false ? {} : { margin: { leverage: this.leverage, szDecimals: this.szDecimals } };
    const sinkConfig = { ...sinkConfigOf(this.config, options.cloidSeed, options.executor, this.quota, this.scheduler), ...hip3, ...margin, onPlanned: instrumented.planned };
    this.sink = new ExecutionSink(this.venue, options.cluster ? options.cluster.sinkConfig(sinkConfig) : sinkConfig, this.scheduler);
    this.quotaState$ = this.quota ? (options.cluster ? options.cluster.quotaState(this.quota.state$).pipe(shareReplay({ bufferSize: 1, refCount: true })) : this.quota.state$) : undefined;
  }

  get currentConfig(): ServiceConfig {
    return this.config;
  }

  /** Load the venue's universe, compose every asset's pipeline, connect the sink. */
  async start(): Promise<void> {
    const log = this.log.child({ component: "service" });
    this.startTime = this.scheduler.now();
    this.universe = await firstValueFrom(this.venue.meta().pipe(timeout({ first: 15_000, scheduler: this.scheduler })));
    checkAssetsOffered(this.config.assets.map((a) => a.asset), this.universe.map((m) => m.name), this.venue.name);
    for (const m of this.universe) {
      this.leverage.set(m.name, Math.max(1, Math.min(20, m.maxLeverage)));
      this.szDecimals.set(m.name, m.szDecimals);
    }
    zeroSeries(this.metrics, this.config.assets.map((a) => a.asset));
    if (this.options.journal) {
      this.journal = new FillJournal(this.options.journal.dir, this.options.journal.stamp, this.options.journal.history);
      const assets = this.config.assets.map((a) => ({ asset: a.asset, szDecimals: this.universe.find((m) => m.name === a.asset)!.szDecimals, maxPositionUsd: a.risk.maxPositionUsd, maxLossUsd: a.risk.maxLossUsd }));
      const horizons = journalHorizons(this.config.assets.flatMap((a) => a.markouts.horizonsMs));
      this.journal.open(headerLine({ run: this.options.journal.run ?? { mode: "unknown" }, venue: this.venue.name, config: this.config, startTime: this.startTime, assets, markoutHorizonsMs: horizons, cloidSeed: cloidSeedHex(this.options.cloidSeed) }), () => this.scheduler.now());
      this.journal.watch(
        {
          actions$: this.sink.eventsOf("action").pipe(map((e) => e.action)),
          sinkGates$: this.sink.eventsOf("gate"),
          mids$: this.mids$,
        },
        (s) => this.subs.add(s),
      );
    }
    this.subs.add(watchVenueHealth(this.venue, this.metrics, { log: this.log, health: this.venueHealth, quota: this.quota, scheduler: this.scheduler }));

    // The start sequence: fills made while no session ran are journaled (recovered) before anything
    // quotes; the sink then holds placements until the account (positions, open orders) is adopted.
    // The same request gives each asset's day baseline for the loss limit (venue truth, not this session).
    this.recovery = await startFillHistory({
      venue: this.venue,
      journal: this.journal,
      history: this.options.journal?.history,
      startedAt: this.startTime,
      dayBaseline: this.config.assets.some((a) => a.risk.maxLossUsd !== undefined),
      scheduler: this.scheduler,
      log,
    });
    for (const [asset, b] of Object.entries(this.recovery.dayBaseline)) this.sink.pnl.adoptDayBaseline(asset, b.closedPnl, b.fees);
    const intents$ = this.intentStreams.pipe(mergeAll());
    for (const a of this.config.assets) this.addAsset(a);
    // queue-aware keeping needs the traded venue's books; they are fed only when it is configured
    const queueAware = this.config.assets.some((a) => a.reconciliation.queueAware !== undefined) || this.config.defaults?.reconciliation.queueAware !== undefined;
    this.sinkSub = this.sink.connect({
      intents$,
      fills$: dedupedSessionFills(this.options.gapFill === true ? merge(this.venue.fills$, loggedGapFills(this.venue, this.startTime ?? this.scheduler.now(), log, (sub) => this.subs.add(sub))) : this.venue.fills$, this.startTime),
      mids$: this.mids$,
      ...(queueAware ? { books$: this.books$ } : {}),
      ...(this.quotaState$ ? { quotaState$: this.quotaState$ } : {}),
    });
    this.subs.add(merge(this.venue.orderUpdates$, this.venue.fills$, this.sink.eventsOf("reconcile")).subscribe(() => (this.lastUserEvent = this.scheduler.now())));
    this.started = true;
    this.wireSinkOutputs();
    this.wireSampling();
    log.info({ venue: this.venue.name, assets: this.config.assets.map((a) => a.asset), journal: this.journal?.path }, "service started");
  }

  private addAsset(config: AssetConfig): void {
    const asset = config.asset;
    const meta = this.universe.find((m) => m.name === asset)!;
    const stop$ = new Subject<void>();
    const signals = new SignalTracker();
    // The latest book is replayed to a re-composed pipeline, which then quotes at once instead of
    // starting closed (NoDataReceived) and pulling the ladder on every config edit; a replayed
    // book too old for staleGate still closes it by its own timestamp.
    const book$ = this.venue.book(asset).pipe(
      tap((b) => {
        this.events++;
        signals.observeBook(b);
        this.books$.next(b);
      }),
      takeUntil(stop$),
      share({ connector: () => new ReplayLastSubject<BookEvent>(), resetOnRefCountZero: false }),
    );
    // trades stamped ahead of the clock are dropped where they enter (app/tradeGate.ts)
    const trades$ = gatedTrades(this.venue, asset, tradeSkewMs(config.operators), this.scheduler, this.metrics, this.log);
    this.subs.add(
      trades$.pipe(takeUntil(stop$)).subscribe((t) => {
        this.events++;
        signals.observeTrade(t);
      }),
    );
    this.trades.set(asset, trades$);
    const pipeline$ = new BehaviorSubject<AssetPipeline>(this.compose(config, book$, meta));
    const rt: AssetRuntime = { asset, meta, book$, pipeline$, signals, stop$, fills: 0, fillsBySource: {} };
    this.assets.set(asset, rt);
    this.subs.add(assetMarkouts(this.sink, this.mids$, config, this.scheduler, stop$, (m) => {
      this.journal?.markout(m);
    }));
    // Mids for the sink (unrealised PnL, reconciliation) and markouts: from the filtered books.
    this.subs.add(
      pipeline$
        .pipe(
          switchMap((p) => p.book$),
          map((b): MidEvent | undefined => {
            const bid = b.bids[0]?.px;
            const ask = b.asks[0]?.px;
            return bid !== undefined && ask !== undefined && bid < ask ? { asset, time: b.time, mid: (bid + ask) / 2 } : undefined;
          }),
          filter((m): m is MidEvent => m !== undefined),
          takeUntil(stop$),
        )
        .subscribe((m) => this.mids$.next(m)),
    );
    // switchMap swaps pipelines (pure stream state) on a re-compose; orders live in the sink.
    this.intentStreams.next(
      pipeline$.pipe(
        switchMap((p) => p.intents$),
        haltGate(asset, this.venue.halts$, (h) =>
          this.log.child({ component: "service", asset }).warn({ dex: h.dex, detail: h.detail }, `${asset} halted by its HIP-3 deployer (dex ${h.dex}): quoting stopped on it (gate DexHalted), nothing re-placed until restart; other assets quote on`),
        ),
        tap((i) => {
          this.gates.observe(i);
          this.journal?.observeIntent(i);
        }),
        takeUntil(stop$),
      ),
    );
  }

  private compose(config: AssetConfig, book$: Observable<BookEvent>, meta: AssetMeta): AssetPipeline {
    const service = this;
    const host: InputsHost = {
      venue: this.venue,
      scheduler: this.scheduler,
      sink: this.sink,
      get lastUserEvent() {
        return service.lastUserEvent;
      },
      ...(this.options.reference ? { reference: this.options.reference } : {}),
      log: this.log,
      metrics: this.metrics,
      operatorEvents: this.operatorEvents,
      quotaState$: this.quotaState$,
      trades: this.trades,
    };
    return composeAssetPipeline(config, assetPipelineInputs(host, config.asset, book$, meta), this.registries.operators, {
      strategies: this.registries.strategies,
      origins: this.registries.origins,
    });
  }

  private wireSinkOutputs(): void {
    const log = this.log.child({ component: "sink" });
    // one context for every event (journal and stopped are read at the event, not captured)
    const service = this;
    const ctx: SinkEventContext = {
      log,
      metrics: this.metrics,
      assets: this.assets,
      gates: this.gates,
      sinkGates: this.sinkGates,
      get journal() {
        return service.journal;
      },
      get stopped() {
        return service.stopped;
      },
      ...(this.config.quota.reserve ? { reserve: createReserveMetrics(this.metrics.registry) } : {}),
    };
    this.subs.add(this.sink.events$.subscribe({ next: (e) => logSinkEvent(e, ctx), error: (err: unknown) => log.error({ err }, "execution sink failed") }));
  }

  /** Quota headroom per budget (0..1), when the executor throttles. */
  quotaHeadroom(): Record<string, number> {
    const h = this.quota?.ledger?.headroom(this.scheduler.now());
    return h ? { ip: h.ip, address: h.address } : {};
  }

  private wireSampling(): void {
    const every = this.options.sampleMs ?? 5000;
    const sample = () => {
      const quota = this.quotaHeadroom();
      for (const [budget, v] of Object.entries(quota)) this.metrics.quotaHeadroom.set({ budget }, v);
      for (const a of this.assets.keys()) {
        this.metrics.position.set({ asset: a }, this.sink.positions.position(a));
        this.metrics.pnl.set({ asset: a }, this.sink.pnl.total(a, this.mid(a)));
      }
      this.gates.settle();
      this.sinkGates.settle();
      this.journal?.sample(this.journalState(), quota);
    };
    // everyOn: a fresh top-level action per tick (rescheduling from inside an action chains every
    // VirtualAction to the previous one on a VirtualTimeScheduler: memory grows all replay long).
    this.subs.add(everyOn(this.scheduler, every, sample));
  }

  mid(asset: string): number | undefined {
    return midOf(this.assets.get(asset));
  }

  /**
   * Ready for `/healthz`: the venue connection open (when it has one), the account adopted, the
   * kill switch clear, and at least one asset quoting (its gates open, data fresh).
   */
  health(): Health {
    return healthOf(this.viewSource(), { started: this.started, stopped: this.stopped, venue: this.venueHealth, cluster: this.options.cluster });
  }

  private viewSource(): ViewSource {
    return { assets: this.assets, sink: this.sink, gates: this.gates, sinkGates: this.sinkGates };
  }

  /** Per-asset marks, positions and PnL for the journal's sample lines. */
  private journalState(): Record<string, SampleSource> {
    return journalStateOf(this.viewSource());
  }

  /** One status per asset, for the terminal line. */
  status(): AssetStatus[] {
    return assetStatuses(this.viewSource(), this.quotaHeadroom(), this.stopped, this.quota);
  }

  /** Milliseconds closed per asset and reason: pipeline gates and the sink's own. */
  gatedMs(): Record<string, Record<string, number>> {
    this.gates.settle();
    this.sinkGates.settle();
    return mergeGateTotals(this.gates.totals(), this.sinkGates.totals());
  }

  /** Per-asset totals for the report. */
  totals(): AssetTotals {
    return assetTotals(this.viewSource());
  }

  /**
   * Apply a new config (app/serviceReload.ts): re-compose the assets whose chain or quoter changed,
   * add and remove assets; risk and reconciliation changes wait for the next start.
   */
  reload(next: ServiceConfig, registries?: Registries): ReloadResult {
    const service = this;
    return applyReload(
      {
        log: this.log.child({ component: "config" }),
        assets: this.assets,
        universe: this.universe,
        venueName: this.venue.name,
        get registries() {
          return service.registries;
        },
        set registries(r: Registries) {
          service.registries = r;
        },
        compose: (a, book$, meta) => this.compose(a, book$, meta),
        addAsset: (a) => this.addAsset(a),
        removeAsset: (asset) => {
          const rt = this.assets.get(asset)!;
          // An empty ladder makes the sink cancel what rests; then the asset's streams stop.
          this.intentStreams.next(of<QuoteIntent>({ asset, time: this.scheduler.now(), bids: [], asks: [] }));
          rt.stop$.next();
          this.assets.delete(asset);
        },
        setConfig: (c) => (this.config = c),
      },
      next,
      registries,
    );
  }

  /**
   * A process killed without shutdown (the soak's crash-restart): every stream ends where it is,
   * nothing is cancelled (orders rest until a later session or the venue's dead-man's switch
   * removes them), the journal gets no summary — only what was written reaches the disk.
   */
  async crash(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.sinkSub?.unsubscribe();
    for (const rt of this.assets.values()) rt.stop$.next();
    this.subs.unsubscribe();
    await this.journal?.close();
  }

  /**
   * Stop quoting, cancel every resting order, wait for the answers (bounded by the sink's
   * shutdown timeout), flush the journal. Idempotent.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const log = this.log.child({ component: "service" });
    const t0 = performance.now();
    const resting = this.sink.liveOrders().length;
    log.info({ resting }, "shutdown: cancelling resting orders");
    if (this.started) await lastValueFrom(this.sink.shutdown(), { defaultValue: undefined });
    this.sinkSub?.unsubscribe();
    for (const rt of this.assets.values()) rt.stop$.next();
    this.subs.unsubscribe();
    this.gates.settle();
    this.sinkGates.settle();
    this.journal?.finish(this.journalState(), this.quotaHeadroom());
    await this.journal?.close();
    log.info({ stillResting: this.sink.liveOrders().length, ms: Math.round(performance.now() - t0), journalLines: this.journal?.count ?? 0 }, "shutdown complete");
  }
}
