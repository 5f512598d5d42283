// Plugins: modules a config names (`plugins: ["./my-plugin.mjs", "some-package"]`) that export
// `strategies` and/or `operators`, records by name. Paths are relative to the config file,
// packages are resolved from it. Loading checks every entry's shape and name; any problem is one
// ConfigError naming the plugin and the config file (the CLI exits 2; a hot reload is refused).
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as t from "io-ts";
import { ConfigError, type OperatorCatalog, type ServiceConfig, readConfigText, resolveConfig } from "./config.js";
import {
  type AnyOperatorFactory,
  AnyParams,
  type EntryOrigin,
  type OperatorRegistry,
  type PluginOperator,
  type PluginStrategy,
  type RegistryOrigins,
  type StrategyContext,
  type StrategyFactory,
  type StrategyFunction,
  type StrategyRegistry,
  catalogOf,
  operatorRegistry,
  strategyRegistry,
} from "./registry.js";

/** What a plugin module exports (named exports, or the same two keys on its default export). */
export interface QuoteflowPlugin {
  readonly strategies?: Readonly<Record<string, AnyPluginStrategy>>;
  readonly operators?: Readonly<Record<string, AnyPluginOperator>>;
}

/** Any operator entry a plugin may export (its parameters' type is its own). */
export type AnyPluginOperator = PluginOperator<"book"> | PluginOperator<"intent"> | PluginOperator<"fill">;
/** Any strategy entry a plugin may export. */
export type AnyPluginStrategy =
  | ((params: never, ctx: StrategyContext) => StrategyFunction)
  | { readonly params?: t.Decoder<unknown, unknown>; readonly description?: string; create(params: never, ctx: StrategyContext): StrategyFunction };

/** Typed helper for a plugin module's exports. */
export function definePlugin<T extends QuoteflowPlugin>(plugin: T): T {
  return plugin;
}

/** Operators and strategies, built in plus every plugin's, and where each plugin entry came from. */
export interface Registries {
  readonly operators: OperatorRegistry;
  readonly strategies: StrategyRegistry;
  readonly origins: RegistryOrigins;
}

export const builtinRegistries: Registries = { operators: operatorRegistry, strategies: strategyRegistry, origins: { operators: {}, strategies: {} } };

/** A plugin already in memory (the programmatic entry takes these), or loaded from a specifier. */
export interface PluginSource {
  /** How it is named in messages: the config's specifier, or a name the caller chose. */
  readonly specifier: string;
  readonly module: unknown;
}

const NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const STAGES = ["book", "intent", "fill"];

function isRecord(u: unknown): u is Record<string, unknown> {
  return typeof u === "object" && u !== null && !Array.isArray(u);
}

function isDecoder(u: unknown): boolean {
  return isRecord(u) && typeof u["decode"] === "function";
}

function describe(u: unknown): string {
  return u === null ? "null" : Array.isArray(u) ? "an array" : typeof u;
}

/** The exports of a module as a plugin: its named `strategies`/`operators`, else its default export's. */
function pluginExports(module: unknown): { strategies?: unknown; operators?: unknown } | undefined {
  if (!isRecord(module) && typeof module !== "function") return undefined;
  const m = module as Record<string, unknown>;
  if (m["strategies"] !== undefined || m["operators"] !== undefined) return { strategies: m["strategies"], operators: m["operators"] };
  const d = m["default"];
  if (isRecord(d) && (d["strategies"] !== undefined || d["operators"] !== undefined)) return { strategies: d["strategies"], operators: d["operators"] };
  return undefined;
}

/**
 * Merge plugins into the built-in registries. Throws one ConfigError (source `configPath`)
 * listing every problem, each prefixed with `$.plugins.<i> ("<specifier>")`.
 */
