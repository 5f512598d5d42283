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
    cluster = await startInProcessCluster({ redisUrl: redis.url, processes: 3, assetsPerProcess: 2, durationSec: 25 });
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
});
