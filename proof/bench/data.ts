// Where the shared research data set is: `../shared/data/real` beside the clone (CI, the main
// checkout), or one level further up for a git worktree under a folder beside it.
import { existsSync } from "node:fs";
import { resolve } from "node:path";

export function realDataDir(): string {
  const candidates = [resolve(process.cwd(), "../shared/data/real"), resolve(process.cwd(), "../../shared/data/real")];
  return candidates.find((d) => existsSync(d)) ?? candidates[0]!;
}
