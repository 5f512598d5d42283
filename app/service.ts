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
  distinctUntilChanged,
  filter,
  firstValueFrom,
  lastValueFrom,
  map,
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
import { everyOn } from "../sinks/periodic.js";
import { type ExecutionSinkConfig, ExecutionSink } from "../sinks/executionSink.js";
import type { FillMarkouts } from "../streams/fill.js";
import type { QuoteIntent } from "../streams/intent.js";
import type { AssetMeta, BookEvent, MidEvent, ReferenceQuote } from "../streams/market.js";
import type { Venue } from "../streams/venue.js";
import type { AssetConfig, ReconciliationConfig, ServiceConfig } from "./config.js";
import { GateTracker, mergeGateTotals } from "./gates.js";
import { type OrderCounts, instrumentVenue, watchVenueHealth } from "./instrument.js";
import { FillJournal, SignalTracker, fillLine, markoutLine } from "../analytics/journal.js";
import type { ServiceMetrics } from "./metrics.js";
import { type AssetPipeline, composeAssetPipeline } from "./pipeline.js";
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
  /** Directory of the fill journal (created), and the file stamp. Omit to keep no journal. */
  readonly journal?: { readonly dir: string; readonly stamp: string };
  /** CLOID seed for this session (fresh per run at the edge). */
  readonly cloidSeed: number | bigint;
  /** Executor/quota knobs that depend on the mode (a seeded random for replay). */
  readonly executor?: ExecutionSinkConfig["executor"];
  readonly registry?: OperatorRegistry;
  /** Operators and strategies incl. plugins' (app/plugins.ts); takes precedence over `registry`. */
  readonly registries?: Registries;
  /** Report samples period (service clock). Default 5000 ms. */
  readonly sampleMs?: number;
}

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

/** The sink's per-asset settings from an asset's config. */
function sinkAssetConfig(a: AssetConfig): NonNullable<ExecutionSinkConfig["defaults"]> {
  const r = a.reconciliation;
  return {
    thresholds: { skipPriceBps: r.skipPriceBps, skipSizePct: r.skipSizePct, modifyPriceBps: r.modifyPriceBps, modifySizePct: r.modifySizePct },
    maxPositionUsd: a.risk.maxPositionUsd,
    maxLossUsd: a.risk.maxLossUsd,
    maxDriftUsd: a.risk.maxDriftUsd,
  };
}

export function sinkConfigOf(config: ServiceConfig, cloidSeed: number | bigint, executor?: ExecutionSinkConfig["executor"]): ExecutionSinkConfig {
  const intervals = config.assets.map((a) => a.reconciliation);
  const quota = { config: { reserveFraction: config.quota.reservePct / 100, breakerOpenBelow: config.quota.breakerPct / 100, breakerCloseAt: Math.min(1, (config.quota.breakerPct * 1.5) / 100) } };
  return {
    cloidSeed,
    ...(config.defaults ? { defaults: sinkAssetConfig(config.defaults) } : {}),
    assets: Object.fromEntries(config.assets.map((a) => [a.asset, sinkAssetConfig(a)])),
    executor: { ...executor, quota: executor?.quota === false ? false : { ...quota, ...(executor?.quota || {}) } },
    orderStore: { staleAfterMs: Math.min(...intervals.map((r) => r.orderStaleMs)) },
    reconcile: {
      intervalMs: Math.min(...intervals.map((r) => r.intervalMs)),
      minGapMs: Math.min(...intervals.map((r) => r.minGapMs)),
      ...openOrdersInterval(intervals),
    },
  };
}

