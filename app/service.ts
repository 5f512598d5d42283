// The service: one venue, one ExecutionSink, one composed pipeline per asset, and everything a
// person watching needs (logs, metrics, status, fill journal, samples for the report). The same
// class runs live, paper (the Hyperliquid client against the paper server) and replay (the
// in-process PaperVenue on a VirtualTimeScheduler): only the venue and the scheduler differ.
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import {
  BehaviorSubject,
  defer,
  startWith,
  type Observable,
  type SchedulerLike,
  ReplaySubject,
  Subject,
  Subscription,
  distinctUntilChanged,
  filter,
  firstValueFrom,
  lastValueFrom,
  map,
  mergeMap,
  merge,
  mergeAll,
  of,
  share,
  switchMap,
  takeUntil,
  tap,
  timeout,
} from "rxjs";
import { markoutWindow } from "../operators/markoutWindow.js";
import { QuotaThrottleHandle } from "../operators/quotaThrottle.js";
import { everyOn } from "../sinks/periodic.js";
import { ExecutionSink, type SinkEvent, sinkEvents } from "../sinks/executionSink.js";
import type { FillMarkouts } from "../streams/fill.js";
import type { QuoteIntent } from "../streams/intent.js";
import type { AssetMeta, BookEvent, MidEvent, ReferenceQuote } from "../streams/market.js";
import type { Venue } from "../streams/venue.js";
import { type AssetConfig, type ServiceConfig, checkAssetsOffered, sameConfigValue } from "./config.js";
import { GateTracker, mergeGateTotals } from "../analytics/gates.js";
import { type OrderCounts, type VenueHealth, instrumentVenue, watchVenueHealth } from "./instrument.js";
import { FillJournal, type JournalRunInfo, type SampleSource, SignalTracker, headerLine, journalHorizons } from "../analytics/journal.js";
import { type Health, type ServiceMetrics, setKillSwitchGauge, zeroSeries } from "./metrics.js";
import { type AssetPipeline, composeAssetPipeline } from "./pipeline.js";
import { addressCreditOf, haltGate } from "./hip3.js";
import { type OperatorRegistry, type PipelineSinkEvent, operatorRegistry } from "./registry.js";
import { type Registries, builtinRegistries } from "./plugins.js";
import type { ReportMarkout, ReportSample } from "../analytics/report.js";
import type { AssetStatus } from "./status.js";

export interface ServiceOptions {
  readonly venue: Venue;
  /** Reference-venue quotes per asset, when the venue has them (the paper venue's synthetic markets do). */
  readonly reference?: (asset: string) => Observable<ReferenceQuote>;
  readonly scheduler: SchedulerLike;
  readonly config: ServiceConfig;
  readonly log: Logger;
  readonly metrics: ServiceMetrics;
  /** Directory of the fill journal (created), the file stamp, and what the header says about the run. Omit to keep no journal. */
  readonly journal?: { readonly dir: string; readonly stamp: string; readonly run?: JournalRunInfo };
  /** CLOID seed for this session (fresh per run at the edge). */
  readonly cloidSeed: number | bigint;
  /** Executor/quota knobs that depend on the mode (a seeded random for replay). */
  readonly executor?: ServiceExecutorOptions;
  readonly registry?: OperatorRegistry;
  /** Operators and strategies incl. plugins' (app/plugins.ts); takes precedence over `registry`. */
  readonly registries?: Registries;
  /** Report samples period (service clock). Default 5000 ms. */
  readonly sampleMs?: number;
}

export { dedupFills, dedupedSessionFills } from "./fillDedup.js";
export { OperatorEventCounts } from "./operatorEvents.js";
export { type ServiceExecutorOptions, sinkConfigOf } from "./sinkConfig.js";
import { OperatorEventCounts } from "./operatorEvents.js";
import { dedupedSessionFills } from "./fillDedup.js";
import { type ServiceExecutorOptions, sinkConfigOf } from "./sinkConfig.js";

interface AssetRuntime {
  readonly asset: string;
  readonly meta: AssetMeta;
  readonly book$: Observable<BookEvent>;
  readonly pipeline$: BehaviorSubject<AssetPipeline>;
  readonly signals: SignalTracker;
  readonly stop$: Subject<void>;
  fills: number;
  readonly fillsBySource: Record<string, number>;
}

