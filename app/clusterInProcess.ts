// n quoteflow services on one account, in this process, each a live client of one paper venue
// server on loopback with its own agent key and its own Redis connections — what `npm run
// cluster` runs as separate processes, here where a spec or the cluster soak can read their state.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { parse, stringify } from "yaml";
import type { RunArgs } from "./args.js";
import { approveClusterAgents, tallyVenue, type VenueTally } from "./clusterSetup.js";
import { defaultConfigPath } from "./config.js";
import { createRootLogger } from "./logger.js";
import { runService, syntheticOnly } from "./run.js";
import type { QuoteflowService } from "./service.js";
import { type PaperServer, startPaperServer } from "../sim/server.js";
import type { SimFaultProfileName } from "../sim/index.js";

export interface InProcessCluster {
  readonly paper: PaperServer;
  readonly tally: VenueTally;
  readonly account: string;
  readonly services: QuoteflowService[];
  readonly groups: readonly (readonly string[])[];
  /** Every run's promise (they end after `durationSec`). */
  readonly done: Promise<unknown>;
  logs(i: number): string;
  cleanup(): Promise<void>;
}

export async function startInProcessCluster(options: { readonly redisUrl: string; readonly processes: number; readonly assetsPerProcess: number; readonly durationSec: number; readonly scope?: string; readonly faults?: SimFaultProfileName; readonly seed?: number }): Promise<InProcessCluster> {
  const dir = mkdtempSync(join(tmpdir(), "qf-cluster-"));
  const names = Array.from({ length: options.processes * options.assetsPerProcess }, (_, i) => `S${String(i + 1).padStart(2, "0")}`);
  const seed = options.seed ?? 7;
  const paper = await startPaperServer({ market: syntheticOnly(names, seed).market, seed, faults: options.faults ?? "none", port: 0 });
  const tally = tallyVenue(paper);
  const acct = await approveClusterAgents(paper.url, options.processes);
  const groups = Array.from({ length: options.processes }, (_, p) => names.slice(p * options.assetsPerProcess, (p + 1) * options.assetsPerProcess));
  const base = parse(readFileSync(defaultConfigPath(), "utf8")) as Record<string, any>;
  const services: QuoteflowService[] = [];
  const chunks: string[][] = [];
  const previous = process.env["QUOTEFLOW_ACCOUNT"];
  process.env["QUOTEFLOW_ACCOUNT"] = acct.master.address;
  const started: Promise<void>[] = [];
  const runs: Promise<unknown>[] = [];
  for (let p = 0; p < options.processes; p++) {
    const keyFile = join(dir, `agent-${p}.key`);
    writeFileSync(keyFile, acct.agents[p]!.privateKey + "\n");
    chmodSync(keyFile, 0o600);
    const cfg = { ...base, assets: Object.fromEntries(groups[p]!.map((a) => [a, null])), quota: { ...base["quota"], store: options.redisUrl, scope: options.scope ?? "loopback" }, observability: { ...base["observability"], journalDir: join(dir, `journal-${p}`), statusIntervalMs: 0 } };
    const configPath = join(dir, `process-${p}.yaml`);
    writeFileSync(configPath, stringify(cfg));
    const out: string[] = [];
    chunks.push(out);
    const log = createRootLogger({ destination: new Writable({ write: (c, _e, cb) => (out.push(String(c)), cb()) }), pretty: false, level: "info" });
    const args: RunArgs = { command: "run", venue: "hyperliquid", network: "testnet", durationSec: options.durationSec, metricsPort: 0, config: configPath, keyFile, apiUrl: paper.url, iUnderstandMainnet: false, seed: 1, faults: "none", status: false, help: false };
    started.push(
      new Promise<void>((ok) => {
        runs.push(runService(args, { log, handleSignals: false, onStarted: ({ service }) => (services[p] = service, ok()) }));
      }),
    );
  }
  await Promise.all(started);
  if (previous === undefined) delete process.env["QUOTEFLOW_ACCOUNT"];
  else process.env["QUOTEFLOW_ACCOUNT"] = previous;
  const done = Promise.allSettled(runs);
  return {
    paper,
    tally,
    account: acct.master.address,
    services,
    groups,
    done,
    logs: (i) => chunks[i]!.join(""),
    async cleanup() {
      await done;
      await paper.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
