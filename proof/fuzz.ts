// `npm run fuzz -- --frames <n> --seed <s>`: malformed input against every boundary that reads
// outside data (WS and HTTP decoders, the config loader, the paper venue's request handling).
// Exits 0 with no findings, 1 with findings (printed with the seed), 2 on a usage error.
import { flag, parseFlags, runProgram } from "../app/args.js";
import { packageVersion } from "../sources/paths.js";
import { renderFuzzTable } from "./fuzz/table.js";
import { runFuzz } from "./fuzz/run.js";

const HELP = `npm run fuzz -- [options]

  --frames <n>     malformed inputs across the in-process boundaries (default 100000)
  --seed <s>       fast-check seed (default 1)
  --loopback <n>   requests to the paper venue server over loopback (default min(1000, frames/100))
  -h, --help       this text
  -V, --version    print the version and exit

Exit codes: 0 no findings, 1 findings (printed with the seed), 2 usage error.
`;

const FUZZ_FLAGS = {
  frames: flag.int(100_000),
  seed: flag.int(1),
  loopback: flag.optionalInt(),
};

async function main(): Promise<number> {
  const { values: v, help, version } = parseFlags(process.argv.slice(2), FUZZ_FLAGS);
  if (version) {
    process.stdout.write(`quoteflow fuzz ${packageVersion()}\n`);
    return 0;
  }
  if (help) {
    process.stdout.write(HELP);
    return 0;
  }
  const result = await runFuzz({ frames: v.frames, seed: v.seed, ...(v.loopback !== undefined ? { loopback: v.loopback } : {}) });
  process.stdout.write(renderFuzzTable(result));
  return result.ok ? 0 : 1;
}

runProgram("fuzz", main);
