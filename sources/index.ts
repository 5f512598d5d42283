// Public API of sources/ (re-exports only).
export * from "./hyperliquid/index.js";
