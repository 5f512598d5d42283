// What the service shows of itself: the status line per asset, `/healthz`, the journal's sample
// state and the report's totals — read-only views of the sink and the asset runtimes.
import type { GateTracker } from "../analytics/gates.js";
import type { SampleSource } from "../analytics/journal.js";
import type { QuotaThrottleHandle } from "../operators/quotaThrottle.js";
import type { ExecutionSink } from "../sinks/executionSink.js";
import type { AssetRuntime } from "./assetRuntime.js";
import type { VenueHealth } from "./instrument.js";
import type { Health } from "./metrics.js";
import type { AssetStatus } from "./status.js";

export interface ViewSource {
  readonly assets: ReadonlyMap<string, AssetRuntime>;
  readonly sink: ExecutionSink;
  readonly gates: GateTracker;
  readonly sinkGates: GateTracker;
}

export type AssetTotals = Record<string, { fills: number; volumeUsd: number; fees: number; pnl: number; position: number; fillsBySource: Record<string, number> }>;

/** The mid of the asset's filtered book (its pipeline's market view), when both sides exist. */
export function midOf(rt: AssetRuntime | undefined): number | undefined {
  const m = rt?.pipeline$.value.market();
  const b = m?.book;
  const bid = b?.bids[0]?.px;
  const ask = b?.asks[0]?.px;
  return bid !== undefined && ask !== undefined ? (bid + ask) / 2 : undefined;
}

/**
 * Ready for `/healthz`: the venue connection open (when it has one), the account adopted, the
 * kill switch clear, and at least one asset quoting (its gates open, data fresh).
 */
export function healthOf(v: ViewSource, s: { readonly started: boolean; readonly stopped: boolean; readonly venue: VenueHealth; readonly cluster: { healthReasons(): string[] } | undefined }): Health {
  const reasons: string[] = [];
  if (!s.started || s.stopped) reasons.push(s.stopped ? "stopping" : "starting");
  const c = s.venue.connection;
  if (c !== undefined && c !== "open") reasons.push(`venue connection ${c}`);
  if (!s.venue.accountAdopted) reasons.push("account not adopted yet");
  const kill = v.sink.killSwitch.state;
  if (kill.active) reasons.push(`kill switch tripped (${kill.trip.trigger}); clear with SIGUSR2`);
  if (s.cluster) reasons.push(...s.cluster.healthReasons());
  const closed = [...v.assets.keys()].map((a) => [a, v.gates.closedReason(a) ?? v.sinkGates.closedReason(a)] as const);
  const stale = closed.filter(([, r]) => r === "StaleData");
  if (stale.length > 0) reasons.push(`stale data: ${stale.map(([a]) => a).join(", ")}`);
  else if (closed.length > 0 && closed.every(([, r]) => r !== undefined)) reasons.push(`not quoting: ${closed.map(([a, r]) => `${a} ${r}`).join(", ")}`);
  return { ready: reasons.length === 0, reasons };
}

/** Per-asset marks, positions and PnL for the journal's sample lines. */
export function journalStateOf(v: ViewSource): Record<string, SampleSource> {
  const out: Record<string, SampleSource> = {};
  for (const rt of v.assets.values()) {
    const mid = midOf(rt);
    const p = v.sink.pnl.get(rt.asset);
    out[rt.asset] = { mid, position: v.sink.positions.position(rt.asset), pnl: v.sink.pnl.total(rt.asset, mid), realized: p.realized, fees: p.fees, volumeUsd: p.volumeUsd, fills: rt.fills };
  }
  return out;
}

/** One status per asset, for the terminal line. */
export function assetStatuses(v: ViewSource, headroom: Record<string, number>, stopped: boolean, quota: QuotaThrottleHandle | null): AssetStatus[] {
  const budgets = Object.values(headroom);
  const tightest = Object.entries(headroom).sort((a, b) => a[1] - b[1])[0]?.[0];
  return [...v.assets.values()].map((rt) => {
    const live = v.sink.liveOrders(rt.asset);
    const bids = live.filter((o) => o.isBuy).map((o) => o.px);
    const asks = live.filter((o) => !o.isBuy).map((o) => o.px);
    const mid = midOf(rt);
    const kill = v.sink.killSwitch.state;
    return {
      asset: rt.asset,
      mid,
      bid: bids.length ? Math.max(...bids) : undefined,
      ask: asks.length ? Math.min(...asks) : undefined,
      position: v.sink.positions.position(rt.asset),
      pnl: v.sink.pnl.total(rt.asset, mid),
      closedBy: stopped ? "shutdown" : kill.active ? `KillSwitch:${kill.trip.trigger}` : (v.gates.closedReason(rt.asset) ?? v.sinkGates.closedReason(rt.asset)),
      fills: rt.fills,
      quotaHeadroom: budgets.length ? Math.min(...budgets) : undefined,
      quotaBudget: tightest,
      addressRequests: quota?.byAsset.get(rt.asset)?.requests,
    };
  });
}

/** Per-asset totals for the report. */
export function assetTotals(v: ViewSource): AssetTotals {
  const out: AssetTotals = {};
  for (const rt of v.assets.values()) {
    const p = v.sink.pnl.get(rt.asset);
    out[rt.asset] = { fills: rt.fills, volumeUsd: p.volumeUsd, fees: p.fees, pnl: v.sink.pnl.total(rt.asset, midOf(rt)), position: v.sink.positions.position(rt.asset), fillsBySource: { ...rt.fillsBySource } };
  }
  return out;
}
