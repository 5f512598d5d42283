// Prometheus metrics (prom-client) on a registry of our own (so two services in one process,
// e.g. in tests, do not share counters), served on /metrics from 127.0.0.1.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { scrubSecrets } from "./logger.js";
import { HotCounter, HotHistogram } from "./metricCells.js";

export interface ServiceMetrics {
  readonly registry: Registry;
  readonly operatorEvents: Counter<"asset" | "operator" | "direction">;
  readonly gateClosed: Gauge<"asset" | "reason">;
  readonly gateClosedSeconds: Counter<"asset" | "reason">;
  readonly orders: Counter<"asset" | "action">;
  readonly fills: Counter<"asset" | "source" | "flag">;
  readonly raceFills: Counter<"asset">;
  readonly unmatchedFills: Counter<"asset">;
  readonly reconciliationDrift: Gauge<"asset">;
  readonly reconciliations: Counter<"trigger">;
  readonly quotaHeadroom: Gauge<"budget">;
  readonly wsReconnects: Counter;
  readonly decodeErrors: Counter<"source">;
  /** Issue 12's safety checks firing, by kind (see sinkEventLog.ts). */
  readonly safetyEvents: Counter<"asset" | "kind">;
  readonly dataQualityRejects: Counter<"asset" | "reason">;
  readonly tickToAction: Histogram<"asset">;
  readonly position: Gauge<"asset">;
  readonly pnl: Gauge<"asset">;
  readonly killSwitch: Gauge<"trigger">;
  /** Executor failures by kind (timeout, transport, batch_rejected, rate_limited, order_rejected, cancel_failed, status_failed). */
  readonly executorFailures: Counter<"kind">;
  /** Placements and modifies the quota throttle refused, by reason. */
  readonly quotaRefusals: Counter<"reason">;
  /** Account snapshots (reconciliation) that failed. */
  readonly reconciliationFailures: Counter;
  /** Hyperliquid IP weight we spent (FACTS §9), by purpose: actions (WS post or HTTP), account, status, gapfill, other (meta, userRateLimit). */
  readonly ipWeight: Counter<"purpose">;
  readonly addressRequests: Counter<"asset">;
  /** Info requests the venue answered HTTP 429 (rate limited), by purpose. */
  readonly infoRateLimited: Counter<"purpose">;
  /** Account snapshots the venue pushed over WebSocket (no REST weight). */
  readonly accountPushes: Counter;
  /**
   * The series the tick path counts (every request, every batch, every fill), counted in place and
   * folded into the counters above whenever prom-client collects them (metricCells.ts): the same
   * numbers on /metrics, without a label hash per event.
   */
  readonly hot: HotMetrics;
}

export interface HotMetrics {
  readonly orders: HotCounter<"asset" | "action">;
  readonly fills: HotCounter<"asset" | "source" | "flag">;
  readonly ipWeight: HotCounter<"purpose">;
  readonly tickToAction: HotHistogram<"asset">;
}

/** The purposes of `quoteflow_ip_weight_total` (gapfill: userFillsByTime — the start's fill recovery and the reconnect gap-fill). */
export const IP_WEIGHT_PURPOSES = ["actions", "account", "status", "gapfill", "other"] as const;
export type IpWeightPurpose = (typeof IP_WEIGHT_PURPOSES)[number];

/** The kinds of `quoteflow_executor_failures_total`, each with an explicit zero series from the start. */
export const EXECUTOR_FAILURE_KINDS = ["timeout", "transport", "batch_rejected", "rate_limited", "order_rejected", "cancel_failed", "status_failed"] as const;
export type ExecutorFailureKind = (typeof EXECUTOR_FAILURE_KINDS)[number];
export const QUOTA_REFUSAL_REASONS = ["breaker", "reserve", "limited", "tooLarge", "cancelsQueued", "queueFull"] as const;
export const KILL_TRIGGERS = ["StaleData", "PositionDivergence", "QuotaExhaustion", "MaxPosition", "MaxLoss", "Manual", "InternalError"] as const;
const ORDER_ACTIONS = ["placed", "modified", "cancelled", "rejected"] as const;

/**
 * Give every series a scraper should see an explicit zero before its first event (a counter
 * with no series is indistinguishable from a metric that does not exist): per-asset series for
 * `assets`, label-free kinds for the rest.
 */
