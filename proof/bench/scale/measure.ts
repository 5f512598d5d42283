// One scale run: N synthetic assets on the paper venue (a child process), the service quoting all
// of them as a live client (another child process), `seconds` measured after a warm-up. Every
// budget figure is the venue's own account (GET /usage: what it charged the IP for HTTP and WS
// posts, the WS frames it received, what it refused); the client's CPU, tick-to-action and its
// own view of the weight by purpose come from the client's /metrics.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { SimIpUsageReport, SimUsageReport } from "../../../sim/usage.js";
import { processCpuSeconds, startClientChild, startSimChild } from "./processes.js";
import { histogramQuantile, metricSum, metricByLabel } from "./prometheus.js";

/** A made-up key for the paper account (never a real one; the paper venue is on loopback). */
const BENCH_KEY = "0x" + "5a".repeat(32);
const SAMPLE_MS = 5_000;

/** The synthetic names of a scale run: S001, S002, … (distinct prices: sim/synthetic.ts syntheticAssetFor). */
export function scaleNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `S${String(i + 1).padStart(3, "0")}`);
}

export interface ScaleMode {
  readonly name: string;
  /** Sections merged over config/default.yaml besides the assets (e.g. REST polling every 3 s). */
  readonly config: Readonly<Record<string, unknown>>;
}

/** Today's behaviour before issue 11: the account snapshot over REST every 3 s, pushes or not. */
// The baseline is the service before issue 11: one asset per request and the account snapshot over REST every 3 s.
export const BASELINE: ScaleMode = { name: "per-asset batches, REST polling every 3 s", config: { quota: { batching: "perAsset" }, defaults: { reconciliation: { safetyPollMs: 3000 } } } };
export const CURRENT: ScaleMode = { name: "cross-asset batches, WS account pushes", config: {} };

export interface ScaleFigures {
  readonly assets: number;
  readonly seconds: number;
  readonly mode: string;
  /** IP weight charged by the venue (HTTP + WS posts) per minute over the measured window. */
  readonly weightPerMin: number;
  /** The venue's peak sliding-60 s weight over the whole run (start-up included). */
  readonly weightPeakMinute: number;
  /** Weight the venue refused (HTTP 429) per minute over the measured window: demand past the limit. */
  readonly weightRefusedPerMin: number;
  readonly wsPerMin: number;
  readonly wsPeakMinute: number;
  /** HTTP 429s + address-budget refusals + refused subscriptions, over the whole run. */
  readonly rateLimited: number;
  readonly addressPerAssetHour: number;
  /** Client CPU (user + system) as a share of one core over the measured window. */
  readonly cpuCore: number;
  /** The paper venue's CPU (its own process) as a share of one core, when /proc tells (Linux). */
  readonly simCpuCore: number | undefined;
  /** p99 tick-to-action (ms, the histogram bucket's upper bound), measured window. */
  readonly p99Ms: number;
  /** Fewest assets with a resting order in any sample (every 5 s) of the measured window, and at its end. */
  readonly restingMin: number;
  readonly restingEnd: number;
  /** The client's own account of its weight by purpose (per minute). */
  readonly weightByPurpose: Readonly<Record<string, number>>;
  readonly clientWarnings: number;
  /** WS subscriptions the IP held at the end, and the venue's limit (1000). */
  readonly subscriptions: number;
  /** The client's warnings by message, most frequent first. */
  readonly warningKinds: readonly (readonly [string, number])[];
}

async function text(url: string): Promise<string> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`GET ${url}: HTTP ${r.status}`);
  return r.text();
}

async function usage(simUrl: string): Promise<SimUsageReport> {
  return JSON.parse(await text(`${simUrl}/usage`)) as SimUsageReport;
}

/** The IP the client spends from (loopback: one). */
function ipOf(u: SimUsageReport): SimIpUsageReport | undefined {
  return [...u.ips].sort((a, b) => b.weight.charged + b.ws.messages - (a.weight.charged + a.ws.messages))[0];
}

