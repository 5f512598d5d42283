// Loading plugins: what a config may name, and every way it can go wrong — each a ConfigError
// naming the plugin and the config file (the CLI exits 2); on a hot reload, refused with the
// running pipelines kept, and a good edit of the plugin applied.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../../app/cli.js";
import { ConfigError } from "../../app/config.js";
import { createRootLogger } from "../../app/logger.js";
import { packageRoot } from "../../sources/paths.js";
import { loadConfigWithPlugins } from "../../app/plugins.js";
import { watchConfig } from "../../app/run.js";
import { paperHarness } from "../../testing/index.js";
import { pluginSectionBlocks } from "./readmeBlocks.js";
import { sleep } from "./processes.js";

const blocks = pluginSectionBlocks();
const root = mkdtempSync(join(tmpdir(), "qf-loader-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A project directory with the README's config (its `plugins` line replaced) and the given files. */
function project(plugins: readonly string[], files: Record<string, string>, edit: (config: string) => string = (c) => c): string {
  const dir = join(root, `p${n++}`);
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  symlinkSync(join(packageRoot(), "node_modules", "rxjs"), join(dir, "node_modules", "rxjs"), "dir");
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const config = edit(blocks["my-config.yaml"]!.replace("plugins: [./my-plugin.mjs]", `plugins: ${JSON.stringify(plugins)}`));
  writeFileSync(join(dir, "my-config.yaml"), config);
  return join(dir, "my-config.yaml");
}

async function problemsOf(configPath: string): Promise<ConfigError> {
  const err = await loadConfigWithPlugins(configPath).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

const plugin = blocks["my-plugin.mjs"]!;

describe("plugins named in the config", () => {
  it("loads the README's plugin: its strategy and operator join the built-in registry, origins recorded", async () => {
    const path = project(["./my-plugin.mjs"], { "my-plugin.mjs": plugin });
    const loaded = await loadConfigWithPlugins(path);
    expect(Object.keys(loaded.registries.strategies)).toEqual(["fixedSpread"]);
    expect(loaded.registries.operators).toHaveProperty("bidsOnly");
    expect(loaded.registries.operators).toHaveProperty("staleGate");
    expect(loaded.registries.origins.operators["bidsOnly"]).toEqual({ plugin: "./my-plugin.mjs", config: path });
    expect(loaded.config.assets.map((a) => [a.asset, a.strategy?.name, a.operators.map((o) => o.name).at(-1)])).toEqual([
      ["BTC", "fixedSpread", "bidsOnly"],
      ["ETH", "fixedSpread", "bidsOnly"],
    ]);
  });

  it("resolves a package from the config's directory, also one whose exports map has only an `import` entry", async () => {
    const path = project(["my-qf-plugin"], {
      "node_modules/my-qf-plugin/package.json": JSON.stringify({ name: "my-qf-plugin", type: "module", exports: { ".": { import: "./index.mjs" } } }),
      "node_modules/my-qf-plugin/index.mjs": plugin,
    });
    const loaded = await loadConfigWithPlugins(path);
    expect(loaded.registries.origins.strategies["fixedSpread"]).toEqual({ plugin: "my-qf-plugin", config: path });
  });

  it("a module that fails to load, a missing file, an unresolvable package: one error each, naming the plugin and the config file", async () => {
    const path = project(["./broken.mjs", "./missing.mjs", "no-such-package-xyz"], { "broken.mjs": "export const strategies = {;\n" });
    const e = await problemsOf(path);
    expect(e.source).toBe(path);
    expect(e.problems).toHaveLength(3);
    // (Node says SyntaxError; under vitest the transform reports it in its own words)
    expect(e.problems[0]).toMatch(/^\$\.plugins\.0 \("\.\/broken\.mjs"\): cannot load .*broken\.mjs: \w*Error: .*(syntax|Unexpected)/i);
    expect(e.problems[1]).toMatch(/^\$\.plugins\.1 \("\.\/missing\.mjs"\): no such file .*missing\.mjs/);
    expect(e.problems[2]).toMatch(/^\$\.plugins\.2 \("no-such-package-xyz"\): cannot resolve it from /);
    expect(e.message).toContain(`config ${path}:`);
  });

  it("entries of the wrong shape and taken names are refused with their path", async () => {
    const path = project(["./bad.mjs", "./my-plugin.mjs", "./again.mjs", "./nothing.mjs"], {
      "bad.mjs": [
        "export const operators = {",
        "  noStage: { create: () => (s) => s },",
        "  noCreate: { stage: 'intent' },",
        "  badCodec: { stage: 'book', params: 5, create: () => (s) => s },",
        "  staleGate: { stage: 'intent', create: () => (s) => s },",
        "};",
        "export const strategies = { notAFactory: 42 };",
      ].join("\n"),
      "my-plugin.mjs": plugin,
      "again.mjs": plugin,
      "nothing.mjs": "export const hello = 1;\n",
    });
    const e = await problemsOf(path);
    expect(e.problems).toEqual([
      '$.plugins.0 ("./bad.mjs").operators.noStage.stage: expected one of book, intent, fill, got nothing',
      '$.plugins.0 ("./bad.mjs").operators.noCreate.create: expected a function (params, ctx) => operator, got undefined',
      '$.plugins.0 ("./bad.mjs").operators.badCodec.params: expected an io-ts codec (an object with decode), got number',
      '$.plugins.0 ("./bad.mjs").operators.staleGate: the name is already taken by a built-in',
      '$.plugins.0 ("./bad.mjs").strategies.notAFactory: expected a factory (params, ctx) => (market, position) => intent, or { create, params?, description? }, got number',
      '$.plugins.2 ("./again.mjs").operators.bidsOnly: the name is already taken by plugin "./my-plugin.mjs"',
      '$.plugins.2 ("./again.mjs").strategies.fixedSpread: the name is already taken by plugin "./my-plugin.mjs"',
      '$.plugins.3 ("./nothing.mjs"): expected a module exporting `strategies` and/or `operators` (records by name), it exports neither',
    ]);
  });

  it("unknown strategy and operator names, and parameters the plugin's codec refuses, name their config path", async () => {
    const unknown = project(["./my-plugin.mjs"], { "my-plugin.mjs": plugin }, (c) => c.replace("name: fixedSpread", "name: fixedSpreed").replace("bidsOnly]", "bidsOnlyy]"));
    const e = await problemsOf(unknown);
    expect(e.problems).toContain(
      '$.defaults.operators.3: expected one of the registered operators (dataQualityGate, staleGate, userStaleGate, crossedBookGate, quotaBreakerGate, bidsOnly), got "bidsOnlyy"',
    );
    expect(e.problems).toContain("$.defaults.strategy.name: expected one of the strategies of the config's plugins (fixedSpread), got \"fixedSpreed\"");
    const examples = join(packageRoot(), "examples", "plugin.ts");
    const badParams = project([examples], {}, (c) => c.replace("name: fixedSpread, params: { bps: 25, usd: 13 }", "name: avellanedaStoikov, params: { gamma: -1, kappa: 1, horizonUpdates: 20, levelSizeUsd: 20, minHalfSpreadBps: 1, maxPositionUsd: 200 }").replace(", bidsOnly]", "]"));
    const p = await problemsOf(badParams);
    expect(p.problems).toEqual(["$.defaults.strategy.params.gamma: expected gamma: a number > 0, got -1"]);
  });

  it("the CLI exits 2 with the plugin and the config file in its message — for a module that fails to load and for a factory that throws", async () => {
    const stderr: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    try {
      const broken = project(["./broken.mjs"], { "broken.mjs": "export const strategies = {;\n" });
      expect(await main(["run", "--config", broken, "--metrics-port", "0", "--no-status"])).toBe(2);
      expect(stderr.join("")).toContain(`quoteflow: config ${broken}: $.plugins.0 ("./broken.mjs"): cannot load`);
      stderr.length = 0;
      const throwing = project(["./my-plugin.mjs"], {
        "my-plugin.mjs": plugin.replace("fixedSpread: (params, ctx) => (market, position) => {", "fixedSpread: (params, ctx) => { if (params.bps > 0) throw new Error(`bps must be negative, got ${params.bps}`); return (market, position) => {").replace("\n  },\n};\n\nexport const operators", "\n  }},\n};\n\nexport const operators"),
      });
      expect(await main(["run", "--config", throwing, "--duration", "30", "--metrics-port", "0", "--no-status"])).toBe(2);
      expect(stderr.join("")).toContain(`quoteflow: config ${throwing}: asset BTC, strategy fixedSpread: its factory threw (plugin ./my-plugin.mjs): Error: bps must be negative, got 25`);
    } finally {
      spy.mockRestore();
    }
  }, 60_000);

  it("on a hot reload, a plugin that fails to load or whose factory throws is refused and the running pipelines stay; a good edit of the plugin applies", async () => {
    const path = project(["./my-plugin.mjs"], { "my-plugin.mjs": plugin });
    const dir = join(path, "..");
    const logs: string[] = [];
    const log = createRootLogger({ destination: new Writable({ write: (c, _e, cb) => (logs.push(String(c)), cb()) }), pretty: false, level: "info" });
    const paper = await paperHarness({ config: path, logger: log });
    const bids = () => paper.openOrders().map((o) => ({ asset: o.asset, isBuy: o.isBuy, px: o.px }));
    paper.advance(30_000);
    const before = bids();
    expect(before.length).toBe(2);
    expect(before.every((o) => o.isBuy)).toBe(true);
    const watcher = watchConfig(path, paper.service, log);
    const rejected = async (text: RegExp) => {
      for (let i = 0; i < 50; i++) {
        const line = logs.find((l) => l.includes("config change rejected") && text.test(l));
        if (line) return JSON.parse(line) as { problems: string[] };
        await sleep(100);
      }
      throw new Error(`no rejection matching ${text}: ${logs.join("")}`);
    };
    try {
      // 1. the plugin no longer loads
      writeFileSync(join(dir, "my-plugin.mjs"), "export const strategies = {;\n");
      writeFileSync(path, readFileSync(path, "utf8") + "\n");
      const r1 = await rejected(/cannot load/);
      expect(r1.problems[0]).toMatch(/^\$\.plugins\.0 \("\.\/my-plugin\.mjs"\): cannot load/);
      paper.advance(10_000);
      expect(paper.openOrders().every((o) => o.isBuy)).toBe(true);
      expect(paper.openOrders().length).toBe(2);
      // 2. it loads, but its strategy factory throws when the pipelines are composed
      await sleep(50); // a distinct mtime
      writeFileSync(join(dir, "my-plugin.mjs"), plugin.replace("fixedSpread: (params, ctx) => (market, position) => {", "fixedSpread: (params, ctx) => { throw new Error('not today'); return (market, position) => {").replace("\n  },\n};\n\nexport const operators", "\n  }},\n};\n\nexport const operators"));
      writeFileSync(path, readFileSync(path, "utf8") + "\n");
      const r2 = await rejected(/not today/);
      expect(r2.problems[0]).toBe("asset BTC, strategy fixedSpread: its factory threw (plugin ./my-plugin.mjs): Error: not today");
      paper.advance(10_000);
      expect(paper.openOrders().length).toBe(2);
      expect(paper.openOrders().every((o) => o.isBuy)).toBe(true);
      // 3. a good edit: the same plugin quoting asks only (its operator now drops the bids)
      await sleep(50);
      writeFileSync(join(dir, "my-plugin.mjs"), plugin.replace("({ ...intent, asks: [] })", "({ ...intent, bids: [] })"));
      writeFileSync(path, readFileSync(path, "utf8") + "\n");
      for (let i = 0; i < 50 && !logs.some((l) => l.includes('"config applied"')); i++) await sleep(100);
      const applied = JSON.parse(logs.find((l) => l.includes('"config applied"'))!) as { recomposed: string[] };
      expect(applied.recomposed).toEqual(["BTC", "ETH"]);
      paper.advance(10_000);
      expect(paper.openOrders().length).toBe(2);
      expect(paper.openOrders().every((o) => !o.isBuy)).toBe(true);
    } finally {
      watcher?.close();
      await paper.stop();
    }
  }, 60_000);
});