export function registriesWith(plugins: readonly PluginSource[], configPath: string, base: Registries = builtinRegistries): Registries {
  const operators: Record<string, AnyOperatorFactory> = { ...base.operators };
  const strategies: Record<string, StrategyFactory> = { ...base.strategies };
  const origins = { operators: { ...base.origins.operators } as Record<string, EntryOrigin>, strategies: { ...base.origins.strategies } as Record<string, EntryOrigin> };
  const problems: string[] = [];
  plugins.forEach((p, i) => {
    const at = `$.plugins.${i} ("${p.specifier}")`;
    const origin: EntryOrigin = { plugin: p.specifier, config: configPath };
    const ex = pluginExports(p.module);
    if (!ex) {
      problems.push(`${at}: expected a module exporting \`strategies\` and/or \`operators\` (records by name), it exports neither`);
      return;
    }
    const taken = (kind: "operator" | "strategy", name: string): string | undefined => {
      const from = kind === "operator" ? origins.operators[name] : origins.strategies[name];
      const exists = kind === "operator" ? Object.prototype.hasOwnProperty.call(operators, name) : Object.prototype.hasOwnProperty.call(strategies, name);
      if (!exists) return undefined;
      return from ? `plugin "${from.plugin}"` : "a built-in";
    };
    if (ex.operators !== undefined) {
      if (!isRecord(ex.operators)) problems.push(`${at}.operators: expected a record of operators by name, got ${describe(ex.operators)}`);
      else
        for (const [name, entry] of Object.entries(ex.operators)) {
          const here = `${at}.operators.${name}`;
          if (!NAME.test(name)) problems.push(`${here}: expected a name of letters, digits, _ and $`);
          else if (taken("operator", name)) problems.push(`${here}: the name is already taken by ${taken("operator", name)}`);
          else if (!isRecord(entry)) problems.push(`${here}: expected { stage, create, params?, description? }, got ${describe(entry)}`);
          else if (typeof entry["stage"] !== "string" || !STAGES.includes(entry["stage"])) problems.push(`${here}.stage: expected one of ${STAGES.join(", ")}, got ${JSON.stringify(entry["stage"]) ?? "nothing"}`);
          else if (typeof entry["create"] !== "function") problems.push(`${here}.create: expected a function (params, ctx) => operator, got ${describe(entry["create"])}`);
          else if (entry["params"] !== undefined && !isDecoder(entry["params"])) problems.push(`${here}.params: expected an io-ts codec (an object with decode), got ${describe(entry["params"])}`);
          else if (entry["description"] !== undefined && typeof entry["description"] !== "string") problems.push(`${here}.description: expected a string, got ${describe(entry["description"])}`);
          else {
            const e = entry as unknown as PluginOperator;
            operators[name] = {
              stage: e.stage,
              params: e.params ?? AnyParams,
              description: e.description ?? `(plugin ${p.specifier})`,
              create: (params, ctx) => e.create(params, ctx),
            } as AnyOperatorFactory;
            origins.operators[name] = origin;
          }
        }
    }
    if (ex.strategies !== undefined) {
      if (!isRecord(ex.strategies)) problems.push(`${at}.strategies: expected a record of strategies by name, got ${describe(ex.strategies)}`);
      else
        for (const [name, entry] of Object.entries(ex.strategies)) {
          const here = `${at}.strategies.${name}`;
          if (!NAME.test(name)) problems.push(`${here}: expected a name of letters, digits, _ and $`);
          else if (taken("strategy", name)) problems.push(`${here}: the name is already taken by ${taken("strategy", name)}`);
          else if (typeof entry === "function") {
            const create = entry as (params: unknown, ctx: never) => never;
            strategies[name] = { params: AnyParams, description: `(plugin ${p.specifier})`, create: (params, ctx) => create(params, ctx as never) };
            origins.strategies[name] = origin;
          } else if (!isRecord(entry) || typeof entry["create"] !== "function")
            problems.push(`${here}: expected a factory (params, ctx) => (market, position) => intent, or { create, params?, description? }, got ${describe(entry)}`);
          else if (entry["params"] !== undefined && !isDecoder(entry["params"])) problems.push(`${here}.params: expected an io-ts codec (an object with decode), got ${describe(entry["params"])}`);
          else {
            const e = entry as unknown as Exclude<PluginStrategy, (...a: never[]) => unknown>;
            strategies[name] = { params: e.params ?? AnyParams, description: e.description ?? `(plugin ${p.specifier})`, create: (params, ctx) => e.create(params, ctx) };
            origins.strategies[name] = origin;
          }
        }
    }
  });
  if (problems.length > 0) throw new ConfigError(configPath, problems);
  return { operators, strategies, origins };
}

function isPathSpecifier(spec: string): boolean {
  return spec.startsWith("./") || spec.startsWith("../") || spec.startsWith("/") || spec.startsWith("file:") || isAbsolute(spec) || spec === "." || spec === "..";
}

