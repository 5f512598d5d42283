// Public API of sources/hyperliquid.
export * from "./errors.js";
export * from "./socket.js";
export * from "./wsClient.js";
export * from "./httpClient.js";
export * from "./venue.js";
