// Where the package lives, whether this module runs from app/ (tsx) or dist/app/ (node).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/** The directory holding quoteflow's package.json (the repository root in a clone). */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "config"))) return (cached = dir);
    dir = dirname(dir);
  }
  return (cached = process.cwd());
}

/** The package's version (package.json), for the first log line and `--version`. */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}
