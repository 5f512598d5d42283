// A short chaos soak in `npm test`: a quarter of a virtual hour, two synthetic assets, every
// hostile fault on and one catastrophic dropout; every invariant must hold and the faults must
// really have been thrown.
import { describe, expect, it } from "vitest";
import { releaseSoakHistory, runSoak } from "../../proof/soak/harness.js";
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

  it("the bench's release of the ledgers mid-run changes neither the run nor its fill counts", async () => {
    const run = { hours: 0.5, assets: 2, seed: 7, faults: "hostile" } as const;
    const plain = await runSoak(run);
    let released = 0;
    const r = await runSoak({
      ...run,
      onCheckpoint: (c) => {
        if (released === 0 && c.virtualMs >= 900_000 && !c.last) {
          released = c.venue.exchange.account(c.venue.user).fills.length;
          releaseSoakHistory(c);
        }
      },
    });
    expect(released).toBeGreaterThan(0);
    expect(r.violations, renderSoakTable(r)).toEqual([]);
    // every venue fill counted once, the fills inside the checker's grace at the release included
    expect(r.fillsVenue).toBe(plain.fillsVenue);
    expect(r.fillsApplied).toBe(plain.fillsApplied);
    expect(r.reconciles).toBe(plain.reconciles);
    // and the whole table, row for row, but the faults list the release empties and wall/heap
    const rows = (t: string) => t.split("\n").filter((l) => l.startsWith("|") && !/virtual hours|heap at|faults injected by the venue/.test(l));
    expect(rows(renderSoakTable(r))).toEqual(rows(renderSoakTable(plain)));
  }, 300_000);
});
