import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// The package's own subpath exports, resolved to the sources (the examples import them as a user would).
const subpaths: Record<string, string> = {
  quoteflow: "./index.ts",
  "quoteflow/operators": "./operators/index.ts",
  "quoteflow/streams": "./streams/index.ts",
  "quoteflow/wire": "./streams/wire/index.ts",
  "quoteflow/hyperliquid": "./sources/hyperliquid/index.ts",
  "quoteflow/recordings": "./sources/recordings/index.ts",
  "quoteflow/sim": "./sim/index.ts",
  "quoteflow/sinks": "./sinks/index.ts",
  "quoteflow/analytics": "./analytics/index.ts",
  "quoteflow/testing": "./testing/index.ts",
};

export default defineConfig({
  resolve: {
    alias: Object.entries(subpaths).map(([name, path]) => ({ find: new RegExp(`^${name.replace("/", "\\/")}$`), replacement: here(path) })),
  },
  test: {
    include: ["test/**/*.spec.ts", "examples/**/*.spec.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    reporters: ["default", "./test/summaryReporter.ts"],
  },
});
