// Child processes the plugin specs start (the CLI under tsx, the way `npm run sim` / `npm start`
// run it): output captured, a waiter for text, and a kill by PID on timeout.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { packageRoot } from "../../sources/paths.js";

export interface Child {
  readonly proc: ChildProcess;
  readonly done: Promise<{ code: number | null; out: string; err: string }>;
  out(): string;
  err(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

export function startCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}): Child {
  const root = packageRoot();
  const proc = spawn(join(root, "node_modules", ".bin", "tsx"), [join(root, "app", "cli.ts"), ...args], {
    cwd: options.cwd ?? root,
    env: { ...process.env, QUOTEFLOW_PRIVATE_KEY: "", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  proc.stdout!.on("data", (d) => (out += String(d)));
  proc.stderr!.on("data", (d) => (err += String(d)));
  const killer = setTimeout(() => proc.kill("SIGKILL"), options.timeoutMs ?? 90_000);
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    proc.on("close", (code) => {
      clearTimeout(killer);
      resolve({ code, out, err });
    }),
  );
  return {
    proc,
    done,
    out: () => out,
    err: () => err,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const t0 = Date.now();
        const check = () => {
          const m = pattern.exec(out);
          if (m) return resolve(m);
          if (proc.exitCode !== null) return reject(new Error(`exited ${proc.exitCode} before ${pattern}: ${out.slice(-2000)} ${err.slice(-2000)}`));
          if (Date.now() - t0 > timeoutMs) return reject(new Error(`timeout waiting for ${pattern}: ${out.slice(-2000)} ${err.slice(-2000)}`));
          setTimeout(check, 100);
        };
        check();
      }),
  };
}

export async function info<T>(url: string, body: unknown): Promise<T> {
  const r = await fetch(`${url}/info`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`/info ${JSON.stringify(body)}: HTTP ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
