// The sink's config from the service's: per-asset thresholds and risk, the account-wide
// reconciliation cadence, and the quota throttle composed into the executor.
import { type SchedulerLike, asyncScheduler } from "rxjs";
import { type QuotaThrottleOptions, type QuotaThrottleHandle, quotaThrottle } from "../operators/quotaThrottle.js";
import type { ExecutionSinkAssetConfig, ExecutionSinkConfig } from "../sinks/executionSink.js";
import type { ExecutorOptions } from "../sinks/executor.js";
import type { AssetConfig, ReconciliationConfig, ServiceConfig } from "./config.js";

/** The executor's knobs as the modes set them: the quota throttle's options, or false for none. */
export type ServiceExecutorOptions = Omit<ExecutorOptions, "throttle" | "counts"> & {
  readonly quota?: false | Omit<QuotaThrottleOptions, "feedback" | "handle" | "onRefused">;
};

/** The sink's per-asset settings from an asset's config. */
function sinkAssetConfig(a: AssetConfig): ExecutionSinkAssetConfig {
  const r = a.reconciliation;
  return {
    thresholds: {
      skipPriceBps: r.skipPriceBps,
      skipSizePct: r.skipSizePct,
      modifyPriceBps: r.modifyPriceBps,
      modifySizePct: r.modifySizePct,
      ...(r.queueAware ? { queue: r.queueAware } : {}),
      ...(r.volatilityScaling ? { volatility: r.volatilityScaling } : {}),
    },
    maxPositionUsd: a.risk.maxPositionUsd,
    maxLossUsd: a.risk.maxLossUsd,
    maxDriftUsd: a.risk.maxDriftUsd,
    ...(r.leftoverOrders === "adopt" ? { adoptLeftovers: true } : {}),
  };
}

/**
 * The sink's config from the service's. The quota throttle (operators/quotaThrottle) is composed
 * here, into the executor, on `quota` (the caller's handle: state, counts, ledger); none when the
 * mode turns it off.
 */
export function sinkConfigOf(
  config: ServiceConfig,
  cloidSeed: number | bigint,
  executor?: ServiceExecutorOptions,
  quota: QuotaThrottleHandle | null = null,
  scheduler: SchedulerLike = asyncScheduler,
): ExecutionSinkConfig {
  const intervals = config.assets.map((a) => a.reconciliation);
  const budget = { config: { reserveFraction: config.quota.reservePct / 100, breakerOpenBelow: config.quota.breakerPct / 100, breakerCloseAt: Math.min(1, (config.quota.breakerPct * 1.5) / 100) } };
  const { quota: quotaOptions, ...executorOptions } = executor ?? {};
  const throttleOptions = quotaOptions === false ? undefined : { ...budget, ...(quotaOptions ?? {}) };
  return {
    cloidSeed,
    // a start never quotes blind: placements wait for the first account snapshot (positions, open orders)
    awaitAccount: true,
    ...(config.defaults ? { defaults: sinkAssetConfig(config.defaults) } : {}),
    assets: Object.fromEntries(config.assets.map((a) => [a.asset, sinkAssetConfig(a)])),
    executor: {
      ...executorOptions,
      // quota.batching: perAsset turns cross-asset batching off (the baseline)
      ...(config.quota.batching === "perAsset" ? { batching: { crossAsset: false } } : {}),
      ...(throttleOptions && quota ? { throttle: (feedback, onRefused) => quotaThrottle({ ...throttleOptions, handle: quota, feedback, onRefused }, scheduler) } : {}),
      // info requests (account snapshots, orderStatus) wait for room in the same IP window
      ...(throttleOptions && quota ? { infoRoom: (weight: number, now: number) => quota.infoWaitMs(weight, now) } : {}),
    },
    orderStore: { staleAfterMs: Math.min(...intervals.map((r) => r.orderStaleMs)) },
    // quota.reserve: buy address requests with reserveRequestWeight (absent: never)
    ...(config.quota.reserve ? { reserve: config.quota.reserve } : {}),
    // the kill switch is account-wide: yesterday's loss trip carries past midnight if any asset asks it to
    ...(config.assets.some((a) => a.risk.maxLossCarriesOver === true) ? { kill: { maxLossCarriesOver: true } } : {}),
    reconcile: {
      intervalMs: Math.min(...intervals.map((r) => r.intervalMs)),
      minGapMs: Math.min(...intervals.map((r) => r.minGapMs)),
      ...openOrdersInterval(intervals),
      ...safetyPoll(intervals),
    },
  };
}

/** The account snapshot is account-wide: open orders as often as the most demanding asset wants them. */
function openOrdersInterval(intervals: readonly ReconciliationConfig[]): { openOrdersIntervalMs?: number } {
  if (intervals.some((r) => r.openOrdersIntervalMs === undefined)) return {};
  return { openOrdersIntervalMs: Math.min(...intervals.map((r) => r.openOrdersIntervalMs ?? Infinity)) };
}

/** The safety poll is account-wide too: as often as the most demanding asset wants it (unset: the sink's 60 s). */
function safetyPoll(intervals: readonly ReconciliationConfig[]): { safetyPollMs?: number } {
  const set = intervals.flatMap((r) => (r.safetyPollMs === undefined ? [] : [r.safetyPollMs]));
  return set.length === 0 ? {} : { safetyPollMs: Math.min(...set) };
}