function resting(u: SimUsageReport, names: readonly string[]): number {
  const r: Record<string, number> = {};
  for (const user of u.users) for (const [a, n] of Object.entries(user.resting)) r[a] = (r[a] ?? 0) + n;
  return names.filter((n) => (r[n] ?? 0) > 0).length;
}

export async function measureScale(nAssets: number, seconds: number, mode: ScaleMode, warmupSec = 10): Promise<ScaleFigures> {
  const names = scaleNames(nAssets);
  const dir = mkdtempSync(join(tmpdir(), "quoteflow-scale-"));
  const configPath = join(dir, "scale.json");
  writeFileSync(
    configPath,
    JSON.stringify({
      ...mode.config,
      assets: Object.fromEntries(names.map((n) => [n, null])),
      observability: { statusIntervalMs: 0, journalDir: join(dir, "journal") },
    }),
  );
  const sim = await startSimChild(names, 1);
  let client: Awaited<ReturnType<typeof startClientChild>> | undefined;
  try {
    client = await startClientChild(sim.url, configPath, BENCH_KEY);
    await sleep(warmupSec * 1000);
    const u0 = await usage(sim.url);
    const m0 = await text(client.metricsUrl);
    const s0 = processCpuSeconds(sim.child.pid);
    const t0 = Date.now();
    let restingMin = Infinity;
    let last = u0;
    while (Date.now() - t0 < seconds * 1000) {
      await sleep(Math.min(SAMPLE_MS, seconds * 1000 - (Date.now() - t0)));
      last = await usage(sim.url);
      restingMin = Math.min(restingMin, resting(last, names));
    }
    const m1 = await text(client.metricsUrl);
    const s1 = processCpuSeconds(sim.child.pid);
    const wall = (Date.now() - t0) / 1000;
    const ip0 = ipOf(u0);
    const ip1 = ipOf(last);
    const used = (u: SimUsageReport) => u.users.reduce((s, x) => s + x.nRequestsUsed, 0);
    const refusedAddr = last.users.reduce((s, x) => s + x.refused, 0);
    const perMin = (a: number, b: number) => ((b - a) / wall) * 60;
    const purposes0 = metricByLabel(m0, "quoteflow_ip_weight_total", "purpose");
    const purposes1 = metricByLabel(m1, "quoteflow_ip_weight_total", "purpose");
    const weightByPurpose = Object.fromEntries(Object.entries(purposes1).map(([p, v]) => [p, perMin(purposes0[p] ?? 0, v)]));
    return {
      assets: nAssets,
      seconds: wall,
      mode: mode.name,
      weightPerMin: perMin(ip0?.weight.charged ?? 0, ip1?.weight.charged ?? 0),
      weightPeakMinute: ip1?.weight.peakMinute ?? 0,
      weightRefusedPerMin: perMin(ip0?.weight.refusedWeight ?? 0, ip1?.weight.refusedWeight ?? 0),
      wsPerMin: perMin(ip0?.ws.messages ?? 0, ip1?.ws.messages ?? 0),
      wsPeakMinute: ip1?.ws.peakMinute ?? 0,
      rateLimited: (ip1?.weight.refused ?? 0) + refusedAddr + (ip1?.ws.refusedSubscriptions ?? 0),
      addressPerAssetHour: (used(last) - used(u0)) / nAssets / (wall / 3600),
      cpuCore: (metricSum(m1, "process_cpu_seconds_total") - metricSum(m0, "process_cpu_seconds_total")) / wall,
      simCpuCore: s0 !== undefined && s1 !== undefined ? (s1 - s0) / wall : undefined,
      p99Ms: histogramQuantile(m0, m1, "quoteflow_tick_to_action_seconds", 0.99) * 1000,
      restingMin: Number.isFinite(restingMin) ? restingMin : 0,
      restingEnd: resting(last, names),
      weightByPurpose,
      clientWarnings: client.child.warnings(),
      subscriptions: ip1?.ws.subscriptions ?? 0,
      warningKinds: [...client.child.warningKinds()].sort((a, b) => b[1] - a[1]),
    };
  } finally {
    await client?.child.stop();
    await sim.child.stop(5_000);
    rmSync(dir, { recursive: true, force: true });
  }
}
