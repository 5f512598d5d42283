// `quoteflow run`: the service on the paper venue (the sim server on loopback, driven through the
// real Hyperliquid client with a fresh key) or on Hyperliquid itself, until a signal or --duration.
import { watch, type FSWatcher } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { Wallet } from "ethers";
import type { Logger } from "pino";
import { asyncScheduler } from "rxjs";
import { type PaperServer, startPaperServer } from "../sim/server.js";
import { HL_MAINNET_API_URL, HL_TESTNET_API_URL, HyperliquidVenue, hlIsMainnet } from "../sources/hyperliquid/venue.js";
import type { RunArgs } from "./args.js";
import { ConfigError, type ServiceConfig, defaultConfigPath } from "./config.js";
import { type Registries, loadConfigWithPlugins, pluginFingerprint } from "./plugins.js";
import { fileStamp } from "../analytics/journal.js";
import { loadAgentKey } from "./keys.js";
import { registerSecret } from "./logger.js";
import { defaultMarket } from "./markets.js";
import { createMetrics, serveMetrics } from "./metrics.js";
import { packageRoot } from "./paths.js";
import { QuoteflowService } from "./service.js";
import { handleShutdownSignals } from "./shutdown.js";
import { formatStatusLine } from "./status.js";

export class RefusedError extends Error {
  override readonly name = "RefusedError";
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
  /** Called once the service runs (tests read the metrics URL). */
  readonly onStarted?: (info: { metricsUrl: string; paperUrl: string | undefined; service: QuoteflowService }) => void;
}

export async function runService(args: RunArgs, io: RunIo): Promise<RunResult> {
  const log = io.log;
  const configPath = resolve(args.config ?? defaultConfigPath());
  // The config and the plugins it names (app/plugins.ts): any problem is a ConfigError (exit 2).
  const loaded = await loadConfigWithPlugins(configPath);
  const config: ServiceConfig = loaded.config;

  let paper: PaperServer | undefined;
  let venue: HyperliquidVenue;
  if (args.venue === "paper") {
    const market = defaultMarket({ seed: args.seed, loop: true });
    paper = await startPaperServer({ market: market.market, seed: args.seed, faults: args.faults as "none" | "realistic" | "hostile", port: 0, host: "127.0.0.1" });
    // A fresh key each run: the paper venue creates the account on first sight of its signature.
    const wallet = io.paperKey !== undefined ? new Wallet(io.paperKey) : Wallet.createRandom();
    registerSecret(wallet.privateKey);
    venue = new HyperliquidVenue({ baseUrl: paper.url, wallet: wallet.privateKey, userAddress: wallet.address, name: "paper" });
    log.info({ paper: paper.url, market: market.description, faults: args.faults, seed: args.seed, account: wallet.address }, "paper venue listening on loopback");
  } else {
    const baseUrl = args.apiUrl ?? (args.network === "mainnet" ? HL_MAINNET_API_URL : HL_TESTNET_API_URL);
    const mainnet = hlIsMainnet(baseUrl);
    if (mainnet && !args.iUnderstandMainnet) throw new RefusedError("refusing mainnet without --i-understand-mainnet (real money: start on testnet)");
    const key = loadAgentKey(args.keyFile !== undefined ? { keyFile: args.keyFile } : {});
    const wallet = new Wallet(key.privateKey);
    const account = process.env["QUOTEFLOW_ACCOUNT"] ?? wallet.address;
    const network = mainnet ? "mainnet" : args.apiUrl ? baseUrl : "testnet";
    venue = new HyperliquidVenue({ baseUrl, wallet, userAddress: account, name: `hyperliquid-${mainnet ? "mainnet" : args.apiUrl ? "custom" : "testnet"}` });
    log.info({ network, account, signer: wallet.address, keySource: key.source }, "live venue");
  }

  const metrics = createMetrics();
  const metricsServer = await serveMetrics(metrics.registry, args.metricsPort);
  log.info({ url: metricsServer.url }, "metrics served");
  const service = new QuoteflowService({
    venue,
    scheduler: asyncScheduler,
    config,
    registries: loaded.registries,
    log,
    metrics,
    journal: { dir: resolve(packageRoot(), config.observability.journalDir), stamp: `${args.venue}-${fileStamp(new Date())}` },
    cloidSeed: BigInt(Date.now()) ^ BigInt(Math.floor(Math.random() * 2 ** 31)),
  });

  const shutdown = handleShutdownSignals(log);
  if (io.handleSignals === false) shutdown.dispose();
  const timers: NodeJS.Timeout[] = [];
  const cleanups: (() => void)[] = [];
  let watcher: FSWatcher | undefined;
  try {
    await service.start();
    io.onStarted?.({ metricsUrl: metricsServer.url, paperUrl: paper?.url, service });
    if (args.durationSec !== undefined) timers.push(setTimeout(() => shutdown.request("duration"), args.durationSec * 1000));
    const every = config.observability.statusIntervalMs;
    if (args.status && every > 0) {
      const out = io.statusOut ?? process.stderr;
      timers.push(setInterval(() => out.write(service.status().map(formatStatusLine).join("\n") + "\n"), every));
    }
    watcher = watchConfig(configPath, service, log);
    // The kill switch is cleared only by an explicit action: SIGUSR2 (`kill -USR2 <pid>`).
    const clearKill = () => log.warn({ cleared: service.sink.clearKillSwitch() }, "kill switch clear requested (SIGUSR2)");
    process.on("SIGUSR2", clearKill);
    cleanups.push(() => process.off("SIGUSR2", clearKill));
    const reason = await shutdown.requested;
    log.info({ reason }, "stopping");
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const c of cleanups) c();
    watcher?.close();
    await service.stop().catch((err: unknown) => log.error({ err }, "shutdown failed"));
    if (args.status) (io.statusOut ?? process.stderr).write(service.status().map(formatStatusLine).join("\n") + "\n");
    await venue.close().catch(() => undefined);
    await paper?.close();
    await metricsServer.close();
    shutdown.dispose();
  }
  const fills = service.status().reduce((s, a) => s + a.fills, 0);
  return { fills, journalPath: service.journal?.path, metricsUrl: metricsServer.url };
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
