// The service on the real clock, for the latency and CPU benchmarks: against the paper venue
// server in a child process over loopback (the live client: HyperliquidVenue, WS + HTTP,
// signing), or against the in-process PaperVenue (no transport, no signing). Tick-to-action is
// measured by cause (proof/bench/tickCause.ts): from the moment a book frame (or in-process book
// event) arrives to the moment the request carrying an order it caused leaves (the signed WS post
// written to the socket, or the in-process submit), on its call stack or a later one.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { childEntry } from "../entry.js";
import { Observable, asyncScheduler, defer } from "rxjs";
import { Wallet } from "ethers";
import { PaperVenue, SimRng } from "../../sim/index.js";
import { HyperliquidVenue, wsSocketFactory, type HlSocketFactory } from "../../sources/hyperliquid/index.js";
import type { Venue } from "../../streams/venue.js";
import { defaultConfigPath, loadConfigFile } from "../../app/config.js";
import { silentLogger } from "../../app/logger.js";
import { createMetrics } from "../../app/metrics.js";
import { catalogOf, operatorRegistry } from "../../app/registry.js";
import { QuoteflowService } from "../../app/service.js";
import { soakConfig } from "./harness.js";
import { soakAssets, type SoakAssetSpec } from "./markets.js";
import { syntheticMarket, type SimMarket } from "../../sim/index.js";
import { TickCause, type StackedSample } from "../bench/tickCause.js";

/** A made-up key for the paper account (never a real one; the paper venue is on loopback). */
export const PAPER_BENCH_KEY = "0x" + "5a".repeat(32);

/** The bench market: synthetic assets at Hyperliquid's fast l2Book cadence (~0.5 s) with lively prices. */
export function benchMarket(assets: readonly SoakAssetSpec[], seed: number): SimMarket {
  return syntheticMarket({
    assets: assets.map((a) => ({ name: a.name, startPx: a.startPx, szDecimals: a.szDecimals, volBpsPerSqrtSec: 8 })),
    seed,
    bookIntervalMs: 500,
    uninformedPerSec: 2,
  });
}

export interface ChildServer {
  readonly url: string;
  stop(): void;
}

/** Whether util-linux `taskset` can run here (to give the paper server child a CPU of its own). */
export function canPin(): boolean {
  try {
    return spawnSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" }).status === 0;
  } catch {
    return false;
  }
}

/**
 * Start the paper venue server (hostile-free, fast cadence) in a child process; resolves with its
 * URL. `nice` (0–19) starts it, all its threads, through coreutils' `nice`: the venue stand-in then
 * yields the CPU to the client when both want it, as a remote venue's CPU would not compete at all.
 * `cpu` confines it (all its threads) to that CPU through util-linux `taskset` (when `canPin()`):
 * on a 2-vCPU machine the client then has the other CPU to itself (PROFILE.md §17).
 */
export function startChildPaperServer(nAssets: number, seed: number, nice = 0, cpu?: number): Promise<ChildServer> {
  const argv = childEntry(import.meta.url, "./paperServerChild.ts");
  const niced: [string, string[]] = nice > 0 ? ["nice", ["-n", String(nice), process.execPath, ...argv]] : [process.execPath, argv];
  const [cmd, args] = cpu !== undefined ? ["taskset", ["-c", String(cpu), niced[0], ...niced[1]]] : niced;
  const child: ChildProcess = spawn(cmd, args, {
    env: { ...process.env, QF_CHILD_ASSETS: String(nAssets), QF_CHILD_SEED: String(seed), QF_CHILD_USER: new Wallet(PAPER_BENCH_KEY).address },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) {
        child.stdout?.off("data", onData);
        resolve({ url: `http://127.0.0.1:${m[1]}`, stop: () => child.kill("SIGTERM") });
      }
    };
    child.stdout?.on("data", onData);
    child.once("error", (err) => reject(new Error(`paper server child: ${cmd} could not start (${err.message})`)));
    child.once("exit", (code) => reject(new Error(`paper server child exited (${code}) before listening`)));
  });
}

export interface LiveRun {
  readonly service: QuoteflowService;
  /** Tick-to-action samples (ms). */
  readonly samples: number[];
  /** Of them, the requests that left after the book's call stack (held by the coalescer or the throttle). */
  readonly later: number[];
  /** …and those that left on the book's own call stack. */
  readonly stacked: number[];
  /** …the same, with each one's start and whether the process was preempted during it. */
  readonly stackedSpans: readonly StackedSample[];
  /** Action requests sent; how many carried an order a book caused (the timed ones); how many of those left on the book's call stack. */
  actions(): { total: number; caused: number; onStack: number };
  /** Forget samples and counts (after a warm-up). */
  reset(): void;
  /** Frames (loopback: every WS message received) or book events (in-process) so far. */
  frames(): number;
  stop(): Promise<void>;
}

