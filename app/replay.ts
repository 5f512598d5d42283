// `quoteflow replay`: the whole service and the in-process paper venue on one
// VirtualTimeScheduler over a recording, as fast as the CPU allows, then a summary table and a
// self-contained HTML report.
import { relative, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import type { VirtualTimeScheduler } from "rxjs";
import { PaperVenue } from "../sim/paperVenue.js";
import { SimRng } from "../sim/prng.js";
import { simReplayScheduler } from "../sim/replayScheduler.js";
import { simEventTime } from "../sim/market.js";
import type { SimFaultSpec } from "../sim/faults.js";
import { type ServiceConfig, defaultConfigPath } from "./config.js";
import { builtinRegistries, loadConfigWithPlugins } from "./plugins.js";
import { fileStamp, journalHorizons } from "../analytics/journal.js";
import { reportJournal } from "../analytics/cli.js";
import { type MarketChoice, dataMarket, defaultMarket } from "./markets.js";
import { packageRoot } from "../sources/paths.js";
import { createMetrics } from "./metrics.js";
import type { OperatorRegistry } from "./registry.js";
import { type ReportData, summaryTable } from "../analytics/report.js";
import { QuoteflowService } from "./service.js";

export interface ReplayOptions {
  readonly data?: string | undefined;
  readonly configPath?: string | undefined;
  readonly outDir: string;
  readonly seed: number;
  readonly faults: SimFaultSpec;
  readonly minutes?: number | undefined;
  readonly log: Logger;
  /** Where progress goes (a bar when it is a TTY); undefined: none. */
  readonly progress?: NodeJS.WriteStream | undefined;
  readonly registry?: OperatorRegistry;
  /** Journal directory (default from the config, relative to the working directory). */
  readonly journalDir?: string;
  /** Wall-clock stamp for file names (the CLI passes now). */
  readonly stamp: string;
}

export interface ReplayResult {
  readonly reportPath: string;
  readonly summary: string;
  /** The tearsheet, built from the run's journal by the same code as `quoteflow report`. */
  readonly data: ReportData & {
    readonly journalPath: string | undefined;
    readonly wallMs: number;
    readonly events: number;
    /** The service's own in-memory totals per asset (what the journal is cross-checked against). */
    readonly service: ReturnType<QuoteflowService["totals"]>;
  };
}

const STEP_MS = 10_000;

function bar(done: number, total: number, width = 30): string {
  const f = Math.max(0, Math.min(1, total > 0 ? done / total : 1));
  const n = Math.round(f * width);
  return `[${"=".repeat(Math.max(0, n - 1))}${n > 0 ? ">" : ""}${" ".repeat(width - n)}] ${(f * 100).toFixed(0).padStart(3)}%`;
}

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/**
 * Run virtual time: for each target time of `steps`, advance `scheduler` to it (running every
 * action due), call `each(t)`, and yield to the event loop (I/O, a progress line, a signal) before
 * the next; `each` returning true ends the run. The one virtual-time pump of replay, the soak and
 * the benchmarks built on them.
 */
export async function pumpVirtualTime(scheduler: VirtualTimeScheduler, steps: Iterable<number>, each?: (t: number) => boolean | void): Promise<void> {
  for (const t of steps) {
    scheduler.maxFrames = t;
    scheduler.flush();
    const done = each?.(t) === true;
    await yieldToLoop();
    if (done) return;
  }
}

/** Times from `from` (inclusive) to `to` (exclusive) every `stepMs`. */
export function* virtualSteps(from: number, to: number, stepMs: number): Generator<number> {
  for (let t = from; t < to; t += stepMs) yield t;
}

/**
 * Stop a service that runs on virtual time: `stopping` settles only as its scheduler advances, so
 * keep advancing `stepMs` at a time (yielding between steps) until it does, at most `maxSteps` times.
 */
export async function stopOnVirtualTime(scheduler: VirtualTimeScheduler, stopping: Promise<void>, maxSteps: number, stepMs = 100): Promise<void> {
  let stopped = false;
  const done = stopping.then(() => {
    stopped = true;
  });
  for (let i = 0; i < maxSteps && !stopped; i++) {
    await yieldToLoop();
    scheduler.maxFrames = scheduler.now() + stepMs;
    scheduler.flush();
  }
  await done;
}

/** Run the replay; resolves when the report is written. */
export async function runReplay(o: ReplayOptions): Promise<ReplayResult> {
  const wall0 = performance.now();
  const loaded = await loadConfigWithPlugins(o.configPath ?? defaultConfigPath(), o.registry ? { base: { ...builtinRegistries, operators: o.registry } } : {});
  const fileConfig = loaded.config;
  const choice: MarketChoice = o.data
    ? dataMarket(o.data, { seed: o.seed, ...(o.minutes !== undefined ? { minutes: o.minutes } : {}) })
    : defaultMarket({ seed: o.seed, loop: false, ...(o.minutes !== undefined ? { minutes: o.minutes } : {}) });
  const notes: string[] = [];
  const assets = fileConfig.assets.filter((a) => choice.assets.includes(a.asset));
  for (const a of fileConfig.assets) if (!choice.assets.includes(a.asset)) notes.push(`${a.asset} is in the config but not in the recording: not quoted`);
  if (assets.length === 0) throw new Error(`replay: none of the config's assets (${fileConfig.assets.map((a) => a.asset).join(", ")}) is in ${choice.description}`);
  const config: ServiceConfig = { ...fileConfig, assets };
  if (!o.data) notes.push("ETH is a synthetic market (no licensed ETH recording is shipped); BTC trades are inferred from book changes by the paper venue");

  const peek = choice.market.open(0).next();
  if (peek.done) throw new Error(`replay: ${choice.description} has no events`);
  const start = simEventTime(peek.value);
  const span = choice.spanMs ?? 0;
  const scheduler: VirtualTimeScheduler = simReplayScheduler(start);
  const venue = new PaperVenue({ market: choice.market, scheduler, seed: o.seed, faults: o.faults });
  const rng = new SimRng(o.seed, "quota-jitter");
  const metrics = createMetrics({ collectDefaults: false });
  // Against the working directory, like `run` (an installed bin must not write into node_modules).
  const journalDir = o.journalDir ?? resolve(config.observability.journalDir);
  const service = new QuoteflowService({
    venue,
    reference: (a) => venue.reference(a),
    scheduler,
    config,
    registries: loaded.registries,
    log: o.log,
    metrics,
    journal: { dir: journalDir, stamp: `replay-${o.stamp}`, run: { mode: "replay", seed: o.seed, faults: typeof o.faults === "string" ? o.faults : JSON.stringify(o.faults), recording: o.data ? relative(packageRoot(), resolve(o.data)).split("\\").join("/") : choice.description, notes } },
    cloidSeed: o.seed,
    executor: { quota: { random: () => rng.next() } },
    sampleMs: 10_000,
  });
  o.log.info({ recording: choice.description, minutes: (span / 60_000).toFixed(1), faults: o.faults, seed: o.seed }, "replay starting");
  await service.start();

  const end = start + span;
  const tty = o.progress?.isTTY === true;
  let lastLine = 0;
  await pumpVirtualTime(scheduler, virtualSteps(start, end + STEP_MS, STEP_MS), (t) => {
    if (o.progress && tty) o.progress.write(`\r${bar(t - start, span)}  ${((t - start) / 60_000).toFixed(1)}/${(span / 60_000).toFixed(1)} min  ${service.events} events  ${service.status().reduce((s, a) => s + a.fills, 0)} fills`);
    else if (o.progress && performance.now() - lastLine > 5000) {
      lastLine = performance.now();
      o.progress.write(`replay ${(((t - start) / Math.max(span, 1)) * 100).toFixed(0)}%\n`);
    }
    return venue.exchange.marketEnded;
  });
  // The market is over: what follows (waiting for markouts, shutdown) is not trading time.
  const marketEnd = scheduler.now();
  service.journal?.marketEnded();
  // Let markouts of the last fills complete (their horizons), then stop: cancel everything.
  const markoutWait = Math.max(...journalHorizons(config.assets.flatMap((a) => a.markouts.horizonsMs))) + 1000;
  scheduler.maxFrames = scheduler.now() + markoutWait;
  scheduler.flush();
  await stopOnVirtualTime(scheduler, service.stop(), 600);
  venue.close();
  if (o.progress && tty) o.progress.write(`\r${bar(1, 1)}  done${" ".repeat(40)}\n`);

  const leftResting = venue.truth().openOrders.length;
  // The report is the journal's tearsheet: the same code and figures as `quoteflow report <journal>`.
  const journalPath = service.journal?.path;
  if (!journalPath) throw new Error("replay: the service kept no journal");
  const after = leftResting > 0 ? [`${leftResting} order(s) still resting at the venue after shutdown`] : [];
  const out = reportJournal(journalPath, o.outDir, { notes: after, reportName: `replay-${o.stamp}.html` });
  const data = { ...out.tearsheet, journalPath, wallMs: performance.now() - wall0, events: service.events, service: service.totals() };
  const reportPath = out.reportPath!;
  const summary = `${summaryTable(out.tearsheet)}\n${((marketEnd - start) / 60_000).toFixed(1)} min of market in ${(data.wallMs / 1000).toFixed(1)} s wall, ${data.events} events`;
  return { reportPath, summary, data };
}

export { fileStamp };
