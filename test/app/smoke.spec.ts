// The built program under plain Node (no tsx, no vitest transform): catches ESM traps such as
// extension-less imports of packages without an exports map, which only plain Node rejects.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../app/paths.js";

const root = packageRoot();
const cli = join(root, "dist", "app", "cli.js");

function run(args: string[], timeoutMs: number): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, QUOTEFLOW_PRIVATE_KEY: "" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += String(d)));
    child.stderr.on("data", (d) => (err += String(d)));
    const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve({ code, out, err });
    });
  });
}

describe("built program (plain node dist/app/cli.js)", () => {
  it("builds, then `run --duration` starts on the paper venue, quotes and exits 0", async () => {
    const build = spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, encoding: "utf8" });
    expect(build.status, build.stdout + build.stderr).toBe(0);
    expect(existsSync(cli)).toBe(true);

    const help = await run(["--help"], 10_000);
    expect(help.code).toBe(0);
    expect(help.out).toContain("quoteflow [run] [options]");

    const r = await run(["run", "--duration", "7", "--metrics-port", "0"], 40_000);
    expect(r.code, r.err).toBe(0);
    const events = r.out.trim().split("\n").map((l) => JSON.parse(l) as { msg: string; stillResting?: number });
    expect(events.some((e) => e.msg === "service started")).toBe(true);
    expect(events.find((e) => e.msg === "shutdown complete")?.stillResting).toBe(0);
    expect(r.err).toMatch(/^BTC\s+mid \d/m);
  }, 90_000);
});
