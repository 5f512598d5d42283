// Public API of sim/ (re-exports only).
export * from "./prng.js";
export * from "./texts.js";
export * from "./format.js";
export * from "./meta.js";
export * from "./rateLimits.js";
export * from "./queueModel.js";
export * from "./assetBook.js";
export * from "./account.js";
export * from "./faults.js";
export * from "./market.js";
export * from "./takerFlow.js";
export * from "./synthetic.js";
export * from "./exchange.js";
export * from "./paperVenue.js";
export * from "./replayScheduler.js";
export * from "./serverInfo.js";
export * from "./server.js";
