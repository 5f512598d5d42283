// `npm run bench`: runs every bench/<name>.ts that exports `run()` and prints one table, each
// figure beside its baseline measured in the same run. `npm run bench -- operators protocol`
// runs only the named files.
import { readdir } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { parseFlags, runProgram } from "../../app/args.js";
import { packageVersion } from "../../sources/paths.js";
import { renderTable, type BenchRow } from "./table.js";

const here = dirname(fileURLToPath(import.meta.url));
const skip = new Set(["index.ts", "table.ts"]);

const HELP = `npm run bench -- [name …] [options]

Runs every proof/bench/<name>.ts that exports run() (or only the named ones, e.g. operators
protocol) and prints one table, each figure beside its baseline measured in the same run.

  -h, --help       this text
  -V, --version    print the version and exit

Exit codes: 0 done, 1 a bench failed, 2 usage error (an unknown name or option).
`;

async function main(): Promise<number> {
  const { positionals: only, help, version } = parseFlags(process.argv.slice(2), {}, { positionals: true });
  if (version) {
    process.stdout.write(`quoteflow bench ${packageVersion()}\n`);
    return 0;
  }
  if (help) {
    process.stdout.write(HELP);
    return 0;
  }
  const available = (await readdir(here)).filter((f) => f.endsWith(".ts") && !skip.has(f) && !f.endsWith(".d.ts")).map((f) => f.replace(/\.ts$/, ""));
  const unknown = only.filter((n) => !available.includes(n));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown bench ${unknown.join(", ")} (available: ${available.join(", ")})\n`);
    return 2;
  }
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
  return failed > 0 ? 1 : 0;
}

runProgram("bench", main);
