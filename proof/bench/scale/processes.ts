// The two child processes of the scale benchmark, each started the way a user starts it (the
// app's own CLI, from the same build as the bench: tsc's output under `npm run bench`, the
// source under tsx in a test; the run needs nothing but this repository): the paper venue
// (`quoteflow sim --synthetic <names>`) and the service as a live client against it (`quoteflow
// run --venue hyperliquid --api-url <sim>`). Each is stopped by its PID (SIGTERM, then SIGKILL
// after a grace period), and every child still alive when the benchmark's process exits is killed.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { childEntry } from "../../entry.js";

const CLI = childEntry(import.meta.url, "../../../app/cli.ts");
const alive = new Set<ChildProcess>();
let exitHook = false;

function track(child: ChildProcess): void {
  alive.add(child);
  child.once("exit", () => alive.delete(child));
  if (!exitHook) {
    exitHook = true;
    process.once("exit", () => {
      for (const c of alive) c.kill("SIGKILL");
    });
  }
}

export interface Child {
  readonly pid: number;
  /** The last lines it wrote (stdout and stderr), for an error message. */
  tail(): string;
  /** Lines at pino level ≥ 40 (warn, error, fatal) seen so far. */
  warnings(): number;
  /** Those lines counted by their message (`msg`, with the executor's `failure` or `code` when present). */
  warningKinds(): ReadonlyMap<string, number>;
  /** SIGTERM, wait up to `graceMs` for the exit, then SIGKILL. Resolves with the exit code (null if killed). */
  stop(graceMs?: number): Promise<number | null>;
}

function start(args: readonly string[], env: NodeJS.ProcessEnv, onLine: (line: string) => void): Child {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  // the account is the key's own (a QUOTEFLOW_ACCOUNT from the caller's shell would misdirect it)
  delete merged["QUOTEFLOW_ACCOUNT"];
  // QF_SCALE_CPU_PROF=<dir>: the client writes a V8 CPU profile there when it exits (PROFILE.md)
  const prof = args[0] === "run" && process.env["QF_SCALE_CPU_PROF"] ? ["--cpu-prof", "--cpu-prof-dir", process.env["QF_SCALE_CPU_PROF"]] : [];
  const child = spawn(process.execPath, [...prof, ...CLI, ...args], { env: merged, stdio: ["ignore", "pipe", "pipe"] });
  track(child);
  const last: string[] = [];
  let warnings = 0;
  const kinds = new Map<string, number>();
  let exited = false;
  let code: number | null = null;
  const exit = new Promise<number | null>((resolve) =>
    child.once("exit", (c) => {
      exited = true;
      code = c;
      resolve(c);
    }),
  );
  const read = (stream: NodeJS.ReadableStream | null) => {
    let buf = "";
    stream?.on("data", (b: Buffer) => {
      buf += b.toString();
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (/^\{"level":(4|5|6)\d/.test(line)) {
          warnings++;
          const msg = /"msg":"([^"]{0,80})/.exec(line)?.[1] ?? "?";
          const code = /"(?:code|failure|status)":"([^"]{0,40})"/.exec(line)?.[1];
          const k = code ? `${msg} (${code})` : msg;
          kinds.set(k, (kinds.get(k) ?? 0) + 1);
        }
        last.push(line.length > 400 ? line.slice(0, 400) + "…" : line);
        if (last.length > 20) last.shift();
        onLine(line);
      }
    });
  };
  read(child.stdout);
  read(child.stderr);
  if (child.pid === undefined) throw new Error(`could not start ${args[0] ?? "child"}`);
  const pid = child.pid;
  return {
    pid,
    tail: () => last.join("\n"),
    warnings: () => warnings,
    warningKinds: () => kinds,
    stop: async (graceMs = 15_000) => {
      if (exited) return code;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const c = await exit;
      clearTimeout(timer);
      return c;
    },
  };
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux); undefined elsewhere.
 * Clock ticks are taken as 100/s (USER_HZ on every mainstream Linux build).
 */
export function processCpuSeconds(pid: number): number | undefined {
  const path = `/proc/${pid}/stat`;
  if (!existsSync(path)) return undefined;
  // fields after the parenthesised command name: state is field 3, utime 14, stime 15
  const rest = readFileSync(path, "utf8").split(") ").pop()?.split(" ") ?? [];
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / 100 : undefined;
}

/** Wait until `probe` has seen what it waits for, or fail after `ms` with the child's last lines. */
function waitFor<T>(child: Child, found: { value?: T }, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = setInterval(() => {
      if (found.value !== undefined) {
        clearInterval(tick);
        resolve(found.value);
      } else if (Date.now() - started > ms) {
        clearInterval(tick);
        reject(new Error(`${what} not seen within ${ms} ms; last output:\n${child.tail()}`));
      }
    }, 50);
  });
}

/** `quoteflow sim --synthetic <names> --faults none --port 0`; resolves once it printed its URL. */
export async function startSimChild(names: readonly string[], seed: number): Promise<{ child: Child; url: string }> {
  const found: { value?: string } = {};
  const child = start(["sim", "--synthetic", names.join(","), "--faults", "none", "--seed", String(seed), "--port", "0", "--host", "127.0.0.1"], {}, (line) => {
    const m = /^(http:\/\/127\.0\.0\.1:\d+)$/.exec(line.trim());
    if (m?.[1] && found.value === undefined) found.value = m[1];
  });
  try {
    return { child, url: await waitFor(child, found, 60_000, "the paper venue's URL") };
  } catch (err) {
    await child.stop(2_000);
    throw err;
  }
}

/** `quoteflow run --venue hyperliquid --api-url <url> --config <file> --metrics-port 0`; resolves with its /metrics URL once the service started. */
export async function startClientChild(url: string, configPath: string, privateKey: string, logPath?: string): Promise<{ child: Child; metricsUrl: string }> {
  const found: { value?: string } = {};
  const log = logPath !== undefined ? createWriteStream(logPath) : undefined;
  let metricsUrl: string | undefined;
  const child = start(
    ["run", "--venue", "hyperliquid", "--api-url", url, "--config", configPath, "--metrics-port", "0", "--no-status"],
    // the key reaches the child through its environment only (never argv, never a log)
    { QUOTEFLOW_PRIVATE_KEY: privateKey },
    (line) => {
      log?.write(line + "\n");
      if (metricsUrl === undefined && line.includes('"msg":"metrics served"')) metricsUrl = /"url":"([^"]+)"/.exec(line)?.[1];
      if (metricsUrl !== undefined && found.value === undefined && line.includes('"msg":"service started"')) found.value = metricsUrl;
    },
  );
  try {
    return { child, metricsUrl: await waitFor(child, found, 120_000, "the service's start") };
  } catch (err) {
    await child.stop(2_000);
    throw err;
  }
}