/** The package's ESM entry when require.resolve cannot see it (an `import`-only exports map). */
function resolvePackageEntry(spec: string, fromDir: string): string | undefined {
  const parts = spec.split("/");
  const pkgName = spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
  const sub = spec.slice(pkgName.length);
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const pkgDir = join(dir, "node_modules", pkgName);
    const pkgJson = join(pkgDir, "package.json");
    if (existsSync(pkgJson)) {
      const pkg = JSON.parse(readFileSync(pkgJson, "utf8")) as { exports?: unknown; module?: string; main?: string };
      const key = sub === "" ? "." : `.${sub}`;
      let target: unknown = pkg.exports;
      if (isRecord(target) && Object.keys(target).some((k) => k.startsWith("."))) target = target[key];
      else if (key !== ".") target = undefined;
      for (let i = 0; i < 4 && isRecord(target); i++) target = target["import"] ?? target["node"] ?? target["default"];
      if (typeof target === "string") return join(pkgDir, target);
      if (key === ".") return join(pkgDir, pkg.module ?? pkg.main ?? "index.js");
      return join(pkgDir, sub);
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The file a config's plugin specifier names. */
export function resolvePluginPath(spec: string, configPath: string): string {
  const dir = dirname(resolve(configPath));
  if (spec.startsWith("file:")) return fileURLToPath(spec);
  if (isPathSpecifier(spec)) return resolve(dir, spec);
  try {
    return createRequire(join(dir, "noop.js")).resolve(spec);
  } catch (err) {
    const entry = resolvePackageEntry(spec, dir);
    if (entry !== undefined && existsSync(entry)) return entry;
    throw err;
  }
}

/**
 * Import every plugin a config names. `fresh`: import files again even if this process imported
 * them before (a hot reload after the plugin was edited; the module URL carries its mtime).
 */
export async function importPlugins(specifiers: readonly string[], configPath: string, options: { readonly fresh?: boolean } = {}): Promise<PluginSource[]> {
  const out: PluginSource[] = [];
  const problems: string[] = [];
  for (const [i, spec] of specifiers.entries()) {
    const at = `$.plugins.${i} ("${spec}")`;
    let file: string;
    try {
      file = resolvePluginPath(spec, configPath);
    } catch (err) {
      problems.push(`${at}: cannot resolve it from ${dirname(resolve(configPath))}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
      continue;
    }
    if (!existsSync(file)) {
      problems.push(`${at}: no such file ${file}`);
      continue;
    }
    const url = pathToFileURL(file);
    if (options.fresh) url.search = `v=${Math.round(statSync(file).mtimeMs)}`;
    try {
      out.push({ specifier: spec, module: (await import(url.href)) as unknown });
    } catch (err) {
      problems.push(`${at}: cannot load ${file}: ${err instanceof Error ? `${err.name}: ${err.message.split("\n")[0]}` : String(err)}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(configPath, problems);
  return out;
}

/** The plugins a config file names and their files' mtimes (a hot reload imports them again when it changes). */
export function pluginFingerprint(configPath: string): string {
  try {
    const raw = readConfigText(configPath);
    const listed = isRecord(raw) && Array.isArray(raw["plugins"]) ? (raw["plugins"] as unknown[]) : [];
    return JSON.stringify(
      listed.map((spec) => {
        if (typeof spec !== "string") return [spec];
        try {
          const file = resolvePluginPath(spec, configPath);
          return [spec, file, existsSync(file) ? statSync(file).mtimeMs : null];
        } catch {
          return [spec, null];
        }
      }),
    );
  } catch (err) {
    return `unreadable: ${String(err)}`;
  }
}

/** A validated config and the registries its plugins make. */
export interface LoadedConfig {
  readonly path: string;
  readonly config: ServiceConfig;
  readonly registries: Registries;
}

/**
 * Read a config file, import the plugins it names, and validate it against the built-in
 * operators plus theirs. Every problem (the file, a plugin, an unknown name) is a ConfigError.
 */
export async function loadConfigWithPlugins(path: string, options: { readonly base?: Registries; readonly fresh?: boolean; readonly plugins?: readonly PluginSource[] } = {}): Promise<LoadedConfig> {
  const raw = readConfigText(path);
  const listed = isRecord(raw) && Array.isArray(raw["plugins"]) && raw["plugins"].every((s) => typeof s === "string") ? (raw["plugins"] as string[]) : [];
  const imported = await importPlugins(listed, path, options.fresh !== undefined ? { fresh: options.fresh } : {});
  const registries = registriesWith([...(options.plugins ?? []), ...imported], path, options.base);
  const config = resolveConfig(raw, catalogOf(registries.operators), path, catalogOf(registries.strategies));
  return { path, config, registries };
}

/** Validate an in-memory config (already parsed) against registries. */
export function resolveWithRegistries(input: unknown, registries: Registries, source = "(inline)"): ServiceConfig {
  const catalogs: [OperatorCatalog, OperatorCatalog] = [catalogOf(registries.operators), catalogOf(registries.strategies)];
  return resolveConfig(input, catalogs[0], source, catalogs[1]);
}
