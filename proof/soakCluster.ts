// `npx tsx proof/soakCluster.ts --minutes 5 --faults realistic`: the soak's invariants with two
// processes of one account sharing Redis, on the real clock over loopback (a shared store cannot
// run on virtual time: Redis keeps its own clock). Each process is checked by the soak's own
// SoakChecker (proof/soak/invariants.ts), restricted to its assets: fills lost or double-counted,
// positions after reconciliation, orders resting or placed while gated, placements in the reserve
// or rate-limited, bad kill-switch trips, orders resting after shutdown. Exit 0 when all held.
import { runProgram } from "../app/args.js";
import { startInProcessCluster } from "../app/clusterInProcess.js";
import { UsageError, flag, parseFlags } from "../app/flags.js";
import { startRedisServer } from "../quota/redisServer.js";
import { SIM_FAULT_PROFILES, type PaperExchange, type SimFaultProfileName } from "../sim/index.js";
import { soakReactionMs } from "./soak/harness.js";
import { SoakChecker } from "./soak/invariants.js";

export interface ClusterSoakResult {
  readonly rows: readonly { readonly process: number; readonly assets: readonly string[]; readonly counts: Record<string, number>; readonly fillsVenue: number; readonly fillsApplied: number; readonly placements: number; readonly trips: number; readonly fillsAtShutdown: number; readonly violations: readonly string[] }[];
  /** Wall time the services had all stopped. */
  readonly endedAt: number;
  /** Wall time each service began its shutdown (cancel everything). */
  readonly stoppingAt: readonly number[];
  readonly venue: { readonly http429: number; readonly addressLimited: number; readonly maxWindow: number };
  readonly ok: boolean;
}

/**
 * The exchange as one process's checker must see it: the account's fills and orders of its assets
 * only, and fills only up to `cutoff()` — the checks stop before the services' shutdown, as in
 * the soak; on the real clock nothing flushes the deliveries in flight after it (counted apart).
 */
