// The programmatic entry: a QuoteflowService on any venue with defaults for everything else —
// the shipped config, the asyncScheduler, a silent logger, a private metrics registry, no
// journal — and plugins given as modules or as specifiers.
import { resolve } from "node:path";
import type { Logger } from "pino";
import { type Observable, type SchedulerLike, asyncScheduler } from "rxjs";
import type { ServiceExecutorOptions } from "./service.js";
import type { ReferenceQuote } from "../streams/market.js";
import type { Venue } from "../streams/venue.js";
import { type ServiceConfig, defaultConfigPath, readConfigText } from "./config.js";
import { silentLogger } from "./logger.js";
import { type ServiceMetrics, createMetrics } from "./metrics.js";
import { type PluginSource, type QuoteflowPlugin, type Registries, importPlugins, loadConfigWithPlugins, registriesWith, resolveWithRegistries } from "./plugins.js";
import { QuoteflowService } from "./service.js";

export interface CreateQuoteflowOptions {
  /** Where orders go and market data comes from: a HyperliquidVenue, a PaperVenue, your own. */
  readonly venue: Venue;
  /**
   * A config file's path (its `plugins` resolve against it), or a config value as a file would
   * hold it — any top-level section left out (`defaults`, `quota`, `observability`) comes from the
   * shipped `config/default.yaml`. Default: the shipped file.
   */
  readonly config?: string | Record<string, unknown>;
  /** More plugins: modules (`{ strategies, operators }`) or specifiers (relative to the config file, else the working directory). */
  readonly plugins?: readonly (QuoteflowPlugin | string)[];
  /** Default `asyncScheduler`; a VirtualTimeScheduler runs on virtual time. */
  readonly scheduler?: SchedulerLike;
  /** Default: silent. */
  readonly logger?: Logger;
  /** Default: a fresh prom-client registry without Node's default metrics. */
  readonly metrics?: ServiceMetrics;
  /** Reference-venue quotes per asset (the paper venue's synthetic markets have them). */
  readonly reference?: (asset: string) => Observable<ReferenceQuote>;
  /** Write the fill journal to `<dir>/fills-<stamp>.jsonl`. Default: no journal. */
  readonly journal?: { readonly dir: string; readonly stamp: string };
  /** CLOID seed of the session. Default: drawn from the scheduler's clock and Math.random. */
  readonly cloidSeed?: number | bigint;
  readonly executor?: ServiceExecutorOptions;
  /** Report samples period. Default 5000 ms. */
  readonly sampleMs?: number;
}

/** A service built by createQuoteflow, with the config and registries it was built from. */
export interface Quoteflow {
  readonly service: QuoteflowService;
  readonly config: ServiceConfig;
  readonly registries: Registries;
  /** Load the venue's universe, compose every asset's pipeline, connect the sink. */
  start(): Promise<void>;
  /** Cancel everything, wait for the answers, flush the journal. */
  stop(): Promise<void>;
}

/** A validated config and the registries of its plugins, before any venue is involved. */
export interface PreparedQuoteflow {
  readonly config: ServiceConfig;
  readonly registries: Registries;
}

/** Validate the config and load the plugins (a ConfigError names every problem). */
export async function prepareQuoteflow(options: Pick<CreateQuoteflowOptions, "config" | "plugins">): Promise<PreparedQuoteflow> {
  const given = options.config ?? defaultConfigPath();
  const base = typeof given === "string" ? resolve(given) : resolve(process.cwd(), "(inline config)");
  const specifiers = (options.plugins ?? []).filter((p): p is string => typeof p === "string");
  const modules: PluginSource[] = (options.plugins ?? []).flatMap((p, i) => (typeof p === "string" ? [] : [{ specifier: `options.plugins.${i}`, module: p }]));
  const imported = [...modules, ...(await importPlugins(specifiers, base))];
  let config: ServiceConfig;
  let registries: Registries;
  if (typeof given === "string") {
    const loaded = await loadConfigWithPlugins(base, { plugins: imported });
    config = loaded.config;
    registries = loaded.registries;
  } else {
    const shipped = readConfigText(defaultConfigPath()) as Record<string, unknown>;
    const raw = { ...shipped, ...given };
    const listed = Array.isArray(raw["plugins"]) ? (raw["plugins"] as unknown[]).filter((s): s is string => typeof s === "string") : [];
    registries = registriesWith([...imported, ...(await importPlugins(listed, base))], "(inline config)");
    config = resolveWithRegistries(raw, registries, "(inline config)");
  }
  return { config, registries };
}

/**
 * Validate the config and the plugins (a ConfigError names every problem), then build the
 * service (not started). `prepared`: the result of prepareQuoteflow, used instead of loading again.
 */
export async function createQuoteflow(options: CreateQuoteflowOptions & { readonly prepared?: PreparedQuoteflow }): Promise<Quoteflow> {
  const { config, registries } = options.prepared ?? (await prepareQuoteflow(options));
  const scheduler = options.scheduler ?? asyncScheduler;
  const service = new QuoteflowService({
    venue: options.venue,
    scheduler,
    config,
    registries,
    log: options.logger ?? silentLogger(),
    metrics: options.metrics ?? createMetrics({ collectDefaults: false }),
    cloidSeed: options.cloidSeed ?? (BigInt(Math.floor(scheduler.now())) ^ BigInt(Math.floor(Math.random() * 2 ** 31))),
    ...(options.reference ? { reference: options.reference } : {}),
    ...(options.journal ? { journal: options.journal } : {}),
    ...(options.executor ? { executor: options.executor } : {}),
    ...(options.sampleMs !== undefined ? { sampleMs: options.sampleMs } : {}),
  });
  return { service, config, registries, start: () => service.start(), stop: () => service.stop() };
}
