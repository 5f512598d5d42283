// The service's one config file: `defaults` for every asset plus per-asset overrides, decoded
// with io-ts. Unknown keys are errors, and every error names its path and what was expected,
// so a typo in `staleGate: { maxAgeMS: 10000 }` is a refusal to start, not a silent default.
import * as t from "io-ts";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { join, resolve } from "node:path";
import { describeValue, formatErrors, strictStruct } from "../streams/codec.js";
import { packageRoot } from "../sources/paths.js";
import { hip3NameProblem } from "../streams/market.js";

import { Fraction, NonNegativeNumber, Percent, PositiveInt, PositiveNumber, numberWhere, section } from "./configTypes.js";
import { QuotaConfig } from "./quotaConfig.js";
import { reserveConfigProblems } from "./reserveConfig.js";

export { Fraction, NonNegativeNumber, Percent, PositiveInt, PositiveNumber } from "./configTypes.js";
export { QuotaConfig, QuotaStore } from "./quotaConfig.js";

// ---------- sections -------------------------------------------------------------------------

const spikeProps = {
  thresholdBps: PositiveNumber,
  windowMs: PositiveNumber,
  holdMs: NonNegativeNumber,
  widenFactor: numberWhere("a number ≥ 1", (n) => n >= 1),
  sizeFactor: Fraction,
};
export const SpikeConfig = strictStruct(spikeProps, {}, section("the quoter.spike section", spikeProps));
export type SpikeConfig = t.TypeOf<typeof SpikeConfig>;

const quoterProps = {
  /** Price levels per side. */
  levels: PositiveInt,
  /** Distance from fair price to the first level, in bps. */
  halfSpreadBps: NonNegativeNumber,
  /** Distance between consecutive levels, in bps. */
  spacingBps: NonNegativeNumber,
  /** Size of one level, in quote currency (USD); converted to coins with szDecimals. */
  levelSizeUsd: PositiveNumber,
  /** Weight of the reference venue (basis-adjusted) in the fair price: 0 = traded book only. */
  referenceWeight: Fraction,
  /** Fair-price shift at a full position (|position| = maxPositionUsd), in bps, against the inventory. */
  inventorySkewBps: NonNegativeNumber,
  /** Half-spread added per bp of per-update volatility (EWMA). */
  volatilityMultiplier: NonNegativeNumber,
  /** Half-life of the volatility EWMA, in book updates. */
  volatilityHalfLife: PositiveNumber,
  spike: SpikeConfig,
};
export const QuoterConfig = strictStruct(quoterProps, {}, section("the quoter section", quoterProps));
export type QuoterConfig = t.TypeOf<typeof QuoterConfig>;

const riskProps = {
  /** Beyond this |position| in USD the quoter only reduces (attribution `recovery`). */
  maxPositionUsd: PositiveNumber,
  /** Kill switch when realised + unrealised PnL falls below −maxLossUsd. */
  maxLossUsd: PositiveNumber,
  /** Kill switch when our position and the venue's differ by more than this, in USD. */
  maxDriftUsd: PositiveNumber,
};
const riskOptional = {
  /** A kill switch tripped by the loss limit stays tripped past 00:00 UTC (default false: the new day clears it; sinks/dayRoll.ts). */
  maxLossCarriesOver: t.boolean,
};
export const RiskConfig = strictStruct(riskProps, riskOptional, section("the risk section", riskProps, riskOptional));
export type RiskConfig = t.TypeOf<typeof RiskConfig>;

