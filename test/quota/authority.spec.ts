// The quota authority's contract, run against both backends: the in-process one (virtual time)
// and Redis (a real redis-server on a free port). Then what only Redis can show: several
// processes racing for one budget, and a store that goes away and comes back.
import { VirtualTimeScheduler } from "rxjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QuotaAuthority, QuotaAuthorityLimits } from "../../quota/authority.js";
import { MemoryQuotaAuthority } from "../../quota/memory.js";
import { RedisQuotaAuthority } from "../../quota/redis.js";
import { type RedisServerHandle, redisAvailable, startRedisServer } from "../helpers/redis.js";

const hasRedis = redisAvailable("test/quota/authority.spec.ts (redis backend)");
let server: RedisServerHandle | undefined;
let n = 0;

beforeAll(async () => {
  if (hasRedis) server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});

const limits: Partial<QuotaAuthorityLimits> = { ipWeightLimit: 100, addressInitialBuffer: 200, reserveFraction: 0.05, ipReserveFraction: 0.05, cancelIpReserveFraction: 0, reservationTtlMs: 30_000 };

interface Backend {
  readonly name: string;
  readonly skip: boolean;
  make(l?: Partial<QuotaAuthorityLimits>): Promise<{ a: QuotaAuthority; advance(ms: number): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: "memory",
    skip: false,
    async make(l = limits) {
      const s = new VirtualTimeScheduler();
      const a = new MemoryQuotaAuthority(l, s);
      return {
        a,
        advance: async (ms) => {
          s.schedule(() => undefined, ms);
          s.flush();
        },
      };
    },
  },
  {
    name: "redis",
    skip: !hasRedis,
    async make(l = limits) {
      const a = new RedisQuotaAuthority({ url: server!.url, scope: `t${++n}`, account: `0xacc${n}`, limits: l });
      await a.ready();
      authorities.push(a);
      return { a, advance: (ms) => new Promise((r) => setTimeout(r, ms)) };
    },
  },
];
const authorities: QuotaAuthority[] = [];
afterAll(async () => {
  for (const a of authorities) await a.close();
});

const place = (id: string, weight = 1, requests = 1) => ({ id, weight, requests, cancel: false });
const cancel = (id: string, weight = 1, requests = 1) => ({ id, weight, requests, cancel: true });

