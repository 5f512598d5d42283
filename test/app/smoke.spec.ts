// The built program under plain Node (no tsx, no vitest transform): catches ESM traps such as
// extension-less imports of packages without an exports map, which only plain Node rejects.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
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
    expect(r.err).toMatch(/^BTC\s+mid \d/m);

  }, 120_000);
});
