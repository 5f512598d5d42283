// The service end to end, in-process: the paper venue server on loopback, the real Hyperliquid
// client against it, the composed pipelines, the sink, metrics, status line and journal.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { capture } from "../helpers/capture.js";
import { Wallet } from "ethers";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { RunArgs } from "../../app/args.js";
import { defaultConfigPath } from "../../app/config.js";
import { JournalLine } from "../../analytics/journal.js";
import { createRootLogger } from "../../app/logger.js";
import { runService } from "../../app/run.js";
import { chmodSync } from "node:fs";
import { defaultMarket } from "../../app/run.js";
import { startPaperServer } from "../../sim/server.js";
import { decodeWith } from "../../streams/index.js";

const dir = mkdtempSync(join(tmpdir(), "qf-e2e-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("quoteflow run on the paper venue (in-process, loopback)", () => {
  it("quotes BTC and ETH, gets fills, journals them, serves /metrics, prints the status line, and stops with nothing resting; the key appears nowhere", async () => {
    // The shipped config with quotes at the touch and a 1 s status line, so a short run fills.
    const cfg = parse(readFileSync(defaultConfigPath(), "utf8")) as any;
    cfg.defaults.quoter.halfSpreadBps = 0.5;
    cfg.defaults.quoter.spacingBps = 1;
    cfg.observability.statusIntervalMs = 1000;
    cfg.observability.journalDir = join(dir, "analytics");
    const configPath = join(dir, "config.yaml");
    writeFileSync(configPath, stringify(cfg));

    const key = Wallet.createRandom().privateKey;
    const logs = capture();
    const status = capture();
    const log = createRootLogger({ destination: logs.stream, pretty: false, level: "debug" });
    let metricsText = "";
    const args: RunArgs = {
      command: "run", venue: "paper", network: "testnet", durationSec: 12, metricsPort: 0, config: configPath,
      keyFile: undefined, apiUrl: undefined, iUnderstandMainnet: false, seed: 3, faults: "realistic", status: true, help: false,
    };
    const result = await runService(args, {
      log,
      statusOut: status.stream,
      handleSignals: false,
      paperKey: key,
      onStarted: ({ metricsUrl }) => {
        setTimeout(() => {
          void fetch(metricsUrl).then(async (r) => (metricsText = await r.text()));
        }, 9000);
      },
    });
    log.flush();
    await new Promise((r) => setTimeout(r, 50));

    // Quoted both assets.
    expect(metricsText).toMatch(/quoteflow_orders_total\{asset="BTC",action="placed"\} [1-9]/);
    expect(metricsText).toMatch(/quoteflow_orders_total\{asset="ETH",action="placed"\} [1-9]/);
    expect(metricsText).toContain("nodejs_eventloop_lag_seconds");
    // Got fills and journaled each with its signals.
    expect(result.fills).toBeGreaterThan(0);
    const lines = readFileSync(result.journalPath!, "utf8").trim().split("\n").map((l) => decodeWith(JournalLine, JSON.parse(l), "journal"));
    expect(lines.every((l) => l.ok)).toBe(true);
    const fills = lines.flatMap((l) => (l.ok && l.value.type === "fill" ? [l.value] : []));
    expect(fills.length).toBe(result.fills);
    expect(fills[0]!.signals.midAtPlacement).toBeGreaterThan(0);
    // Status line per asset.
    expect(status.text()).toMatch(/^\d\d:\d\d:\d\d  BTC\s+mid \d/m);
    expect(status.text()).toMatch(/^\d\d:\d\d:\d\d  ETH\s+mid \d/m);
    // Traded as live does: through an agent key the (faucet-funded) master approved.
    const started = JSON.parse(logs.text().split("\n").find((l) => l.includes("agent approved by the master"))!) as { account: string; signer: string };
    expect(started.account.toLowerCase()).toBe(new Wallet(key).address.toLowerCase());
    expect(started.signer.toLowerCase()).not.toBe(started.account.toLowerCase());
    // Stopped cleanly: everything cancelled.
    const shutdownLine = logs.text().split("\n").find((l) => l.includes('"shutdown complete"'));
    expect(JSON.parse(shutdownLine!).stillResting).toBe(0);
    // The signing key is in none of the outputs.
    for (const text of [logs.text(), status.text(), metricsText, readFileSync(result.journalPath!, "utf8")]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(key.slice(2));
    }
  }, 60_000);

  it("live mode reads the agent key from an owner-only file and trades through --api-url (a paper server here); the key appears in no output", async () => {
    const server = await startPaperServer({ market: defaultMarket({ seed: 4, loop: true }).market, seed: 4, faults: "none", port: 0 });
    try {
      const key = Wallet.createRandom().privateKey;
      const keyFile = join(dir, "agent.key");
      writeFileSync(keyFile, key + "\n");
      chmodSync(keyFile, 0o600);
      const cfg = parse(readFileSync(defaultConfigPath(), "utf8")) as any;
      cfg.observability.journalDir = join(dir, "analytics-live");
      cfg.observability.statusIntervalMs = 1000;
      const configPath = join(dir, "live.yaml");
      writeFileSync(configPath, stringify(cfg));
      const logs = capture();
      const status = capture();
      const log = createRootLogger({ destination: logs.stream, pretty: false, level: "debug" });
      let metricsText = "";
      const args: RunArgs = {
        command: "run", venue: "hyperliquid", network: "testnet", durationSec: 6, metricsPort: 0, config: configPath,
        keyFile, apiUrl: server.url, iUnderstandMainnet: false, seed: 1, faults: "none", status: true, help: false,
      };
      const result = await runService(args, {
        log,
        statusOut: status.stream,
        handleSignals: false,
        onStarted: ({ metricsUrl }) => {
          setTimeout(() => void fetch(metricsUrl).then(async (r) => (metricsText = await r.text())), 4000);
        },
      });
      log.flush();
      await new Promise((r) => setTimeout(r, 50));
      expect(logs.text()).toContain('"keySource":"file"');
      expect(metricsText).toMatch(/quoteflow_orders_total\{asset="BTC",action="placed"\} [1-9]/);
      const outputs = [logs.text(), status.text(), metricsText, result.journalPath ? readFileSync(result.journalPath, "utf8") : ""];
      for (const text of outputs) {
        expect(text).not.toContain(key);
        expect(text).not.toContain(key.slice(2));
      }
    } finally {
      await server.close();
    }
  }, 60_000);
});