function scoped(ex: PaperExchange, assets: readonly string[], cutoff: () => number): PaperExchange {
  const mine = new Set(assets);
  return new Proxy(ex, {
    get(target, key) {
      if (key === "account")
        return (user: string) => {
          const a = target.account(user);
          return new Proxy(a, { get: (t, k) => (k === "fills" ? t.fills.filter((f) => mine.has(f.fill.asset) && f.fill.time < cutoff()) : Reflect.get(t, k, t)) });
        };
      if (key === "openOrders") return (user: string) => target.openOrders(user).filter((o) => mine.has(o.asset));
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

export async function runClusterSoak(o: { readonly seconds: number; readonly faults: SimFaultProfileName; readonly seed: number; readonly assetsPerProcess: number }): Promise<ClusterSoakResult> {
  const redis = await startRedisServer();
  try {
    const cluster = await startInProcessCluster({ redisUrl: redis.url, processes: 2, assetsPerProcess: o.assetsPerProcess, durationSec: o.seconds, faults: o.faults, seed: o.seed, scope: "soak" });
    const faults = SIM_FAULT_PROFILES[o.faults];
    let cutoff = Infinity;
    const checkers = cluster.services.map(
      (svc, p) =>
        new SoakChecker(svc, scoped(cluster.paper.exchange, cluster.groups[p]!, () => cutoff), {
          user: cluster.account,
          assets: cluster.groups[p]!,
          reactionMs: soakReactionMs(faults),
          fillGraceMs: faults.dropoutMs[1] + faults.userFeedMs[1] + 15_000,
          reserveFraction: svc.currentConfig.quota.reservePct / 100,
        }),
    );
    for (const c of checkers) c.start();
    let endedAt = 0;
    let stoppingAt: number[] = [];
    // the periodic checks stop just before the services' own shutdown; the end checks follow it
    const stopAt = setTimeout(() => {
      cutoff = cluster.paper.exchange.now();
      checkers.forEach((c) => c.stop());
    }, Math.max(0, o.seconds * 1000 - 1500));
    await cluster.done;
    clearTimeout(stopAt);
    endedAt = Date.now();
    stoppingAt = cluster.services.map((_, i) => Number(/"time":(\d+)[^\n]*"msg":"stopping"/.exec(cluster.logs(i))?.[1] ?? NaN));
    for (const c of checkers) c.finish();
    const late = cluster.groups.map((g) => cluster.paper.exchange.account(cluster.account).fills.filter((f) => g.includes(f.fill.asset) && f.fill.time >= cutoff).length);
    const rows = checkers.map((c, p) => ({ process: p + 1, assets: cluster.groups[p]!, counts: { ...c.counts }, fillsVenue: c.venueFills, fillsApplied: c.fillsApplied, placements: c.placementsSent, trips: c.trips.length, fillsAtShutdown: late[p]!, violations: c.violations.slice(0, 3).map((x) => `${x.kind} at ${x.time}: ${x.detail}`) }));
    const result = { rows, endedAt, stoppingAt, venue: { http429: cluster.tally.http429, addressLimited: cluster.tally.addressLimited, maxWindow: cluster.tally.maxWindow() }, ok: checkers.every((c) => c.ok()) };
    await cluster.cleanup();
    return result;
  } finally {
    await redis.stop();
  }
}

export function renderClusterSoak(r: ClusterSoakResult): string {
  const kinds = Object.keys(r.rows[0]?.counts ?? {});
  const head = `| invariant | must be | ${r.rows.map((x) => `process ${x.process} (${x.assets.join(", ")})`).join(" | ")} |`;
  const sep = `|---|---|${r.rows.map(() => "---:").join("|")}|`;
  const lines = kinds.map((k) => `| ${k} | 0 | ${r.rows.map((x) => (x.counts[k] === 0 ? "0" : `**${x.counts[k]}**`)).join(" | ")} |`);
  const info = [
    `| venue fills (checked) | — | ${r.rows.map((x) => x.fillsVenue).join(" | ")} |`,
    `| fills applied | = venue fills | ${r.rows.map((x) => x.fillsApplied).join(" | ")} |`,
    `| placements sent | — | ${r.rows.map((x) => x.placements).join(" | ")} |`,
    `| fills after the checks stopped (shutdown; not checked) | — | ${r.rows.map((x) => x.fillsAtShutdown).join(" | ")} |`,
    `| kill-switch trips | — | ${r.rows.map((x) => x.trips).join(" | ")} |`,
  ];
  return [head, sep, ...lines, ...info, "", `services began stopping at ${r.stoppingAt.join(", ")}, all stopped at ${r.endedAt}`, `venue (both processes, one IP): max rolling 60 s weight ${r.venue.maxWindow} / 1200, HTTP 429 ${r.venue.http429}, address-limited ${r.venue.addressLimited}`, `all invariants held: ${r.ok ? "yes" : "NO"}`, ...r.rows.flatMap((x) => x.violations.map((v) => `process ${x.process}: ${v}`)), ""].join("\n");
}

async function main(): Promise<number> {
  const { values: v, help } = parseFlags(process.argv.slice(2), { minutes: flag.number(5, (n) => n > 0 && n <= 24 * 60, "a number of minutes > 0"), faults: flag.stringOr("realistic"), seed: flag.int(1, 0), assets: flag.int(3, 1, 20) });
  if (help) {
    process.stdout.write("npx tsx proof/soakCluster.ts [--minutes 5] [--faults none|realistic|hostile] [--seed 1] [--assets 3 (per process)]\n");
    return 0;
  }
  if (!(v.faults in SIM_FAULT_PROFILES)) throw new UsageError(`--faults: expected none, realistic or hostile, got "${v.faults}"`);
  const r = await runClusterSoak({ seconds: Math.round(v.minutes * 60), faults: v.faults as SimFaultProfileName, seed: v.seed, assetsPerProcess: v.assets });
  process.stdout.write(renderClusterSoak(r));
  return r.ok ? 0 : 1;
}

if (process.argv[1]?.endsWith("soakCluster.ts")) runProgram("soak-cluster", main);
