// `npm run soak` arguments, through the one flag parser every quoteflow program uses
// (app/args.ts). Pure: returns options or throws a UsageError naming the bad flag.
import { UsageError, flag, parseFlags } from "../../app/args.js";
import type { SimFaultProfileName } from "../../sim/index.js";
import type { SoakOptions } from "./harness.js";
import { simParsePerpDexSpec, type SimPerpDexSpec } from "../../sim/hip3.js";
import { hip3NameProblem } from "../../streams/market.js";

/** Kept as the soak's own name for callers; it is the shared UsageError. */
export const SoakUsageError = UsageError;

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
  --hip3 <dex:COIN,…>    HIP-3 assets quoted beside the synthetic ones, e.g. xyz:GOLD
  --dex <name>:<knobs>   their dex's knobs (repeatable), e.g. xyz:growth,feeScale=0.5,oiCap=250000
  --scenario <name>      chaos (default) | crash-restart (killed without shutdown at seeded times,
                         restarted on the same venue and journal directory; proof/soak/crashRestart.ts)
                         | clock-skew (books and trades stamped 1 h ahead) | queue-pressure (one request in flight)
                         | false-status (orderUpdates says canceled for resting orders, every ~5 min)
  --fail-fast            stop at the first violation
  --quiet                no progress lines on stderr
  --json <file>          also write the result as JSON
  -h, --help             this text
  -V, --version          print the version and exit

Exit codes: 0 every invariant held, 1 one broke, 2 usage error.
`;

export interface SoakCliOptions {
  readonly soak: SoakOptions;
  /** Which soak: the chaos soak, or a scenario of issue 12. */
  readonly scenario: SoakScenario;
  readonly quiet: boolean;
  readonly json: string | undefined;
  readonly help: boolean;
  readonly version: boolean;
}

export const SOAK_SCENARIOS = ["chaos", "crash-restart", "clock-skew", "queue-pressure", "false-status"] as const;
export type SoakScenario = (typeof SOAK_SCENARIOS)[number];

const SOAK_FLAGS = {
  scenario: flag.oneOf(SOAK_SCENARIOS, "chaos"),
  hours: flag.number(1, (n) => n > 0 && n <= 24 * 30, "a number of hours > 0 (at most 720)"),
  assets: flag.int(2, 1, 100),
  seed: flag.int(1),
  faults: flag.oneOf(["none", "realistic", "hostile"] as const, "hostile"),
  config: flag.string(),
  "catastrophe-every": flag.number(6, (n) => n >= 0, "a number of hours ≥ 0"),
  "fail-fast": flag.bool(),
  "address-budget": flag.optionalInt(),
  quiet: flag.bool(),
  json: flag.string(),
  hip3: flag.list(),
  dex: {
    takesValue: true,
    repeatable: true,
    parse: (raw: string | undefined, f: string): SimPerpDexSpec[] =>
      raw === undefined
        ? []
        : raw.split("\n").map((one) => {
            try {
              return simParsePerpDexSpec(one);
            } catch (err) {
              throw new UsageError(`${f}: ${(err as Error).message}`);
            }
          }),
  },
};

export function parseSoakArgs(argv: readonly string[]): SoakCliOptions {
  const { values: v, help, version } = parseFlags(argv, SOAK_FLAGS);
  const soak: SoakOptions = {
    hours: v.hours,
    assets: v.assets,
    seed: v.seed,
    faults: v.faults as SimFaultProfileName,
    catastropheEveryHours: v["catastrophe-every"],
    ...(v.config !== undefined ? { configPath: v.config } : {}),
    failFast: v["fail-fast"],
    ...(v["address-budget"] !== undefined ? { addressBudget: v["address-budget"] } : {}),
    ...(v.hip3 !== undefined ? { hip3Assets: v.hip3 } : {}),
    ...(v.dex.length > 0 ? { perpDexs: v.dex } : {}),
  };
  for (const a of soak.hip3Assets ?? []) {
    const problem = hip3NameProblem(a) ?? (a.includes(":") ? undefined : `expected a HIP-3 asset name <dex>:<COIN> such as "xyz:GOLD", got "${a}"`);
    if (problem !== undefined) throw new UsageError(`--hip3: ${problem}`);
  }
  for (const d of soak.perpDexs ?? []) if (!(soak.hip3Assets ?? []).some((a) => a.startsWith(`${d.name}:`))) throw new UsageError(`--dex ${d.name}: no --hip3 asset is on dex ${d.name}`);
  return { soak, scenario: v.scenario as SoakScenario, quiet: v.quiet, json: v.json, help, version };
}
