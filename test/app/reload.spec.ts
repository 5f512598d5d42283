// Config hot reload: a changed asset is re-composed without dropping order state, the others are
// untouched, and a bad file is refused while the running pipelines stay.
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { type ServiceConfig, defaultConfigPath, loadConfigFile, resolveConfig } from "../../app/config.js";
import { createRootLogger, silentLogger } from "../../app/logger.js";
import { defaultMarket } from "../../app/run.js";
import { createMetrics } from "../../app/metrics.js";
import { catalogOf, operatorRegistry } from "../../app/registry.js";
import { watchConfig } from "../../app/run.js";
import { QuoteflowService } from "../../app/service.js";
import { PaperVenue } from "../../sim/paperVenue.js";
import { simReplayScheduler } from "../../sim/replayScheduler.js";
import { simEventTime } from "../../sim/market.js";

const dir = mkdtempSync(join(tmpdir(), "qf-reload-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const catalog = catalogOf(operatorRegistry);
const fileText = () => parse(readFileSync(defaultConfigPath(), "utf8")) as any;

describe("config hot reload", () => {
  it("re-composes only the changed asset and keeps its orders that the new ladder still wants", async () => {
    const config = loadConfigFile(defaultConfigPath(), catalog);
    const choice = defaultMarket({ seed: 5, loop: false, minutes: 4 });
    const start = simEventTime(choice.market.open(0).next().value!);
    const scheduler = simReplayScheduler(start);
    const venue = new PaperVenue({ market: choice.market, scheduler, seed: 5, faults: "none" });
    const service = new QuoteflowService({ venue, scheduler, config, log: silentLogger(), metrics: createMetrics({ collectDefaults: false }), cloidSeed: 5 });
    await service.start();
    const advance = (ms: number) => {
      scheduler.maxFrames = scheduler.now() + ms;
      scheduler.flush();
    };
    advance(60_000);
    const live = (asset: string) => service.sink.liveOrders(asset).map((o) => o.cloid).sort();
    const btcBefore = live("BTC");
    const ethBefore = live("ETH");
    expect(btcBefore.length).toBeGreaterThan(0);
    expect(ethBefore.length).toBeGreaterThan(2);

    const edited = fileText();
    edited.assets.ETH.quoter.levels = 1;
    const next: ServiceConfig = resolveConfig(edited, catalog, "edited");
    const applied = service.reload(next);
    expect(applied.recomposed).toEqual(["ETH"]);
    advance(1500);

    // BTC untouched: the very same orders rest.
    expect(live("BTC")).toEqual(btcBefore);
    // ETH: one level per side now; the level the new ladder still wants was kept, not replaced.
    const ethAfter = service.sink.liveOrders("ETH");
    expect(ethAfter.filter((o) => o.isBuy)).toHaveLength(1);
    expect(ethAfter.filter((o) => !o.isBuy)).toHaveLength(1);
    expect(ethAfter.some((o) => ethBefore.includes(o.cloid))).toBe(true);
    expect(service.currentConfig.assets.find((a) => a.asset === "ETH")!.quoter.levels).toBe(1);

    // Removing an asset from the file cancels its orders and leaves the others alone.
    const without = fileText();
    delete without.assets.ETH;
    const removed = service.reload(resolveConfig(without, catalog, "without ETH"));
    expect(removed.removed).toEqual(["ETH"]);
    const btcStill = live("BTC");
    advance(2000);
    expect(service.sink.liveOrders("ETH")).toHaveLength(0);
    expect(live("BTC")).toEqual(btcStill);

    let stopped = false;
    const stopping = service.stop().then(() => (stopped = true));
    for (let i = 0; i < 300 && !stopped; i++) {
      await new Promise((r) => setImmediate(r));
      advance(100);
    }
    await stopping;
    venue.close();
    expect(venue.truth().openOrders).toHaveLength(0);
  }, 60_000);

  it("refuses a bad edit with the path of the problem, keeps running, and applies the next good one", async () => {
    const path = join(dir, "live.yaml");
    writeFileSync(path, stringify(fileText()));
    const applied: ServiceConfig[] = [];
    const lines: string[] = [];
    const log = createRootLogger({ pretty: false, destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) });
    const watcher = watchConfig(path, { reload: (c) => applied.push(c) }, log);
    try {
      const bad = fileText();
      bad.assets.ETH.operators = [{ staleGate: { maxAgeMs: -1 } }];
      writeFileSync(path, stringify(bad));
      await new Promise((r) => setTimeout(r, 700));
      expect(applied).toHaveLength(0);
      const rejected = lines.map((l) => JSON.parse(l)).find((l) => l.msg.startsWith("config change rejected"));
      expect(rejected.problems).toContain("$.assets.ETH.operators.0.staleGate.maxAgeMs: expected a positive number, got -1");

      // Saved the way editors do: a new file renamed over the old one.
      const good = fileText();
      good.assets.ETH.quoter.levels = 2;
      writeFileSync(path + ".tmp", stringify(good));
      renameSync(path + ".tmp", path);
      await new Promise((r) => setTimeout(r, 700));
      expect(applied.length).toBeGreaterThanOrEqual(1);
      expect(applied.at(-1)!.assets.find((a) => a.asset === "ETH")!.quoter.levels).toBe(2);
    } finally {
      watcher?.close();
    }
  }, 20_000);
});
