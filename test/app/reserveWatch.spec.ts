// The service's view of purchases (app/reserveWatch.ts through sinkEventLog): an info line per
// purchase, a warn line per refusal with its reason and the venue's text, and the
// quoteflow_reserve_* series on the service's registry.
import pino from "pino";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createReserveMetrics, onReserveEvent } from "../../app/reserveWatch.js";
import type { SinkEvent } from "../../sinks/sinkTypes.js";
import { capture } from "../helpers/capture.js";

const T = 1_700_000_000_000;
const ev = (state: "sent" | "bought" | "refused", weight: number, usdToday: number, reason: Extract<SinkEvent, { type: "reserve" }>["reason"] = null, error: string | null = null): SinkEvent => ({ type: "reserve", state, weight, usdToday, reason, error, time: T });

describe("reserve purchases in the log and the metrics", () => {
  it("logs each purchase (info) and refusal (warn), and counts them", async () => {
    const out = capture();
    const log = pino({ level: "info" }, out.stream);
    const registry = new Registry();
    const m = createReserveMetrics(registry);
    for (const e of [ev("sent", 1000, 0.5), ev("bought", 1000, 0.5), ev("sent", 1000, 1), ev("bought", 1000, 1), ev("refused", 0, 1, "dailyCap", "spent 1 of 1 USD today"), ev("refused", 1000, 1, "venue", "Insufficient USDC balance to reserve request weight.")]) onReserveEvent(e, m, log);
    const lines = out.lines();
    expect(lines.filter((l) => l["msg"] === "address requests bought (reserveRequestWeight)").map((l) => [l["level"], l["weight"], l["usd"], l["usdToday"]])).toEqual([
      [30, 1000, 0.5, 0.5],
      [30, 1000, 0.5, 1],
    ]);
    expect(lines.filter((l) => l["level"] === 40).map((l) => [l["reason"], l["detail"]])).toEqual([
      ["dailyCap", "spent 1 of 1 USD today"],
      ["venue", "Insufficient USDC balance to reserve request weight."],
    ]);
    const text = await registry.metrics();
    expect(text).toMatch(/^quoteflow_reserve_requests_bought_total 2000$/m);
    expect(text).toMatch(/^quoteflow_reserve_usd_spent_today 1$/m);
    expect(text).toMatch(/^quoteflow_reserve_usd_spent_total 1$/m);
    expect(text).toMatch(/^quoteflow_reserve_refusals_total\{reason="dailyCap"\} 1$/m);
    expect(text).toMatch(/^quoteflow_reserve_refusals_total\{reason="funds"\} 0$/m);
    // a second service on the same registry shares the series instead of failing to register them
    expect(createReserveMetrics(registry).bought).toBe(m.bought);
  });

  it("ignores every other sink event", () => {
    const out = capture();
    const registry = new Registry();
    const m = createReserveMetrics(registry);
    onReserveEvent({ type: "deadMan", state: "armed", until: T, error: null, time: T }, m, pino(out.stream));
    expect(out.text()).toBe("");
  });
});
