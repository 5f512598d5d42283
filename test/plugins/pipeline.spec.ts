// A plugin strategy inside a composed pipeline, on virtual time: its intents pass; a throw or an
// invalid intent becomes an empty intent with reason StrategyError (counted, reported once per
// problem) and the next valid intent quotes again. Signals are validated and bounded.
import { NEVER, of } from "rxjs";
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { defaultConfigPath } from "../../app/config.js";
import { composeAssetPipeline } from "../../app/pipeline.js";
import { builtinRegistries, registriesWith, resolveWithRegistries } from "../../app/plugins.js";
import type { StrategyFunction } from "../../app/registry.js";
import { STRATEGY_SIGNALS_MAX_KEYS, StrategySignals, strategySignalsProblems } from "../../streams/intent.js";
import { book, emptyIntent, marblesFor } from "../../testing/index.js";

const { marbles } = marblesFor(expect);

function pipelineWith(fn: StrategyFunction, book$: Parameters<typeof composeAssetPipeline>[1]["book$"], scheduler: Parameters<typeof composeAssetPipeline>[1]["scheduler"], errors: string[]) {
  const registries = registriesWith([{ specifier: "./test-plugin.mjs", module: { strategies: { probe: () => fn } } }], "/cfg.yaml");
  const file = parse(readFileSync(defaultConfigPath(), "utf8")) as Record<string, any>;
  const config = resolveWithRegistries({ ...file, assets: { BTC: null }, defaults: { ...file["defaults"], operators: [], strategy: { name: "probe" } } }, registries, "/cfg.yaml");
  return composeAssetPipeline(
    config.assets[0]!,
    { book$, userEvents$: of({ time: 0 }), position$: NEVER, scheduler, szDecimals: 2, probe: { flow: () => undefined, strategyError: (_a, s, d, first) => first && errors.push(`${s}: ${d}`) } },
    registries.operators,
    { strategies: registries.strategies, origins: registries.origins },
  );
}

describe("a plugin strategy in the pipeline", () => {
  it(
    "passes valid intents; a throw or an invalid intent pulls the quotes with StrategyError, and quoting resumes with the next valid one",
    marbles((m) => {
      const books = m.hot("  a-b-c-d-e", { a: book({ time: 0 }), b: book({ time: 2 }), c: book({ time: 4 }), d: book({ time: 6 }), e: book({ time: 8 }) });
      const good = (time: number) => ({ asset: "BTC", time, bids: [{ px: 99, sz: 1, source: "base_ladder" as const }], asks: [], signals: { step: time } });
      const errors: string[] = [];
      const p = pipelineWith(
        (market) => {
          if (market.time === 2) throw new Error("boom");
          if (market.time === 4) return { ...good(4), bids: [{ px: Number.NaN, sz: 1, source: "base_ladder" }] };
          if (market.time === 6) return { ...good(6), signals: { source: "x" } };
          return good(market.time);
        },
        books,
        m.scheduler,
        errors,
      );
      m.expect(p.intents$).toBeObservable("a-b-c-d-e", {
        a: good(0),
        b: emptyIntent("BTC", 2, { kind: "StrategyError", strategy: "probe", detail: "threw Error: boom" }),
        c: emptyIntent("BTC", 4, { kind: "StrategyError", strategy: "probe", detail: "invalid intent: $.bids.0.px: expected FiniteNumber, got null" }), // (JSON has no NaN: describeValue shows null)
        d: emptyIntent("BTC", 6, { kind: "StrategyError", strategy: "probe", detail: "invalid intent: $.signals.source: expected a name other than the market snapshot's (bookImbalance, tradeFlowImbalance, spreadBps, volatilityBps, closedGates, queueAheadEstimate, source, midAtPlacement), got \"source\"" }),
        e: good(8),
      });
      m.flush();
      expect(p.strategyErrors()).toBe(3);
      expect(errors).toHaveLength(3);
    }),
  );

  it("a factory that throws, or returns something other than a function, is a ConfigError naming the asset, the strategy and its plugin", () => {
    const throwing = registriesWith([{ specifier: "./p.mjs", module: { strategies: { s: () => { throw new Error("no"); } } } }], "/c.yaml");
    const file = parse(readFileSync(defaultConfigPath(), "utf8")) as Record<string, any>;
    const config = resolveWithRegistries({ ...file, assets: { ETH: null }, defaults: { ...file["defaults"], strategy: { name: "s" } } }, throwing, "/c.yaml");
    const inputs = { book$: NEVER, userEvents$: NEVER, position$: NEVER, scheduler: undefined as never, szDecimals: 4 };
    expect(() => composeAssetPipeline(config.assets[0]!, inputs, throwing.operators, throwing)).toThrow("config /c.yaml: asset ETH, strategy s: its factory threw (plugin ./p.mjs): Error: no");
    const notFn = registriesWith([{ specifier: "./q.mjs", module: { strategies: { s: () => 42 } } }], "/c.yaml");
    expect(() => composeAssetPipeline(config.assets[0]!, inputs, notFn.operators, notFn)).toThrow("asset ETH, strategy s (plugin ./q.mjs): its factory returned number, expected a function (market, position) => intent");
    expect(builtinRegistries.strategies).toEqual({});
  });
});

describe("strategy signals", () => {
  it("accept a flat record of finite numbers, short strings and booleans", () => {
    expect(StrategySignals.is({ skew: -0.5, regime: "long", limited: false })).toBe(true);
    expect(strategySignalsProblems({})).toEqual([]);
  });

  it("refuse everything else, naming the key", () => {
    const many = Object.fromEntries(Array.from({ length: STRATEGY_SIGNALS_MAX_KEYS + 1 }, (_, i) => [`k${i}`, i]));
    expect(strategySignalsProblems(many)).toEqual([`$: expected at most ${STRATEGY_SIGNALS_MAX_KEYS} signals, got ${STRATEGY_SIGNALS_MAX_KEYS + 1}`]);
    expect(strategySignalsProblems({ nested: { a: 1 }, list: [1], none: null, inf: Infinity, long: "x".repeat(65), "bad-name": 1, "9lives": 1 })).toEqual([
      '$.nested: expected a number, string or boolean, got {"a":1}',
      "$.list: expected a number, string or boolean, got [1]",
      "$.none: expected a number, string or boolean, got null",
      '$.inf: expected a finite number, got "Infinity"',
      `$.long: expected a string of at most 64 characters, got "${"x".repeat(56)}...`,
      '$.bad-name: expected a name of letters, digits and _ (at most 40, not starting with a digit), got "bad-name"',
      '$.9lives: expected a name of letters, digits and _ (at most 40, not starting with a digit), got "9lives"',
    ]);
    expect(strategySignalsProblems([1])).toEqual(["$: expected a flat record of numbers, strings and booleans, got [1]"]);
    expect(strategySignalsProblems(new Map())).toEqual(["$: expected a flat record of numbers, strings and booleans, got \"a Map object\""]);
  });
});
