// A short chaos soak with a growth-mode HIP-3 asset beside BTC: every invariant holds, and the quota
// figures show the reduced address credit — 0.1 request per USDC traded on the xyz dex, 1 on the
// main dex — with the service's quota ledger believing no larger cap than the venue gives.
import { describe, expect, it } from "vitest";
import { runSoak } from "../../proof/soak/harness.js";
import { parseSoakArgs } from "../../proof/soak/args.js";
import { renderSoakTable } from "../../proof/soak/table.js";

describe("soak with HIP-3 (0.25 h virtual, BTC + xyz:GOLD in growth mode, hostile)", () => {
  it("holds every invariant; GOLD's volume earns a tenth of BTC's address credit per USDC, and the ledger agrees with the venue", async () => {
    const r = await runSoak({ hours: 0.25, assets: 1, seed: 7, faults: "hostile", hip3Assets: ["xyz:GOLD"], perpDexs: [{ name: "xyz", growthMode: true }] });
    const table = renderSoakTable(r);
    expect(r.violations, table).toEqual([]);
    expect(r.ok, table).toBe(true);
    expect(r.assets).toEqual(["BTC", "xyz:GOLD"]);
    expect(r.fillsApplied).toBe(r.fillsVenue);
    const h = r.hip3!;
    const main = h.byDex.find((d) => d.dex === "")!;
    const xyz = h.byDex.find((d) => d.dex === "xyz")!;
    expect(main.volumeUsd, table).toBeGreaterThan(0);
    expect(xyz.volumeUsd, table).toBeGreaterThan(0);
    expect(xyz.growthMode).toBe(true);
    expect(main.credit).toBeCloseTo(main.volumeUsd, 6);
    expect(xyz.credit).toBeCloseTo(xyz.volumeUsd * 0.1, 6);
    // the venue's cap is the initial buffer plus exactly that credit (no surplus bought here)
    expect(h.venueCap).toBe(10_000 + Math.floor(main.credit + xyz.credit));
    expect(h.ledgerCap).toBeDefined();
    expect(h.ledgerCap!).toBeLessThanOrEqual(h.venueCap);
    expect(table).toMatch(/address credit by dex .*xyz \(growth ×0\.1\)/);
    expect(table).toContain("--hip3 xyz:GOLD --dex xyz:growth");
    expect(table).toContain("all invariants held");
  }, 300_000);

  it("--hip3 and --dex parse, and a dex without a --hip3 asset or a bad name is a usage error naming the flag", () => {
    const ok = parseSoakArgs(["--hip3", "xyz:GOLD", "--dex", "xyz:growth,feeScale=0.5"]);
    expect(ok.soak.hip3Assets).toEqual(["xyz:GOLD"]);
    expect(ok.soak.perpDexs).toEqual([{ name: "xyz", growthMode: true, deployerFeeScale: 0.5 }]);
    expect(() => parseSoakArgs(["--dex", "xyz:growth"])).toThrow(/--dex xyz: no --hip3 asset is on dex xyz/);
    expect(() => parseSoakArgs(["--hip3", "GOLD"])).toThrow(/--hip3: expected a HIP-3 asset name/);
    expect(() => parseSoakArgs(["--hip3", "xyz:GOLD", "--dex", "xyz:turbo"])).toThrow(/--dex: dex xyz: unknown knob "turbo"/);
  });
});