/** The process's involuntary context switches so far, all its threads (getrusage: one syscall, no file read). */
function involuntarySwitches(): number {
  return process.resourceUsage().involuntaryContextSwitches;
}

function service(venue: Venue, nAssets: number, reference?: PaperVenue): QuoteflowService {
  const names = soakAssets(nAssets).map((a) => a.name);
  const config = soakConfig(loadConfigFile(defaultConfigPath(), catalogOf(operatorRegistry)), names);
  const rng = new SimRng(1, "quota-jitter");
  return new QuoteflowService({
    venue,
    ...(reference ? { reference: (a: string) => reference.reference(a) } : {}),
    scheduler: asyncScheduler,
    config,
    log: silentLogger(),
    metrics: createMetrics({ collectDefaults: false }),
    cloidSeed: Date.now(),
    executor: { quota: { random: () => rng.next() } },
  });
}

/**
 * The service against the paper server at `url` with the live client; tick = WS frame in, action = WS post out.
 * `preemption`: flag each on-stack sample the process was preempted during (two getrusage calls per
 * book, ~20 µs each on a PTI kernel: the latency bench's attribution, not for a CPU measurement).
 */
export async function startLoopbackRun(url: string, nAssets: number, options: { readonly preemption?: boolean } = {}): Promise<LiveRun> {
  const cause = new TickCause(options.preemption ? { switches: involuntarySwitches } : {});
  let frames = 0;
  const timed: HlSocketFactory = (u, h) => {
    const s = wsSocketFactory(u, {
      open: () => h.open(),
      closed: (c, r) => h.closed(c, r),
      message: (text) => {
        frames++;
        if (text.startsWith('{"channel":"l2Book"')) cause.tick(() => h.message(text));
        else h.message(text);
      },
    });
    return {
      send: (text) => {
        if (text.includes('"type":"action"')) cause.sentText(text);
        s.send(text);
      },
      close: () => s.close(),
      terminate: () => s.terminate(),
    };
  };
  const wallet = new Wallet(PAPER_BENCH_KEY);
  const venue = new HyperliquidVenue({ baseUrl: url, wallet, userAddress: wallet.address, ws: { socketFactory: timed } });
  const svc = service(venue, nAssets);
  cause.watch(svc.sink.store);
  await svc.start();
  return {
    service: svc,
    samples: cause.samples,
    later: cause.later,
    stacked: cause.stacked,
    stackedSpans: cause.stackedSpans,
    actions: () => cause.counts(),
    reset: () => cause.reset(),
    frames: () => frames,
    stop: async () => {
      await svc.stop();
      await venue.close();
    },
  };
}

/** The service against the in-process PaperVenue on the real clock; tick = book event, action = submit. */
export async function startInProcessRun(nAssets: number, seed: number): Promise<LiveRun> {
  const cause = new TickCause();
  let frames = 0;
  const paper = new PaperVenue({ market: benchMarket(soakAssets(nAssets), seed), scheduler: asyncScheduler, seed, faults: "none" });
  const timed: Venue = {
    name: paper.name,
    meta: () => paper.meta(),
    book: (asset) =>
      new Observable((sub) =>
        paper.book(asset).subscribe({
          next: (b) => {
            frames++;
            cause.tick(() => sub.next(b));
          },
          error: (e: unknown) => sub.error(e),
          complete: () => sub.complete(),
        }),
      ),
    trades: (asset) => paper.trades(asset),
    orderUpdates$: paper.orderUpdates$,
    fills$: paper.fills$,
    connection$: paper.connection$,
    decodeErrors$: paper.decodeErrors$,
    submit: (batch) =>
      defer(() => {
        cause.sentBatch(batch);
        return paper.submit(batch);
      }),
    account: (options) => paper.account(options),
    orderStatus: (ref) => paper.orderStatus(ref),
    rateLimit: () => paper.rateLimit(),
  };
  const svc = service(timed, nAssets, paper);
  cause.watch(svc.sink.store);
  await svc.start();
  return {
    service: svc,
    samples: cause.samples,
    later: cause.later,
    stacked: cause.stacked,
    stackedSpans: cause.stackedSpans,
    actions: () => cause.counts(),
    reset: () => cause.reset(),
    frames: () => frames,
    stop: async () => {
      await svc.stop();
      paper.close();
    },
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
