// The built program under plain Node (no tsx, no vitest transform): catches ESM traps such as
// extension-less imports of packages without an exports map, which only plain Node rejects.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../sources/paths.js";

const root = packageRoot();
const cli = join(root, "dist", "app", "cli.js");

interface Spawned {
  readonly done: Promise<{ code: number | null; out: string; err: string }>;
  /** Resolves when stdout has shown `text`. */
  waitFor(text: string): Promise<void>;
  output(): string;
  signal(sig: NodeJS.Signals): void;
}

function start(args: string[], timeoutMs: number): Spawned {
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, QUOTEFLOW_PRIVATE_KEY: "" } });
  let out = "";
  let err = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.on("data", (d) => {
    out += String(d);
    for (const w of waiters.splice(0)) (out.includes(w.text) ? w.resolve : () => waiters.push(w))();
  });
  child.stderr.on("data", (d) => (err += String(d)));
  const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve({ code, out, err });
    }),
  );
  return {
    done,
    output: () => out,
    waitFor: (text) => (out.includes(text) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve }))),
    signal: (sig) => child.kill(sig),
  };
}

const run = (args: string[], timeoutMs: number) => start(args, timeoutMs).done;

/** `setsid npm start …` as a person types it; the child's pid is npm's (setsid execs when it need not fork). */
function npmStart(npmArgs: string[], args: string[], timeoutMs: number) {
  const child = spawn("setsid", ["npm", "start", ...npmArgs, "--", ...args], { cwd: root, env: { ...process.env, QUOTEFLOW_PRIVATE_KEY: "" } });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += String(d)));
  child.stderr.on("data", (d) => (err += String(d)));
  const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const closed = new Promise<void>((resolve) => child.stdout.on("close", () => resolve()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const lines = () => out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, any>);
  const waitFor = async (pred: (l: Record<string, any>) => boolean, ms: number) => {
    for (let t = 0; t < ms; t += 100) {
      const hit = lines().find(pred);
      if (hit) return hit;
      await sleep(100);
    }
    throw new Error(`timed out waiting; stdout so far:\n${out.slice(-3000)}\nstderr:\n${err.slice(-2000)}`);
  };
  return { pid: child.pid!, lines, waitFor, done, closed, stderr: () => err, stop: () => clearTimeout(killer) };
}

