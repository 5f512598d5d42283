// quota.store and quota.scope in the config: a Redis URL or "memory"; anything else is a config
// error naming the path. No Redis needed.
import { readFileSync } from "node:fs";
import * as t from "io-ts";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigError, type OperatorCatalog, defaultConfigPath, resolveConfig } from "../../app/config.js";

const catalog: OperatorCatalog = Object.fromEntries(
  ["dataQualityGate", "staleGate", "userStaleGate", "crossedBookGate", "quotaBreakerGate"].map((n) => [n, { params: t.unknown as t.Type<unknown> }]),
);
const withQuota = (quota: Record<string, unknown>) => {
  const cfg = parse(readFileSync(defaultConfigPath(), "utf8")) as Record<string, any>;
  return { ...cfg, quota: { ...cfg["quota"], ...quota } };
};
const problems = (quota: Record<string, unknown>): readonly string[] => {
  try {
    resolveConfig(withQuota(quota), catalog);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  return [];
};

describe("quota.store / quota.scope", () => {
  it("defaults to the in-process store (no key: exactly as before)", () => {
    expect(resolveConfig(withQuota({}), catalog).quota.store).toBeUndefined();
  });

  it.each(["redis://127.0.0.1:6379/0", "redis://h", "rediss://user:pw@redis.example:6380/2", "memory"])("accepts %s", (store) => {
    expect(resolveConfig(withQuota({ store, scope: "host-a" }), catalog).quota).toMatchObject({ store, scope: "host-a" });
  });

  it.each(["http://127.0.0.1:6379", "redis://", "127.0.0.1:6379", "redis://h:0/1", "redis://h/abc", "", 6379])("refuses %j, naming $.quota.store", (store) => {
    const p = problems({ store });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^\$\.quota\.store: expected a quota store: "memory" or a Redis URL/);
  });

  it("refuses a scope that is not a short name, naming $.quota.scope", () => {
    expect(problems({ store: "redis://h", scope: "has space" })[0]).toMatch(/^\$\.quota\.scope: expected a scope name/);
  });

  it("refuses unknown quota keys as before", () => {
    expect(problems({ stroe: "redis://h" })[0]).toMatch(/\$\.quota/);
  });
});
