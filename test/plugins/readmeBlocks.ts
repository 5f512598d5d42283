// The README's "Plugins" section, block by block: each fenced block whose first line names a file
// (`// my-plugin.mjs`, `# my-config.yaml`), so tests run exactly what a reader copies.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../sources/paths.js";

export function pluginSectionBlocks(): Record<string, string> {
  const readme = readFileSync(join(packageRoot(), "README.md"), "utf8");
  const start = readme.indexOf("## Plugins");
  const end = readme.indexOf("\n## ", start + 1);
  if (start < 0) throw new Error("README has no Plugins section");
  const section = readme.slice(start, end < 0 ? undefined : end);
  const out: Record<string, string> = {};
  for (const m of section.matchAll(/```[a-z]*\n([\s\S]*?)```/g)) {
    const body = m[1]!;
    const name = /^(?:\/\/|#)\s*([\w.-]+\.(?:mjs|js|yaml|json))\b/.exec(body)?.[1];
    if (name) out[name] = body;
  }
  return out;
}