const reconciliationProps = {
  /** clearinghouseState poll period. */
  intervalMs: PositiveNumber,
  /** Minimum gap between event-triggered syncs. */
  minGapMs: NonNegativeNumber,
  /** Keep a resting order when its price is within this of the target… */
  skipPriceBps: NonNegativeNumber,
  /** …and its size within this percentage. */
  skipSizePct: Percent,
  /** Modify (rather than cancel + place) up to this price move… */
  modifyPriceBps: NonNegativeNumber,
  /** …and this size change. */
  modifySizePct: Percent,
  /** An order with no update this long after placement is stale (quoting pauses, orderStatus asked). */
  orderStaleMs: PositiveNumber,
};
const reconciliationOptionalProps = {
  /**
   * While the venue pushes account state over WebSocket (Hyperliquid clearinghouseState +
   * openOrders, no REST weight), the periodic REST snapshot runs only this often, as a safety poll.
   * Event triggers still ask REST at once. Default 60 000.
   */
  safetyPollMs: PositiveNumber,
  /**
   * Fetch open orders (frontendOpenOrders, IP weight 20) only this often on periodic syncs; the
   * 3 s positions check (clearinghouseState, weight 2) still runs every `intervalMs`, and every
   * event trigger still fetches open orders at once. Unset: open orders with every snapshot.
   */
  openOrdersIntervalMs: PositiveNumber,
  /**
   * Queue-aware keeping: keep a resting order whose expected value at its queue position (the size
   * the book showed ahead when it joined, shrunk as the book shows less) beats its replacement's.
   * `turnover`: coins expected to trade at one price level over the horizon that matters;
   * `hysteresis`: required advantage (default 0.1). Feeds the venue's books to the sink. Unset: off.
   */
  queueAware: strictStruct({ turnover: PositiveNumber }, { hysteresis: Fraction }, "QueueAwareConfig"),
  /**
   * Volatility-scaled thresholds: skipPriceBps and modifyPriceBps × clamp(vol / refVolBps, 1,
   * maxScale), vol = EWMA of |log return| per mid update in bps. Unset: off.
   */
  volatilityScaling: strictStruct({ refVolBps: PositiveNumber }, { maxScale: numberWhere("a number ≥ 1", (n) => n >= 1) }, "VolatilityScalingConfig"),
  /**
   * What the start does with orders an earlier session left resting on the asset (README "Restarts
   * and safety"): "cancel" (default) or "adopt" — our own (a CLOID) become this session's resting
   * orders, which the first ladder keeps, modifies or cancels like any other. Unset: cancel.
   */
  leftoverOrders: t.keyof({ cancel: null, adopt: null }, '"cancel" or "adopt"'),
};
export const ReconciliationConfig = strictStruct(reconciliationProps, reconciliationOptionalProps, section("the reconciliation section", reconciliationProps, reconciliationOptionalProps));
export type ReconciliationConfig = t.TypeOf<typeof ReconciliationConfig>;

const markoutProps = {
  horizonsMs: t.array(PositiveNumber, "a list of positive horizons in ms"),
  staleAfterMs: PositiveNumber,
};
export const MarkoutConfig = strictStruct(markoutProps, {}, section("the markouts section", markoutProps));
export type MarkoutConfig = t.TypeOf<typeof MarkoutConfig>;

/**
 * One operator in an asset's chain: `crossedBookGate` or `{ staleGate: { maxAgeMs: 10000 } }`.
 * Names and parameters are checked against the operator registry after the structure decodes.
 */
export const OperatorStepInput = new t.Type<{ name: string; params: unknown }, unknown, unknown>(
  'an operator name or a one-key object { <operator>: { <params> } }',
  (u): u is { name: string; params: unknown } => typeof u === "object" && u !== null && "name" in u,
  (u, c) => {
    if (typeof u === "string" && u.length > 0) return t.success({ name: u, params: {} });
    if (typeof u === "object" && u !== null && !Array.isArray(u)) {
      const keys = Object.keys(u);
      if (keys.length === 1) {
        const name = keys[0]!;
        const params = (u as Record<string, unknown>)[name];
        return t.success({ name, params: params ?? {} });
      }
    }
    return t.failure(u, c);
  },
  t.identity,
);
export interface OperatorStep {
  readonly name: string;
  readonly params: unknown;
}

/** `strategy: { name, params }`: a strategy from a plugin instead of the built-in ladder. */
export const StrategyStepInput = strictStruct({ name: t.string }, { params: t.unknown }, "{ name: <strategy>, params?: { … } }");
export interface StrategyStep {
  readonly name: string;
  readonly params: unknown;
}
/** In an asset's override, `strategy: null` selects the built-in ladder whatever `defaults` says. */
const StrategyOverrideInput = t.union([StrategyStepInput, t.null], "{ name: <strategy>, params?: { … } } or null (the built-in ladder)");

