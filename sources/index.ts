// Public API of sources/ (re-exports only).
export * from "./hyperliquid/index.js";
export * from "./binance/index.js";
export * from "./recordings/index.js";
