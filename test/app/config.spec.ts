import { readFileSync } from "node:fs";
import * as t from "io-ts";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigError, type OperatorCatalog, defaultConfigPath, loadConfigFile, parseConfig, resolveConfig } from "../../app/config.js";

// Parameter codecs only: config validation does not run operators.
const catalog: OperatorCatalog = {
  staleGate: { params: t.exact(t.type({ maxAgeMs: t.number })) as t.Type<unknown> },
  crossedBookGate: { params: t.exact(t.type({})) as t.Type<unknown> },
};

const base = () => parse(readFileSync(defaultConfigPath(), "utf8")) as Record<string, any>;

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

const minimal = {
  assets: { BTC: null, ETH: { operators: [{ staleGate: { maxAgeMs: 5000 } }], quoter: { levels: 1 } } },
  defaults: {
    ...base()["defaults"],
    operators: [{ staleGate: { maxAgeMs: 10000 } }, "crossedBookGate"],
  },
  quota: { reservePct: 5, breakerPct: 10 },
  observability: { statusIntervalMs: 0, journalDir: "data/analytics", logLevel: "info" },
};

describe("config", () => {
  it("merges per-asset overrides over defaults", () => {
    const cfg = resolveConfig(minimal, catalog);
    const btc = cfg.assets.find((a) => a.asset === "BTC")!;
    const eth = cfg.assets.find((a) => a.asset === "ETH")!;
    expect(btc.operators.map((s) => s.name)).toEqual(["staleGate", "crossedBookGate"]);
    expect(eth.operators).toEqual([{ name: "staleGate", params: { maxAgeMs: 5000 } }]);
    expect(eth.quoter.levels).toBe(1);
    expect(eth.quoter.spacingBps).toBe(btc.quoter.spacingBps);
    expect(eth.quoter.spike).toEqual(btc.quoter.spike);
  });

  it("the shipped default file decodes against its own operator names", () => {
    const names = (base()["defaults"].operators as object[]).map((s) => (typeof s === "string" ? s : Object.keys(s)[0]!));
    const any: OperatorCatalog = Object.fromEntries(names.map((n) => [n, { params: t.unknown }]));
    const cfg = loadConfigFile(defaultConfigPath(), any);
    expect(cfg.assets.map((a) => a.asset)).toEqual(["BTC", "ETH"]);
    expect(cfg.assets[0]!.reconciliation.intervalMs).toBe(3000);
    expect(cfg.assets[0]!.markouts.horizonsMs).toEqual([500, 2000, 10000]);
  });

  it("an unknown key is an error at its path", () => {
    const bad = structuredClone(minimal) as any;
    bad.defaults.quoter.levls = 3;
    const problems = problemsOf(() => resolveConfig(bad, catalog));
    expect(problems.some((p) => p.startsWith("$.defaults.quoter.levls: expected no key \"levls\" here"))).toBe(true);
  });

  it("a wrong type names the path and what was expected", () => {
    const bad = structuredClone(minimal) as any;
    bad.assets.ETH.quoter.levels = -2;
    const problems = problemsOf(() => resolveConfig(bad, catalog));
    expect(problems).toContain("$.assets.ETH.quoter.levels: expected a positive integer, got -2");
  });

  it("a bad operator parameter names the operator step and key", () => {
    const bad = structuredClone(minimal) as any;
    bad.assets.ETH.operators = [{ staleGate: { maxAgeMs: "ten seconds" } }];
    const problems = problemsOf(() => resolveConfig(bad, catalog));
    expect(problems.join("\n")).toContain("$.assets.ETH.operators.0.staleGate.maxAgeMs: expected number");
  });

  it("an unregistered operator is refused with the known names", () => {
    const bad = structuredClone(minimal) as any;
    bad.defaults.operators = ["crossedBookGate", { staleGat: {} }];
    const problems = problemsOf(() => resolveConfig(bad, catalog));
    expect(problems[0]).toBe('$.defaults.operators.1: expected one of the registered operators (staleGate, crossedBookGate), got "staleGat"');
  });

  it("YAML syntax errors and missing sections are ConfigErrors naming the file", () => {
    expect(() => parseConfig("assets: [", "x.yaml", catalog)).toThrow(/^config x\.yaml: \$: expected valid YAML/);
    const problems = problemsOf(() => parseConfig('{"assets": {}}', "x.json", catalog));
    expect(problems).toContain("$.defaults: expected the defaults section (an object with operators, quoter, risk, reconciliation, markouts), got undefined (missing)");
  });
});