for (const b of backends) {
  describe.skipIf(b.skip)(`QuotaAuthority (${b.name})`, () => {
    it("refuses a placement that would use the last 5% of the IP window, and still records cancels", async () => {
      const { a } = await b.make();
      let granted = 0;
      for (let i = 0; i < 100; i++) if ((await a.reserve(place(`p${i}`))).ok) granted++;
      expect(granted).toBe(95);
      const refused = await a.reserve(place("late"));
      expect(refused).toMatchObject({ ok: false, reason: "ip" });
      expect((await a.reserve(cancel("c1", 3, 3))).ok).toBe(true);
      expect((await a.usage())?.ipUsed).toBe(98);
      // cancels stop only at the window's hard edge (less cancelIpReserveFraction, 0 here)
      expect((await a.reserve(cancel("c2", 2, 1))).ok).toBe(true);
      expect(await a.reserve(cancel("c3", 1, 1))).toMatchObject({ ok: false, reason: "ip" });
    });

    it("frees the IP window as its entries age out", async () => {
      const { a, advance } = await b.make({ ...limits, ipWindowMs: 1_500 });
      await Promise.all(Array.from({ length: 95 }, (_, i) => a.reserve(place(`p${i}`))));
      expect((await a.reserve(place("x"))).ok).toBe(false);
      await advance(1_700);
      expect((await a.reserve(place("y"))).ok).toBe(true);
      expect((await a.usage())?.ipUsed).toBe(1);
    });

    it("counts reserved and committed requests against the address cap, with its reserve", async () => {
      const { a } = await b.make({ ...limits, ipWeightLimit: 10_000 });
      // cap 200, placements up to 190
      expect((await a.reserve(place("big", 1, 150))).ok).toBe(true);
      expect(await a.reserve(place("more", 1, 41))).toMatchObject({ ok: false, reason: "address" });
      await a.commit("big");
      expect(await a.usage()).toMatchObject({ used: 150, reserved: 0, cap: 200, cancelLimit: 400 });
      expect((await a.reserve(place("fits", 1, 40))).ok).toBe(true);
      await a.release("fits");
      expect(await a.usage()).toMatchObject({ used: 150, reserved: 0 });
      // cancels go past the placement cap (the venue's cancel allowance)
      expect((await a.reserve(cancel("cx", 1, 100))).ok).toBe(true);
    });

    it("a released reservation gives back its IP weight and its requests; a committed or expired one keeps the weight spent", async () => {
      const { a, advance } = await b.make({ ...limits, reservationTtlMs: 150 });
      expect((await a.reserve(place("kept", 7, 2))).ok).toBe(true);
      expect((await a.reserve(place("back", 5, 3))).ok).toBe(true);
      expect(await a.usage()).toMatchObject({ ipUsed: 12, reserved: 5 });
      await a.release("back"); // never left: the venue charged nothing
      expect(await a.usage()).toMatchObject({ ipUsed: 7, reserved: 2, used: 0 });
      await a.release("back"); // a second release changes nothing
      expect(await a.usage()).toMatchObject({ ipUsed: 7, reserved: 2 });
      await a.commit("kept");
      expect(await a.usage()).toMatchObject({ ipUsed: 7, reserved: 0, used: 2 });
      expect((await a.reserve(place("orphan", 4, 1))).ok).toBe(true);
      await advance(300); // its process died: the request may have left, the weight stays spent
      await a.release("orphan"); // the first call after the TTL (nothing purged it before)
      expect(await a.usage()).toMatchObject({ ipUsed: 11, reserved: 0, used: 2 });
    });

    it("reconciles to userRateLimit: the cap is the venue's, used only rises, volume adds requests", async () => {
      const { a } = await b.make();
      await a.applySnapshot({ nRequestsCap: 1000, nRequestsSurplus: 50, nRequestsUsed: 300, cumVlm: 0, time: 0 } as never);
      expect(await a.usage()).toMatchObject({ used: 300, cap: 1050, cancelLimit: 2100 });
      await a.applySnapshot({ nRequestsCap: 1000, nRequestsSurplus: 0, nRequestsUsed: 120, cumVlm: 0, time: 0 } as never);
      expect(await a.usage()).toMatchObject({ used: 300, cap: 1000 });
      await a.addVolume(25.7);
      expect((await a.usage())?.cap).toBe(1025);
      await a.applySnapshot({ nRequestsCap: Number.NaN, nRequestsSurplus: 0, nRequestsUsed: 0, cumVlm: 0, time: 0 } as never);
      expect((await a.usage())?.cap).toBe(1025);
    });

    it("drops a reservation its process never settled once its TTL passes", async () => {
      const { a, advance } = await b.make({ ...limits, reservationTtlMs: 150 });
      expect((await a.reserve(place("orphan", 1, 100))).ok).toBe(true);
      expect((await a.usage())?.reserved).toBe(100);
      await advance(300);
      await a.commit("orphan"); // too late, and the first call after the TTL: nothing is held any more
      expect(await a.usage()).toMatchObject({ used: 0, reserved: 0 });
    });

    it("settles and expires reservations of IP weight alone (info requests: 0 address requests) as answers, not store failures", async () => {
      const { a, advance } = await b.make({ ...limits, reservationTtlMs: 150 });
      const failures = (): number => (a as { failures?: number }).failures ?? 0;
      expect((await a.reserve(place("info", 20, 0))).ok).toBe(true);
      await a.commit("info");
      expect(await a.usage()).toMatchObject({ ipUsed: 20, used: 0, reserved: 0 });
      expect((await a.reserve(place("info2", 5, 0))).ok).toBe(true);
      await a.release("info2");
      expect(await a.usage()).toMatchObject({ used: 0, reserved: 0 });
      // one never settled: it expires inside the next script's prologue
      expect((await a.reserve(place("info3", 1, 0))).ok).toBe(true);
      await advance(300);
      expect(await a.usage()).toMatchObject({ used: 0, reserved: 0 });
      expect((await a.reserve(place("after", 1, 1))).ok).toBe(true);
      expect(failures()).toBe(0);
      expect(a.status).toBe("up");
    });

    it("caps WS connections and unique users per IP across processes", async () => {
      const { a } = await b.make({ ...limits, wsConnections: 3, wsUsers: 2 });
      expect(await a.wsAcquire("p1", 2, ["0xA"])).toMatchObject({ ok: true, connections: 2, users: 1 });
      expect(await a.wsAcquire("p2", 1, ["0xa"])).toMatchObject({ ok: true, connections: 3, users: 1 });
      expect(await a.wsAcquire("p3", 1, ["0xb"])).toMatchObject({ ok: false });
      expect((await a.wsAcquire("p2", 1, ["0xb", "0xc"])).ok).toBe(false);
      await a.wsRelease("p1");
      expect(await a.wsAcquire("p3", 1, ["0xb"])).toMatchObject({ ok: true, connections: 2, users: 2 });
    });
  });
}

