import { describe, expect, it } from "vitest";
import { renderCrashRestartTable, runCrashRestartSoak } from "../../proof/soak/crashRestart.js";
import { parseSoakArgs } from "../../proof/soak/args.js";

describe("crash-restart soak", () => {
  it("holds across three kills without shutdown under hostile faults: nothing before adoption, no CLOID twice, each venue fill in exactly one journal line", async () => {
    const r = await runCrashRestartSoak({ hours: 1, assets: 2, seed: 3, faults: "hostile", crashes: 3, maxDownMs: 60_000 });
    const table = renderCrashRestartTable(r);
    expect(r.sessions).toHaveLength(4);
    expect(r.crashes).toHaveLength(3);
    expect(r.venueFills).toBeGreaterThan(0);
    expect(r.fillsLost, table).toBe(0);
    expect(r.fillsDoubled, table).toBe(0);
    expect(r.fillsInvented, table).toBe(0);
    expect(r.journaledFillLines).toBe(r.venueFills);
    expect(r.placedBeforeAdoption, table).toBe(0);
    expect(r.cloidsReused, table).toBe(0);
    expect(r.divergenceTrips, table).toBe(0);
    expect(r.restingAfterShutdown, table).toBe(0);
    // each partial line a kill left is repaired by the next start
    expect(r.partialLinesRepaired).toBe(r.crashes.filter((c) => c.partialLine).length);
    // prefixes strictly grow from session to session
    const seeds = r.sessions.map((s) => BigInt(`0x${s.cloidSeed}`));
    for (let i = 1; i < seeds.length; i++) expect(seeds[i]! > seeds[i - 1]!).toBe(true);
    expect(r.ok).toBe(true);
    expect(table).toMatch(/kill without shutdown ×3/);
  }, 180_000);

  it("is chosen with --scenario; an unknown scenario is a usage error naming the flag", () => {
    expect(parseSoakArgs(["--scenario", "crash-restart"]).scenario).toBe("crash-restart");
    expect(parseSoakArgs([]).scenario).toBe("chaos");
    expect(() => parseSoakArgs(["--scenario", "nope"])).toThrow(/--scenario/);
  });
});
