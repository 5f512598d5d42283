export * from "./codec.js";
export * from "./market.js";
export * from "./gate.js";
export * from "./intent.js";
export * from "./fill.js";
export * from "./orders.js";
export * from "./actions.js";
export * from "./venue.js";
