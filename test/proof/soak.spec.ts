// A short chaos soak in `npm test`: a quarter of a virtual hour, two synthetic assets, every
// hostile fault on and one catastrophic dropout; every invariant must hold and the faults must
// really have been thrown.
import { describe, expect, it } from "vitest";
import { runSoak } from "../../proof/soak/harness.js";
import { renderSoakTable } from "../../proof/soak/table.js";

describe("soak (0.25 h virtual, 2 assets, hostile)", () => {
  it("holds every invariant while the venue injects every fault", async () => {
    const r = await runSoak({ hours: 0.25, assets: 2, seed: 7, faults: "hostile" });
    const table = renderSoakTable(r);
    expect(r.violations, table).toEqual([]);
    expect(r.ok).toBe(true);
    // the run did trade and did suffer
    expect(r.fillsVenue).toBeGreaterThan(0);
    expect(r.fillsApplied).toBe(r.fillsVenue);
    expect(r.reconciles).toBeGreaterThan(0);
    for (const kind of ["fillBeforeUpdate", "oidLate", "crossedBook", "malformedFrame", "dropout", "updateBeforeResponse"] as const) {
      expect(r.faultsInjected[kind] ?? 0, kind).toBeGreaterThan(0);
    }
    // the catastrophic dropout (beyond the 60 s staleness bound) tripped the kill switch, and nothing else did
    expect(r.catastrophes.length).toBeGreaterThan(0);
    expect(r.catastrophes.every((c) => c.tripped)).toBe(true);
    expect(r.trips.every((t) => t.trigger === "StaleData")).toBe(true);
    expect(r.restingAfterShutdown).toBe(0);
    expect(table).toContain("all invariants held");
  }, 300_000);

  it("under send-queue pressure (one request in flight) no placement reaches the venue's submit while its gate is closed; queued ones are dropped", async () => {
    const r = await runSoak({ hours: 0.25, assets: 2, seed: 7, faults: "hostile", maxInFlight: 1 });
    const table = renderSoakTable(r);
    expect(r.placedWhileGated, table).toBe(0);
    // the pressure was real: placements waited in the queue and some met a closed gate there
    expect(r.droppedAtGate, table).toBeGreaterThan(0);
    expect(r.restingAfterShutdown).toBe(0);
    expect(r.fillsApplied).toBe(r.fillsVenue);
  }, 300_000);
});
