// Public API of operators/ (re-exports only).
export {};
export * from "./cancelFillRaceGuard.js";
export * from "./quoter.js";
