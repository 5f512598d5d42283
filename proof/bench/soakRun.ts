// One timed 24 h soak in a process of its own (the soak bench's repeats: bench/soak.ts takes the
// best wall time of its runs). Started by `timedSoakInChild` with QF_BENCH_SOAK_CHILD=<hours>;
// it sends {wallS, cpuS, at3hS, ok} to its parent and exits. Not a bench: it exports no run().
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { runSoak, type SoakCheckpoint } from "../soak/harness.js";

export interface TimedSoak {
  readonly wallS: number;
  readonly cpuS: number;
  /** Wall and CPU time at the first checkpoint at or past 3 virtual hours. */
  readonly at3hS: number | undefined;
  readonly cpuAt3hS: number | undefined;
  readonly ok: boolean;
  readonly fills: number;
  readonly marketEvents: number;
}

export interface TimedSoakHooks {
  /** Called at each of the soak's checkpoints, after the 3 h mark is read. */
  readonly onCheckpoint?: (c: SoakCheckpoint) => void;
  /** Wall and CPU ms spent so far on measurements that are not the soak's (the heap figures' GCs): taken out of every time. */
  readonly excluded?: () => { readonly wallMs: number; readonly cpuMs: number };
}

const CHILD = "QF_BENCH_SOAK_CHILD";

function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/** The bench's soak (2 assets, hostile, seed 1), timed from before runSoak to after it. */
export async function timedSoak(hours: number, hooks: TimedSoakHooks = {}): Promise<TimedSoak> {
  const excluded = hooks.excluded ?? (() => ({ wallMs: 0, cpuMs: 0 }));
  const t0 = performance.now();
  const c0 = cpuMs();
  const wall = () => (performance.now() - t0 - excluded().wallMs) / 1000;
  const cpu = () => (cpuMs() - c0 - excluded().cpuMs) / 1000;
  let at3hS: number | undefined;
  let cpuAt3hS: number | undefined;
  const r = await runSoak({
    hours,
    assets: 2,
    seed: 1,
    faults: "hostile",
    onCheckpoint: (c) => {
      if (at3hS === undefined && c.virtualMs >= 3 * 3_600_000) {
        at3hS = wall();
        cpuAt3hS = cpu();
      }
      hooks.onCheckpoint?.(c);
    },
  });
  return { wallS: wall(), cpuS: cpu(), at3hS, cpuAt3hS, ok: r.ok, fills: r.fillsVenue, marketEvents: r.marketEvents };
}

/** `timedSoak` in a fresh process with this one's node flags (so no run sees another's JIT or heap). */
export function timedSoakInChild(hours: number): Promise<TimedSoak> {
  return new Promise((resolve, reject) => {
    let result: TimedSoak | undefined;
    const proc = fork(fileURLToPath(import.meta.url), [], {
      execArgv: process.execArgv,
      env: { ...process.env, [CHILD]: String(hours) },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    proc.on("message", (m: TimedSoak) => {
      result = m;
    });
    proc.on("error", reject);
    proc.on("exit", (code, signal) => {
      if (code === 0 && result !== undefined) resolve(result);
      else reject(new Error(`bench/soak: the repeat soak's process ended with ${signal ?? `exit code ${String(code)}`}${result === undefined ? " before sending its times" : ""}`));
    });
  });
}

const hoursHere = process.env[CHILD];
if (hoursHere !== undefined && process.send) {
  const hours = Number(hoursHere);
  timedSoak(hours).then(
    (t) => process.send!(t, () => process.disconnect()),
    (err: unknown) => {
      process.stderr.write(`bench/soak: repeat soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
      process.disconnect();
    },
  );
}
