// `npm run cluster -- --processes 3 --assets 30`: one account scaled out on one machine. Starts a
// throwaway redis-server (or uses --redis <url>), one paper venue server on loopback (synthetic
// assets S01…), a master account approving one agent key per process, and N `quoteflow run
// --venue hyperliquid --api-url …` processes, each on its own asset group and config, sharing the
// account's budgets and kill switch through Redis (`--store memory`: each on its own in-process
// authority — the baseline that believes it has the whole budget). Prints one combined status
// view every --status-ms, and at the end the venue's own tally. Stops everything it started, by PID.
//
//   npm run cluster -- clear-kill --redis <url> --account <master address>   (the one command that clears a trip)
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, createWriteStream, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { parse, stringify } from "yaml";
import { KillBus } from "../quota/killBus.js";
import { type RedisServerHandle, startRedisServer } from "../quota/redisServer.js";
import { type PaperServer, startPaperServer } from "../sim/server.js";
import { packageRoot } from "../sources/paths.js";
import { approveClusterAgents, tallyVenue, type VenueTally } from "./clusterSetup.js";
import { defaultConfigPath } from "./config.js";
import { UsageError, flag, parseFlags, runProgram } from "./flags.js";
import { syntheticOnly } from "./markets.js";

const FLAGS = {
  processes: flag.int(3, 1, 10),
  assets: flag.int(30, 1, 200),
  store: flag.stringOr("redis"),
  redis: flag.string(),
  duration: flag.int(600, 1),
  "status-ms": flag.int(5000, 0),
  seed: flag.int(1, 0),
  faults: flag.stringOr("none"),
  /** A quoter that re-quotes on every move (skip/modify tolerances 0.5 bps): the traffic of a busy book. */
  busy: flag.bool(),
  account: flag.string(),
  out: flag.string(),
};

const HELP = `npm run cluster -- [options]           one account, N processes, one paper venue, shared budgets
npm run cluster -- clear-kill --redis <url> --account <address>

  --processes <n>     service processes (default 3), each with its own agent key
  --assets <n>        synthetic assets S01… split between them (default 30)
  --store redis|memory  redis (default): one shared quota authority; memory: each process alone (baseline)
  --redis <url>       use this Redis instead of starting redis-server on a free port
  --duration <s>      run this long (default 600)
  --status-ms <ms>    combined status view period (default 5000; 0 = only the final tally)
  --seed <n>, --faults none|realistic|hostile   the paper venue's (default 1, none)
  --busy              re-quote on every 0.5 bps move (more traffic per asset)
  --out <dir>         where configs, keys and logs go (default a temporary directory)
`;

interface Proc {
  readonly index: number;
  readonly assets: readonly string[];
  readonly child: ChildProcess;
  metricsUrl?: string;
  exited?: number | string;
}

/** `name{labels} value` lines of a Prometheus text, summed per name+label filter. */
function metricSum(text: string, name: string, labelFilter: RegExp = /.*/): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{[^}]*\})? ([-+0-9.eE]+|NaN)$/.exec(line);
    if (m === null || m[1] !== name || !labelFilter.test(m[2] ?? "")) continue;
    const v = Number(m[3]);
    if (Number.isFinite(v)) sum += v;
  }
  return sum;
}

async function get(url: string): Promise<{ status: number; text: string } | undefined> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return { status: r.status, text: await r.text() };
  } catch {
    return undefined;
  }
}

export interface ProcessFigures {
  readonly index: number;
  readonly assets: string;
  readonly ready: string;
  readonly placed: number;
  readonly fills: number;
  readonly rateLimited: number;
  readonly refused: number;
  readonly sharedRefused: number;
  readonly ipWeight: number;
  readonly storeUp: string;
}

