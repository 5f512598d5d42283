// Public API of app/ (re-exports only; names chosen not to collide with other folders).
export { loadConfigFile, parseConfig, resolveConfig, defaultConfigPath, ConfigError as QuoteflowConfigError } from "./config.js";
export type { ServiceConfig, AssetConfig, QuoterConfig, RiskConfig, ReconciliationConfig, MarkoutConfig, QuotaConfig, OperatorStep, StrategyStep, OperatorCatalog } from "./config.js";
export { operatorRegistry, strategyRegistry, defineOperator, defineStrategy, catalogOf as operatorCatalogOf } from "./registry.js";
export type {
  OperatorFactory,
  AnyOperatorFactory,
  PluginOperator,
  PluginStrategy,
  StrategyFactory,
  StrategyFunction,
  OperatorContext,
  StrategyContext,
  OperatorStage,
  StageValues,
  StageOperator,
  OperatorRegistry,
  StrategyRegistry,
  PipelineSinkEvent,
  PriceGrid,
  EntryOrigin,
  RegistryOrigins,
} from "./registry.js";
export { definePlugin, loadConfigWithPlugins, registriesWith, importPlugins, resolvePluginPath, builtinRegistries } from "./plugins.js";
export type { QuoteflowPlugin, AnyPluginOperator, AnyPluginStrategy, Registries, LoadedConfig, PluginSource } from "./plugins.js";
export { composeAssetPipeline, quoterParamsOf, intentProblems, priceGrid } from "./pipeline.js";
export type { AssetPipeline, AssetPipelineInputs, PipelineProbe, PipelineRegistries } from "./pipeline.js";
export { createQuoteflow, prepareQuoteflow } from "./quoteflow.js";
export type { CreateQuoteflowOptions, Quoteflow, PreparedQuoteflow } from "./quoteflow.js";
export { QuoteflowService } from "./service.js";
export type { ServiceOptions } from "./service.js";
export { runReplay } from "./replay.js";
export type { ReplayOptions, ReplayResult } from "./replay.js";
export { runService } from "./run.js";
