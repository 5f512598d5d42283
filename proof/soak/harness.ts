// The chaos soak: the whole service (the same QuoteflowService `quoteflow replay` and `run` use:
// registry-composed pipelines → gates → ExecutionSink) against the in-process PaperVenue on one
// VirtualTimeScheduler, over a synthetic market of n assets, with every fault of a profile on,
// plus catastrophic faults the soak injects itself (dropouts longer than the kill switch's
// staleness bound). The SoakChecker watches all of it; the result feeds the table.
import { performance } from "node:perf_hooks";
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { PaperVenue, SIM_FAULT_PROFILES, SimRng, simReplayScheduler, type SimFaultConfig, type SimFaultKind, type SimFaultProfileName } from "../../sim/index.js";
import { everyOn } from "../../sinks/periodic.js";
import { type AssetConfig, type ServiceConfig, defaultConfigPath } from "../../app/config.js";
import { loadConfigWithPlugins } from "../../app/plugins.js";
import { type ServiceMetrics, createMetrics } from "../../app/metrics.js";
import type { SchedulerLike } from "rxjs";
import type { Venue } from "../../streams/venue.js";
import { silentLogger } from "../../app/logger.js";
import { QuoteflowService } from "../../app/service.js";
import { pumpVirtualTime, stopOnVirtualTime } from "../../app/replay.js";
import { SoakChecker, tapSubmits, type CatastropheRecord, type KillTripRecord, type SoakViolation, type SoakViolationKind } from "./invariants.js";
import { soakAssets, soakMarket } from "./markets.js";
import { type SoakHip3Figures, soakHip3Assets, soakHip3Figures } from "./hip3.js";
import type { SimPerpDexSpec } from "../../sim/hip3.js";

export interface SoakOptions {
  readonly hours: number;
  readonly assets: number;
  readonly seed: number;
  readonly faults: SimFaultProfileName;
  /** Config file (default config/default.yaml); its defaults apply to every soak asset. */
  readonly configPath?: string;
  /** Inject a catastrophic dropout every this many virtual hours (0: none). Default 6. */
  readonly catastropheEveryHours?: number;
  /** Length of a catastrophic dropout (ms). Default 90 000 (beyond the 60 s staleness bound). */
  readonly catastropheMs?: number;
  /** After a kill-switch trip, the operator (the soak) clears it this long after the venue is reachable again (ms). Default 60 000. */
  readonly clearAfterMs?: number;
  /** Virtual time advanced per step before yielding to the event loop (ms). Default 60 000. */
  readonly stepMs?: number;
  /** Called after each step with the fraction done. */
  readonly onProgress?: (p: SoakProgress) => void;
  /** The account's initial address budget (default the venue's 10,000); small values put the quota throttle under pressure. */
  readonly addressBudget?: number;
  /** Called after each step with the running objects (benchmarks measure memory here). */
  readonly onCheckpoint?: (c: SoakCheckpoint) => void;
  /** The executor's in-flight limit (default the service's 16); 1–2 put the send queue under pressure. */
  readonly maxInFlight?: number;
  /** Stop at the first violation (default false: run to the end and count). */
  readonly failFast?: boolean;
  /** HIP-3 assets quoted beside the synthetic ones (`xyz:GOLD`; proof/soak/hip3.ts). */
  readonly hip3Assets?: readonly string[];
  /** Knobs of their dexes (fee scale, growth mode, OI cap; sim/hip3.ts). */
  readonly perpDexs?: readonly SimPerpDexSpec[];
  /** A scenario's wrapper around the venue the service sees (proof/soak/scenarios.ts: clock-skew injects books stamped ahead). */
  readonly wrapVenue?: (venue: Venue, scheduler: SchedulerLike) => Venue;
  /** The service's metrics registry (default a fresh one); a scenario reads its counters afterwards. */
  readonly metrics?: ServiceMetrics;
}

export interface SoakProgress {
  readonly virtualMs: number;
  readonly totalMs: number;
  readonly events: number;
  readonly fills: number;
  readonly violations: number;
  readonly wallMs: number;
}

export interface SoakCheckpoint {
  readonly virtualMs: number;
  readonly last: boolean;
  readonly service: QuoteflowService;
  readonly venue: PaperVenue;
  readonly checker: SoakChecker;
}

