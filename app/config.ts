// The service's one config file: `defaults` for every asset plus per-asset overrides, decoded
// with io-ts. Unknown keys are errors, and every error names its path and what was expected,
// so a typo in `staleGate: { maxAgeMS: 10000 }` is a refusal to start, not a silent default.
import * as t from "io-ts";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { join } from "node:path";
import { formatErrors, strictStruct } from "../streams/codec.js";
import { packageRoot } from "./paths.js";

function numberWhere(name: string, ok: (n: number) => boolean) {
  return new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === "number" && ok(u),
    (u, c) => (typeof u === "number" && Number.isFinite(u) && ok(u) ? t.success(u) : t.failure(u, c)),
    t.identity,
  );
}

export const PositiveNumber = numberWhere("a positive number", (n) => Number.isFinite(n) && n > 0);
export const NonNegativeNumber = numberWhere("a number ≥ 0", (n) => Number.isFinite(n) && n >= 0);
export const PositiveInt = numberWhere("a positive integer", (n) => Number.isInteger(n) && n > 0);
export const Fraction = numberWhere("a number between 0 and 1", (n) => n >= 0 && n <= 1);
export const Percent = numberWhere("a percentage between 0 and 100", (n) => n >= 0 && n <= 100);

// ---------- sections -------------------------------------------------------------------------

const spikeProps = {
  thresholdBps: PositiveNumber,
  windowMs: PositiveNumber,
  holdMs: NonNegativeNumber,
  widenFactor: numberWhere("a number ≥ 1", (n) => n >= 1),
  sizeFactor: Fraction,
};
export const SpikeConfig = strictStruct(spikeProps, {}, "SpikeConfig");
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
export const QuoterConfig = strictStruct(quoterProps, {}, "QuoterConfig");
export type QuoterConfig = t.TypeOf<typeof QuoterConfig>;

const riskProps = {
  /** Beyond this |position| in USD the quoter only reduces (attribution `recovery`). */
  maxPositionUsd: PositiveNumber,
  /** Kill switch when realised + unrealised PnL falls below −maxLossUsd. */
  maxLossUsd: PositiveNumber,
  /** Kill switch when our position and the venue's differ by more than this, in USD. */
  maxDriftUsd: PositiveNumber,
};
export const RiskConfig = strictStruct(riskProps, {}, "RiskConfig");
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
   * Fetch open orders (frontendOpenOrders, IP weight 20) only this often on periodic syncs; the
   * 3 s positions check (clearinghouseState, weight 2) still runs every `intervalMs`, and every
   * event trigger still fetches open orders at once. Unset: open orders with every snapshot.
   */
  openOrdersIntervalMs: PositiveNumber,
};
export const ReconciliationConfig = strictStruct(reconciliationProps, reconciliationOptionalProps, "ReconciliationConfig");
export type ReconciliationConfig = t.TypeOf<typeof ReconciliationConfig>;

const markoutProps = {
  horizonsMs: t.array(PositiveNumber, "a list of positive horizons in ms"),
  staleAfterMs: PositiveNumber,
};
export const MarkoutConfig = strictStruct(markoutProps, {}, "MarkoutConfig");
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

export const AssetDefaults = strictStruct(sectionProps, { strategy: StrategyStepInput }, "AssetDefaults");

/** A per-asset override: any section, any subset of its keys. `operators` replaces the whole chain. */
export const AssetOverride = strictStruct(
  {},
  {
    operators: sectionProps.operators,
    quoter: strictStruct({}, { ...quoterProps, spike: strictStruct({}, spikeProps, "SpikeOverride") }, "QuoterOverride"),
    risk: strictStruct({}, riskProps, "RiskOverride"),
    reconciliation: strictStruct({}, { ...reconciliationProps, ...reconciliationOptionalProps }, "ReconciliationOverride"),
    markouts: strictStruct({}, markoutProps, "MarkoutOverride"),
    strategy: StrategyOverrideInput,
  },
  "AssetOverride",
);
export type AssetOverride = t.TypeOf<typeof AssetOverride>;

/** `BTC: null` (or `BTC: {}`) means defaults only. */
const OptionalOverride = new t.Type<AssetOverride, unknown, unknown>(
  "AssetOverride",
  AssetOverride.is,
  (u, c) => (u === null || u === undefined ? t.success({}) : AssetOverride.validate(u, c)),
  t.identity,
);

const quotaProps = {
  /** Placements and modifies never eat into this share of the address budget (cancels may). */
  reservePct: Percent,
  /** Below this headroom new quotes stop (breaker, with hysteresis) and a gate reason is reported. */
  breakerPct: Percent,
};
export const QuotaConfig = strictStruct(quotaProps, {}, "QuotaConfig");
export type QuotaConfig = t.TypeOf<typeof QuotaConfig>;

const observabilityProps = {
  /** Terminal status line period; 0 disables it. */
  statusIntervalMs: NonNegativeNumber,
  /** Directory of the fill journal (JSONL), relative to the working directory. */
  journalDir: t.string,
  logLevel: t.keyof({ trace: null, debug: null, info: null, warn: null, error: null, fatal: null, silent: null }),
};
export const ObservabilityConfig = strictStruct(observabilityProps, {}, "ObservabilityConfig");
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
  "ConfigFile",
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

/** Read, parse and validate a config file. Throws ConfigError (never a bare YAML or io-ts error). */
export function loadConfigFile(path: string, catalog: OperatorCatalog, strategies: OperatorCatalog = {}): ServiceConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(path, [`$: expected a readable file, ${(err as NodeJS.ErrnoException).code ?? "cannot read"}`]);
  }
  return parseConfig(text, path, catalog, strategies);
}

/** Read and parse a config file without validating it (the plugin loader reads `plugins` first). */
export function readConfigText(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(path, [`$: expected a readable file, ${(err as NodeJS.ErrnoException).code ?? "cannot read"}`]);
  }
  return parseConfigText(text, path);
}

/** The default config file shipped in the repository. */
export function defaultConfigPath(): string {
  return join(packageRoot(), "config", "default.yaml");
}
