// The cluster soak, short: two processes of one account sharing a real Redis, realistic faults,
// the soak's invariants per process (proof/soakCluster.ts; `npx tsx proof/soakCluster.ts
// --minutes 5` for the long run).
import { describe, expect, it } from "vitest";
import { renderClusterSoak, runClusterSoak } from "../../proof/soakCluster.js";
import { redisAvailable } from "../helpers/redis.js";

describe.skipIf(!redisAvailable("test/cluster/soak.spec.ts"))("cluster soak (two processes, real Redis)", () => {
  it("holds every soak invariant in both processes for 30 s of realistic faults", async () => {
    const r = await runClusterSoak({ seconds: 30, faults: "realistic", seed: 3, assetsPerProcess: 2 });
    console.log(renderClusterSoak(r));
    for (const row of r.rows) {
      expect(Object.values(row.counts).every((n) => n === 0), JSON.stringify(row.counts)).toBe(true);
      expect(row.placements).toBeGreaterThan(0);
      expect(row.fillsApplied).toBeGreaterThanOrEqual(row.fillsVenue);
    }
    expect(r.venue.http429).toBe(0);
    expect(r.ok).toBe(true);
  }, 90_000);
});
