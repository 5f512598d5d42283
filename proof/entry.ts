// How a proof program starts another program of this tree in a child node: the compiled .js of
// the same build when the caller runs compiled (`npm run bench` and `npm run soak` run tsc's
// output in dist/dev, as `npm start` runs dist/), the .ts source under tsx when the caller is
// TypeScript (vitest, `npx tsx`).
import { fileURLToPath } from "node:url";

/** node arguments that start `relTs` (a path relative to the caller's `import.meta.url`, naming the .ts source). */
export function childEntry(callerUrl: string, relTs: string): string[] {
  if (!relTs.endsWith(".ts")) throw new Error(`childEntry: expected a .ts source path, got "${relTs}"`);
  if (callerUrl.endsWith(".js")) return [fileURLToPath(new URL(relTs.replace(/\.ts$/, ".js"), callerUrl))];
  return ["--import", "tsx", fileURLToPath(new URL(relTs, callerUrl))];
}