/**
 * Release what the soak keeps by design (the venue's ledger, the checker's records) to measure the
 * service alone. The run is unchanged by it: only venue fills the checker has checked go (the
 * newer ones, inside its grace, stay to be checked and counted), and only order records the
 * client can no longer ask about.
 */
export function releaseSoakHistory(c: SoakCheckpoint): void {
  const acct = c.venue.exchange.account(c.venue.user);
  // a copy of what stays, not splice(0, n): a splice keeps the array's backing store at the size
  // the day's ledger reached (~120 KB at 24 h, counted as the service's heap: PROFILE §15)
  const fills = acct.fills as unknown[];
  const kept = fills.slice(c.checker.forgetHistory());
  fills.length = 0;
  for (const f of kept) fills.push(f);
  // order records (with their kinds and cloids) but the open ones and those a status query may
  // still ask about
  c.venue.exchange.forgetEndedOrders(c.venue.user);
  (c.venue.exchange.faults as unknown[]).length = 0;
}

export interface SoakResult {
  readonly options: SoakOptions;
  readonly assets: readonly string[];
  readonly virtualMs: number;
  readonly wallMs: number;
  readonly events: number;
  readonly marketEvents: number;
  readonly heapStartBytes: number;
  readonly heapEndBytes: number;
  readonly heapPeakBytes: number;
  readonly fillsVenue: number;
  readonly fillsApplied: number;
  readonly fillsLost: number;
  readonly fillsDoubleCounted: number;
  readonly reconciles: number;
  readonly maxReconcileError: number;
  readonly driftWindows: number;
  readonly longestDriftMs: number;
  readonly longestDriftAsset: string;
  readonly reactionMs: number;
  readonly gateClosures: number;
  readonly longestGateToFlatMs: number;
  readonly restingWhileGated: number;
  readonly placedWhileGated: number;
  /** Placement/modify elements the sink dropped from its send queue at a closed gate (never sent). */
  readonly droppedAtGate: number;
  readonly placementsSent: number;
  readonly placementsInReserve: number;
  readonly placementsRateLimited: number;
  readonly rateLimitedAnswers: number;
  readonly restingAfterShutdown: number;
  readonly trips: readonly KillTripRecord[];
  readonly catastrophes: readonly CatastropheRecord[];
  readonly faultsInjected: Readonly<Partial<Record<SimFaultKind, number>>>;
  readonly lostUserEvents: number;
  readonly counts: Readonly<Record<SoakViolationKind, number>>;
  readonly violations: readonly SoakViolation[];
  readonly ok: boolean;
  readonly sink: {
    readonly intents: number;
    readonly batchesSent: number;
    readonly fills: number;
    readonly raceFills: number;
    readonly quotaRefused: number;
    readonly statusQueries: number;
    readonly driftRecords: number;
    readonly orphansCancelled: number;
    /** Requests bought with reserveRequestWeight (config quota.reserve; 0 when off). */
    readonly reserveBought: number;
  };
  readonly quotaUsed: number;
  /** USDC the venue charged for reserveRequestWeight (0.0005 a request). */
  readonly reserveDebitedUsd: number;
  /** Highest share of the address cap in use at any check (must stay ≤ 1). */
  readonly maxAddressUse: number;
  readonly quotaCap: number;
  /** Quota figures by dex (only with HIP-3 assets). */
  readonly hip3?: SoakHip3Figures;
}


