// Public API of app/ (re-exports only; names chosen not to collide with other folders).
export { loadConfigFile, parseConfig, resolveConfig, defaultConfigPath, ConfigError as QuoteflowConfigError } from "./config.js";
export type { ServiceConfig, AssetConfig, QuoterConfig, RiskConfig, ReconciliationConfig, MarkoutConfig, QuotaConfig, OperatorStep, OperatorCatalog } from "./config.js";
