// Three processes of one account (in-process services, each its own Redis connections and agent
// key) on one paper venue over loopback, sharing a real redis-server: a kill-switch trip in one
// stops quoting in all three within 1 s; one command clears it everywhere; the account-wide quota
// state is one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KillBus } from "../../quota/killBus.js";
import { type RedisServerHandle, redisAvailable, startRedisServer } from "../helpers/redis.js";
import { type InProcessCluster, quoting, startInProcessCluster, within } from "./harness.js";

const hasRedis = redisAvailable("test/cluster/killSwitch.spec.ts");

describe.skipIf(!hasRedis)("one account, three processes, one kill switch (real Redis)", () => {
  let redis: RedisServerHandle;
  let cluster: InProcessCluster;
  beforeAll(async () => {
    redis = await startRedisServer();
    cluster = await startInProcessCluster({ redisUrl: redis.url, processes: 3, assetsPerProcess: 2, durationSec: 40 });
  }, 60_000);
  afterAll(async () => {
    await cluster?.cleanup();
    await redis?.stop();
  }, 60_000);

  it("each process quotes only its own assets and keeps only their orders", async () => {
    await within(15_000, () => cluster.services.every(quoting), "all three quoting");
    cluster.services.forEach((svc, p) => {
      expect(svc.status().map((s) => s.asset)).toEqual(cluster.groups[p]);
    });
    // nobody cancelled another process's orders as orphans
    for (const svc of cluster.services) expect(svc.sink.metrics.orphansCancelled).toBe(0);
  }, 30_000);

  it("a trip in one process stops quoting in all three within 1 s, and one command clears it for all", async () => {
    const [a, b, c] = cluster.services as [typeof cluster.services[0], typeof cluster.services[0], typeof cluster.services[0]];
    const t0 = Date.now();
    a.sink.kill("injected by the spec");
    const took = await within(1_000, () => b.sink.killSwitch.active && c.sink.killSwitch.active, "b and c tripped").catch((err: unknown) => {
      console.log(cluster.logs(0).split("\n").filter((l) => /cluster|kill/i.test(l)).join("\n"));
      throw err;
    });
    console.log(`kill switch: tripped in process 1, active in processes 2 and 3 after ${Date.now() - t0} ms`);
    expect(took).toBeLessThan(1_000);
    const bs = b.sink.killSwitch.state;
    expect(bs.active && bs.trip.detail).toMatch(/^cluster: .* tripped Manual: injected by the spec$/);
    // quoting stops: every resting order of every process is cancelled
    await within(5_000, () => cluster.services.every((s) => !quoting(s)), "no resting orders anywhere");
    expect(cluster.services.map((s) => s.health().reasons.some((r) => r.startsWith("kill switch tripped")))).toEqual([true, true, true]);
    // the one command (`npm run cluster -- clear-kill`) is this publish
    const operator = new KillBus(redis.url, cluster.account, "operator");
    try {
      expect(await operator.current()).toMatchObject({ trigger: "Manual", detail: "injected by the spec" });
      await operator.clear();
      await within(1_000, () => cluster.services.every((s) => !s.sink.killSwitch.active), "all cleared");
      expect(await operator.current()).toBeNull();
    } finally {
      await operator.close();
    }
    await within(10_000, () => cluster.services.every(quoting), "all three quoting again");
  }, 30_000);

  it("Redis killed mid-run: placements stop everywhere, quotes are pulled, and all resume when it returns with nothing lost", async () => {
    const wiring = (svc: (typeof cluster.services)[0]) => (svc as unknown as { options: { cluster: import("../../app/clusterWiring.js").ClusterWiring } }).options.cluster;
    const before = wiring(cluster.services[0]!).shared.usage$.value;
    expect(before).toBeDefined();
    await redis.kill();
    await within(3_000, () => cluster.services.every((s) => s.health().reasons.some((r) => r.startsWith("quota store unreachable"))), "every process reports the store down");
    await within(5_000, () => cluster.services.every((s) => !quoting(s)), "quotes pulled everywhere");
    const mark = cluster.tally.placements;
    await new Promise((r) => setTimeout(r, 2_000));
    expect(cluster.tally.placements - mark).toBe(0);
    for (const svc of cluster.services) expect(wiring(svc).shared.counts.refusedDown + wiring(svc).shared.counts.emergencyCancels).toBeGreaterThan(0);
    await redis.restart();
    await within(10_000, () => cluster.services.every((s) => s.health().reasons.every((r) => !r.startsWith("quota store"))), "every process sees the store again");
    await within(10_000, () => cluster.services.every(quoting), "all three quoting again");
    expect(cluster.tally.placements).toBeGreaterThan(mark);
    // nothing lost: the ledger the store restarted without is back (used only rises), no trip, and
    // every process's positions are the venue's
    const after = await wiring(cluster.services[0]!).authority.usage();
    expect(after!.used).toBeGreaterThanOrEqual(before!.used);
    for (const svc of cluster.services) expect(svc.sink.killSwitch.active).toBe(false);
    const venue = cluster.paper.exchange.account(cluster.account).positions;
    cluster.services.forEach((svc, p) => {
      for (const asset of cluster.groups[p]!) expect(svc.sink.positions.position(asset)).toBeCloseTo(venue.get(asset)?.szi ?? 0, 8);
    });
  }, 40_000);
});