/** A full GC (node --expose-gc's global, or the same function obtained at run time). */
function collector(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** Heap in use after a full GC (without it, the figure is mostly garbage not yet collected). */
function heapUsed(): number {
  const gc = collector();
  gc();
  gc();
  return getHeapStatistics().used_heap_size;
}

/**
 * How long after a gate closes an order may still legitimately rest: a placement already on its
 * way lands after the cancel (order entry), its OID only comes with the (possibly late) answer,
 * and the cancel that follows has its own entry latency; plus one housekeeping period.
 */
export function soakReactionMs(f: SimFaultConfig): number {
  return f.orderEntryMs[1] + f.ackMs[1] + f.oidLateExtraMs[1] + f.userFeedMs[1] + f.cancelEntryMs[1] + 250 + 1000;
}

/** The service config of a soak: the file's defaults (or its first asset) for every soak asset. */
export function soakConfig(file: ServiceConfig, assets: readonly string[]): ServiceConfig {
  const base: AssetConfig = file.assets[0]!;
  return { ...file, assets: assets.map((asset) => ({ ...(file.assets.find((a) => a.asset === asset) ?? base), asset })) };
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const wall0 = performance.now();
  const specs = [...soakAssets(o.assets), ...soakHip3Assets(o.hip3Assets ?? [])];
  const names = specs.map((s) => s.name);
  const totalMs = Math.round(o.hours * 3_600_000);
  // the config and the plugins it names (their strategies and operators run in the soak too)
  const loaded = await loadConfigWithPlugins(o.configPath ?? defaultConfigPath());
  const fileConfig = loaded.config;
  const config = soakConfig(fileConfig, names);
  const faults = SIM_FAULT_PROFILES[o.faults];

  const start = Date.UTC(2026, 0, 1);
  const scheduler = simReplayScheduler(start);
  const venue = new PaperVenue({
    market: soakMarket(specs, o.seed),
    scheduler,
    seed: o.seed,
    faults: o.faults,
    ...(o.addressBudget !== undefined ? { addressInitialBuffer: o.addressBudget } : {}),
    ...(o.perpDexs ? { perpDexs: o.perpDexs } : {}),
  });
  const rng = new SimRng(o.seed, "quota-jitter");
  // the checker sees every submit call on its way to the venue (what really leaves the process)
  const submits = tapSubmits(o.wrapVenue ? o.wrapVenue(venue, scheduler) : venue);
  const service = new QuoteflowService({
    registries: loaded.registries,
    venue: submits.venue,
    reference: (a) => venue.reference(a),
    scheduler,
    config,
    log: silentLogger(),
    metrics: o.metrics ?? createMetrics({ collectDefaults: false }),
    cloidSeed: o.seed,
    executor: { quota: { random: () => rng.next() }, ...(o.maxInFlight !== undefined ? { maxInFlight: o.maxInFlight } : {}) },
    sampleMs: 60_000,
  });
  const catastropheMs = o.catastropheMs ?? 90_000;
  const checker = new SoakChecker(service, venue.exchange, {
    user: venue.user,
    assets: names,
    reactionMs: soakReactionMs(faults),
    fillGraceMs: Math.max(faults.dropoutMs[1], catastropheMs) + faults.userFeedMs[1] + 5_000,
    reserveFraction: config.quota.reservePct / 100,
    submits,
  });

  await service.start();
  checker.start();
  const heapStart = heapUsed();
  let heapPeak = heapStart;

  // Catastrophic faults: dropouts longer than the staleness bound, first at min(3 h, half the run).
  const every = (o.catastropheEveryHours ?? 6) * 3_600_000;
  const ops = [] as { unsubscribe(): void }[];
  if (every > 0 && totalMs > 0) {
    const first = Math.min(3 * 3_600_000, Math.floor(totalMs / 2));
    const at: number[] = [];
    for (let t = first; t + catastropheMs < totalMs; t += every) at.push(t);
    for (const t of at) {
      ops.push(
        scheduler.schedule(() => {
          const now = scheduler.now();
          checker.noteCatastrophe({ kind: "longDropout", time: now, until: now + catastropheMs });
          venue.exchange.injectDropout(catastropheMs);
        }, t),
      );
    }
  }
  // The operator: clears a trip once the venue has been reachable (and the trip old) for clearAfterMs.
  const clearAfter = o.clearAfterMs ?? 60_000;
  let openSince: number | null = scheduler.now();
  ops.push(venue.connection$.subscribe((c) => (openSince = c.status === "open" ? (openSince ?? c.time) : null)));
  ops.push(
    everyOn(scheduler, 5_000, () => {
      const k = service.sink.killSwitch.state;
      const now = scheduler.now();
      if (k.active && openSince !== null && now - openSince >= clearAfter && now - k.trip.time >= clearAfter) service.sink.clearKillSwitch();
    }),
  );

  const stepMs = o.stepMs ?? 60_000;
  const end = start + totalMs;
  // every stepMs, the last step exactly at the end
  const steps = function* (): Generator<number> {
    for (let t = start + stepMs; ; t += stepMs) {
      yield Math.min(t, end);
      if (t >= end) return;
    }
  };
  await pumpVirtualTime(scheduler, steps(), (t) => {
    // the same figure as process.memoryUsage().heapUsed, without its RSS read (~50–300 µs a call)
    heapPeak = Math.max(heapPeak, getHeapStatistics().used_heap_size);
    o.onCheckpoint?.({ virtualMs: scheduler.now() - start, last: t >= end, service, venue, checker });
    o.onProgress?.({ virtualMs: scheduler.now() - start, totalMs, events: service.events, fills: checker.fillsApplied, violations: checker.violations.length, wallMs: performance.now() - wall0 });
    return t >= end || (o.failFast === true && checker.violations.length > 0);
  });
  const heapEnd = heapUsed();
  const virtualMs = scheduler.now() - start;
  for (const s of ops) s.unsubscribe();
  checker.stop();

  // Shutdown: the service cancels everything and waits for the answers; virtual time keeps running.
  await stopOnVirtualTime(scheduler, service.stop(), 2_000);
  // Deliveries still in flight (answers, updates) land; then the market stops.
  scheduler.maxFrames = scheduler.now() + 30_000;
  scheduler.flush();
  venue.close();
  checker.finish();

  const faultsInjected: Partial<Record<SimFaultKind, number>> = {};
  for (const f of venue.exchange.faults) faultsInjected[f.kind] = (faultsInjected[f.kind] ?? 0) + 1;
  const m = service.sink.metrics;
  const rl = venue.exchange.rateLimit(venue.user);
  const hip3 = (o.hip3Assets?.length ?? 0) > 0 ? soakHip3Figures(venue, service.quota?.ledger?.cap) : undefined;
  // the quota ledger must never believe a larger address cap than the venue gives (growth-mode credit)
  const hip3Broken = hip3 !== undefined && hip3.ledgerCap !== undefined && hip3.ledgerCap > hip3.venueCap;
  return {
    options: o,
    assets: names,
    virtualMs,
    wallMs: performance.now() - wall0,
    events: service.events,
    marketEvents: venue.exchange.marketEvents,
    heapStartBytes: heapStart,
    heapEndBytes: heapEnd,
    heapPeakBytes: heapPeak,
    fillsVenue: checker.venueFills,
    fillsApplied: checker.fillsApplied,
    fillsLost: checker.counts.fillLost,
    fillsDoubleCounted: checker.counts.fillDoubleCounted,
    reconciles: checker.reconciles,
    maxReconcileError: checker.maxReconcileError,
    driftWindows: checker.driftWindows,
    longestDriftMs: checker.longestDriftMs,
    longestDriftAsset: checker.longestDriftAsset,
    reactionMs: soakReactionMs(faults),
    gateClosures: checker.gateClosures,
    longestGateToFlatMs: checker.longestGateToFlatMs,
    restingWhileGated: checker.counts.restingWhileGated,
    placedWhileGated: checker.counts.placedWhileGated,
    droppedAtGate: checker.droppedAtGate,
    placementsSent: checker.placementsSent,
    placementsInReserve: checker.counts.placementInReserve,
    placementsRateLimited: checker.counts.placementRateLimited,
    rateLimitedAnswers: checker.rateLimitedAnswers,
    restingAfterShutdown: checker.counts.restingAfterShutdown,
    trips: checker.trips,
    catastrophes: checker.catastrophes,
    faultsInjected,
    lostUserEvents: venue.lostEvents,
    counts: { ...checker.counts },
    violations: checker.violations,
    ok: checker.ok() && !hip3Broken,
    sink: {
      intents: m.intents,
      batchesSent: m.batchesSent,
      fills: m.fills,
      raceFills: m.raceFills,
      quotaRefused: m.quotaRefused,
      statusQueries: m.statusQueries,
      driftRecords: m.driftRecords,
      orphansCancelled: m.orphansCancelled,
      reserveBought: m.reserveRequestsBought,
    },
    quotaUsed: rl.nRequestsUsed,
    maxAddressUse: checker.maxAddressUse,
    quotaCap: rl.nRequestsCap,
    reserveDebitedUsd: venue.exchange.account(venue.user).budget.reservePaidUsd,
    ...(hip3 ? { hip3 } : {}),
  };
}