describe.skipIf(!hasRedis)("QuotaAuthority (redis, several processes)", () => {
  it("never grants more than the shared window to three clients racing for it", async () => {
    const scope = `race${++n}`;
    const clients = await Promise.all(
      [0, 1, 2].map(async () => {
        const a = new RedisQuotaAuthority({ url: server!.url, scope, account: "0xrace", limits: { ...limits, ipWeightLimit: 1200, ipReserveFraction: 0.05 } });
        await a.ready();
        authorities.push(a);
        return a;
      }),
    );
    const answers = await Promise.all(clients.flatMap((a, p) => Array.from({ length: 600 }, (_, i) => a.reserve(place(`p${p}-${i}`, 2, 0)))));
    const granted = answers.filter((r) => r.ok).length;
    expect(granted * 2).toBeLessThanOrEqual(0.95 * 1200);
    expect(granted).toBe(570);
    expect((await clients[0]!.usage())?.ipUsed).toBe(1140);
  });

  it("answers unavailable at once while the store is down, and resumes when it is back", async () => {
    const own = await startRedisServer();
    try {
      const a = new RedisQuotaAuthority({ url: own.url, scope: "down", account: "0xdown", limits, commandTimeoutMs: 300 });
      await a.ready();
      expect((await a.reserve(place("before"))).ok).toBe(true);
      await own.kill();
      const t0 = Date.now();
      expect(await a.reserve(place("during"))).toEqual({ ok: false, reason: "unavailable" });
      expect(Date.now() - t0).toBeLessThan(1_000);
      // the connection's close (or a second unanswered command) marks it down
      await a.reserve(place("during2"));
      expect(a.status).toBe("down");
      await own.restart();
      await a.ready(10_000);
      expect(a.status).toBe("up");
      expect((await a.reserve(place("after"))).ok).toBe(true);
      await a.close();
    } finally {
      await own.stop();
    }
  });
});

describe("authorityGate", () => {
  it("holds a cancel the shared window has no room for, in order, and lets it go when the window frees", async () => {
    const { SharedQuota, authorityGate } = await import("../../quota/gate.js");
    const { Subject, VirtualTimeScheduler: VTS } = await import("rxjs");
    const s = new VTS();
    const a = new MemoryQuotaAuthority({ ...limits, ipWindowMs: 1_000, cancelIpReserveFraction: 0.05, ipReserveFraction: 0.15 }, s);
    const shared = new SharedQuota(a, { processId: "p" }, s);
    for (let i = 0; i < 95; i++) await a.reserve(cancel(`fill${i}`));
    const src = new Subject<import("../../streams/actions.js").ActionBatch>();
    const out: string[] = [];
    const refused: string[] = [];
    src.pipe(authorityGate(shared, {}, (b, r) => refused.push(`${b.type}:${r}`))).subscribe((b) => out.push(b.type));
    src.next({ type: "cancel", cancels: [{ asset: "BTC", oid: 1 }] } as never);
    src.next({ type: "order", orders: [{ asset: "BTC" }] } as never);
    await Promise.resolve();
    await Promise.resolve();
    expect(out).toEqual([]);
    expect(shared.counts.cancelsDelayed).toBe(1);
    // the window frees after 1 s (virtual); the cancel goes, then the placement is judged
    for (let t = 0; t < 8 && out.length < 1; t++) {
      s.schedule(() => undefined, 200);
      s.flush();
      for (let k = 0; k < 5; k++) await Promise.resolve();
    }
    for (let k = 0; k < 10; k++) await Promise.resolve();
    expect(out[0]).toBe("cancel");
    expect(out.length + refused.length).toBe(2);
  });
});
