// Must show (issue 13): `npm pack`, then an install of the tarball into an empty project:
// `quoteflow/testing` and `quoteflow/operators` work under plain Node, and the README's Plugins
// section runs there verbatim (the plugin, the config, the `node --test` file, `paper.mjs`).
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../sources/paths.js";
import { pluginSectionBlocks } from "./readmeBlocks.js";

const root = packageRoot();
const work = mkdtempSync(join(tmpdir(), "qf-pack-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(cmd: string, args: readonly string[], cwd: string, timeoutMs = 240_000): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: timeoutMs, env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" } });
  return { status: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

describe("the packed package, installed in an empty project", () => {
  it("imports quoteflow/testing and quoteflow/operators under plain Node and runs the README's Plugins section verbatim", async () => {
    // The package as `npm pack` makes it: built into a staging copy (not the clone's dist/, which other specs build).
    const stage = join(work, "stage");
    mkdirSync(stage);
    const tsc = run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(root, "tsconfig.build.json"), "--outDir", join(stage, "dist")], root);
    expect(tsc.status, tsc.out).toBe(0);
    for (const f of ["package.json", "README.md", "config", "data/recordings"]) cpSync(join(root, f), join(stage, f), { recursive: true });
    const packed = run("npm", ["pack", "--ignore-scripts", "--pack-destination", work], stage);
    expect(packed.status, packed.out).toBe(0);
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"))!;
    const listing = execFileSync("tar", ["-tzf", join(work, tarball)], { encoding: "utf8" });
    expect(listing).toContain("package/dist/testing/index.js");
    expect(listing).not.toMatch(/package\/dist\/(test|proof|examples)\//);

    const project = join(work, "project");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "my-mm", private: true, type: "module" }));
    const install = run("npm", ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", join(work, tarball)], project);
    expect(install.status, install.out).toBe(0);

    // Subpath entries resolve under plain Node; the root no longer exports the internals.
    const probe = run(process.execPath, [
      "--input-type=module",
      "-e",
      `import * as root from "quoteflow";
       import * as testing from "quoteflow/testing";
       import * as ops from "quoteflow/operators";
       import * as sim from "quoteflow/sim";
       import * as hl from "quoteflow/hyperliquid";
       console.log(JSON.stringify({
         root: Object.keys(root).length,
         internals: ["keccak256Hex", "parseSimArgs", "runSimCommand", "signL1Action", "ExecutionSink"].filter((k) => k in root),
         testing: ["marbles", "marblesFor", "book", "trade", "fill", "intent", "marketState", "testContext", "testStrategyContext", "paperHarness"].filter((k) => typeof testing[k] === "function"),
         ops: ["quoteGate", "staleGate", "quoter", "dedupTid"].filter((k) => typeof ops[k] === "function"),
         sim: typeof sim.PaperVenue, hl: typeof hl.HyperliquidVenue, create: typeof root.createQuoteflow,
       }));`,
    ], project);
    expect(probe.status, probe.out).toBe(0);
    const seen = JSON.parse(probe.out.trim().split("\n").at(-1)!) as { root: number; internals: string[]; testing: string[]; ops: string[]; sim: string; hl: string; create: string };
    expect(seen.internals).toEqual([]);
    expect(seen.testing).toHaveLength(10);
    expect(seen.ops).toEqual(["quoteGate", "staleGate", "quoter", "dedupTid"]);
    expect([seen.sim, seen.hl, seen.create]).toEqual(["function", "function", "function"]);
    expect(seen.root).toBeLessThan(200);

    // The README's Plugins section, block by block, in the user's project.
    const blocks = pluginSectionBlocks();
    for (const name of ["my-plugin.mjs", "my-config.yaml", "my-plugin.test.mjs", "paper.mjs"]) writeFileSync(join(project, name), blocks[name]!);
    const tests = run(process.execPath, ["--test", "my-plugin.test.mjs"], project);
    expect(tests.status, tests.out).toBe(0);
    expect(tests.out).toMatch(/# pass 3\b/);
    expect(tests.out).toMatch(/# fail 0\b/);
    const paper = run(process.execPath, ["paper.mjs"], project, 60_000);
    expect(paper.status, paper.out).toBe(0);
    const rows = paper.out.trim().split("\n").filter((l) => /^(BTC|ETH) (bid|ask) /.test(l));
    expect(rows.map((r) => r.split(" ")[0]).sort()).toEqual(["BTC", "ETH"]);
    expect(rows.every((r) => r.split(" ")[1] === "bid")).toBe(true);
  }, 300_000);
});
