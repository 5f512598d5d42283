// Public API of operators/ (re-exports only).
export * from "./cancelFillRaceGuard.js";
export * from "./quoter.js";
export * from "./dedupTid.js";
export * from "./staleGate.js";
export * from "./crossedBookGate.js";
export * from "./markoutWindow.js";
export * from "./dataQualityGate.js";
export * from "./tradeQualityGate.js";
export * from "./quotaBudget.js";
export * from "./quotaThrottle.js";
export * from "./quotaBreakerGate.js";
// The close / swallow / reopen shell every quote gate shares: what a plugin's gate is built on.
export * from "./quoteGateCore.js";
