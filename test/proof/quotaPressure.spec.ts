// The quota-pressure soak, short: config/examples/quota-pressure.yaml (far from the touch, ten
// levels, requoting on every 0.5 bps move: no fills, so the address budget does not grow) for two
// virtual hours with every hostile fault. The budget runs down to the breaker and every invariant
// holds: nothing placed while a gate is closed, no rate-limited answer, the address budget never
// past its cap, no kill-switch trip but the injected dropout's.
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { runSoak } from "../../proof/soak/harness.js";
import { renderSoakTable } from "../../proof/soak/table.js";

const CONFIG = fileURLToPath(new URL("../../config/examples/quota-pressure.yaml", import.meta.url));

describe("soak under quota pressure (2 h virtual, 2 assets, hostile)", () => {
  it("holds every invariant while the address budget runs down to the breaker", async () => {
    const r = await runSoak({ hours: 2, assets: 2, seed: 11, faults: "hostile", configPath: CONFIG });
    const table = renderSoakTable(r);
    expect(r.violations, table).toEqual([]);
    expect(r.placedWhileGated, table).toBe(0);
    expect(r.rateLimitedAnswers, table).toBe(0);
    expect(r.counts.addressPastCap, table).toBe(0);
    expect(r.trips.every((t) => t.trigger === "StaleData"), table).toBe(true);
    expect(r.catastrophes.every((c) => c.tripped), table).toBe(true);
    // the pressure was real: the budget was spent down into the breaker's zone, and quota refused placements
    expect(r.maxAddressUse, table).toBeGreaterThan(0.9);
    expect(r.sink.quotaRefused, table).toBeGreaterThan(0);
    expect(r.restingAfterShutdown).toBe(0);
    expect(table).toContain("all invariants held");
  }, 300_000);
});
