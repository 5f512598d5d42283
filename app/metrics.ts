// Prometheus metrics (prom-client) on a registry of our own (so two services in one process,
// e.g. in tests, do not share counters), served on /metrics from 127.0.0.1.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { scrubSecrets } from "./logger.js";

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
  readonly dataQualityRejects: Counter<"asset" | "reason">;
  readonly tickToAction: Histogram<"asset">;
  readonly position: Gauge<"asset">;
  readonly pnl: Gauge<"asset">;
  readonly killSwitch: Gauge<"trigger">;
}

export function createMetrics(options: { collectDefaults?: boolean } = {}): ServiceMetrics {
  const registry = new Registry();
  // Includes nodejs_eventloop_lag_seconds and its percentiles, heap, GC.
  if (options.collectDefaults ?? true) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const registers = [registry];
  return {
    registry,
    operatorEvents: new Counter({ name: "quoteflow_operator_events_total", help: "Values into (direction=in) and out of (out) each operator, per asset", labelNames: ["asset", "operator", "direction"], registers }),
    gateClosed: new Gauge({ name: "quoteflow_gate_closed", help: "1 while the asset's quoting is closed for this reason", labelNames: ["asset", "reason"], registers }),
    gateClosedSeconds: new Counter({ name: "quoteflow_gate_closed_seconds_total", help: "Time quoting was closed, by reason (service clock)", labelNames: ["asset", "reason"], registers }),
    orders: new Counter({ name: "quoteflow_orders_total", help: "Order actions sent and their rejections: placed, modified, cancelled, rejected", labelNames: ["asset", "action"], registers }),
    fills: new Counter({ name: "quoteflow_fills_total", help: "Fills applied, by generation source and race flag", labelNames: ["asset", "source", "flag"], registers }),
    raceFills: new Counter({ name: "quoteflow_race_fills_total", help: "Fills of orders we were cancelling (cancel-fill races)", labelNames: ["asset"], registers }),
    unmatchedFills: new Counter({ name: "quoteflow_unmatched_fills_total", help: "Fills no tracked order claims", labelNames: ["asset"], registers }),
    reconciliationDrift: new Gauge({ name: "quoteflow_reconciliation_drift", help: "|our position − venue position| found by the last reconciliation (coins)", labelNames: ["asset"], registers }),
    reconciliations: new Counter({ name: "quoteflow_reconciliations_total", help: "Position reconciliations, by trigger", labelNames: ["trigger"], registers }),
    quotaHeadroom: new Gauge({ name: "quoteflow_quota_headroom_ratio", help: "Remaining share of each rate-limit budget (0..1)", labelNames: ["budget"], registers }),
    wsReconnects: new Counter({ name: "quoteflow_ws_reconnects_total", help: "WebSocket reconnect attempts", registers }),
    decodeErrors: new Counter({ name: "quoteflow_decode_errors_total", help: "Frames and responses that did not decode, by source", labelNames: ["source"], registers }),
    dataQualityRejects: new Counter({ name: "quoteflow_data_quality_rejects_total", help: "Books dropped by dataQualityGate, by reason", labelNames: ["asset", "reason"], registers }),
    tickToAction: new Histogram({
      name: "quoteflow_tick_to_action_seconds",
      help: "Wall time from the book update that changed the ladder to the action batch sent for it",
      labelNames: ["asset"],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    position: new Gauge({ name: "quoteflow_position", help: "Our signed position (coins)", labelNames: ["asset"], registers }),
    pnl: new Gauge({ name: "quoteflow_pnl_usd", help: "Realised + unrealised PnL net of fees (USD)", labelNames: ["asset"], registers }),
    killSwitch: new Gauge({ name: "quoteflow_kill_switch", help: "1 while the kill switch is tripped, by trigger", labelNames: ["trigger"], registers }),
  };
}

export interface MetricsServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** Serve `GET /metrics` on 127.0.0.1:`port` (0 = ephemeral). */
export async function serveMetrics(registry: Registry, port: number, host = "127.0.0.1"): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
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
    res.end("not found: try /metrics\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
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