const sectionProps = {
  /** The operator chain, in order. Each operator acts on its own stream (book, intents, fills). */
  operators: t.array(OperatorStepInput, "a list of operators"),
  quoter: QuoterConfig,
  risk: RiskConfig,
  reconciliation: ReconciliationConfig,
  markouts: MarkoutConfig,
};

export const AssetDefaults = strictStruct(sectionProps, { strategy: StrategyStepInput }, section("the defaults section", sectionProps));

/** A per-asset override: any section, any subset of its keys. `operators` replaces the whole chain. */
export const AssetOverride = strictStruct(
  {},
  {
    operators: sectionProps.operators,
    quoter: strictStruct({}, { ...quoterProps, spike: strictStruct({}, spikeProps, section("a quoter.spike override", spikeProps)) }, section("a quoter override", quoterProps)),
    risk: strictStruct({}, riskProps, section("a risk override", riskProps)),
    reconciliation: strictStruct({}, { ...reconciliationProps, ...reconciliationOptionalProps }, section("a reconciliation override", reconciliationProps, reconciliationOptionalProps)),
    markouts: strictStruct({}, markoutProps, section("a markouts override", markoutProps)),
    strategy: StrategyOverrideInput,
  },
  "an asset override (null, or an object with any of operators, quoter, risk, reconciliation, markouts)",
);
export type AssetOverride = t.TypeOf<typeof AssetOverride>;

/** `BTC: null` (or `BTC: {}`) means defaults only. */
const OptionalOverride = new t.Type<AssetOverride, unknown, unknown>(
  AssetOverride.name,
  AssetOverride.is,
  (u, c) => (u === null || u === undefined ? t.success({}) : AssetOverride.validate(u, c)),
  t.identity,
);


const observabilityProps = {
  /** Terminal status line period; 0 disables it. */
  statusIntervalMs: NonNegativeNumber,
  /** Directory of the fill journal (JSONL), relative to the working directory. */
  journalDir: t.string,
  logLevel: t.keyof({ trace: null, debug: null, info: null, warn: null, error: null, fatal: null, silent: null }),
};
export const ObservabilityConfig = strictStruct(observabilityProps, {}, section("the observability section", observabilityProps));
export type ObservabilityConfig = t.TypeOf<typeof ObservabilityConfig>;

/** The file as written: `assets` lists what to quote (with optional overrides). */
export const ConfigFile = strictStruct(
  {
    assets: t.record(t.string, OptionalOverride, "a map of asset name → override (or null)"),
    defaults: AssetDefaults,
    quota: QuotaConfig,
    observability: ObservabilityConfig,
  },
  {
    /** Plugin modules: paths relative to the config file (`./my-plugin.mjs`) or packages resolved from it. */
    plugins: t.array(t.string, "a list of module specifiers (paths relative to the config file, or package names)"),
  },
  "a config file (an object with assets, defaults, quota, observability, plugins)",
);
export type ConfigFile = t.TypeOf<typeof ConfigFile>;

// ---------- resolved --------------------------------------------------------------------------

/** Everything one asset's pipeline needs, defaults merged with its override. */
export interface AssetConfig {
  readonly asset: string;
  readonly operators: readonly OperatorStep[];
  readonly quoter: QuoterConfig;
  readonly risk: RiskConfig;
  readonly reconciliation: ReconciliationConfig;
  readonly markouts: MarkoutConfig;
  /** A plugin strategy instead of the built-in ladder (the ladder when absent). */
  readonly strategy?: StrategyStep;
}

export interface ServiceConfig {
  readonly assets: readonly AssetConfig[];
  /** The `defaults` section resolved (asset "*"): what an asset added later, or the sink, falls back to. */
  readonly defaults?: AssetConfig;
  readonly quota: QuotaConfig;
  readonly observability: ObservabilityConfig;
  /** The `plugins` list as written (resolved against the config file by app/plugins.ts). */
  readonly plugins?: readonly string[];
}

/** What the config checks an operator step (or a strategy) against: the registry's names and parameter codecs. */
export type OperatorCatalog = Readonly<Record<string, { readonly params: t.Decoder<unknown, unknown> }>>;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`config ${source}: ${problems.join("; ")}`);
  }
}

