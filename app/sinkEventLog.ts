// What a person sees of the sink's events: a log line, a metric, a journal line per event.
import type { Logger } from "pino";
import type { GateTracker } from "../analytics/gates.js";
import type { FillJournal } from "../analytics/journal.js";
import type { SinkEvent } from "../sinks/executionSink.js";
import type { AssetRuntime } from "./assetRuntime.js";
import { type ServiceMetrics, setKillSwitchGauge } from "./metrics.js";
import { type ReserveMetrics, onReserveEvent } from "./reserveWatch.js";

export interface SinkEventContext {
  readonly log: Logger;
  readonly metrics: ServiceMetrics;
  readonly assets: ReadonlyMap<string, AssetRuntime>;
  readonly gates: GateTracker;
  readonly sinkGates: GateTracker;
  readonly journal: FillJournal | undefined;
  /** Shutting down: the sink closes every asset then, which is expected, not news. */
  readonly stopped: boolean;
  /** The reserveRequestWeight series, when `quota.reserve` turns buying on. */
  readonly reserve?: ReserveMetrics;
}

export function logSinkEvent(e: SinkEvent, ctx: SinkEventContext): void {
  const log = ctx.log;
  switch (e.type) {
    case "fill": {
      const f = e.fill;
      const rt = ctx.assets.get(f.asset);
      ctx.metrics.hot.fills.add(1, f.asset, f.source, e.flag);
      if (e.flag === "race") ctx.metrics.raceFills.inc({ asset: f.asset });
      if (e.flag === "unmatched") ctx.metrics.unmatchedFills.inc({ asset: f.asset });
      if (rt) {
        rt.fills++;
        rt.fillsBySource[f.source] = (rt.fillsBySource[f.source] ?? 0) + 1;
        const closed = [ctx.gates.closedReason(f.asset), ctx.sinkGates.closedReason(f.asset)].filter((x): x is string => x !== undefined);
        const vol = rt.pipeline$.value.market();
        // the strategy's own signals (of the intent the order was placed for) beside the market snapshot
        ctx.journal?.fill(f, e.flag, { ...f.signals, ...rt.signals.snapshot(f, closed, vol ? Math.sqrt(vol.varianceBps2) : undefined) }, { positionAfter: e.positionAfter, placedAt: e.orderAgeMs === null ? undefined : f.time - e.orderAgeMs });
      }
      log.info({ asset: f.asset, tid: f.tid, side: f.isBuy ? "buy" : "sell", px: f.price, sz: f.size, source: f.source, flag: e.flag }, "fill");
      return;
    }
    case "reconcile":
      ctx.metrics.reconciliations.inc({ trigger: e.report.trigger });
      for (const a of ctx.assets.keys()) ctx.metrics.reconciliationDrift.set({ asset: a }, Math.abs(e.report.drifts.find((d) => d.asset === a)?.drift ?? 0));
      if (e.report.ordersAdopted) log.info({ oids: e.report.ordersAdopted }, "leftover orders of an earlier session adopted (reconciliation.leftoverOrders: adopt): the first ladder keeps, modifies or cancels them");
      return;
    case "accountAdopted":
      // The start sequence's last step: from here the sink lets placements go (awaitAccount).
      log.info({ inherited: e.inherited, openOrders: e.openOrders }, "account adopted (positions and open orders): quoting may start");
      return;
    case "drift":
      // news only if the fills in flight do not explain it (driftUnexplained)
      log.debug({ drift: e.drift, graceMs: e.graceMs }, "reconciliation found drift; venue truth adopted, waiting for fills in flight");
      return;
    case "driftExplained":
      ctx.metrics.safetyEvents.inc({ asset: e.asset, kind: "drift_explained" });
      if (e.late) log.info({ asset: e.asset, fills: e.fills, afterMs: e.afterMs }, "the drift reported was fills arriving late: all of it explained now");
      else log.debug({ asset: e.asset, fills: e.fills, afterMs: e.afterMs }, "reconciliation drift was fills in flight: they came inside the adopted snapshot");
      return;
    case "driftUnexplained":
      ctx.metrics.safetyEvents.inc({ asset: e.asset, kind: "drift_unexplained" });
      log.warn({ asset: e.asset, drifts: e.drifts, unexplained: e.unexplained, fills: e.fills, sinceMs: e.sinceMs }, "reconciliation found drift that no fill in flight explains; venue truth adopted");
      return;
    case "race": {
      const r = e.race;
      if (r.kind === "race" || r.kind === "unmatched") log.warn({ asset: r.fill.fill.asset, tid: r.fill.fill.tid, kind: r.kind }, "fill race");
      else if (r.kind === "pull") log.info({ asset: r.asset, side: r.isBuy ? "bid" : "ask", orders: r.cloids.length }, "pulled orders after a race");
      return;
    }
    case "killSwitch":
      setKillSwitchGauge(ctx.metrics, e.state.active ? e.state.trip.trigger : undefined);
      if (e.state.active) log.error({ trigger: e.state.trip.trigger, asset: e.state.trip.asset, detail: e.state.trip.detail }, "kill switch tripped: every order cancelled, quoting stopped");
      else if (e.state.clearedTrip) log.warn({ trigger: e.state.clearedTrip.trigger }, "kill switch cleared: quoting resumes where the gates are open");
      return;
    case "gate":
      ctx.sinkGates.set(e.asset, e.reason?.kind);
      // The sink closes every asset while it shuts down: expected then, not news.
      if (ctx.stopped) log.debug({ asset: e.asset, reason: e.reason?.kind ?? "open" }, "sink gate (shutdown)");
      else log.info({ asset: e.asset, reason: e.reason?.kind ?? "open" }, "sink gate");
      return;
    case "deadMan":
      // the venue's refusal text (volume requirement, lead time, daily triggers) is the news
      if (e.state === "refused") log.warn({ until: e.until, venueError: e.error }, "dead-man's switch refused by the venue: not armed (retried later)");
      else if (e.state === "notSent") log.warn({ until: e.until, reason: e.error }, "dead-man's switch not re-armed");
      else log.debug({ state: e.state, until: e.until }, "dead-man's switch");
      return;
    case "reserve":
      if (ctx.reserve) onReserveEvent(e, ctx.reserve, log);
      return;
    case "invalidTransition":
      log.warn({ ...e.transition }, "order transition refused by the state table (order left as it was)");
      return;
    case "badInput":
      log.warn({ problems: e.error.problems }, e.error.message);
      return;
    case "statusContested":
      ctx.metrics.safetyEvents.inc({ asset: e.asset, kind: "status_contested" });
      // a `filled` ahead of its fills is the two feeds' ordinary skew (most settle within the grace,
      // no request): news only when its fills do not come (statusAsked)
      if (e.graceMs !== null) log.debug({ asset: e.asset, cloid: e.cloid, oid: e.oid, status: e.status, state: e.state, why: e.why, graceMs: e.graceMs }, "filled status ahead of its fills: level held while they come");
      else log.warn({ asset: e.asset, cloid: e.cloid, oid: e.oid, status: e.status, state: e.state, why: e.why }, "terminal order status contradicts what we know: level held, asking orderStatus");
      return;
    case "statusAsked":
      ctx.metrics.safetyEvents.inc({ asset: e.asset, kind: "status_asked" });
      log.warn({ asset: e.asset, cloid: e.cloid, status: e.status, waitedMs: e.waitedMs }, "filled status's fills did not come: level held, asking orderStatus");
      return;
    case "statusResolved":
      ctx.metrics.safetyEvents.inc({ asset: e.asset, kind: e.outcome === "false" ? "status_false" : "status_confirmed" });
      if (e.outcome === "false") log.warn({ asset: e.asset, cloid: e.cloid, status: e.status, state: e.state, heldMs: e.heldMs }, "terminal order status was false: the order still rests");
      else if (e.asked) log.info({ asset: e.asset, cloid: e.cloid, status: e.status, state: e.state, heldMs: e.heldMs }, "terminal order status confirmed");
      else log.debug({ asset: e.asset, cloid: e.cloid, status: e.status, state: e.state, heldMs: e.heldMs }, "terminal order status settled by the record (its fills came)");
      return;
    case "dayRolled":
      log.info({ dayStart: new Date(e.dayStart).toISOString(), killSwitchCleared: e.killSwitchCleared }, "00:00 UTC: the loss limit's day restarted");
      return;
    case "marginReject":
      ctx.metrics.safetyEvents.inc({ asset: e.asset ?? "*", kind: `margin_reject_sync:${e.reason}` });
      log.warn({ asset: e.asset, reason: e.reason }, "margin reject: account sync asked at once");
      return;
    case "pnlCorrected":
      ctx.metrics.safetyEvents.inc({ asset: e.asset, kind: "pnl_corrected" });
      log.warn({ asset: e.asset, before: e.before, after: e.after, entryPx: e.entryPx, gap: e.gap, snapshots: e.snapshots, sinceMs: e.sinceMs }, "PnL book corrected to the venue's position (gap persisted across reconciliations)");
      return;
    default:
      return;
  }
}
