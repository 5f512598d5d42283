// Command-line parsing of `quoteflow run | replay | sim`: their flag tables, help texts and typed
// arguments. The parser itself (flag kinds, parseFlags, runProgram, the two error classes) is in
// ./flags.ts and re-exported here for the programs that import it from this module.
import { simParseHalt, simParsePerpDexSpec, type SimPerpDexSpec } from "../sim/hip3.js";
import { UsageError, flag, parseFlags, type Flag } from "./flags.js";

export { EnvironmentError, UsageError, flag, parseFlags, runProgram } from "./flags.js";
export type { Flag, FlagValues, Parsed } from "./flags.js";

// ---------- quoteflow run | replay | sim -------------------------------------------------------

export type Command = "run" | "replay" | "sim" | "help";

const FAULTS = ["none", "realistic", "hostile"] as const;
export type FaultsName = (typeof FAULTS)[number];

/** Longest `--duration` accepted: a million days (the timer is re-armed past Node's 24.8-day limit). */
export const MAX_DURATION_SEC = 86_400 * 1_000_000;

const RUN_FLAGS = {
  venue: flag.oneOf(["paper", "hyperliquid"] as const, "paper"),
  network: flag.oneOf(["testnet", "mainnet"] as const, "testnet"),
  "i-understand-mainnet": flag.bool(),
  "key-file": flag.string(),
  "api-url": flag.string(),
  duration: flag.positive(MAX_DURATION_SEC, `a number of seconds > 0 (at most ${MAX_DURATION_SEC})`),
  "metrics-port": flag.int(9464, 0, 65535),
  config: flag.string(),
  seed: flag.int(1),
  faults: flag.oneOf(FAULTS, "realistic"),
  "no-status": flag.bool(),
};

const REPLAY_FLAGS = {
  data: flag.string(),
  config: flag.string(),
  out: flag.stringOr("reports"),
  minutes: flag.positive(),
  seed: flag.int(1),
  faults: flag.oneOf(FAULTS, "realistic"),
  open: flag.bool(),
};

const SIM_FLAGS = {
  port: flag.int(0, 0, 65535),
  host: flag.stringOr("127.0.0.1"),
  seed: flag.int(1),
  faults: flag.oneOf(FAULTS, "realistic"),
  data: flag.string(),
  synthetic: flag.list(),
  accounts: flag.oneOf(["faucet", "announced", "strict"] as const, "faucet"),
  fund: flag.funds(),
  "block-ms": flag.int(70, 0),
  dex: hip3Flag(simParsePerpDexSpec),
  halt: hip3Flag(simParseHalt),
};

/** A repeatable flag whose every value goes through a sim/hip3.ts parser (its error, named by the flag). */
function hip3Flag<T>(parse: (text: string) => T): Flag<readonly T[]> {
  return {
    takesValue: true,
    repeatable: true,
    parse: (raw, f) => {
      if (raw === undefined) return [];
      return raw.split("\n").map((one) => {
        try {
          return parse(one);
        } catch (err) {
          throw new UsageError(`${f}: ${(err as Error).message}`);
        }
      });
    },
  };
}

interface Common {
  readonly help: boolean;
  readonly version: boolean;
}

export interface RunArgs extends Partial<Common> {
  readonly command: "run";
  readonly venue: "paper" | "hyperliquid";
  readonly network: "testnet" | "mainnet";
  readonly durationSec: number | undefined;
  readonly metricsPort: number;
  readonly config: string | undefined;
  readonly keyFile: string | undefined;
  /** Another Hyperliquid-protocol endpoint for --venue hyperliquid (e.g. a `quoteflow sim`). */
  readonly apiUrl: string | undefined;
  readonly iUnderstandMainnet: boolean;
  readonly seed: number;
  readonly faults: string;
  readonly status: boolean;
}

export interface ReplayArgs extends Common {
  readonly command: "replay";
  readonly data: string | undefined;
  readonly config: string | undefined;
  readonly out: string;
  readonly seed: number;
  readonly faults: string;
  readonly minutes: number | undefined;
  readonly open: boolean;
}