/** The account snapshot is account-wide: open orders as often as the most demanding asset wants them. */
function openOrdersInterval(intervals: readonly ReconciliationConfig[]): { openOrdersIntervalMs?: number } {
  if (intervals.some((r) => r.openOrdersIntervalMs === undefined)) return {};
  return { openOrdersIntervalMs: Math.min(...intervals.map((r) => r.openOrdersIntervalMs ?? Infinity)) };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class QuoteflowService {
  readonly sink: ExecutionSink;
  /** Pipeline gates (from the gated intents). */
  readonly gates: GateTracker;
  /** The sink's own gates (OrderStale, KillSwitch). */
  readonly sinkGates: GateTracker;
  readonly orderCounts: OrderCounts;
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
  private readonly scheduler: SchedulerLike;
  private registries: Registries;
  private readonly assets = new Map<string, AssetRuntime>();
  // Replayed: streams added before the sink subscribes must not be lost.
  private readonly intentStreams = new ReplaySubject<Observable<QuoteIntent>>();
  private readonly mids$ = new Subject<MidEvent>();
  private readonly position$ = new Subject<string>();
  private readonly subs = new Subscription();
  private sinkSub: Subscription | undefined;
  private universe: readonly AssetMeta[] = [];
  private stopped = false;
  private started = false;

  constructor(private readonly options: ServiceOptions) {
    this.config = options.config;
    this.log = options.log;
    this.metrics = options.metrics;
    this.scheduler = options.scheduler;
    this.registries = options.registries ?? { ...builtinRegistries, operators: options.registry ?? operatorRegistry };
    const instrumented = instrumentVenue(options.venue, options.metrics);
    this.venue = instrumented.venue;
    this.orderCounts = instrumented.counts;
    this.gates = new GateTracker(() => this.scheduler.now(), this.metrics);
    this.sinkGates = new GateTracker(() => this.scheduler.now(), this.metrics);
    this.sink = new ExecutionSink(this.venue, sinkConfigOf(this.config, options.cloidSeed, options.executor), this.scheduler);
  }

  get currentConfig(): ServiceConfig {
    return this.config;
  }

  /** Load the venue's universe, compose every asset's pipeline, connect the sink. */
  async start(): Promise<void> {
    const log = this.log.child({ component: "service" });
    this.startTime = this.scheduler.now();
    this.universe = await firstValueFrom(this.venue.meta().pipe(timeout({ first: 15_000, scheduler: this.scheduler })));
    for (const a of this.config.assets) {
      if (!this.universe.some((m) => m.name === a.asset))
        throw new Error(`config asset ${a.asset} is not traded on venue ${this.venue.name} (it lists ${this.universe.slice(0, 12).map((m) => m.name).join(", ")}…)`);
    }
    if (this.options.journal) this.journal = new FillJournal(this.options.journal.dir, this.options.journal.stamp);
    this.subs.add(watchVenueHealth(this.venue, this.metrics));

    const intents$ = this.intentStreams.pipe(mergeAll());
    for (const a of this.config.assets) this.addAsset(a);
    this.sinkSub = this.sink.connect(intents$, this.mids$);
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
    const book$ = this.venue.book(asset).pipe(
      tap((b) => {
        this.events++;
        signals.observeBook(b);
      }),
      share(),
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
        tap((i) => this.gates.observe(i)),
        takeUntil(stop$),
      ),
    );
  }

  private compose(config: AssetConfig, book$: Observable<BookEvent>, meta: AssetMeta): AssetPipeline {
    const asset = config.asset;
    const userEvents$ = merge(this.venue.orderUpdates$, this.venue.fills$, this.sink.reconciles$).pipe(map(() => ({ time: this.scheduler.now() })));
    const position$ = this.position$.pipe(
      filter((a) => a === asset),
      map(() => this.sink.position(asset)),
      distinctUntilChanged(),
    );
    const reference$ = this.options.reference?.(asset);
    const sink = this.sink;
    const sinkEvents$ = merge(
      sink.fills$.pipe(map((fill): PipelineSinkEvent => ({ kind: "fill", fill }))),
      sink.races$.pipe(map((race): PipelineSinkEvent => ({ kind: "race", race }))),
      sink.reconciles$.pipe(map((report): PipelineSinkEvent => ({ kind: "reconcile", report }))),
      sink.gates$.pipe(map((gate): PipelineSinkEvent => ({ kind: "gate", gate }))),
      sink.killSwitch$.pipe(map((state): PipelineSinkEvent => ({ kind: "killSwitch", state }))),
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
        fills$: sink.fillEvents$.pipe(filter((f) => f.asset === asset)),
        sinkEvents$,
        probe: {
          flow: (a, operator, direction) => this.metrics.operatorEvents.inc({ asset: a, operator, direction }),
          rejected: (a, reason) => this.metrics.dataQualityRejects.inc({ asset: a, reason }),
          strategyError: (a, strategy, detail, first) => {
            this.metrics.operatorEvents.inc({ asset: a, operator: strategy, direction: "rejected" });
            if (first) plog.error({ strategy, detail }, "strategy failed: its intent is replaced by an empty one (nothing quoted)");
          },
        },
        ...(this.sink.executor.quota ? { quotaState$: this.sink.executor.quota.state$ } : {}),
      },
      this.registries.operators,
      { strategies: this.registries.strategies, origins: this.registries.origins },
    );
  }

  private wireSinkOutputs(): void {
    const log = this.log.child({ component: "sink" });
    this.subs.add(
      this.sink.fills$.subscribe((g) => {
        const f = g.fill;
        const rt = this.assets.get(f.asset);
        this.metrics.fills.inc({ asset: f.asset, source: f.source, flag: g.flag });
        if (g.flag === "race") this.metrics.raceFills.inc({ asset: f.asset });
        if (g.flag === "unmatched") this.metrics.unmatchedFills.inc({ asset: f.asset });
        if (rt) {
          rt.fills++;
          rt.fillsBySource[f.source] = (rt.fillsBySource[f.source] ?? 0) + 1;
          const closed = [this.gates.closedReason(f.asset), this.sinkGates.closedReason(f.asset)].filter((x): x is string => x !== undefined);
          const vol = rt.pipeline$.value.market();
          // the strategy's own signals (of the intent the order was placed for) beside the market snapshot
          this.journal?.write(fillLine(f, g.flag, { ...f.signals, ...rt.signals.snapshot(f, closed, vol ? Math.sqrt(vol.varianceBps2) : undefined) }));
        }
        this.position$.next(f.asset);
        log.info({ asset: f.asset, tid: f.tid, side: f.isBuy ? "buy" : "sell", px: f.price, sz: f.size, source: f.source, flag: g.flag }, "fill");
      }),
    );
    this.subs.add(
      this.sink.reconciles$.subscribe((r) => {
        this.metrics.reconciliations.inc({ trigger: r.trigger });
        for (const a of this.assets.keys()) {
          this.metrics.reconciliationDrift.set({ asset: a }, Math.abs(r.drifts.find((d) => d.asset === a)?.drift ?? 0));
          this.position$.next(a);
        }
      }),
    );
    this.subs.add(this.sink.drift$.subscribe((d) => log.warn({ drift: d }, "reconciliation found drift; venue truth adopted")));
    this.subs.add(
      this.sink.races$.subscribe((e) => {
        if (e.kind === "race" || e.kind === "unmatched") log.warn({ asset: e.fill.fill.asset, tid: e.fill.fill.tid, kind: e.kind }, "fill race");
        else if (e.kind === "pull") log.info({ asset: e.asset, side: e.isBuy ? "bid" : "ask", orders: e.cloids.length }, "pulled orders after a race");
      }),
    );
    this.subs.add(
      this.sink.killSwitch$.subscribe((s) => {
        if (s.active) {
          this.metrics.killSwitch.set({ trigger: s.trip.trigger }, 1);
          log.error({ trigger: s.trip.trigger, asset: s.trip.asset, detail: s.trip.detail }, "kill switch tripped: every order cancelled, quoting stopped");
        }
      }),
    );
    this.subs.add(
      this.sink.gates$.subscribe((g) => {
        this.sinkGates.set(g.asset, g.reason?.kind);
        log.info({ asset: g.asset, reason: g.reason?.kind ?? "open" }, "sink gate");
      }),
    );
  }

  /** Markouts of one asset's fills at its configured horizons, journaled and kept for the report. */
  private wireMarkouts(config: AssetConfig, stop$: Observable<void>): void {
    const asset = config.asset;
    this.subs.add(
      this.sink.fillEvents$
        .pipe(
          filter((f) => f.asset === asset),
          markoutWindow(this.mids$.pipe(filter((m) => m.asset === asset)), { horizonsMs: config.markouts.horizonsMs, staleAfterMs: config.markouts.staleAfterMs }, this.scheduler),
          takeUntil(stop$),
        )
        .subscribe((m: FillMarkouts) => {
          this.journal?.write(markoutLine(m));
          for (const h of m.horizons) this.markouts.push({ asset, source: m.fill.source, horizonMs: h.horizonMs, markoutBps: h.markoutBps });
        }),
    );
  }

  /** Quota headroom per budget (0..1), when the executor throttles. */
  quotaHeadroom(): Record<string, number> {
    const h = this.sink.executor.quota?.ledger?.headroom(this.scheduler.now());
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
        const position = this.sink.position(a);
        this.metrics.position.set({ asset: a }, position);
        this.metrics.pnl.set({ asset: a }, pnl);
        assets[a] = { pnl, position, mid };
      }
      this.gates.settle();
      this.sinkGates.settle();
      this.samples.push({ time: this.scheduler.now(), assets, quota });
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

  /** One status per asset, for the terminal line. */
  status(): AssetStatus[] {
    const quota = Object.values(this.quotaHeadroom());
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
        position: this.sink.position(rt.asset),
        pnl: this.sink.pnl.total(rt.asset, mid),
        closedBy: this.stopped ? "shutdown" : kill.active ? `KillSwitch:${kill.trip.trigger}` : (this.gates.closedReason(rt.asset) ?? this.sinkGates.closedReason(rt.asset)),
        fills: rt.fills,
        quotaHeadroom: quota.length ? Math.min(...quota) : undefined,
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
      out[rt.asset] = { fills: rt.fills, volumeUsd: p.volumeUsd, fees: p.fees, pnl: this.sink.pnl.total(rt.asset, this.mid(rt.asset)), position: this.sink.position(rt.asset), fillsBySource: { ...rt.fillsBySource } };
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
    await this.journal?.close();
    log.info({ stillResting: this.sink.liveOrders().length, ms: Math.round(performance.now() - t0), journalLines: this.journal?.count ?? 0 }, "shutdown complete");
  }
}
