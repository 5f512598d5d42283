// The public API of quoteflow: each folder's own index.
export * from "./streams/index.js";
export * from "./operators/index.js";
export * from "./sources/index.js";
export * from "./sinks/index.js";
export * from "./sim/index.js";
export * from "./app/index.js";
export * from "./analytics/index.js";
