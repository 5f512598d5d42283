// `npm run bench`: runs every bench/<name>.ts that exports `run()` and prints one table, each
// figure beside its baseline measured in the same run. `npm run bench -- operators protocol`
// runs only the named files.
//
// Each file runs in a process of its own (this script, forked with the same node flags, rows sent
// back over IPC): what one bench leaves behind — a heap of recorded books, JIT code specialised to
// the shapes and key types it saw, GC state — must not land on the next one, and least of all on
// one side of a comparison (an operator JIT-ed on other benches' books vs a fresh hand loop).
// Children get `--expose-gc`, so the heap figures' full GCs need no `setFlagsFromString` at run
// time: that and the `vm` context it needs to reach `gc` slowed the 24 h soak by ~30% (26.2 vs
// 20.2 s wall, same run; proof/bench/PROFILE.md §12).
//
// `npm run bench` runs tsc's output of this tree (dist/dev, built by `npm run build:dev` first),
// the code as `npm start` runs it: tsx compiles with esbuild's keepNames, which wraps every
// function and class it creates in a naming call, closures made per event included (PROFILE.md
// §13). Under tsx (`npx tsx proof/bench/index.ts`) it runs the sources.
import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { UsageError, flag, parseFlags, runProgram } from "../../app/args.js";
import { packageRoot, packageVersion } from "../../sources/paths.js";
import { renderTable, type BenchRow } from "./table.js";

const here = dirname(fileURLToPath(import.meta.url));
// the bench files beside this one: .js when this runs compiled (npm run bench), .ts under tsx
const EXT = import.meta.url.endsWith(".js") ? ".js" : ".ts";
const skip = new Set([`index${EXT}`, `table${EXT}`]);
const benchName = (f: string): string => f.slice(0, -EXT.length);
// compiled, a bench counts only while its source exists (an incremental build leaves the output of a deleted one)
const hasSource = (f: string): boolean => EXT === ".ts" || existsSync(join(packageRoot(), "proof", "bench", `${benchName(f)}.ts`));
// options of individual benches (only scale takes any); each bench's run() gets them all
const BENCH_FLAGS = { assets: flag.list(), seconds: flag.positive(), "no-baseline": flag.bool() };

const HELP = `npm run bench -- [name …] [options]

Runs every proof/bench/<name>.ts that exports run() (or only the named ones, e.g. operators
protocol) and prints one table, each figure beside its baseline measured in the same run.

  --assets <list>  scale: asset counts to run (default 10,50,100,200)
  --seconds <s>    scale: seconds measured per run (default 60, after a 10 s warm-up)
  --no-baseline    scale: skip the baseline run beside each
  -h, --help       this text
  -V, --version    print the version and exit

Exit codes: 0 done, 1 a bench failed, 2 usage error (an unknown name or option).
`;

async function main(): Promise<number> {
  const { positionals: only, values, help, version } = parseFlags(process.argv.slice(2), BENCH_FLAGS, { positionals: true });
  const assets = values.assets?.map((a) => {
    const n = Number(a);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--assets: expected whole numbers ≥ 1 such as 10,50, got "${a}"`);
    return n;
  });
  const benchOptions = { ...(assets ? { assets } : {}), ...(values.seconds !== undefined ? { seconds: values.seconds } : {}), baseline: !values["no-baseline"] };
  if (version) {
    process.stdout.write(`quoteflow bench ${packageVersion()}\n`);
    return 0;
  }
  if (help) {
    process.stdout.write(HELP);
    return 0;
  }
  const benchFiles = (await readdir(here)).filter((f) => f.endsWith(EXT) && !skip.has(f) && !f.endsWith(".d.ts") && hasSource(f));
  const available = benchFiles.map(benchName);
  const unknown = only.filter((n) => !available.includes(n));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown bench ${unknown.join(", ")} (available: ${available.join(", ")})\n`);
    return 2;
  }
  const files = benchFiles.filter((f) => only.length === 0 || only.includes(benchName(f))).sort();
  const child = process.env[CHILD_ENV];
  if (child !== undefined) return runHere(child, benchOptions);
  const rows: BenchRow[] = [];
  let failed = 0;
  for (const file of files) {
    const result = await runInChild(file);
    if (result === undefined) failed++;
    else rows.push(...result);
  }
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  process.stdout.write(
    `quoteflow bench — ${new Date().toISOString()} — Node ${process.version}, ${cpus().length}× ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB\n\n`,
  );
  process.stdout.write(renderTable(rows) + "\n");
  return failed > 0 ? 1 : 0;
}

const CHILD_ENV = "QF_BENCH_CHILD";

/** In a forked child: run the one file and send its rows to the parent (undefined: no run()). */
async function runHere(file: string, benchOptions: object): Promise<number> {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { run?: (options: object) => Promise<BenchRow[]> };
  const send = (rows: BenchRow[] | null) =>
    new Promise<void>((resolve, reject) => {
      if (!process.send) reject(new Error(`${CHILD_ENV} is set but this process has no IPC channel to its parent`));
      else process.send({ rows }, (err: Error | null) => (err ? reject(err) : resolve()));
    });
  try {
    if (typeof mod.run !== "function") {
      await send(null);
      return 0;
    }
    process.stderr.write(`bench: ${file} …\n`);
    await send(await mod.run(benchOptions));
    return 0;
  } catch (err) {
    process.stderr.write(`bench: ${file} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    return 1;
  } finally {
    process.disconnect?.(); // the IPC channel would keep this process alive
  }
}

/** Runs one file in a fresh process with this one's node flags and arguments; its rows, [] when it has no run(), undefined when it failed. */
function runInChild(file: string): Promise<BenchRow[] | undefined> {
  return new Promise((resolve) => {
    let rows: BenchRow[] | null | undefined;
    const proc = fork(fileURLToPath(import.meta.url), process.argv.slice(2), {
      execArgv: process.execArgv.includes("--expose-gc") ? process.execArgv : [...process.execArgv, "--expose-gc"],
      env: { ...process.env, [CHILD_ENV]: file },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    proc.on("message", (m: { rows: BenchRow[] | null }) => {
      rows = m.rows;
    });
    proc.on("error", (err) => {
      process.stderr.write(`bench: ${file}: could not start its process: ${err.message}\n`);
    });
    proc.on("exit", (code, signal) => {
      if (code === 0 && rows !== undefined) resolve(rows ?? []);
      else {
        if (rows === undefined && code === 0) process.stderr.write(`bench: ${file}: its process ended without sending its rows\n`);
        else if (code !== 1) process.stderr.write(`bench: ${file}: its process ended with ${signal ?? `exit code ${String(code)}`}\n`);
        resolve(undefined);
      }
    });
  });
}

runProgram("bench", main);
