// The chaos soak with buying on: the whole service (QuoteflowService, the sink, the quota
// throttle, the in-process paper venue with hostile faults), config/examples/reserve-requests.yaml
// (quota-pressure's far-from-the-touch ladder plus `quota.reserve`), a small address budget so it
// runs low within the run. Every invariant holds, requests are bought within the daily cap, and the
// venue's account is debited exactly 0.0005 USDC per request the service says it bought.
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { createMetrics } from "../../app/metrics.js";
import { runSoak } from "../../proof/soak/harness.js";
import { renderSoakTable } from "../../proof/soak/table.js";
import type { PaperVenue } from "../../sim/index.js";

const CONFIG = fileURLToPath(new URL("../../config/examples/reserve-requests.yaml", import.meta.url));

describe("soak with reserveRequestWeight on (2 h virtual, 2 assets, hostile)", () => {
  it("holds every invariant; buys within the cap; the venue is debited 0.0005 USDC a request", async () => {
    const metrics = createMetrics({ collectDefaults: false });
    let venue: PaperVenue | undefined;
    const r = await runSoak({ hours: 2, assets: 2, seed: 11, faults: "hostile", configPath: CONFIG, addressBudget: 3000, metrics, onCheckpoint: (c) => (venue = c.venue) });
    const table = renderSoakTable(r);
    expect(r.violations, table).toEqual([]);
    expect(r.placedWhileGated, table).toBe(0);
    expect(r.rateLimitedAnswers, table).toBe(0);
    expect(r.counts.addressPastCap, table).toBe(0);
    const text = await metrics.registry.metrics();
    const bought = Number(/^quoteflow_reserve_requests_bought_total (\d+)/m.exec(text)?.[1]);
    expect(bought, text.split("\n").filter((l) => l.startsWith("quoteflow_reserve")).join("\n")).toBeGreaterThan(0);
    // 5 USD a day: never more than 10,000 requests in the run (it spans at most two UTC days)
    expect(bought).toBeLessThanOrEqual(20_000);
    const acct = venue!.exchange.account(venue!.user);
    expect(acct.budget.reserved).toBe(bought);
    expect(acct.budget.reservePaidUsd).toBeCloseTo(bought * 0.0005, 9);
  }, 600_000);
});