export function zeroSeries(m: ServiceMetrics, assets: readonly string[]): void {
  for (const kind of EXECUTOR_FAILURE_KINDS) m.executorFailures.inc({ kind }, 0);
  for (const reason of QUOTA_REFUSAL_REASONS) m.quotaRefusals.inc({ reason }, 0);
  for (const trigger of KILL_TRIGGERS) m.killSwitch.set({ trigger }, 0);
  m.reconciliationFailures.inc(0);
  for (const purpose of IP_WEIGHT_PURPOSES) {
    m.ipWeight.inc({ purpose }, 0);
    if (purpose !== "actions") m.infoRateLimited.inc({ purpose }, 0); // rate-limited actions: executor_failures{kind=rate_limited}
  }
  m.accountPushes.inc(0);
  m.wsReconnects.inc(0);
  for (const asset of assets) {
    for (const action of ORDER_ACTIONS) m.orders.inc({ asset, action }, 0);
    m.raceFills.inc({ asset }, 0);
    m.unmatchedFills.inc({ asset }, 0);
    m.reconciliationDrift.set({ asset }, 0);
    m.position.set({ asset }, 0);
    m.pnl.set({ asset }, 0);
  }
}

/** The kill switch gauge follows the switch: 1 for the tripping trigger while active, every series 0 once cleared. */
export function setKillSwitchGauge(m: ServiceMetrics, activeTrigger: string | undefined): void {
  for (const trigger of KILL_TRIGGERS) m.killSwitch.set({ trigger }, trigger === activeTrigger ? 1 : 0);
  if (activeTrigger !== undefined && !(KILL_TRIGGERS as readonly string[]).includes(activeTrigger)) m.killSwitch.set({ trigger: activeTrigger }, 1);
}

export function createMetrics(options: { collectDefaults?: boolean } = {}): ServiceMetrics {
  const registry = new Registry();
  // Includes nodejs_eventloop_lag_seconds and its percentiles, heap, GC.
  if (options.collectDefaults ?? true) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const registers = [registry];
  const hot: HotMetrics = {
    orders: new HotCounter(["asset", "action"]),
    fills: new HotCounter(["asset", "source", "flag"]),
    ipWeight: new HotCounter(["purpose"]),
    tickToAction: new HotHistogram(["asset"]),
  };
  return {
    hot,
    registry,
    operatorEvents: new Counter({ name: "quoteflow_operator_events_total", help: "Values into (direction=in) and out of (out) each operator, per asset", labelNames: ["asset", "operator", "direction"], registers }),
    gateClosed: new Gauge({ name: "quoteflow_gate_closed", help: "1 while the asset's quoting is closed for this reason", labelNames: ["asset", "reason"], registers }),
    gateClosedSeconds: new Counter({ name: "quoteflow_gate_closed_seconds_total", help: "Time quoting was closed, by reason (service clock)", labelNames: ["asset", "reason"], registers }),
    orders: hot.orders.attach(new Counter({ name: "quoteflow_orders_total", help: "Order actions sent and their rejections: placed, modified, cancelled, rejected", labelNames: ["asset", "action"], registers, collect: () => hot.orders.fold() })),
    fills: hot.fills.attach(new Counter({ name: "quoteflow_fills_total", help: "Fills applied, by generation source and race flag", labelNames: ["asset", "source", "flag"], registers, collect: () => hot.fills.fold() })),
    raceFills: new Counter({ name: "quoteflow_race_fills_total", help: "Fills of orders we were cancelling (cancel-fill races)", labelNames: ["asset"], registers }),
    unmatchedFills: new Counter({ name: "quoteflow_unmatched_fills_total", help: "Fills no tracked order claims", labelNames: ["asset"], registers }),
    reconciliationDrift: new Gauge({ name: "quoteflow_reconciliation_drift", help: "|our position − venue position| found by the last reconciliation (coins)", labelNames: ["asset"], registers }),
    reconciliations: new Counter({ name: "quoteflow_reconciliations_total", help: "Position reconciliations, by trigger", labelNames: ["trigger"], registers }),
    quotaHeadroom: new Gauge({ name: "quoteflow_quota_headroom_ratio", help: "Remaining share of each rate-limit budget (0..1)", labelNames: ["budget"], registers }),
    wsReconnects: new Counter({ name: "quoteflow_ws_reconnects_total", help: "WebSocket reconnect attempts", registers }),
    decodeErrors: new Counter({ name: "quoteflow_decode_errors_total", help: "Frames and responses that did not decode, by source", labelNames: ["source"], registers }),
    safetyEvents: new Counter({ name: "quoteflow_safety_events_total", help: "Issue 12's safety checks firing: status_contested / status_asked / status_confirmed / status_false (a terminal orderUpdates status held for orderStatus; asked: a filled whose fills did not come in its grace), drift_explained / drift_unexplained (a reconciliation drift that fills in flight did or did not account for), pnl_corrected, margin_reject_sync:<reason> (a margin reject or margin cancel, by venue code or status)", labelNames: ["asset", "kind"], registers }),
    dataQualityRejects: new Counter({ name: "quoteflow_data_quality_rejects_total", help: "Books dropped by dataQualityGate, by reason", labelNames: ["asset", "reason"], registers }),
    tickToAction: hot.tickToAction.attach(new Histogram({
      name: "quoteflow_tick_to_action_seconds",
      help: "Wall time from the book update whose handling planned an order to the request carrying it, held time included (by cause: orders planned on a fill, a timer or an account snapshot are not timed)",
      labelNames: ["asset"],
      // up to 60 s: a tight IP window widens the coalescing window to 1 s and the throttle can hold
      // placements for seconds, so a top bucket of 1 s left p99 at "+Inf" under load (bench -- scale)
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
      collect: () => hot.tickToAction.fold(),
    })),
    position: new Gauge({ name: "quoteflow_position", help: "Our signed position (coins)", labelNames: ["asset"], registers }),
    pnl: new Gauge({ name: "quoteflow_pnl_usd", help: "Realised + unrealised PnL net of fees (USD)", labelNames: ["asset"], registers }),
    killSwitch: new Gauge({ name: "quoteflow_kill_switch", help: "1 while the kill switch is tripped, by trigger (all 0 once cleared)", labelNames: ["trigger"], registers }),
    executorFailures: new Counter({ name: "quoteflow_executor_failures_total", help: "Executor failures by kind: timeout, transport, batch_rejected, rate_limited, order_rejected, cancel_failed, status_failed", labelNames: ["kind"], registers }),
    quotaRefusals: new Counter({ name: "quoteflow_quota_refusals_total", help: "Placements and modifies refused by the quota throttle, by reason", labelNames: ["reason"], registers }),
    reconciliationFailures: new Counter({ name: "quoteflow_reconciliation_failures_total", help: "Account snapshots (positions, open orders) that failed", registers }),
    ipWeight: hot.ipWeight.attach(new Counter({ name: "quoteflow_ip_weight_total", help: "Hyperliquid IP weight spent (1200/min per IP), by purpose: actions (WS post or HTTP), account, status, gapfill, other", labelNames: ["purpose"], registers, collect: () => hot.ipWeight.fold() })),
    addressRequests: new Counter({ name: "quoteflow_address_requests_total", help: "Hyperliquid address-budget requests spent (one per order, cancel or modify element; scheduleCancel under \"*\"), by asset", labelNames: ["asset"], registers }),
    infoRateLimited: new Counter({ name: "quoteflow_info_rate_limited_total", help: "Info requests answered HTTP 429 (rate limited), by purpose", labelNames: ["purpose"], registers }),
    accountPushes: new Counter({ name: "quoteflow_account_pushes_total", help: "Account snapshots pushed by the venue over WebSocket and adopted (no REST weight)", registers }),
  };
}

