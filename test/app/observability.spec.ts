import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { capture } from "../helpers/capture.js";
import { afterEach, describe, expect, it } from "vitest";
import { Wallet } from "ethers";
import { FillJournal, JournalLine, SignalTracker, fillLine } from "../../analytics/journal.js";
import { REDACT_PATHS, createRootLogger, registerSecret, scrubSecrets } from "../../app/logger.js";
import { createMetrics, serveMetrics, type MetricsServer } from "../../app/metrics.js";
import { GateTracker } from "../../analytics/gates.js";
import { OperatorEventCounts } from "../../app/service.js";
import { decodeWith, type FillEvent } from "../../streams/index.js";

const fill: FillEvent = {
  tid: 7, oid: 11, cloid: "0x" + "ab".repeat(16), asset: "BTC", isBuy: true, size: 0.0002, price: 100_000, time: 5_000,
  fee: 0.003, crossed: false, midAtFill: 100_001, placementPrice: 100_000, midAtPlacement: 100_002, quotedHalfSpreadBps: 2, source: "base_ladder",
};

describe("logger", () => {
  it("redacts secret fields at every depth and scrubs a registered key from messages and errors", async () => {
    const key = Wallet.createRandom().privateKey;
    registerSecret(key);
    const out = capture();
    const log = createRootLogger({ destination: out.stream, pretty: false, level: "debug" });
    const child = log.child({ component: "executor", asset: "BTC" });
    child.info({ privateKey: key, a: { b: { c: { privateKey: key, signature: "sig" } } } }, "fields");
    child.warn(`oops the key is ${key}`);
    child.error({ err: new Error(`failed with ${key.slice(2)}`) }, "error");
    log.flush();
    await new Promise((r) => setTimeout(r, 20));
    const text = out.text();
    expect(text).toContain('"component":"executor"');
    expect(text).toContain("[REDACTED]");
    expect(text).not.toContain(key);
    expect(text).not.toContain(key.slice(2));
    expect(REDACT_PATHS).toContain("*.*.*.privateKey");
    expect(scrubSecrets(`x${key}y`)).toBe("x[REDACTED]y");
  });
});

describe("logger, pretty (terminal) mode", () => {
  it("prints one readable line per record and still scrubs the key", async () => {
    const key = Wallet.createRandom().privateKey;
    registerSecret(key);
    const out = capture();
    const log = createRootLogger({ destination: out.stream, pretty: true });
    log.child({ component: "service" }).info({ privateKey: key, px: 1 }, `placed with ${key}`);
    await new Promise((r) => setTimeout(r, 20));
    const text = out.text();
    expect(text.trim().split("\n")).toHaveLength(1);
    expect(text).toContain("INFO");
    expect(text).toContain("[REDACTED]");
    expect(text).not.toContain(key.slice(2));
    expect(text).not.toContain('{"level"');
  });
});

describe("metrics server", () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("serves the service metrics on 127.0.0.1 and an ephemeral port", async () => {
    const m = createMetrics();
    m.orders.inc({ asset: "BTC", action: "placed" }, 3);
    let t = 0;
    const gates = new GateTracker(() => t, m);
    gates.observe({ asset: "BTC", time: 0, bids: [], asks: [], reason: { kind: "NoDataReceived" } });
    t = 1500;
    gates.observe({ asset: "BTC", time: 1500, bids: [{ px: 1, sz: 1, source: "base_ladder" }], asks: [] });
    server = await serveMetrics(m.registry, 0);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const body = await (await fetch(server.url)).text();
    expect(body).toContain('quoteflow_orders_total{asset="BTC",action="placed"} 3');
    expect(body).toContain('quoteflow_gate_closed_seconds_total{asset="BTC",reason="NoDataReceived"} 1.5');
    expect(body).toContain("nodejs_eventloop_lag_seconds");
    expect(body).toContain("# TYPE quoteflow_tick_to_action_seconds histogram");
    expect(gates.closedReason("BTC")).toBeUndefined();
  });
});

describe("operator event counts", () => {
  it("are published into the counter when it is read, each event once", async () => {
    const m = createMetrics();
    const counts = new OperatorEventCounts(m.operatorEvents);
    for (let i = 0; i < 3; i++) counts.inc("BTC", "quoter", "in");
    counts.inc("ETH", "staleGate", "out");
    const series = 'quoteflow_operator_events_total{asset="BTC",operator="quoter",direction="in"}';
    expect(await m.registry.getSingleMetricAsString("quoteflow_operator_events_total")).toContain(`${series} 3`);
    counts.inc("BTC", "quoter", "in");
    const text = await m.registry.metrics();
    expect(text).toContain(`${series} 4`);
    expect(text).toContain('quoteflow_operator_events_total{asset="ETH",operator="staleGate",direction="out"} 1');
  });
});

describe("fill journal", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("writes one decodable line per fill with its signal snapshot", async () => {
    const dir = mkdtempSync(join(tmpdir(), "qf-journal-"));
    dirs.push(dir);
    const signals = new SignalTracker();
    signals.observeBook({ asset: "BTC", time: 4_900, bids: [{ px: 100_000, sz: 3, n: 1 }], asks: [{ px: 100_004, sz: 1, n: 1 }] });
    signals.observeTrade({ asset: "BTC", time: 4_950, tid: 1, px: 100_000, sz: 2, side: "sell" });
    signals.observeTrade({ asset: "BTC", time: 4_960, tid: 2, px: 100_004, sz: 1, side: "buy" });
    const journal = new FillJournal(dir, "test");
    journal.write(fillLine(fill, "matched", signals.snapshot(fill, ["StaleData"], 1.5)));
    await journal.close();
    const lines = readFileSync(journal.path, "utf8").trim().split("\n");
    expect(lines).toHaveLength(1);
    const decoded = decodeWith(JournalLine, JSON.parse(lines[0]!), "journal line");
    expect(decoded.ok).toBe(true);
    if (decoded.ok && decoded.value.type === "fill") {
      const s = decoded.value.signals;
      expect(s.bookImbalance).toBeCloseTo((3 - 1) / 4);
      expect(s.tradeFlowImbalance).toBeCloseTo((1 - 2) / 3);
      expect(s.queueAheadEstimate).toBe(3);
      expect(s.closedGates).toEqual(["StaleData"]);
      expect(s.midAtPlacement).toBe(fill.midAtPlacement);
      expect(s.source).toBe("base_ladder");
    }
  });
});
