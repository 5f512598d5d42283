// `quota.reserve` (app/reserveConfig.ts): off when absent, validated with errors naming the key,
// checked against the breaker, carried into the sink's config, and the shipped example loads.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as t from "io-ts";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigError, type OperatorCatalog, defaultConfigPath, loadConfigFile, resolveConfig } from "../../app/config.js";
import { sinkConfigOf } from "../../app/sinkConfig.js";

const catalog: OperatorCatalog = { staleGate: { params: t.exact(t.type({ maxAgeMs: t.number })) as t.Type<unknown> } };
const base = () => parse(readFileSync(defaultConfigPath(), "utf8")) as Record<string, any>;
const withQuota = (quota: object) => ({
  assets: { BTC: null },
  defaults: { ...base()["defaults"], operators: [{ staleGate: { maxAgeMs: 10000 } }] },
  quota: { reservePct: 5, breakerPct: 10, ...quota },
  observability: { statusIntervalMs: 0, journalDir: "data/analytics", logLevel: "info" },
});

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("quota.reserve", () => {
  it("is off unless configured: the sink gets no reserve options", () => {
    const cfg = resolveConfig(withQuota({}), catalog);
    expect(cfg.quota.reserve).toBeUndefined();
    expect(sinkConfigOf(cfg, 1).reserve).toBeUndefined();
  });

  it("reaches the sink as written (chunk and belowHeadroom optional)", () => {
    const cfg = resolveConfig(withQuota({ reserve: { usdPerDay: 5, chunk: 2000, belowHeadroom: 0.25 } }), catalog);
    expect(sinkConfigOf(cfg, 1).reserve).toEqual({ usdPerDay: 5, chunk: 2000, belowHeadroom: 0.25 });
    expect(sinkConfigOf(resolveConfig(withQuota({ reserve: { usdPerDay: 1 } }), catalog), 1).reserve).toEqual({ usdPerDay: 1 });
  });

  it("names the key of every bad value", () => {
    const problems = problemsOf(() => resolveConfig(withQuota({ reserve: { usdPerDay: 0, chunk: 1.5, belowHeadroom: 2, budget: 3 } }), catalog));
    expect(problems.some((p) => p.startsWith("$.quota.reserve.usdPerDay: expected a number of USD ≥ 0.0005 (one request), got 0"))).toBe(true);
    expect(problems.some((p) => p.startsWith("$.quota.reserve.chunk: expected a whole number of requests"))).toBe(true);
    expect(problems.some((p) => p.startsWith("$.quota.reserve.belowHeadroom: expected a fraction above 0 and at most 1, got 2"))).toBe(true);
    expect(problems.some((p) => p.startsWith('$.quota.reserve.budget: expected no key "budget" here'))).toBe(true);
    const missing = problemsOf(() => resolveConfig(withQuota({ reserve: {} }), catalog));
    expect(missing.some((p) => p.startsWith("$.quota.reserve.usdPerDay:"))).toBe(true);
  });

  it("refuses a threshold at or below the breaker's: requests must be bought before quoting stops", () => {
    const problems = problemsOf(() => resolveConfig(withQuota({ reserve: { usdPerDay: 5, belowHeadroom: 0.1 } }), catalog));
    expect(problems).toContain("$.quota.reserve.belowHeadroom: expected above the breaker's 0.1 (quota.breakerPct 10), so requests are bought before quoting stops, got 0.1");
  });

  it("the shipped example loads with buying on", () => {
    const path = fileURLToPath(new URL("../../config/examples/reserve-requests.yaml", import.meta.url));
    const names = (base()["defaults"].operators as object[]).map((s) => (typeof s === "string" ? s : Object.keys(s)[0]!));
    const any: OperatorCatalog = Object.fromEntries(names.map((n) => [n, { params: t.unknown }]));
    const cfg = loadConfigFile(path, any);
    expect(cfg.quota.reserve).toEqual({ usdPerDay: 5, chunk: 1000, belowHeadroom: 0.2 });
  });
});
