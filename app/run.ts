// `quoteflow run`: the service on the paper venue (the sim server on loopback, driven through the
// real Hyperliquid client with an agent key a fresh master approved) or on Hyperliquid itself,
// until a signal or --duration.
import { accessSync, constants, mkdirSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { Wallet } from "ethers";
import type { Logger } from "pino";
import { asyncScheduler, firstValueFrom } from "rxjs";
import { type PaperServer, startPaperServer } from "../sim/server.js";
import { HL_MAINNET_API_URL, HL_TESTNET_API_URL, HyperliquidVenue, hlIsMainnet } from "../sources/hyperliquid/venue.js";
import { signedApproveAgentBody } from "../streams/wire/userSigned.js";
import { EnvironmentError, type RunArgs } from "./args.js";
import { ConfigError, type ServiceConfig, checkAssetsOffered, defaultConfigPath } from "./config.js";
import { type Registries, loadConfigWithPlugins, pluginFingerprint } from "./plugins.js";
import { AccountLockedError, fileStamp } from "../analytics/journal.js";
import { type AccountSession, openAccountSession } from "./session.js";
import { loadAgentKey } from "./keys.js";
import { registerSecret } from "./logger.js";
import { type MetricsServer, type ServiceMetrics, ListenError, createMetrics, serveMetrics } from "./metrics.js";
import { packageVersion } from "../sources/paths.js";

export { packageVersion };
import { QuoteflowService } from "./service.js";
import { ClusterWiring } from "./clusterWiring.js";
import { hostname } from "node:os";
import { handleShutdownSignals } from "./shutdown.js";
import { formatStatusLine } from "./status.js";
import { configDexes, dexConfigError } from "./hip3.js";
import { defaultMarket } from "./markets.js";

export class RefusedError extends Error {
  override readonly name = "RefusedError";
}

/** The config a run uses: `--config` (relative to the working directory) merged over the shipped defaults. */
/** The config and the plugins it names (app/plugins.ts): any problem is a ConfigError (exit 2). */
export async function loadRunConfig(configArg: string | undefined): Promise<LoadedRunConfig> {
  const path = resolve(configArg ?? defaultConfigPath());
  const loaded = await loadConfigWithPlugins(path);
  return { path, config: loaded.config, registries: loaded.registries };
}

export interface LoadedRunConfig {
  readonly path: string;
  readonly config: ServiceConfig;
  readonly registries?: Registries;
}

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

/** `QUOTEFLOW_LOG_LEVEL` wins over `observability.logLevel`; a bad value is a usage error. */
export function logLevelOf(config: ServiceConfig, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env["QUOTEFLOW_LOG_LEVEL"];
  if (fromEnv === undefined || fromEnv === "") return config.observability.logLevel;
  if (!LOG_LEVELS.includes(fromEnv)) throw new EnvironmentError(`QUOTEFLOW_LOG_LEVEL: expected one of ${LOG_LEVELS.join(", ")}, got "${fromEnv}"`);
  return fromEnv;
}

/**
 * The journal directory, against the working directory (an installed bin must not write inside
 * node_modules), created and checked writable now rather than at the first fill.
 */
export function journalDirOf(config: ServiceConfig, cwd = process.cwd()): string {
  const dir = resolve(cwd, config.observability.journalDir);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new EnvironmentError(`observability.journalDir ${dir}: not writable (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  return dir;
}

/** Node's timers stop at 2³¹−1 ms (24.8 days): a longer wait re-arms until it is over. */
export function longTimeout(ms: number, fn: () => void): { clear(): void } {
  const MAX = 2 ** 31 - 1;
  let handle: NodeJS.Timeout;
  const arm = (left: number) => {
    handle = setTimeout(() => (left > MAX ? arm(left - MAX) : fn()), Math.min(left, MAX));
  };
  arm(Math.max(0, ms));
  return { clear: () => clearTimeout(handle) };
}

export interface RunResult {
  readonly fills: number;
  readonly journalPath: string | undefined;
  readonly metricsUrl: string;
}

export interface RunIo {
  readonly log: Logger;
  /** Where the status line goes (default process.stderr). */
  readonly statusOut?: NodeJS.WritableStream;
  /** Signals handled (default true; tests drive stop through the duration). */
  readonly handleSignals?: boolean;
  /** Sign on the paper venue with this key instead of a fresh one (tests scan outputs for it). */
  readonly paperKey?: string;
  /** The metrics registry to fill (default a fresh one; tests read it after the run). */
  readonly metrics?: ServiceMetrics;
  /** The config, when the caller loaded it already (the CLI does, to set the log level). */
  readonly config?: LoadedRunConfig;
  /** false: no margin check before sending (the venue rejects what the margin does not cover; a spec of that path). Default true. */
  readonly marginCheck?: boolean;
  /** Called once the service runs (tests read the metrics URL). */
  readonly onStarted?: (info: { metricsUrl: string; paperUrl: string | undefined; service: QuoteflowService }) => void;
}

export async function runService(args: RunArgs, io: RunIo): Promise<RunResult> {
  const log = io.log;
  // Pre-flight (a refusal here is one line on stderr and no log at all): the config, the journal
  // directory, and on the paper venue its assets — it lists the whole universe but has data only
  // for its market's assets.
  const loaded = io.config ?? (await loadRunConfig(args.config));
  const { path: configPath, config } = loaded;
  const journalDir = journalDirOf(config);
  const market = args.venue === "paper" ? defaultMarket({ seed: args.seed, loop: true }) : undefined;
  if (market) checkAssetsOffered(config.assets.map((a) => a.asset), market.assets, "paper");
  log.info({ pid: process.pid, ppid: process.ppid, version: packageVersion(), node: process.version, venue: args.venue }, `quoteflow ${packageVersion()} starting (pid ${process.pid}: send SIGINT/SIGTERM to stop, SIGUSR2 to clear the kill switch)`);

  let paper: PaperServer | undefined;
  let venue: HyperliquidVenue;
  let account: string | null = null;
  if (market) {
    paper = await startPaperServer({ market: market.market, seed: args.seed, faults: args.faults as "none" | "realistic" | "hostile", port: 0, host: "127.0.0.1" });
    // As live: a master account (fresh each run; the paper venue's faucet funds it) approves an
    // agent key, and the service signs with the agent for the master (QUOTEFLOW_ACCOUNT's role).
    const master = io.paperKey !== undefined ? new Wallet(io.paperKey) : Wallet.createRandom();
    const agent = Wallet.createRandom();
    registerSecret(master.privateKey);
    registerSecret(agent.privateKey);
    venue = new HyperliquidVenue({ baseUrl: paper.url, wallet: agent.privateKey, userAddress: master.address, name: "paper", dexes: configDexes(config.assets.map((a) => a.asset)) });
    const approval = await firstValueFrom(venue.http.exchange(signedApproveAgentBody({ wallet: master.privateKey, agentAddress: agent.address, agentName: "quoteflow", nonce: Math.floor(asyncScheduler.now()), isMainnet: false })));
    if ((approval.body as { status?: unknown } | undefined)?.status !== "ok") throw new Error(`paper venue refused the agent approval: ${approval.text.slice(0, 200)}`);
    account = master.address;
    log.info({ paper: paper.url, market: market.description, faults: args.faults, seed: args.seed, account: master.address, signer: agent.address }, "paper venue listening on loopback; agent approved by the master");
  } else {
    const baseUrl = args.apiUrl ?? (args.network === "mainnet" ? HL_MAINNET_API_URL : HL_TESTNET_API_URL);
    const mainnet = hlIsMainnet(baseUrl);
    if (mainnet && !args.iUnderstandMainnet) throw new RefusedError("refusing mainnet without --i-understand-mainnet (real money: start on testnet)");
    const key = loadAgentKey(args.keyFile !== undefined ? { keyFile: args.keyFile } : {});
    const wallet = new Wallet(key.privateKey);
    // An empty QUOTEFLOW_ACCOUNT is unset (a user who cleared it must not trade as the account "").
    account = process.env["QUOTEFLOW_ACCOUNT"] || wallet.address;
    const network = mainnet ? "mainnet" : args.apiUrl ? baseUrl : "testnet";
    // HIP-3 assets (`xyz:GOLD`) make the venue follow their dexes (meta, account snapshots, pushes)
    venue = new HyperliquidVenue({ baseUrl, wallet, userAddress: account, name: `hyperliquid-${mainnet ? "mainnet" : args.apiUrl ? "custom" : "testnet"}`, dexes: configDexes(config.assets.map((a) => a.asset)) });
    log.info({ network, account, signer: wallet.address, keySource: key.source }, "live venue");
  }

  let session: AccountSession;
  try {
    session = openAccountSession(journalDir, account, Date.now(), log);
  } catch (err) {
    await venue.close().catch(() => undefined);
    await paper?.close();
    if (err instanceof AccountLockedError) throw new RefusedError(err.message);
    throw err;
  }

  const metrics = io.metrics ?? createMetrics();
  // scale-out: a Redis quota store shares the budgets and the kill switch of the account (app/clusterWiring.ts)
  let service: QuoteflowService | undefined;
  const cluster = clusterOf(config, account ?? "", log, () => service?.currentConfig ?? config);
  cluster?.registerMetrics(metrics);
  let metricsServer: MetricsServer;
  try {
    metricsServer = await serveMetrics(metrics.registry, args.metricsPort, "127.0.0.1", () => service?.health() ?? { ready: false, reasons: ["starting"] });
  } catch (err) {
    session.lock.release();
    await venue.close().catch(() => undefined);
    await paper?.close();
    await cluster?.close();
    if (err instanceof ListenError) throw new EnvironmentError(`--metrics-port ${args.metricsPort}: ${err.message}`);
    throw err;
  }
  log.info({ url: metricsServer.url, healthz: metricsServer.url.replace(/\/metrics$/, "/healthz") }, "metrics served");
  service = new QuoteflowService({
    venue,
    scheduler: asyncScheduler,
    config,
    ...(loaded.registries ? { registries: loaded.registries } : {}),
    log,
    metrics,
    journal: {
      dir: journalDir,
      stamp: `${args.venue}-${fileStamp(new Date())}`,
      run: args.venue === "paper" ? { mode: "paper", account, seed: args.seed, faults: args.faults } : { mode: "live", account },
      history: session.history,
    },
    gapFill: true,
    ...(io.marginCheck === false ? { marginCheck: false } : {}),
    // Durable, never random: larger than any earlier session's prefix on this account (app/session.ts).
    cloidSeed: session.cloidSeed,
    ...(cluster ? { cluster } : {}),
  });
  const svc = service;

  const shutdown = handleShutdownSignals(log, process.exit, { scheduler: asyncScheduler });
  if (io.handleSignals === false) shutdown.dispose();
  const timers: NodeJS.Timeout[] = [];
  const cleanups: (() => void)[] = [];
  let watcher: FSWatcher | undefined;
  const statusOut = io.statusOut ?? process.stderr;
  const printStatus = () => statusOut.write(svc.status().map((s) => formatStatusLine(s, new Date())).join("\n") + "\n");
  try {
    await cluster?.attach(svc);
    await svc.start().catch((err: unknown) => {
      throw dexConfigError(err, config.assets.map((a) => a.asset), venue.name);
    });
    io.onStarted?.({ metricsUrl: metricsServer.url, paperUrl: paper?.url, service: svc });
    if (args.durationSec !== undefined) {
      const t = longTimeout(args.durationSec * 1000, () => shutdown.request("duration"));
      cleanups.push(() => t.clear());
    }
    const every = config.observability.statusIntervalMs;
    if (args.status && every > 0) timers.push(setInterval(printStatus, every));
    watcher = watchConfig(configPath, svc, log);
    if (io.handleSignals !== false) {
      // The kill switch is cleared only by an explicit action: SIGUSR2 (`kill -USR2 <pid>`).
      const clearKill = () => log.warn({ cleared: svc.sink.clearKillSwitch() }, "kill switch clear requested (SIGUSR2)");
      process.on("SIGUSR2", clearKill);
      cleanups.push(() => process.off("SIGUSR2", clearKill));
      cleanups.push(watchParent(log, () => shutdown.request("parent exited")));
    }
    const reason = await shutdown.requested;
    log.info({ reason }, "stopping");
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const c of cleanups) c();
    watcher?.close();
    await svc.stop().catch((err: unknown) => log.error({ err }, "shutdown failed"));
    await cluster?.close().catch(() => undefined);
    log.info(await failureTotals(metrics), "failure totals (as counted in /metrics)");
    if (args.status) printStatus();
    await venue.close().catch(() => undefined);
    await paper?.close();
    await metricsServer.close();
    shutdown.dispose();
    session.lock.release();
  }
  const fills = svc.status().reduce((s, a) => s + a.fills, 0);
  return { fills, journalPath: svc.journal?.path, metricsUrl: metricsServer.url };
}

/** The shared quota authority and kill bus when `quota.store` is a Redis URL; undefined for `memory` (the default). */
function clusterOf(config: ServiceConfig, account: string, log: Logger, current: () => ServiceConfig): ClusterWiring | undefined {
  const store = config.quota.store;
  if (store === undefined || store === "memory") return undefined;
  // the assets of the config in force (a reload may add one)
  const assets = () => new Set(current().assets.map((a) => a.asset));
  return new ClusterWiring(
    {
      url: store,
      scope: config.quota.scope ?? "default",
      account,
      processId: `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 6)}`,
      log,
      maxLossUsd: config.defaults?.risk.maxLossUsd ?? Math.min(...config.assets.map((a) => a.risk.maxLossUsd)),
      breakerOpenBelow: config.quota.breakerPct / 100,
      reserveFraction: config.quota.reservePct / 100,
    },
    assets,
  );
}

/** The failure counters' final values: one summary line a person (or a test) can hold the log against. */
async function failureTotals(m: ServiceMetrics): Promise<Record<string, unknown>> {
  const byLabel = async (c: { get(): Promise<{ values: { labels: Record<string, string | number | undefined>; value: number }[] }> }, label: string) =>
    Object.fromEntries((await c.get()).values.map((v) => [String(v.labels[label] ?? "total"), v.value]));
  return {
    executorFailures: await byLabel(m.executorFailures, "kind"),
    quotaRefusals: await byLabel(m.quotaRefusals, "reason"),
    reconciliationFailures: (await m.reconciliationFailures.get()).values[0]?.value ?? 0,
    decodeErrors: await byLabel(m.decodeErrors, "source"),
    wsReconnects: (await m.wsReconnects.get()).values[0]?.value ?? 0,
  };
}

/**
 * Under `npm start`, npm forwards SIGINT and SIGTERM to the service but not SIGUSR2, which kills
 * npm itself. The service then finds itself orphaned: it stops cleanly (cancels everything)
 * instead of trading on unwatched. Send SIGUSR2 to the service's pid (the first log line).
 */
function watchParent(log: Logger, stop: () => void): () => void {
  if (process.env["npm_lifecycle_event"] === undefined) return () => undefined;
  const parent = process.ppid;
  const t = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(t);
    log.warn({ parent, pid: process.pid }, `the parent npm process (pid ${parent}) exited; stopping so nothing trades unwatched (signal pid ${process.pid} directly: SIGUSR2 to clear the kill switch)`);
    stop();
  }, 500);
  t.unref();
  return () => clearInterval(t);
}

/**
 * Re-compose on config edits; a bad file (or a plugin that fails to load or to build) is refused
 * and the running pipelines stay. Plugins are imported afresh only when one of their files changed.
 */
export function watchConfig(path: string, service: { reload(next: ServiceConfig, registries?: Registries): unknown }, log: Logger): FSWatcher | undefined {
  const clog = log.child({ component: "config" });
  let pending: NodeJS.Timeout | undefined;
  let fingerprint = pluginFingerprint(path);
  const apply = async () => {
    try {
      const current = pluginFingerprint(path);
      const changed = current !== fingerprint;
      const next = await loadConfigWithPlugins(path, { fresh: changed });
      service.reload(next.config, changed ? next.registries : undefined);
      fingerprint = current;
      // Every component's child logger took its level at start; a new level needs a restart.
      if (!process.env["QUOTEFLOW_LOG_LEVEL"] && next.config.observability.logLevel !== log.level)
        clog.info({ running: log.level, configured: next.config.observability.logLevel }, "observability.logLevel changes take effect at the next start");
    } catch (err) {
      const problems = err instanceof ConfigError ? err.problems : [(err as Error).message];
      clog.error({ file: path, problems }, "config change rejected; the running pipelines stay as they were");
    }
  };
  try {
    // Watch the directory, not the file: editors save by writing a new file and renaming it over
    // the old one, after which a watch on the old inode hears nothing.
    const name = basename(path);
    return watch(dirname(path), (_event, filename) => {
      if (filename !== null && filename !== name) return;
      if (pending) clearTimeout(pending);
      pending = setTimeout(() => void apply(), 200);
    });
  } catch (err) {
    clog.warn({ file: path, err }, "cannot watch the config file; edits need a restart");
    return undefined;
  }
}

export { type MarketChoice, SHIPPED_BTC_RECORDING, dataMarket, defaultMarket, djienneDir, mergeMarkets, syntheticOnly } from "./markets.js";
