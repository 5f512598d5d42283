// `npm run fuzz -- --frames <n> --seed <s>`: malformed input against every boundary that reads
// outside data (WS and HTTP decoders, the config loader, the paper venue's request handling).
// Exits 0 with no findings, 1 with findings (printed with the seed), 2 on a usage error.
import { parseArgs } from "node:util";
import { renderFuzzTable } from "./fuzz/table.js";
import { runFuzz } from "./fuzz/run.js";

const HELP = `npm run fuzz -- [options]

  --frames <n>     malformed inputs across the in-process boundaries (default 100000)
  --seed <s>       fast-check seed (default 1)
  --loopback <n>   requests to the paper venue server over loopback (default min(1000, frames/100))
  -h, --help       this text
`;

function int(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: expected an integer ≥ 0, got "${v}"`);
  return n;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: process.argv.slice(2), strict: true, options: { frames: { type: "string" }, seed: { type: "string" }, loopback: { type: "string" }, help: { type: "boolean", short: "h" } } }));
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    int("frames", values.frames, 0);
    int("seed", values.seed, 0);
    int("loopback", values.loopback, 0);
  } catch (err) {
    process.stderr.write(`fuzz: ${err instanceof Error ? err.message : String(err)}\n\n${HELP}`);
    return 2;
  }
  const result = await runFuzz({
    frames: int("frames", values.frames, 100_000),
    seed: int("seed", values.seed, 1),
    ...(values.loopback !== undefined ? { loopback: int("loopback", values.loopback, 0) } : {}),
  });
  process.stdout.write(renderFuzzTable(result));
  return result.ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`fuzz: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