function checkSteps(steps: readonly OperatorStep[], at: string, catalog: OperatorCatalog, problems: string[]): OperatorStep[] {
  const out: OperatorStep[] = [];
  const known = Object.keys(catalog);
  steps.forEach((step, i) => {
    const path = `${at}.${i}`;
    const entry = Object.prototype.hasOwnProperty.call(catalog, step.name) ? catalog[step.name] : undefined;
    if (entry === undefined) {
      problems.push(`${path}: expected one of the registered operators (${known.join(", ")}), got "${step.name}"`);
      return;
    }
    const decoded = entry.params.decode(step.params);
    if (decoded._tag === "Left") {
      for (const line of formatErrors(decoded.left)) problems.push(line.replace(/^\$/, `${path}.${step.name}`));
      return;
    }
    out.push({ name: step.name, params: decoded.right });
  });
  return out;
}

function checkStrategy(step: { readonly name: string; readonly params?: unknown } | undefined, at: string, strategies: OperatorCatalog, problems: string[]): StrategyStep | undefined {
  if (step === undefined) return undefined;
  const entry = Object.prototype.hasOwnProperty.call(strategies, step.name) ? strategies[step.name] : undefined;
  if (entry === undefined) {
    const known = Object.keys(strategies);
    problems.push(`${at}.name: expected one of the strategies of the config's plugins (${known.length ? known.join(", ") : "none: name a module in `plugins:`"}), got "${step.name}"`);
    return undefined;
  }
  const decoded = entry.params.decode(step.params ?? {});
  if (decoded._tag === "Left") {
    for (const line of formatErrors(decoded.left)) problems.push(line.replace(/^\$/, `${at}.params`));
    return undefined;
  }
  return { name: step.name, params: decoded.right };
}

/**
 * Decode an already-parsed config value; throws ConfigError listing every problem with its path.
 * `strategies`: the strategies a `strategy:` section may name (plugins'; none by default).
 */
export function resolveConfig(input: unknown, catalog: OperatorCatalog, source = "(inline)", strategies: OperatorCatalog = {}): ServiceConfig {
  const decoded = ConfigFile.decode(input);
  if (decoded._tag === "Left") throw new ConfigError(source, formatErrors(decoded.left));
  const file = decoded.right;
  const problems: string[] = [];
  const defaultOps = checkSteps(file.defaults.operators, "$.defaults.operators", catalog, problems);
  const defaultStrategy = checkStrategy(file.defaults.strategy, "$.defaults.strategy", strategies, problems);
  const assets: AssetConfig[] = [];
  for (const [asset, override] of Object.entries(file.assets)) {
    const o = override;
    const nameProblem = hip3NameProblem(asset);
    if (nameProblem !== undefined) problems.push(`$.assets.${asset}: ${nameProblem}`);
    const operators = o.operators ? checkSteps(o.operators, `$.assets.${asset}.operators`, catalog, problems) : defaultOps;
    assets.push({
      asset,
      operators,
      quoter: { ...file.defaults.quoter, ...o.quoter, spike: { ...file.defaults.quoter.spike, ...o.quoter?.spike } },
      risk: { ...file.defaults.risk, ...o.risk },
      reconciliation: { ...file.defaults.reconciliation, ...o.reconciliation },
      markouts: { ...file.defaults.markouts, ...o.markouts },
      ...strategyOf(o.strategy === undefined ? defaultStrategy : o.strategy === null ? undefined : checkStrategy(o.strategy, `$.assets.${asset}.strategy`, strategies, problems)),
    });
  }
  if (assets.length === 0) problems.push("$.assets: expected at least one asset, got {}");
  if (file.quota.breakerPct < file.quota.reservePct)
    problems.push(`$.quota.breakerPct: expected ≥ reservePct (${file.quota.reservePct}), got ${file.quota.breakerPct}`);
  problems.push(...reserveConfigProblems(file.quota.reserve, file.quota.breakerPct));
  if (problems.length > 0) throw new ConfigError(source, problems);
  const defaults: AssetConfig = { asset: "*", operators: defaultOps, quoter: file.defaults.quoter, risk: file.defaults.risk, reconciliation: file.defaults.reconciliation, markouts: file.defaults.markouts, ...strategyOf(defaultStrategy) };
  return { assets, defaults, quota: file.quota, observability: file.observability, ...(file.plugins ? { plugins: file.plugins } : {}) };
}