/** Whether `pid` still runs (a zombie waiting for its new parent to reap it has stopped). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

/** An orphan's last moments (its exit timer, its reaping) take a little while after its output ends. */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  for (let t = 0; t < ms; t += 100) {
    if (!alive(pid)) return true;
    await sleep(100);
  }
  return !alive(pid);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("built program (plain node dist/app/cli.js)", () => {
  it("builds; --help; run stops on SIGINT with nothing resting and exits 0", async () => {
    const build = spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, encoding: "utf8" });
    expect(build.status, build.stdout + build.stderr).toBe(0);
    expect(existsSync(cli)).toBe(true);

    const help = await run(["--help"], 10_000);
    expect(help.code).toBe(0);
    expect(help.out).toContain("quoteflow [run] [options]");

    // sim: the paper venue alone prints its URL and answers the protocol; SIGTERM stops it.
    const sim = start(["sim", "--synthetic", "BTC,ETH", "--seed", "2"], 30_000);
    await sim.waitFor("http://127.0.0.1:");
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(sim.output())![0];
    const meta = (await (await fetch(`${url}/info`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"type":"meta"}' })).json()) as { universe: { name: string }[] };
    expect(meta.universe.map((u) => u.name)).toEqual(expect.arrayContaining(["BTC", "ETH"]));
    sim.signal("SIGTERM");
    expect((await sim.done).code).toBe(0);

    // SIGINT: stop quoting, cancel everything, wait for the answers, flush, exit 0 (well before --duration).
    const p = start(["run", "--duration", "60", "--metrics-port", "0"], 60_000);
    await p.waitFor('"service started"');
    await sleep(6000);
    p.signal("SIGINT");
    const r = await p.done;
    expect(r.code, r.err).toBe(0);
    const events = r.out.trim().split("\n").map((l) => JSON.parse(l) as { msg: string; reason?: string; stillResting?: number });
    expect(events.find((e) => e.msg === "stopping")?.reason).toBe("SIGINT");
    expect(events.find((e) => e.msg === "shutdown complete")?.stillResting).toBe(0);
    expect(r.err).toMatch(/^\d\d:\d\d:\d\d  BTC\s+mid \d/m);

    // `--help | head`: a reader that goes away early is no crash (EPIPE).
    const piped = spawnSync("bash", ["-c", `set -o pipefail; "${process.execPath}" "${cli}" --help | true`], { cwd: root, encoding: "utf8" });
    expect(piped.status, piped.stderr).toBe(0);
    expect(piped.stderr).not.toContain("EPIPE");
  }, 120_000);

  it("`setsid npm start -- --duration 60`, then SIGTERM to npm's pid: the service (npm's direct child) stops cleanly, nothing rests, no orphan; `npm start -- --help` lists the run options", async () => {
    const help = spawnSync("npm", ["start", "--silent", "--ignore-scripts", "--", "--help"], { cwd: root, encoding: "utf8" });
    expect(help.status).toBe(0);
    for (const text of ["--duration <s>", "--metrics-port <n>", "SIGUSR2", "Exit codes:"]) expect(help.stdout).toContain(text);

    // With the prestart build, as the README says to run it.
    const npm = npmStart([], ["--duration", "60", "--metrics-port", "0", "--no-status"], 150_000);
    try {
      const first = await npm.waitFor(() => true, 90_000);
      expect(first.msg).toMatch(/^quoteflow \S+ starting/);
      const servicePid = first.pid as number;
      expect(first.ppid).toBe(npm.pid);
      await npm.waitFor((l) => l.msg === "service started", 30_000);
      const url = (await npm.waitFor((l) => l.msg === "metrics served", 1000)).healthz as string;
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await fetch(url)).status;
        if (status !== 200) await sleep(200);
      }
      expect(status).toBe(200);
      process.kill(npm.pid, "SIGTERM");
      await npm.done;
      await npm.closed;
      const lines = npm.lines();
      expect(lines.find((l) => l.msg === "stopping")?.reason).toBe("SIGTERM");
      expect(lines.find((l) => l.msg === "shutdown complete")?.stillResting).toBe(0);
      expect(lines.some((l) => l.msg === "bye")).toBe(true);
      expect(await goneWithin(servicePid, 3000)).toBe(true);
    } finally {
      npm.stop();
    }
  }, 180_000);

  it("SIGUSR2 to the service's pid clears a tripped kill switch (/healthz 503 → cleared); SIGUSR2 to npm's pid kills npm, and the orphaned service stops cleanly instead of trading on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "qf-usr2-"));
    try {
      // One fill trips MaxPosition at once: a $20 level against a $1 limit.
      const cfg = join(dir, "trip.yaml");
      writeFileSync(cfg, `assets: { BTC: null, ETH: null }\ndefaults: { risk: { maxPositionUsd: 1 }, quoter: { halfSpreadBps: 0.5, spacingBps: 1 } }\nobservability: { journalDir: ${join(dir, "analytics")} }\n`);
      const npm = npmStart(["--ignore-scripts"], ["--duration", "60", "--metrics-port", "0", "--no-status", "--config", cfg], 120_000);
      try {
        const first = await npm.waitFor(() => true, 30_000);
        const servicePid = first.pid as number;
        const url = (await npm.waitFor((l) => l.msg === "metrics served", 30_000)).healthz as string;
        await npm.waitFor((l) => l.msg.startsWith("kill switch tripped"), 40_000);
        const tripped = await fetch(url);
        expect(tripped.status).toBe(503);
        expect(await tripped.text()).toContain("kill switch tripped (MaxPosition)");
        process.kill(servicePid, "SIGUSR2");
        await npm.waitFor((l) => l.msg.startsWith("kill switch cleared"), 5000);
        expect(alive(servicePid)).toBe(true);

        process.kill(npm.pid, "SIGUSR2");
        expect((await npm.done).signal).toBe("SIGUSR2");
        await npm.closed;
        const lines = npm.lines();
        expect(lines.some((l) => l.msg.startsWith("the parent npm process"))).toBe(true);
        expect(lines.find((l) => l.msg === "stopping")?.reason).toBe("parent exited");
        expect(lines.find((l) => l.msg === "shutdown complete")?.stillResting).toBe(0);
        expect(await goneWithin(servicePid, 3000)).toBe(true);
      } finally {
        npm.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
