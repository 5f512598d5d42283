// The sink's reserveRequestWeight purchases (sinks/reserveWeight.ts) seen by the service: metrics
// and one log line per purchase (info) or refusal (warn). Registered on the service's registry only
// when the config turns buying on, so a default run shows no reserve series.
//
//   quoteflow_reserve_requests_bought_total        requests the venue confirmed (0.0005 USDC each)
//   quoteflow_reserve_usd_spent_today              USD spent on the UTC day (sent and not refused)
//   quoteflow_reserve_usd_spent_total              USD of the confirmed purchases
//   quoteflow_reserve_refusals_total{reason}       dailyCap | funds | venue | quota | unanswered (one per episode)
import type { Logger } from "pino";
import { Counter, Gauge, type Registry } from "prom-client";
import { RESERVE_REFUSAL_REASONS, reserveUsd } from "../sinks/reserveWeight.js";
import type { SinkEvent } from "../sinks/sinkTypes.js";

export interface ReserveMetrics {
  readonly bought: Counter;
  readonly usdToday: Gauge;
  readonly usdTotal: Counter;
  readonly refusals: Counter<"reason">;
}

/** The reserve series on `registry` (the ones already there when a second service shares it). */
export function createReserveMetrics(registry: Registry): ReserveMetrics {
  const registers = [registry];
  const existing = registry.getSingleMetric("quoteflow_reserve_requests_bought_total");
  if (existing !== undefined) {
    return {
      bought: existing as Counter,
      usdToday: registry.getSingleMetric("quoteflow_reserve_usd_spent_today") as Gauge,
      usdTotal: registry.getSingleMetric("quoteflow_reserve_usd_spent_total") as Counter,
      refusals: registry.getSingleMetric("quoteflow_reserve_refusals_total") as Counter<"reason">,
    };
  }
  const m: ReserveMetrics = {
    bought: new Counter({ name: "quoteflow_reserve_requests_bought_total", help: "Address requests bought with reserveRequestWeight and confirmed by the venue (0.0005 USDC each)", registers }),
    usdToday: new Gauge({ name: "quoteflow_reserve_usd_spent_today", help: "USD spent on reserveRequestWeight on the current UTC day (sent and not refused)", registers }),
    usdTotal: new Counter({ name: "quoteflow_reserve_usd_spent_total", help: "USD of the reserveRequestWeight purchases the venue confirmed", registers }),
    refusals: new Counter({ name: "quoteflow_reserve_refusals_total", help: "reserveRequestWeight purchases not made, by reason (one per episode)", labelNames: ["reason"], registers }),
  };
  for (const reason of RESERVE_REFUSAL_REASONS) m.refusals.inc({ reason }, 0);
  return m;
}

/** Apply one sink event to the metrics and the log (non-reserve events are ignored). */
export function onReserveEvent(e: SinkEvent, m: ReserveMetrics, log: Logger): void {
  if (e.type !== "reserve") return;
  m.usdToday.set(e.usdToday);
  switch (e.state) {
    case "sent":
      log.debug({ weight: e.weight, usdToday: e.usdToday }, "buying address requests (reserveRequestWeight)");
      return;
    case "bought":
      m.bought.inc(e.weight);
      m.usdTotal.inc(reserveUsd(e.weight));
      log.info({ weight: e.weight, usd: reserveUsd(e.weight), usdToday: e.usdToday }, "address requests bought (reserveRequestWeight)");
      return;
    case "refused":
      if (e.reason !== null) m.refusals.inc({ reason: e.reason });
      log.warn({ reason: e.reason, weight: e.weight, usdToday: e.usdToday, detail: e.error }, "address requests not bought (reserveRequestWeight)");
      return;
  }
}