const sameJson = sameConfigValue;

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
  readonly samples: ReportSample[] = [];
  readonly markouts: ReportMarkout[] = [];
  journal: FillJournal | undefined;
  /** Book and trade events seen (for the replay's events/s). */
  events = 0;
  startTime: number | undefined;

  private config: ServiceConfig;
  private readonly venue: Venue;
  private readonly log: Logger;
  private readonly metrics: ServiceMetrics;
  private readonly operatorEvents: OperatorEventCounts;
  private readonly scheduler: SchedulerLike;
  private registries: Registries;
  private readonly assets = new Map<string, AssetRuntime>();
  // Replayed: streams added before the sink subscribes must not be lost.
  private readonly intentStreams = new ReplaySubject<Observable<QuoteIntent>>();
  private readonly mids$ = new Subject<MidEvent>();
  private readonly books$ = new Subject<BookEvent>();
  private readonly subs = new Subscription();
  private sinkSub: Subscription | undefined;
  private universe: readonly AssetMeta[] = [];
  private lastUserEvent: number | undefined;
  private stopped = false;
  private started = false;

  constructor(private readonly options: ServiceOptions) {
    this.config = options.config;
    this.log = options.log;
    this.metrics = options.metrics;
    this.operatorEvents = new OperatorEventCounts(options.metrics.operatorEvents);
    this.scheduler = options.scheduler;
    this.registries = options.registries ?? { ...builtinRegistries, operators: options.registry ?? operatorRegistry };
    const instrumented = instrumentVenue(options.venue, options.metrics, options.log);
    this.venue = instrumented.venue;
    this.orderCounts = instrumented.counts;
    this.failures = instrumented.failures;
    this.venueHealth = instrumented.health;
    this.gates = new GateTracker(() => this.scheduler.now(), this.metrics);
    this.sinkGates = new GateTracker(() => this.scheduler.now(), this.metrics);
    this.quota = options.executor?.quota === false ? null : new QuotaThrottleHandle();
    const hip3 = { addressCredit: addressCreditOf(() => this.universe), accountDexes: 1 + (this.venue.perpDexs?.length ?? 0) };
    this.sink = new ExecutionSink(this.venue, { ...sinkConfigOf(this.config, options.cloidSeed, options.executor, this.quota, this.scheduler), ...hip3 }, this.scheduler);
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
    zeroSeries(this.metrics, this.config.assets.map((a) => a.asset));
    if (this.options.journal) {
      this.journal = new FillJournal(this.options.journal.dir, this.options.journal.stamp);
      const assets = this.config.assets.map((a) => ({ asset: a.asset, szDecimals: this.universe.find((m) => m.name === a.asset)!.szDecimals, maxPositionUsd: a.risk.maxPositionUsd, maxLossUsd: a.risk.maxLossUsd }));
      const horizons = journalHorizons(this.config.assets.flatMap((a) => a.markouts.horizonsMs));
      this.journal.open(headerLine({ run: this.options.journal.run ?? { mode: "unknown" }, venue: this.venue.name, config: this.config, startTime: this.startTime, assets, markoutHorizonsMs: horizons }), () => this.scheduler.now());
      this.journal.watch(
        {
          actions$: this.sink.events$.pipe(
            sinkEvents("action"),
            map((e) => e.action),
          ),
          sinkGates$: this.sink.events$.pipe(sinkEvents("gate")),
          mids$: this.mids$,
        },
        (s) => this.subs.add(s),
      );
    }
    this.subs.add(watchVenueHealth(this.venue, this.metrics, { log: this.log, health: this.venueHealth, quota: this.quota, scheduler: this.scheduler }));

    const intents$ = this.intentStreams.pipe(mergeAll());
    for (const a of this.config.assets) this.addAsset(a);
    // queue-aware keeping needs the traded venue's books; they are fed only when it is configured
    const queueAware = this.config.assets.some((a) => a.reconciliation.queueAware !== undefined) || this.config.defaults?.reconciliation.queueAware !== undefined;
    this.sinkSub = this.sink.connect({
      intents$,
      fills$: dedupedSessionFills(this.venue.fills$, this.scheduler.now()),
      mids$: this.mids$,
      ...(queueAware ? { books$: this.books$ } : {}),
      ...(this.quota ? { quotaState$: this.quota.state$ } : {}),
    });
    this.subs.add(merge(this.venue.orderUpdates$, this.venue.fills$, this.sink.events$.pipe(sinkEvents("reconcile"))).subscribe(() => (this.lastUserEvent = this.scheduler.now())));
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
      share({ connector: () => new ReplaySubject<BookEvent>(1), resetOnRefCountZero: false }),
    );
    this.subs.add(
      this.venue
        .trades(asset)
        .pipe(takeUntil(stop$))
        .subscribe((t) => {
          this.events++;
          signals.observeTrade(t);
        }),
    );
    const pipeline$ = new BehaviorSubject<AssetPipeline>(this.compose(config, book$, meta));
    const rt: AssetRuntime = { asset, meta, book$, pipeline$, signals, stop$, fills: 0, fillsBySource: {} };
    this.assets.set(asset, rt);
    this.wireMarkouts(config, stop$);
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
    const asset = config.asset;
    // A re-composed pipeline starts from the last user event seen (userStaleGate would otherwise
    // start closed with NoDataReceived and pull the ladder until the next one).
    const userEvents$ = defer(() => {
      const live$ = merge(this.venue.orderUpdates$, this.venue.fills$, this.sink.events$.pipe(sinkEvents("reconcile"))).pipe(map(() => ({ time: this.scheduler.now() })));
      const last = this.lastUserEvent;
      return last === undefined ? live$ : live$.pipe(startWith({ time: last }));
    });
    // The quoter's position: the sink's position events (after each fill and each reconcile), starting
    // from the current one (a re-composed pipeline must not quote as if flat until the next fill).
    const position$ = defer(() =>
      this.sink.events$.pipe(
        sinkEvents("position"),
        filter((p) => p.asset === asset),
        map((p) => p.position),
        startWith(this.sink.positions.position(asset)),
        distinctUntilChanged(),
      ),
    );
    const reference$ = this.options.reference?.(asset);
    const sink = this.sink;
    const sinkEvents$ = sink.events$.pipe(
      mergeMap((e): PipelineSinkEvent[] => {
        switch (e.type) {
          case "fill":
            return [{ kind: "fill", fill: e }];
          case "race":
            return [{ kind: "race", race: e.race }];
          case "reconcile":
            return [{ kind: "reconcile", report: e.report }];
          case "gate":
            return [{ kind: "gate", gate: e }];
          case "killSwitch":
            return [{ kind: "killSwitch", state: e.state }];
          default:
            return [];
        }
      }),
    );
    const plog = this.log.child({ component: "pipeline", asset });
    return composeAssetPipeline(
      config,
      {
        book$,
        userEvents$,
        position$,
        ...(reference$ ? { reference$ } : {}),
        scheduler: this.scheduler,
        szDecimals: meta.szDecimals,
        trades$: this.venue.trades(asset),
        fills$: sink.events$.pipe(
          sinkEvents("fill"),
          map((e) => e.fill),
          filter((f) => f.asset === asset),
        ),
        sinkEvents$,
        probe: {
          flow: (a, operator, direction) => this.operatorEvents.inc(a, operator, direction),
          rejected: (a, reason) => {
            this.metrics.dataQualityRejects.inc({ asset: a, reason });
            this.log.warn({ component: "dataQuality", asset: a, failure: "book_rejected", reason }, "book rejected by dataQualityGate");
          },
          strategyError: (a, strategy, detail, first) => {
            this.operatorEvents.inc(a, strategy, "rejected");
            if (first) plog.error({ strategy, detail }, "strategy failed: its intent is replaced by an empty one (nothing quoted)");
          },
        },
        ...(this.quota ? { quotaState$: this.quota.state$ } : {}),
      },
      this.registries.operators,
      { strategies: this.registries.strategies, origins: this.registries.origins },
    );
  }

  private wireSinkOutputs(): void {
    const log = this.log.child({ component: "sink" });
    this.subs.add(this.sink.events$.subscribe({ next: (e) => this.onSinkEvent(e, log), error: (err: unknown) => log.error({ err }, "execution sink failed") }));
  }

  private onSinkEvent(e: SinkEvent, log: Logger): void {
    switch (e.type) {
      case "fill": {
        const f = e.fill;
        const rt = this.assets.get(f.asset);
        this.metrics.fills.inc({ asset: f.asset, source: f.source, flag: e.flag });
        if (e.flag === "race") this.metrics.raceFills.inc({ asset: f.asset });
        if (e.flag === "unmatched") this.metrics.unmatchedFills.inc({ asset: f.asset });
        if (rt) {
          rt.fills++;
          rt.fillsBySource[f.source] = (rt.fillsBySource[f.source] ?? 0) + 1;
          const closed = [this.gates.closedReason(f.asset), this.sinkGates.closedReason(f.asset)].filter((x): x is string => x !== undefined);
          const vol = rt.pipeline$.value.market();
          // the strategy's own signals (of the intent the order was placed for) beside the market snapshot
          this.journal?.fill(f, e.flag, { ...f.signals, ...rt.signals.snapshot(f, closed, vol ? Math.sqrt(vol.varianceBps2) : undefined) }, { positionAfter: e.positionAfter, placedAt: e.orderAgeMs === null ? undefined : f.time - e.orderAgeMs });
        }
        log.info({ asset: f.asset, tid: f.tid, side: f.isBuy ? "buy" : "sell", px: f.price, sz: f.size, source: f.source, flag: e.flag }, "fill");
        return;
      }
      case "reconcile":
        this.metrics.reconciliations.inc({ trigger: e.report.trigger });
        for (const a of this.assets.keys()) this.metrics.reconciliationDrift.set({ asset: a }, Math.abs(e.report.drifts.find((d) => d.asset === a)?.drift ?? 0));
        return;
      case "drift":
        log.warn({ drift: e.drift }, "reconciliation found drift; venue truth adopted");
        return;
      case "race": {
        const r = e.race;
        if (r.kind === "race" || r.kind === "unmatched") log.warn({ asset: r.fill.fill.asset, tid: r.fill.fill.tid, kind: r.kind }, "fill race");
        else if (r.kind === "pull") log.info({ asset: r.asset, side: r.isBuy ? "bid" : "ask", orders: r.cloids.length }, "pulled orders after a race");
        return;
      }
      case "killSwitch":
        setKillSwitchGauge(this.metrics, e.state.active ? e.state.trip.trigger : undefined);
        if (e.state.active) log.error({ trigger: e.state.trip.trigger, asset: e.state.trip.asset, detail: e.state.trip.detail }, "kill switch tripped: every order cancelled, quoting stopped");
        else if (e.state.clearedTrip) log.warn({ trigger: e.state.clearedTrip.trigger }, "kill switch cleared: quoting resumes where the gates are open");
        return;
      case "gate":
        this.sinkGates.set(e.asset, e.reason?.kind);
        // The sink closes every asset while it shuts down: expected then, not news.
        if (this.stopped) log.debug({ asset: e.asset, reason: e.reason?.kind ?? "open" }, "sink gate (shutdown)");
        else log.info({ asset: e.asset, reason: e.reason?.kind ?? "open" }, "sink gate");
        return;
      case "invalidTransition":
        log.warn({ ...e.transition }, "order transition refused by the state table (order left as it was)");
        return;
      case "badInput":
        log.warn({ problems: e.error.problems }, e.error.message);
        return;
      default:
        return;
    }
  }

  /** Markouts of one asset's fills at its configured horizons, journaled and kept for the report. */
  private wireMarkouts(config: AssetConfig, stop$: Observable<void>): void {
    const asset = config.asset;
    this.subs.add(
      this.sink.events$
        .pipe(
          sinkEvents("markoutInput"),
          map((e) => e.fill),
          filter((f) => f.asset === asset),
          // The journal's horizons (the config's and a 0–60 s curve); stale only after the longest.
          markoutWindow(this.mids$.pipe(filter((m) => m.asset === asset)), { horizonsMs: journalHorizons(config.markouts.horizonsMs), staleAfterMs: Math.max(config.markouts.staleAfterMs, Math.max(...journalHorizons(config.markouts.horizonsMs)) + 10_000) }, this.scheduler),
          takeUntil(stop$),
        )
        .subscribe((m: FillMarkouts) => {
          this.journal?.markout(m);
          for (const h of m.horizons) this.markouts.push({ asset, source: m.fill.source, horizonMs: h.horizonMs, markoutBps: h.markoutBps });
        }),
    );
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
      const assets: Record<string, { pnl: number; position: number; mid: number | undefined }> = {};
      for (const a of this.assets.keys()) {
        const mid = this.mid(a);
        const pnl = this.sink.pnl.total(a, mid);
        const position = this.sink.positions.position(a);
        this.metrics.position.set({ asset: a }, position);
        this.metrics.pnl.set({ asset: a }, pnl);
        assets[a] = { pnl, position, mid };
      }
      this.gates.settle();
      this.sinkGates.settle();
      this.samples.push({ time: this.scheduler.now(), assets, quota });
      this.journal?.sample(this.journalState(), quota);
    };
    // everyOn: a fresh top-level action per tick (rescheduling from inside an action chains every
    // VirtualAction to the previous one on a VirtualTimeScheduler: memory grows all replay long).
    this.subs.add(everyOn(this.scheduler, every, sample));
  }

  mid(asset: string): number | undefined {
    const m = this.assets.get(asset)?.pipeline$.value.market();
    const b = m?.book;
    const bid = b?.bids[0]?.px;
    const ask = b?.asks[0]?.px;
    return bid !== undefined && ask !== undefined ? (bid + ask) / 2 : undefined;
  }

  /**
   * Ready for `/healthz`: the venue connection open (when it has one), the account adopted, the
   * kill switch clear, and at least one asset quoting (its gates open, data fresh).
   */
  health(): Health {
    const reasons: string[] = [];
    if (!this.started || this.stopped) reasons.push(this.stopped ? "stopping" : "starting");
    const c = this.venueHealth.connection;
    if (c !== undefined && c !== "open") reasons.push(`venue connection ${c}`);
    if (!this.venueHealth.accountAdopted) reasons.push("account not adopted yet");
    const kill = this.sink.killSwitch.state;
    if (kill.active) reasons.push(`kill switch tripped (${kill.trip.trigger}); clear with SIGUSR2`);
    const closed = [...this.assets.keys()].map((a) => [a, this.gates.closedReason(a) ?? this.sinkGates.closedReason(a)] as const);
    const stale = closed.filter(([, r]) => r === "StaleData");
    if (stale.length > 0) reasons.push(`stale data: ${stale.map(([a]) => a).join(", ")}`);
    else if (closed.length > 0 && closed.every(([, r]) => r !== undefined)) reasons.push(`not quoting: ${closed.map(([a, r]) => `${a} ${r}`).join(", ")}`);
    return { ready: reasons.length === 0, reasons };
  }

  /** Per-asset marks, positions and PnL for the journal's sample lines. */
  private journalState(): Record<string, SampleSource> {
    const out: Record<string, SampleSource> = {};
    for (const rt of this.assets.values()) {
      const mid = this.mid(rt.asset);
      const p = this.sink.pnl.get(rt.asset);
      out[rt.asset] = { mid, position: this.sink.positions.position(rt.asset), pnl: this.sink.pnl.total(rt.asset, mid), realized: p.realized, fees: p.fees, volumeUsd: p.volumeUsd, fills: rt.fills };
    }
    return out;
  }

  /** One status per asset, for the terminal line. */
  status(): AssetStatus[] {
    const headroom = this.quotaHeadroom();
    const quota = Object.values(headroom);
    const tightest = Object.entries(headroom).sort((a, b) => a[1] - b[1])[0]?.[0];
    return [...this.assets.values()].map((rt) => {
      const live = this.sink.liveOrders(rt.asset);
      const bids = live.filter((o) => o.isBuy).map((o) => o.px);
      const asks = live.filter((o) => !o.isBuy).map((o) => o.px);
      const mid = this.mid(rt.asset);
      const kill = this.sink.killSwitch.state;
      return {
        asset: rt.asset,
        mid,
        bid: bids.length ? Math.max(...bids) : undefined,
        ask: asks.length ? Math.min(...asks) : undefined,
        position: this.sink.positions.position(rt.asset),
        pnl: this.sink.pnl.total(rt.asset, mid),
        closedBy: this.stopped ? "shutdown" : kill.active ? `KillSwitch:${kill.trip.trigger}` : (this.gates.closedReason(rt.asset) ?? this.sinkGates.closedReason(rt.asset)),
        fills: rt.fills,
        quotaHeadroom: quota.length ? Math.min(...quota) : undefined,
        quotaBudget: tightest,
      };
    });
  }

  /** Milliseconds closed per asset and reason: pipeline gates and the sink's own. */
  gatedMs(): Record<string, Record<string, number>> {
    this.gates.settle();
    this.sinkGates.settle();
    return mergeGateTotals(this.gates.totals(), this.sinkGates.totals());
  }

  /** Per-asset totals for the report. */
  totals(): Record<string, { fills: number; volumeUsd: number; fees: number; pnl: number; position: number; fillsBySource: Record<string, number> }> {
    const out: Record<string, { fills: number; volumeUsd: number; fees: number; pnl: number; position: number; fillsBySource: Record<string, number> }> = {};
    for (const rt of this.assets.values()) {
      const p = this.sink.pnl.get(rt.asset);
      out[rt.asset] = { fills: rt.fills, volumeUsd: p.volumeUsd, fees: p.fees, pnl: this.sink.pnl.total(rt.asset, this.mid(rt.asset)), position: this.sink.positions.position(rt.asset), fillsBySource: { ...rt.fillsBySource } };
    }
    return out;
  }

  /**
   * Apply a new config. Assets whose operator chain or quoter changed get a freshly composed
   * pipeline (the sink keeps every order: the new pipeline's first ladder is diffed against what
   * rests, so what it would not quote is cancelled and the rest stays). Risk and reconciliation
   * settings are the sink's and apply at the next start. Returns the re-composed assets.
   */
  reload(next: ServiceConfig, registries?: Registries): { recomposed: string[]; added: string[]; removed: string[]; restartNeeded: string[] } {
    const log = this.log.child({ component: "config" });
    const recomposed: string[] = [];
    const added: string[] = [];
    const removed: string[] = [];
    const restartNeeded: string[] = [];
    // Everything is composed before anything is applied: a factory that throws (a plugin's) or an
    // unknown asset refuses the whole change and the running pipelines stay as they were.
    const previous = this.registries;
    const pluginsChanged = registries !== undefined && registries !== previous;
    if (registries) this.registries = registries;
    const swaps: { rt: AssetRuntime; pipeline: AssetPipeline }[] = [];
    const before = new Map([...this.assets.values()].map((rt) => [rt.asset, rt.pipeline$.value.config]));
    try {
      for (const a of next.assets) {
        const rt = this.assets.get(a.asset);
        if (!rt) {
          if (!this.universe.some((m) => m.name === a.asset)) throw new Error(`config asset ${a.asset} is not traded on venue ${this.venue.name}`);
          this.compose(a, new Subject<BookEvent>(), this.universe.find((m) => m.name === a.asset)!);
          continue;
        }
        const old = rt.pipeline$.value.config;
        if (pluginsChanged || !sameJson(old.operators, a.operators) || !sameJson(old.quoter, a.quoter) || !sameJson(old.strategy, a.strategy) || old.risk.maxPositionUsd !== a.risk.maxPositionUsd)
          swaps.push({ rt, pipeline: this.compose(a, rt.book$, rt.meta) });
      }
    } catch (err) {
      this.registries = previous;
      throw err;
    }
    for (const { rt, pipeline } of swaps) {
      rt.pipeline$.next(pipeline);
      recomposed.push(rt.asset);
    }
    for (const a of next.assets) {
      const rt = this.assets.get(a.asset);
      if (!rt) {
        checkAssetsOffered([a.asset], this.universe.map((m) => m.name), this.venue.name);
        this.addAsset(a);
        added.push(a.asset);
        continue;
      }
      const was = before.get(a.asset) ?? a;
      if (!sameJson(was.reconciliation, a.reconciliation) || !sameJson(was.risk, a.risk) || !sameJson(was.markouts, a.markouts)) restartNeeded.push(a.asset);
    }
    for (const asset of this.assets.keys()) {
      if (next.assets.some((a) => a.asset === asset)) continue;
      const rt = this.assets.get(asset)!;
      // An empty ladder makes the sink cancel what rests; then the asset's streams stop.
      this.intentStreams.next(of<QuoteIntent>({ asset, time: this.scheduler.now(), bids: [], asks: [] }));
      rt.stop$.next();
      this.assets.delete(asset);
      removed.push(asset);
    }
    this.config = next;
    log.info({ recomposed, added, removed, restartNeeded }, restartNeeded.length ? "config applied (risk/reconciliation changes take effect at the next start)" : "config applied");
    return { recomposed, added, removed, restartNeeded };
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