export interface MetricsServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** What `/healthz` answers: ready (200) or not (503), with the reasons. */
export interface Health {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

/** The listen address was refused (in use, not available, not resolvable): an environment error, not a crash. */
export class ListenError extends Error {
  override readonly name = "ListenError";
  constructor(
    readonly host: string,
    readonly port: number,
    readonly code: string,
  ) {
    super(
      code === "EADDRINUSE"
        ? `${host}:${port} is already in use (another quoteflow?); choose another port, or 0 for any free one`
        : code === "EACCES"
          ? `${host}:${port}: permission denied (ports below 1024 need privileges)`
          : `${host}:${port}: cannot listen (${code}; is "${host}" an address of this machine?)`,
    );
  }
}

/** Listen on host:port; a refusal becomes a ListenError naming the address. */
export function listenOn(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(new ListenError(host, port, err.code ?? err.message));
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

/**
 * Serve `GET /metrics` and `GET /healthz` on 127.0.0.1:`port` (0 = ephemeral). `/healthz`
 * answers 200 `ok` when `health()` says ready, 503 with the reasons otherwise (200 with no
 * `health` given).
 */
export async function serveMetrics(registry: Registry, port: number, host = "127.0.0.1", health?: () => Health): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method === "GET" && (req.url === "/healthz" || req.url?.startsWith("/healthz?"))) {
      const h = health?.() ?? { ready: true, reasons: [] };
      res.writeHead(h.ready ? 200 : 503, { "content-type": "text/plain" });
      res.end(h.ready ? "ok\n" : `not ready: ${h.reasons.join("; ")}\n`);
      return;
    }
    if (req.method === "GET" && (req.url === "/metrics" || req.url?.startsWith("/metrics?"))) {
      registry
        .metrics()
        .then((text) => {
          res.writeHead(200, { "content-type": registry.contentType });
          res.end(scrubSecrets(text));
        })
        .catch((err: unknown) => {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(scrubSecrets(`metrics error: ${err instanceof Error ? err.message : String(err)}\n`));
        });
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found: try /metrics or /healthz\n");
  });
  await listenOn(server, port, host);
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    url: `http://${host}:${actual}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
