// `npm run bench`: runs every bench/<name>.ts that exports `run()` and prints one table, each
// figure beside its baseline measured in the same run. `npm run bench -- operators protocol`
// runs only the named files.
import { readdir } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { renderTable, type BenchRow } from "./table.js";

const here = dirname(fileURLToPath(import.meta.url));
const skip = new Set(["index.ts", "table.ts"]);

async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const files = (await readdir(here))
    .filter((f) => f.endsWith(".ts") && !skip.has(f) && !f.endsWith(".d.ts"))
    .filter((f) => only.length === 0 || only.includes(f.replace(/\.ts$/, "")))
    .sort();
  const rows: BenchRow[] = [];
  let failed = 0;
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(here, file)).href)) as { run?: () => Promise<BenchRow[]> };
    if (typeof mod.run !== "function") continue;
    process.stderr.write(`bench: ${file} …\n`);
    try {
      rows.push(...(await mod.run()));
    } catch (err) {
      failed++;
      process.stderr.write(`bench: ${file} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    }
  }
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  process.stdout.write(
    `quoteflow bench — ${new Date().toISOString()} — Node ${process.version}, ${cpus().length}× ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB\n\n`,
  );
  process.stdout.write(renderTable(rows) + "\n");
  if (failed > 0) process.exitCode = 1;
}

await main();
