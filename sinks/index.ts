// Public API of sinks/ (re-exports only).
export * from "./cloid.js";
export * from "./orderStore.js";
export * from "./ladderDiff.js";
