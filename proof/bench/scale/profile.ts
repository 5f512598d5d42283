// Where a client's CPU went: `npx tsx proof/bench/scale/profile.ts <file.cpuprofile> [top]` prints
// the self time of a V8 CPU profile (node --cpu-prof; the scale bench writes one per client with
// QF_SCALE_CPU_PROF=<dir>) by file and by function, largest first, as Markdown tables.
import { readFileSync } from "node:fs";
import { relative } from "node:path";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function where(url: string): string {
  if (url === "") return "(native / runtime)";
  const path = url.replace(/^file:\/\//, "");
  const nm = path.lastIndexOf("node_modules/");
  if (nm >= 0) return path.slice(nm + "node_modules/".length).split("/").slice(0, path.slice(nm + 13).startsWith("@") ? 2 : 1).join("/") + " (dependency)";
  if (path.startsWith("node:")) return path;
  return relative(process.cwd(), path);
}

export function summarise(profile: CpuProfile, top = 20): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((s, x) => s + x, 0);
  const byFile = new Map<string, number>();
  const byFn = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    const f = where(n.callFrame.url);
    const name = n.callFrame.functionName || "(anonymous)";
    byFile.set(f, (byFile.get(f) ?? 0) + us);
    // tsx-loaded sources report line 0 (no source map in the profile): name the file only
    const line = n.callFrame.lineNumber > 0 ? `:${n.callFrame.lineNumber + 1}` : "";
    const key = n.callFrame.url === "" ? name : `${name} — ${f}${line}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
  }
  const table = (title: string, m: Map<string, number>) =>
    [`| ${title} | self ms | share |`, "|---|---:|---:|", ...[...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => `| ${k} | ${(us / 1000).toFixed(0)} | ${((us / total) * 100).toFixed(1)}% |`)].join("\n");
  return `profile: ${(total / 1e6).toFixed(1)} s sampled\n\n${table("file", byFile)}\n\n${table("function", byFn)}\n`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write("usage: npx tsx proof/bench/scale/profile.ts <file.cpuprofile> [top]\n");
    process.exit(2);
  }
  process.stdout.write(summarise(JSON.parse(readFileSync(file, "utf8")) as CpuProfile, Number(process.argv[3] ?? "20")));
}
