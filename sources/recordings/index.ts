// Public API of sources/recordings (re-exports only): readers of recorded market data that
// return domain events for replay (the caller passes them into sim/).
export * from "./files.js";
export * from "./hyperliquidFrames.js";
export * from "./djienne.js";
export * from "./binance.js";
export * from "./load.js";
