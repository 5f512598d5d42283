// Where the package lives, whether this module runs from app/ (tsx) or dist/app/ (node).
import { existsSync } from "node:fs";
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
