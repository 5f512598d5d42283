// Public API of sources/binance.
export * from "./feed.js";
