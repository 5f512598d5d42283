// Public API of app/ (re-exports only; names chosen not to collide with other folders).
export { loadConfigFile, parseConfig, resolveConfig, defaultConfigPath, ConfigError as QuoteflowConfigError } from "./config.js";
export type { ServiceConfig, AssetConfig, QuoterConfig, RiskConfig, ReconciliationConfig, MarkoutConfig, QuotaConfig, OperatorStep, OperatorCatalog } from "./config.js";
export { operatorRegistry, catalogOf as operatorCatalogOf } from "./registry.js";
export type { OperatorFactory, OperatorContext, OperatorStage, OperatorRegistry } from "./registry.js";
export { composeAssetPipeline, quoterParamsOf } from "./pipeline.js";
export type { AssetPipeline, AssetPipelineInputs, PipelineProbe } from "./pipeline.js";
export { QuoteflowService } from "./service.js";
export type { ServiceOptions } from "./service.js";
export { runReplay } from "./replay.js";
export type { ReplayOptions, ReplayResult } from "./replay.js";
export { runService } from "./run.js";