export interface SimArgs extends Common {
  readonly command: "sim";
  readonly port: number;
  readonly host: string;
  readonly seed: number;
  readonly faults: string;
  readonly data: string | undefined;
  readonly synthetic: readonly string[] | undefined;
  /** Who exists on the venue: faucet (any signer, funded), announced, strict. */
  readonly accounts: "faucet" | "announced" | "strict";
  /** --fund <address>=<usdc>, repeatable: seeded balances (lower-case address → USDC). */
  readonly fund: Readonly<Record<string, number>>;
  /** --block-ms: the matcher's block length (default 70; 0 = no blocks). */
  readonly blockMs: number;
  /** --dex <name>:<knobs>, repeatable: HIP-3 dex knobs (sim/hip3.ts). */
  readonly perpDexs: readonly SimPerpDexSpec[];
  /** --halt <dex>:<COIN>@<seconds>, repeatable: deployer halts to inject. */
  readonly halts: readonly { readonly asset: string; readonly afterMs: number }[];
}

export type CliArgs = RunArgs | ReplayArgs | SimArgs | { readonly command: "help"; readonly help: true; readonly version: boolean };

const COMMON_HELP = `  -h, --help                  this text
  -V, --version               print the version and exit`;

const EXIT_CODES = `Exit codes: 0 done (also after a signal), 1 failure, 2 usage, config or environment error
(one line on stderr), 3 refused (mainnet without --i-understand-mainnet, an unsafe key file),
130 a second signal.`;

export const RUN_OPTIONS = `  --venue paper|hyperliquid   paper (default): an embedded paper venue on 127.0.0.1 replaying
                              the shipped BTC recording in real time plus a synthetic ETH market,
                              driven through the real Hyperliquid client code with a fresh key.
                              hyperliquid: the real exchange (needs an agent key, see below).
  --network testnet|mainnet   for --venue hyperliquid (default testnet)
  --i-understand-mainnet      required with --network mainnet
  --api-url <url>             with --venue hyperliquid: another endpoint speaking the protocol,
                              e.g. a paper venue started by \`quoteflow sim\` (signs as testnet)
  --key-file <file>           agent (API wallet) key file, mode 600; otherwise the key is read
                              from QUOTEFLOW_PRIVATE_KEY. Never pass a key as a flag.
  --duration <s>              stop by itself after s seconds (default: run until SIGINT/SIGTERM)
  --metrics-port <n>          /metrics and /healthz on 127.0.0.1:<n> (default 9464; 0 = ephemeral)
  --config <file>             YAML or JSON config merged over config/default.yaml; edits are
                              applied while running, a bad edit is refused
  --seed <n>                  paper venue seed (default 1)
  --faults none|realistic|hostile   paper venue fault profile (default realistic)
  --no-status                 no status line on stderr
${COMMON_HELP}

Environment: QUOTEFLOW_PRIVATE_KEY (the agent key, live only), QUOTEFLOW_ACCOUNT (the master
account when the key is an agent's), QUOTEFLOW_LOG_LEVEL (overrides observability.logLevel).

Signals (to the pid in the first log line; \`npm start\` forwards SIGINT/SIGTERM to it):
  SIGINT, SIGTERM  stop quoting, cancel every resting order, wait for the answers, flush the
                   journal, exit 0. A second signal exits at once (130); one within
                   1 s of the first is its copy (Ctrl-C on npm start arrives twice).
  SIGUSR2          clear a tripped kill switch (quoting resumes when the gates are open).

${EXIT_CODES}
`;

export const MAIN_HELP = `quoteflow — a Hyperliquid market maker's execution layer as a reactive pipeline

Usage:
  quoteflow [run] [options]     the service (default: paper venue, no keys, no network)
  quoteflow replay [options]    the whole pipeline over a recording on virtual time → report
  quoteflow sim [options]       the paper venue alone, serving the Hyperliquid protocol
  quoteflow report <journals>   the tearsheet (HTML, or --json) of any run from its fill journal

Run \`quoteflow <command> --help\` for a command's options.
With npm: \`npm start -- [options]\`, \`npm run replay -- [options]\`, \`npm run sim -- [options]\`, \`npm run report -- <journals>\`.

Options of \`quoteflow run\` (the default command):

${RUN_OPTIONS}`;

export const RUN_HELP = `quoteflow run — the service

Usage: quoteflow run [options]

${RUN_OPTIONS}`;

export const REPLAY_HELP = `quoteflow replay — the pipeline and the paper venue in-process on virtual time

Usage: quoteflow replay [options]

  --data <dir|file>    a directory with djienne CSVs (orderbooks_<ASSET>.csv, trades_<ASSET>.csv),
                       e.g. ../shared/data/real/hyperliquid/djienne_avellaneda_calibration,
                       or a Hyperliquid frame recording (.jsonl[.gz], .gz). Default: the shipped
                       BTC recording plus a synthetic ETH market.
  --config <file>      config merged over config/default.yaml
  --out <dir>          where the HTML report and the log go (default reports/)
  --minutes <m>        replay only the first m minutes (from the first book)
  --seed <n>           venue seed (default 1)
  --faults none|realistic|hostile   (default realistic)
${COMMON_HELP}

Prints a progress bar (on a terminal), a summary table, and the report's path.
${EXIT_CODES}
`;