function strategyOf(step: StrategyStep | undefined): { strategy?: StrategyStep } {
  return step ? { strategy: step } : {};
}

/** Parse YAML or JSON text (JSON is YAML, but a `.json` file is parsed strictly as JSON). */
export function parseConfigText(text: string, source: string): unknown {
  try {
    if (source.endsWith(".json")) return JSON.parse(text) as unknown;
    return parseYaml(text, { prettyErrors: true, uniqueKeys: true }) as unknown;
  } catch (err) {
    const msg = err instanceof Error ? err.message.split("\n")[0] ?? err.message : String(err);
    throw new ConfigError(source, [`$: expected valid ${source.endsWith(".json") ? "JSON" : "YAML"}, ${msg}`]);
  }
}

export function parseConfig(text: string, source: string, catalog: OperatorCatalog, strategies: OperatorCatalog = {}): ServiceConfig {
  return resolveConfig(parseConfigText(text, source), catalog, source, strategies);
}

function isPlainObject(u: unknown): u is Record<string, unknown> {
  return typeof u === "object" && u !== null && !Array.isArray(u);
}

/**
 * `file` over `base`: objects merge key by key at every depth, anything else (a list, a number,
 * null) replaces. `assets` is never merged: the file's list of assets is the list quoted.
 */
export function mergeOverDefaults(base: unknown, file: unknown, top = true): unknown {
  if (!isPlainObject(base) || !isPlainObject(file)) return file;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(file)) out[k] = top && k === "assets" ? v : k in base ? mergeOverDefaults(base[k], v, false) : v;
  return out;
}

/** Two config values alike whatever the order of their keys (a file re-saved with keys reordered changes nothing). */
export function sameConfigValue(a: unknown, b: unknown): boolean {
  const canonical = (u: unknown): unknown =>
    Array.isArray(u) ? u.map(canonical) : isPlainObject(u) ? Object.fromEntries(Object.keys(u).sort().map((k) => [k, canonical(u[k])])) : u;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(path, [`$: expected a readable file, ${(err as NodeJS.ErrnoException).code ?? "cannot read"}`]);
  }
}

/**
 * Read, parse and validate a config file, merged over the shipped `config/default.yaml` (a file
 * may hold only what it changes, e.g. `assets: { BTC: null }`). Throws ConfigError (never a bare
 * YAML or io-ts error).
 */
export function loadConfigFile(path: string, catalog: OperatorCatalog, strategies: OperatorCatalog = {}): ServiceConfig {
  return resolveConfig(readConfigText(path), catalog, path, strategies);
}

/**
 * The file parsed (YAML or JSON) and merged over the shipped defaults, not yet validated (the
 * plugin loader reads `plugins` from it first). The shipped file itself is taken as it is.
 */
export function readConfigText(path: string): unknown {
  const value = parseConfigText(readText(path), path);
  const shipped = defaultConfigPath();
  if (resolve(path) === resolve(shipped)) return value;
  if (value !== null && value !== undefined && !isPlainObject(value)) throw new ConfigError(path, [`$: expected a config file (an object with any of assets, defaults, quota, observability, plugins), got ${describeValue(value)}`]);
  return mergeOverDefaults(parseConfigText(readText(shipped), shipped), value ?? {});
}

/**
 * Every configured asset must be a market the venue offers: one problem per missing asset, naming
 * what the venue does offer (and the right spelling when only the case is wrong).
 */
export function checkAssetsOffered(assets: readonly string[], offered: readonly string[], venue: string): void {
  const problems: string[] = [];
  const list = offered.length > 24 ? `${offered.slice(0, 24).join(", ")}, … (${offered.length} in all)` : offered.join(", ");
  for (const a of assets) {
    if (offered.includes(a)) continue;
    const cased = offered.find((o) => o.toLowerCase() === a.toLowerCase());
    problems.push(cased !== undefined ? `$.assets.${a}: asset names are case-sensitive; did you mean ${cased}?` : `$.assets.${a}: venue ${venue} does not offer ${a} (it offers ${list})`);
  }
  if (problems.length > 0) throw new ConfigError(`for venue ${venue}`, problems);
}


/** The default config file shipped in the repository. */
export function defaultConfigPath(): string {
  return join(packageRoot(), "config", "default.yaml");
}
