// Public API of sinks/ (re-exports only).
export * from "./cloid.js";
export * from "./orderTransitions.js";
export * from "./orderStore.js";
export * from "./ladderDiff.js";
export * from "./position.js";
export * from "./killSwitch.js";
export * from "./executor.js";
export * from "./fills.js";
export * from "./marketView.js";
export * from "./core.js";
export * from "./executionSink.js";