describe("reconciliation.openOrdersIntervalMs", () => {
  it("is optional, reaches the sink as the shortest interval, and is left unset when any asset leaves it unset", async () => {
    const { sinkConfigOf } = await import("../../app/service.js");
    const withInterval = {
      ...minimal,
      assets: { BTC: { reconciliation: { ...base()["defaults"].reconciliation, openOrdersIntervalMs: 20_000 } }, ETH: null },
      defaults: { ...minimal.defaults, reconciliation: { ...base()["defaults"].reconciliation, openOrdersIntervalMs: 15_000 } },
    };
    expect(sinkConfigOf(resolveConfig(withInterval, catalog), 1).reconcile?.openOrdersIntervalMs).toBe(15_000);
    expect(sinkConfigOf(resolveConfig(minimal, catalog), 1).reconcile).not.toHaveProperty("openOrdersIntervalMs");
  });

  it("a bad value names its path", () => {
    const bad = { ...minimal, defaults: { ...minimal.defaults, reconciliation: { ...base()["defaults"].reconciliation, openOrdersIntervalMs: -1 } } };
    expect(problemsOf(() => resolveConfig(bad, catalog))).toContainEqual(expect.stringContaining("$.defaults.reconciliation.openOrdersIntervalMs: expected a positive number"));
  });
});

describe("reconciliation.queueAware and reconciliation.volatilityScaling", () => {
  it("are off by default and reach the sink's ladder thresholds when set (per asset)", async () => {
    const { sinkConfigOf } = await import("../../app/service.js");
    const off = sinkConfigOf(resolveConfig(minimal, catalog), 1);
    expect(off.assets?.["BTC"]?.thresholds).not.toHaveProperty("queue");
    expect(off.assets?.["BTC"]?.thresholds).not.toHaveProperty("volatility");
    const on = {
      ...minimal,
      assets: { BTC: { reconciliation: { ...base()["defaults"].reconciliation, queueAware: { turnover: 0.5, hysteresis: 0.2 }, volatilityScaling: { refVolBps: 2, maxScale: 3 } } }, ETH: null },
    };
    const cfg = sinkConfigOf(resolveConfig(on, catalog), 1);
    expect(cfg.assets?.["BTC"]?.thresholds).toMatchObject({ queue: { turnover: 0.5, hysteresis: 0.2 }, volatility: { refVolBps: 2, maxScale: 3 } });
    expect(cfg.assets?.["ETH"]?.thresholds).not.toHaveProperty("queue");
  });

  it("a bad or unknown value names its path", () => {
    const r = base()["defaults"].reconciliation;
    const bad = { ...minimal, defaults: { ...minimal.defaults, reconciliation: { ...r, queueAware: { turnover: 0 }, volatilityScaling: { refVolBps: 2, maxScale: 0.5, extra: 1 } } } };
    const problems = problemsOf(() => resolveConfig(bad, catalog));
    expect(problems).toContainEqual(expect.stringContaining("$.defaults.reconciliation.queueAware.turnover: expected a positive number"));
    expect(problems).toContainEqual(expect.stringContaining("$.defaults.reconciliation.volatilityScaling.maxScale: expected a number ≥ 1"));
    expect(problems.some((p) => p.includes("$.defaults.reconciliation.volatilityScaling.extra"))).toBe(true);
  });
});

describe("reconciliation.leftoverOrders", () => {
  it("is cancel when unset; adopt reaches the sink per asset; another value names its path and the choices", async () => {
    const { sinkConfigOf } = await import("../../app/service.js");
    expect(sinkConfigOf(resolveConfig(minimal, catalog), 1).assets?.["BTC"]).not.toHaveProperty("adoptLeftovers");
    const on = { ...minimal, assets: { BTC: { reconciliation: { ...base()["defaults"].reconciliation, leftoverOrders: "adopt" } }, ETH: null } };
    const cfg = sinkConfigOf(resolveConfig(on, catalog), 1);
    expect(cfg.assets?.["BTC"]?.adoptLeftovers).toBe(true);
    expect(cfg.assets?.["ETH"]).not.toHaveProperty("adoptLeftovers");
    const r = base()["defaults"].reconciliation;
    const bad = { ...minimal, defaults: { ...minimal.defaults, reconciliation: { ...r, leftoverOrders: "keep" } } };
    const problems = problemsOf(() => resolveConfig(bad, catalog));
    expect(problems).toContainEqual(expect.stringContaining('$.defaults.reconciliation.leftoverOrders: expected "cancel" or "adopt"'));
  });
});
