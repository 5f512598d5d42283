// `npm run soak` arguments (node:util parseArgs, strict). Pure: returns options or throws a
// SoakUsageError naming the bad flag.
import { parseArgs } from "node:util";
import type { SimFaultProfileName } from "../../sim/index.js";
import type { SoakOptions } from "./harness.js";

export class SoakUsageError extends Error {
  override readonly name = "SoakUsageError";
}

export const SOAK_HELP = `npm run soak -- [options]

The whole service (pipelines, gates, ExecutionSink) against the in-process paper venue on virtual
time, over synthetic markets, with every fault of a profile on. Checks its invariants all the time
and at the end, prints a table, exits 1 when one breaks (printing the seed and the first violation).

Options:
  --hours <h>            virtual hours to run (default 1)
  --assets <n>           synthetic assets (BTC, ETH, SOL, …; default 2)
  --seed <s>             seed of the market, the venue's faults and the quota jitter (default 1)
  --faults <profile>     none | realistic | hostile (default hostile)
  --config <file>        service config whose defaults every soak asset uses (default config/default.yaml)
  --catastrophe-every <h>  a dropout longer than the staleness bound every h virtual hours (default 6; 0: none)
  --address-budget <n>   initial address budget of the account (default 10000; small: quota pressure)
  --fail-fast            stop at the first violation
  --quiet                no progress lines on stderr
  --json <file>          also write the result as JSON
  -h, --help             this text
`;

export interface SoakCliOptions {
  readonly soak: SoakOptions;
  readonly quiet: boolean;
  readonly json: string | undefined;
  readonly help: boolean;
}

function num(name: string, v: string | undefined, dflt: number, ok: (n: number) => boolean, what: string): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || !ok(n)) throw new SoakUsageError(`--${name}: expected ${what}, got "${v}"`);
  return n;
}

export function parseSoakArgs(argv: readonly string[]): SoakCliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        hours: { type: "string" },
        assets: { type: "string" },
        seed: { type: "string" },
        faults: { type: "string" },
        config: { type: "string" },
        "catastrophe-every": { type: "string" },
        "fail-fast": { type: "boolean" },
        "address-budget": { type: "string" },
        quiet: { type: "boolean" },
        json: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    throw new SoakUsageError(err instanceof Error ? err.message : String(err));
  }
  const faults = values.faults ?? "hostile";
  if (faults !== "none" && faults !== "realistic" && faults !== "hostile") throw new SoakUsageError(`--faults: expected none, realistic or hostile, got "${faults}"`);
  const soak: SoakOptions = {
    hours: num("hours", values.hours, 1, (n) => n > 0 && n <= 24 * 30, "a number of hours > 0 (at most 720)"),
    assets: num("assets", values.assets, 2, (n) => Number.isInteger(n) && n >= 1 && n <= 100, "an integer from 1 to 100"),
    seed: num("seed", values.seed, 1, (n) => Number.isInteger(n) && n >= 0, "an integer ≥ 0"),
    faults: faults as SimFaultProfileName,
    catastropheEveryHours: num("catastrophe-every", values["catastrophe-every"], 6, (n) => n >= 0, "a number of hours ≥ 0"),
    ...(values.config !== undefined ? { configPath: values.config } : {}),
    failFast: values["fail-fast"] === true,
    ...(values["address-budget"] !== undefined
      ? { addressBudget: num("address-budget", values["address-budget"], 10_000, (n) => Number.isInteger(n) && n >= 0, "an integer ≥ 0") }
      : {}),
  };
  return { soak, quiet: values.quiet === true, json: values.json, help: values.help === true };
}