async function figures(p: Proc): Promise<ProcessFigures> {
  const base = p.metricsUrl?.replace(/\/metrics$/, "");
  const [m, h] = base ? await Promise.all([get(`${base}/metrics`), get(`${base}/healthz`)]) : [undefined, undefined];
  const t = m?.text ?? "";
  return {
    index: p.index + 1,
    assets: `${p.assets[0]}…${p.assets[p.assets.length - 1]}`,
    ready: p.exited !== undefined ? `exited ${p.exited}` : h === undefined ? "—" : h.status === 200 ? "ok" : h.text.trim().replace(/^not ready: /, "").slice(0, 60),
    placed: metricSum(t, "quoteflow_orders_total", /action="placed"/),
    fills: metricSum(t, "quoteflow_fills_total"),
    rateLimited: metricSum(t, "quoteflow_executor_failures_total", /kind="rate_limited"/) + metricSum(t, "quoteflow_info_rate_limited_total"),
    refused: metricSum(t, "quoteflow_quota_refusals_total"),
    sharedRefused: metricSum(t, "quoteflow_quota_shared_decisions", /decision="refused_/),
    ipWeight: metricSum(t, "quoteflow_ip_weight_total"),
    storeUp: m === undefined ? "—" : t.includes("quoteflow_quota_store_up") ? (metricSum(t, "quoteflow_quota_store_up") === 1 ? "up" : "DOWN") : "memory",
  };
}

function table(rows: readonly ProcessFigures[]): string {
  const head = ["proc", "assets", "store", "placed", "fills", "refused (local)", "refused (shared)", "429/limited", "ip weight", "health"];
  const lines = rows.map((r) => [String(r.index), r.assets, r.storeUp, String(r.placed), String(r.fills), String(r.refused), String(r.sharedRefused), String(r.rateLimited), String(r.ipWeight), r.ready]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [head, ...lines].map((l) => l.map((c, i) => c.padEnd(widths[i]!)).join("  ")).join("\n");
}

function venueLine(t: VenueTally, server: PaperServer, account: string, minutes: number): string {
  const budget = server.exchange.account(account).budget;
  return `venue (all processes, one IP): weight ${t.total()} in ${minutes.toFixed(1)} min (${(t.total() / Math.max(minutes, 1 / 60)).toFixed(0)}/min), max rolling 60 s ${t.maxWindow()} / 1200; HTTP 429 ${t.http429}; address-limited answers ${t.addressLimited}; address used ${budget.used} / cap ${budget.cap()}; placement batches ${t.placements}, cancel batches ${t.cancels}`;
}

async function clearKill(values: { redis: string | undefined; account: string | undefined }): Promise<number> {
  if (values.redis === undefined || values.account === undefined) throw new UsageError("clear-kill: --redis <url> and --account <master address> are both required");
  const bus = new KillBus(values.redis, values.account, "operator");
  try {
    const trip = await bus.current();
    await bus.clear("operator");
    process.stdout.write(trip ? `cleared the kill switch of ${values.account} (tripped by ${trip.origin}: ${trip.trigger} ${trip.detail})\n` : `no kill switch was tripped for ${values.account}; published a clear anyway\n`);
    return 0;
  } finally {
    await bus.close();
  }
}

async function main(): Promise<number> {
  const { values: v, positionals, help } = parseFlags(process.argv.slice(2), FLAGS, { positionals: true });
  if (help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals[0] === "clear-kill") return clearKill(v);
  if (positionals.length > 0) throw new UsageError(`unknown command "${positionals[0]}" (only clear-kill)`);
  if (v.store !== "redis" && v.store !== "memory") throw new UsageError(`--store: expected redis or memory, got "${v.store}"`);
  if (v.assets < v.processes) throw new UsageError(`--assets ${v.assets}: at least one asset per process (--processes ${v.processes})`);
  const dir = v.out !== undefined ? resolve(v.out) : mkdtempSync(join(tmpdir(), "quoteflow-cluster-"));
  const say = (s: string): void => void process.stdout.write(s + "\n");

  let redis: RedisServerHandle | undefined;
  let url = v.redis;
  if (v.store === "redis" && url === undefined) {
    redis = await startRedisServer();
    url = redis.url;
    say(`redis-server pid ${redis.pid} on ${url} (temporary directory, no persistence)`);
  }
  const names = Array.from({ length: v.assets }, (_, i) => `S${String(i + 1).padStart(2, "0")}`);
  const server = await startPaperServer({ market: syntheticOnly(names, v.seed).market, seed: v.seed, faults: v.faults as "none", port: 0, host: "127.0.0.1" });
  const tally = tallyVenue(server);
  const account = await approveClusterAgents(server.url, v.processes);
  say(`paper venue ${server.url}: ${names.length} synthetic assets; account ${account.master.address}, ${v.processes} agents approved; store ${v.store}${url ? ` ${url}` : ""}; files in ${dir}`);

  const base = parse(readFileSync(defaultConfigPath(), "utf8")) as Record<string, any>;
  const procs: Proc[] = [];
  const per = Math.ceil(names.length / v.processes);
  const t0 = Date.now();
  for (let i = 0; i < v.processes; i++) {
    const assets = names.slice(i * per, (i + 1) * per);
    const keyFile = join(dir, `agent-${i + 1}.key`);
    writeFileSync(keyFile, account.agents[i]!.privateKey + "\n", { mode: 0o600 });
    chmodSync(keyFile, 0o600);
    const reconciliation = v.busy ? { ...base["defaults"].reconciliation, skipPriceBps: 0.5, modifyPriceBps: 0.5 } : base["defaults"].reconciliation;
    const cfg = {
      ...base,
      assets: Object.fromEntries(assets.map((a) => [a, null])),
      defaults: { ...base["defaults"], reconciliation },
      quota: { ...base["quota"], ...(v.store === "redis" ? { store: url, scope: "loopback" } : {}) },
      observability: { ...base["observability"], journalDir: join(dir, `journal-${i + 1}`), statusIntervalMs: 0 },
    };
    const configPath = join(dir, `process-${i + 1}.yaml`);
    writeFileSync(configPath, stringify(cfg));
    const logFile = createWriteStream(join(dir, `process-${i + 1}.log`));
    const child = spawn(process.execPath, ["--import", "tsx", join(packageRoot(), "app/cli.ts"), "run", "--venue", "hyperliquid", "--api-url", server.url, "--key-file", keyFile, "--config", configPath, "--metrics-port", "0", "--no-status", "--duration", String(v.duration)], {
      cwd: packageRoot(),
      env: { ...process.env, QUOTEFLOW_ACCOUNT: account.master.address, QUOTEFLOW_PRIVATE_KEY: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const proc: Proc = { index: i, assets, child };
    procs.push(proc);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      logFile.write(line + "\n");
      const served = proc.metricsUrl === undefined && line.includes('"msg":"metrics served"') ? /"url":"([^"]+)"/.exec(line)?.[1] : undefined;
      if (served !== undefined) proc.metricsUrl = served;
    });
    child.stderr!.on("data", (b: Buffer) => logFile.write(b));
    child.on("exit", (code, signal) => (proc.exited = code ?? signal ?? "?"));
    say(`process ${i + 1}: pid ${child.pid}, assets ${assets[0]}…${assets[assets.length - 1]} (${assets.length}), log ${join(dir, `process-${i + 1}.log`)}`);
  }

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    for (const p of procs) if (p.exited === undefined && p.child.pid !== undefined) process.kill(p.child.pid, "SIGTERM");
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const ended = Promise.all(procs.map((p) => new Promise<void>((r) => (p.exited !== undefined ? r() : p.child.once("exit", () => r())))));
  const status = v["status-ms"] > 0 ? setInterval(() => void printStatus(), v["status-ms"]) : undefined;
  let printing = false;
  const printStatus = async (): Promise<void> => {
    if (printing) return;
    printing = true;
    const rows = await Promise.all(procs.map(figures));
    say(`\n${new Date().toISOString().slice(11, 19)}  ${((Date.now() - t0) / 1000).toFixed(0)} s\n${table(rows)}\n${venueLine(tally, server, account.master.address, (Date.now() - t0) / 60_000)}`);
    printing = false;
  };
  // a little after the children's own --duration, make sure they are gone
  const guard = setTimeout(stop, (v.duration + 30) * 1000);
  // the last good scrape of each process (a process that exited answers nothing)
  const finalRows: ProcessFigures[] = [];
  const snapshot = setInterval(
    () =>
      void Promise.all(procs.map(async (p) => ({ p, f: await figures(p) }))).then((r) => {
        for (const { p, f } of r) if (f.ipWeight > 0 || finalRows[p.index] === undefined) finalRows[p.index] = { ...f, ready: p.exited !== undefined ? `exited ${p.exited}` : f.ready };
      }),
    2_000,
  );
  await ended;
  clearTimeout(guard);
  clearInterval(snapshot);
  if (status) clearInterval(status);
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  const minutes = (Date.now() - t0) / 60_000;
  say(`\nfinal (store ${v.store}, ${v.processes} processes, ${v.assets} assets, ${minutes.toFixed(1)} min; per-process figures as last scraped):\n${table(finalRows.filter((r) => r !== undefined))}\n${venueLine(tally, server, account.master.address, minutes)}`);
  for (const p of procs) if (finalRows[p.index]) finalRows[p.index] = { ...finalRows[p.index]!, ready: `exited ${p.exited}` };
  say(`exit codes: ${procs.map((p) => `${p.index + 1}=${p.exited}`).join(", ")}`);
  await server.close();
  await redis?.stop();
  return procs.every((p) => p.exited === 0) ? 0 : 1;
}

runProgram("cluster", main);
