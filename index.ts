// The public API of quoteflow (the package root). Deeper layers have their own entries
// (package.json `exports`): quoteflow/operators, quoteflow/streams (domain types and codecs),
// quoteflow/wire (Hyperliquid/Binance wire codecs, signing), quoteflow/hyperliquid (the live
// client), quoteflow/sim (the paper venue), quoteflow/sinks (the execution sink),
// quoteflow/analytics (journal, report), quoteflow/recordings (recorded-data readers) and
// quoteflow/testing (marbles, builders, a PaperVenue harness).

// The programmatic entry and the service it builds.
export { createQuoteflow, prepareQuoteflow } from "./app/quoteflow.js";
export type { CreateQuoteflowOptions, Quoteflow, PreparedQuoteflow } from "./app/quoteflow.js";
export { QuoteflowService } from "./app/service.js";
export type { ServiceOptions } from "./app/service.js";
export { runService } from "./app/run.js";
export { runReplay } from "./app/replay.js";
export type { ReplayOptions, ReplayResult } from "./app/replay.js";

// Plugins: what a module named in `plugins:` exports, and the context its factories receive.
export { definePlugin, loadConfigWithPlugins, registriesWith, importPlugins, builtinRegistries } from "./app/plugins.js";
export type { QuoteflowPlugin, AnyPluginOperator, AnyPluginStrategy, Registries, LoadedConfig, PluginSource } from "./app/plugins.js";
export { defineOperator, defineStrategy, operatorRegistry, strategyRegistry, catalogOf as operatorCatalogOf } from "./app/registry.js";
export type {
  OperatorContext,
  StrategyContext,
  OperatorStage,
  StageValues,
  StageOperator,
  OperatorFactory,
  AnyOperatorFactory,
  PluginOperator,
  PluginStrategy,
  StrategyFactory,
  StrategyFunction,
  OperatorRegistry,
  StrategyRegistry,
  PipelineSinkEvent,
  PriceGrid,
  EntryOrigin,
  RegistryOrigins,
} from "./app/registry.js";
export { composeAssetPipeline, quoterParamsOf, intentProblems } from "./app/pipeline.js";
export type { AssetPipeline, AssetPipelineInputs, PipelineProbe, PipelineRegistries } from "./app/pipeline.js";

// Config.
export { loadConfigFile, parseConfig, resolveConfig, defaultConfigPath, ConfigError as QuoteflowConfigError } from "./app/config.js";
export type { ServiceConfig, AssetConfig, QuoterConfig, RiskConfig, ReconciliationConfig, MarkoutConfig, QuotaConfig, OperatorStep, StrategyStep, OperatorCatalog } from "./app/config.js";
export { createMetrics } from "./app/metrics.js";
export type { ServiceMetrics } from "./app/metrics.js";
export { createRootLogger, silentLogger } from "./app/logger.js";

// The vocabulary a strategy or an operator speaks (domain types and their codecs).
export * from "./streams/intent.js";
export * from "./streams/market.js";
export * from "./streams/fill.js";
export * from "./streams/gate.js";
export type { Venue, ConnectionState, ConnectionStatus, DecodeErrorEvent } from "./streams/venue.js";

// The operators (each takes its scheduler last: marble-testable on virtual time).
export * from "./operators/index.js";

// Venues.
export { HyperliquidVenue } from "./sources/hyperliquid/venue.js";
export { PaperVenue } from "./sim/paperVenue.js";