export const SIM_HELP = `quoteflow sim — the paper venue alone

Usage: quoteflow sim [options]

  --port <n>              port (default 0 = ephemeral); prints http://127.0.0.1:<n>
  --host <addr>           bind address (default 127.0.0.1)
  --seed <n>              seed (default 1)
  --faults none|realistic|hostile   (default realistic)
  --data <file|dir>       replay a recording (default: the shipped BTC recording + synthetic ETH)
  --synthetic <assets>    a synthetic market instead, e.g. BTC,ETH
  --accounts faucet|announced|strict   who exists (default faucet: any signer, funded with
                          100,000 USDC on first sight; strict: only --fund addresses)
  --fund <address>=<usdc> seed a balance (repeatable)
  --block-ms <n>          block length: cancels and ALO run first in each block (default 70; 0 = none)
  --dex <name>:<knobs>    a HIP-3 dex's knobs (repeatable), for assets named <name>:COIN in
                          --synthetic, e.g. --dex xyz:growth,feeScale=0.5,oiCap=250000,isolated
  --halt <dex>:<COIN>@<s> the deployer halts that asset s seconds after start (repeatable);
                          POST /admin/halt {"coin":"xyz:GOLD"} halts one at any time
${COMMON_HELP}

SIGINT/SIGTERM stop it. ${EXIT_CODES}
`;

const FORBIDDEN_KEY_FLAGS = ["--private-key", "--privateKey", "--key", "--secret", "--agent-key"];

/** Parse argv (without node and script). Throws UsageError with a one-line reason. */
export function parseCli(argv: readonly string[]): CliArgs {
  for (const a of argv) {
    const f = a.split("=")[0]!;
    if (FORBIDDEN_KEY_FLAGS.includes(f))
      throw new UsageError(`${f}: keys are never taken from a flag (they would end up in shell history and ps); set QUOTEFLOW_PRIVATE_KEY or use --key-file <file> (mode 600)`);
  }
  const first = argv[0];
  if (first === "--help" || first === "-h") return { command: "help", help: true, version: false };
  let command: Command = "run";
  let rest = argv;
  if (first === "run" || first === "replay" || first === "sim" || first === "help") {
    command = first;
    rest = argv.slice(1);
  } else if (first !== undefined && !first.startsWith("-")) {
    throw new UsageError(`unknown command "${first}" (commands: run, replay, sim, report)`);
  }
  if (command === "help") return { command: "help", help: true, version: false };
  if (command === "run") {
    const { values: v, help, version } = parseFlags(rest, RUN_FLAGS);
    if (v["api-url"] !== undefined && v.venue !== "hyperliquid") throw new UsageError("--api-url: only with --venue hyperliquid");
    if (v["api-url"] !== undefined && !/^https?:\/\/[^\s]+$/.test(v["api-url"])) throw new UsageError(`--api-url: expected an http(s) URL, got "${v["api-url"]}"`);
    return {
      command,
      venue: v.venue,
      network: v.network,
      iUnderstandMainnet: v["i-understand-mainnet"],
      keyFile: v["key-file"],
      apiUrl: v["api-url"],
      durationSec: v.duration,
      metricsPort: v["metrics-port"],
      config: v.config,
      seed: v.seed,
      faults: v.faults,
      status: !v["no-status"],
      help,
      version,
    };
  }
  if (command === "replay") {
    const { values: v, help, version } = parseFlags(rest, REPLAY_FLAGS);
    return { command, data: v.data, config: v.config, out: v.out, minutes: v.minutes, seed: v.seed, faults: v.faults, open: v.open, help, version };
  }
  const { values: v, help, version } = parseFlags(rest, SIM_FLAGS);
  if (v.data !== undefined && v.synthetic !== undefined) throw new UsageError("--data and --synthetic: choose one");
  return { command: "sim", port: v.port, host: v.host, seed: v.seed, faults: v.faults, data: v.data, synthetic: v.synthetic, accounts: v.accounts, fund: v.fund, blockMs: v["block-ms"], perpDexs: v.dex, halts: v.halt, help, version };
}

export function helpFor(command: Command): string {
  return command === "run" ? RUN_HELP : command === "replay" ? REPLAY_HELP : command === "sim" ? SIM_HELP : MAIN_HELP;
}
