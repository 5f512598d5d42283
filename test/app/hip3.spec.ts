// HIP-3 end to end over loopback: `quoteflow run --venue hyperliquid --api-url <paper server with
// --synthetic BTC,xyz:GOLD>` quotes a main-dex asset and a builder-deployed one through the real
// Hyperliquid client; `/info openOrders {dex: "xyz"}` lists the GOLD orders (and only those); a
// deployer halt on xyz:GOLD stops quoting GOLD alone, with its log line and gate reason.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { capture } from "../helpers/capture.js";
import { Wallet } from "ethers";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { RunArgs } from "../../app/args.js";
import { defaultConfigPath } from "../../app/config.js";
import { createRootLogger } from "../../app/logger.js";
import { runService, syntheticOnly } from "../../app/run.js";
import { startPaperServer, type PaperServerOptions } from "../../sim/server.js";

const dir = mkdtempSync(join(tmpdir(), "qf-hip3-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Order = { coin: string; oid: number };

async function info(url: string, body: Record<string, unknown>): Promise<unknown> {
  const r = await fetch(`${url}/info`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return r.json();
}

/** Run the service live-style against a paper server of BTC + xyz:GOLD; `during(url, user)` runs while it quotes. */
async function runHip3(name: string, server: Partial<PaperServerOptions>, durationSec: number, during: (url: string, user: string) => Promise<void>) {
  const paper = await startPaperServer({ market: syntheticOnly(["BTC", "xyz:GOLD"], 5).market, seed: 5, faults: "none", port: 0, ...server });
  try {
    const key = Wallet.createRandom().privateKey;
    const user = new Wallet(key).address.toLowerCase();
    const keyFile = join(dir, `${name}.key`);
    writeFileSync(keyFile, key + "\n");
    chmodSync(keyFile, 0o600);
    const cfg = parse(readFileSync(defaultConfigPath(), "utf8")) as any;
    cfg.assets = { BTC: null, "xyz:GOLD": null };
    cfg.observability.journalDir = join(dir, `analytics-${name}`);
    const configPath = join(dir, `${name}.yaml`);
    writeFileSync(configPath, stringify(cfg));
    const logs = capture();
    const log = createRootLogger({ destination: logs.stream, pretty: false, level: "info" });
    let metricsText = "";
    let duringDone: Promise<void> = Promise.resolve();
    const args: RunArgs = {
      command: "run", venue: "hyperliquid", network: "testnet", durationSec, metricsPort: 0, config: configPath,
      keyFile, apiUrl: paper.url, iUnderstandMainnet: false, seed: 1, faults: "none", status: false, help: false,
    };
    delete process.env["QUOTEFLOW_ACCOUNT"];
    await runService(args, {
      log,
      handleSignals: false,
      onStarted: ({ metricsUrl }) => {
        duringDone = during(paper.url, user);
        setTimeout(() => void fetch(metricsUrl).then(async (r) => (metricsText = await r.text())), (durationSec - 1) * 1000);
      },
    });
    await duringDone;
    log.flush();
    await new Promise((r) => setTimeout(r, 50));
    return { logs: logs.text(), metricsText, paper };
  } finally {
    await paper.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("HIP-3 over loopback (quoteflow run --venue hyperliquid --api-url <paper server>)", () => {
  it("quotes BTC and xyz:GOLD; /info openOrders {dex: \"xyz\"} shows the GOLD orders, the main dex's shows BTC only", async () => {
    let xyz: Order[] = [];
    let main: Order[] = [];
    let perpDexs: unknown;
    const r = await runHip3("quote", { perpDexs: [{ name: "xyz", growthMode: true, deployerFeeScale: 1 }] }, 7, async (url, user) => {
      await sleep(4500);
      xyz = (await info(url, { type: "openOrders", user, dex: "xyz" })) as Order[];
      main = (await info(url, { type: "openOrders", user })) as Order[];
      perpDexs = await info(url, { type: "perpDexs" });
    });
    expect((perpDexs as unknown[])[0]).toBeNull();
    expect((perpDexs as { name: string }[])[1]!.name).toBe("xyz");
    expect(xyz.length).toBeGreaterThan(0);
    expect(xyz.every((o) => o.coin === "xyz:GOLD")).toBe(true);
    expect(main.length).toBeGreaterThan(0);
    expect(main.every((o) => o.coin === "BTC")).toBe(true);
    expect(r.metricsText).toMatch(/quoteflow_orders_total\{asset="BTC",action="placed"\} [1-9]/);
    expect(r.metricsText).toMatch(/quoteflow_orders_total\{asset="xyz:GOLD",action="placed"\} [1-9]/);
    // reconciliation across dexes: nothing drifted (each dex's snapshot speaks for its own assets)
    expect(r.logs).not.toMatch(/"msg":"[^"]*drift/i);
    // the venue's book of GOLD orders is the one the client placed: ids on the xyz dex (110000 + i)
    expect(r.logs).not.toContain("is not listed by perpDexs");
  }, 60_000);

  it("a deployer halt on xyz:GOLD stops quoting GOLD only: a clear log line, gate DexHalted, BTC keeps quoting", async () => {
    let xyzAfter: Order[] = [{ coin: "?", oid: 0 }];
    let mainAfter: Order[] = [];
    let haltAnswer: unknown;
    const r = await runHip3("halt", {}, 9, async (url, user) => {
      await sleep(3000);
      const res = await fetch(`${url}/admin/halt`, { method: "POST", body: JSON.stringify({ coin: "xyz:GOLD" }) });
      haltAnswer = await res.json();
      await sleep(4000);
      xyzAfter = (await info(url, { type: "openOrders", user, dex: "xyz" })) as Order[];
      mainAfter = (await info(url, { type: "openOrders", user })) as Order[];
    });
    expect(haltAnswer).toEqual({ status: "ok", halted: true, coin: "xyz:GOLD" });
    expect(xyzAfter).toEqual([]);
    expect(mainAfter.length).toBeGreaterThan(0);
    const haltLines = r.logs.split("\n").filter((l) => l.includes("halted by its HIP-3 deployer"));
    expect(haltLines).toHaveLength(1);
    expect(JSON.parse(haltLines[0]!)).toMatchObject({ level: 40, asset: "xyz:GOLD", dex: "xyz" });
    expect(r.metricsText).toMatch(/quoteflow_gate_closed\{asset="xyz:GOLD",reason="DexHalted"\} 1/);
    expect(r.metricsText).not.toMatch(/quoteflow_gate_closed\{asset="BTC",reason="DexHalted"\}/);
    // after the refusal that revealed the halt, nothing more is placed on GOLD
    // the one ladder that revealed the halt (3 levels × 2 sides) is refused; nothing is sent after it
    const refusals = r.logs.split("\n").filter((l) => l.includes('"order_rejected"') && l.includes("Trading is halted"));
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.length).toBeLessThanOrEqual(6);
  }, 60_000);
});
