// Command-line parsing for `quoteflow run | replay | sim` (node:util parseArgs, strict), with a
// help text per command. Parsing is pure: it returns options or a usage error, never exits.
import { parseArgs } from "node:util";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export type Command = "run" | "replay" | "sim" | "help";

export interface RunArgs {
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
  readonly help: boolean;
}

export interface ReplayArgs {
  readonly command: "replay";
  readonly data: string | undefined;
  readonly config: string | undefined;
  readonly out: string;
  readonly seed: number;
  readonly faults: string;
  readonly minutes: number | undefined;
  readonly open: boolean;
  readonly help: boolean;
}

export interface SimArgs {
  readonly command: "sim";
  readonly port: number;
  readonly host: string;
  readonly seed: number;
  readonly faults: string;
  readonly data: string | undefined;
  readonly synthetic: string | undefined;
  /** Who exists on the venue: faucet (any signer, funded), announced, strict. */
  readonly accounts: "faucet" | "announced" | "strict";
  /** --fund <address>=<usdc>, repeatable: seeded balances (lower-case address → USDC). */
  readonly fund: Readonly<Record<string, number>>;
  /** --block-ms: the matcher's block length (default 70; 0 = no blocks). */
  readonly blockMs: number;
  readonly help: boolean;
}

export type CliArgs = RunArgs | ReplayArgs | SimArgs | { readonly command: "help"; readonly help: true };

export const MAIN_HELP = `quoteflow — a Hyperliquid market maker's execution layer as a reactive pipeline

Usage:
  quoteflow [run] [options]     the service (default: paper venue, no keys, no network)
  quoteflow replay [options]    the whole pipeline over a recording on virtual time → report
  quoteflow sim [options]       the paper venue alone, serving the Hyperliquid protocol

Run \`quoteflow <command> --help\` for a command's options.
With npm: \`npm start -- [options]\`, \`npm run replay -- [options]\`, \`npm run sim -- [options]\`.
`;

export const RUN_HELP = `quoteflow run — the service

Usage: quoteflow run [options]

  --venue paper|hyperliquid   paper (default): an embedded paper venue on 127.0.0.1 replaying
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
  --metrics-port <n>          Prometheus /metrics on 127.0.0.1:<n> (default 9464; 0 = ephemeral)
  --config <file>             YAML or JSON config (default config/default.yaml); edits are
                              applied while running, a bad edit is refused
  --seed <n>                  paper venue seed (default 1)
  --faults none|realistic|hostile   paper venue fault profile (default realistic)
  --no-status                 no status line on stderr
  -h, --help                  this text

SIGINT/SIGTERM: stop quoting, cancel every resting order, wait for the answers, flush the
journal, exit 0. A second signal exits at once.
`;

export const REPLAY_HELP = `quoteflow replay — the pipeline and the paper venue in-process on virtual time

Usage: quoteflow replay [options]

  --data <dir|file>    a directory with djienne CSVs (orderbooks_<ASSET>.csv, trades_<ASSET>.csv),
                       e.g. ../shared/data/real/hyperliquid/djienne_avellaneda_calibration,
                       or a Hyperliquid frame recording (.jsonl[.gz], .gz). Default: the shipped
                       BTC recording plus a synthetic ETH market.
  --config <file>      config (default config/default.yaml)
  --out <dir>          where the HTML report goes (default reports/)
  --minutes <m>        replay only the first m minutes
  --seed <n>           venue seed (default 1)
  --faults none|realistic|hostile   (default realistic)
  -h, --help           this text

Prints a progress bar (on a terminal), a summary table, and the report's path.
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
  -h, --help              this text
`;

function int(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name}: expected an integer ≥ ${min}, got "${value}"`);
  return n;
}

function num(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name}: expected a positive number, got "${value}"`);
  return n;
}

function oneOf<T extends string>(value: string | undefined, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name}: expected one of ${allowed.join(", ")}, got "${value}"`);
  return value as T;
}

const FORBIDDEN_KEY_FLAGS = ["--private-key", "--privateKey", "--key", "--secret", "--agent-key"];
const FAULTS = ["none", "realistic", "hostile"] as const;
const ACCOUNTS = ["faucet", "announced", "strict"] as const;

/** Parse argv (without node and script). Throws UsageError with a one-line reason. */
export function parseCli(argv: readonly string[]): CliArgs {
  for (const a of argv) {
    const flag = a.split("=")[0]!;
    if (FORBIDDEN_KEY_FLAGS.includes(flag))
      throw new UsageError(`${flag}: keys are never taken from a flag (they would end up in shell history and ps); set QUOTEFLOW_PRIVATE_KEY or use --key-file <file> (mode 600)`);
  }
  const first = argv[0];
  if (first === "--help" || first === "-h") return { command: "help", help: true };
  let command: Command = "run";
  let rest = argv;
  if (first === "run" || first === "replay" || first === "sim" || first === "help") {
    command = first;
    rest = argv.slice(1);
  } else if (first !== undefined && !first.startsWith("-")) {
    throw new UsageError(`unknown command "${first}" (commands: run, replay, sim)`);
  }
  if (command === "help") return { command: "help", help: true };
  try {
    if (command === "run") {
      const { values } = parseArgs({
        args: [...rest],
        strict: true,
        allowPositionals: false,
        options: {
          venue: { type: "string" },
          network: { type: "string" },
          "i-understand-mainnet": { type: "boolean", default: false },
          "key-file": { type: "string" },
          "api-url": { type: "string" },
          duration: { type: "string" },
          "metrics-port": { type: "string" },
          config: { type: "string" },
          seed: { type: "string" },
          faults: { type: "string" },
          "no-status": { type: "boolean", default: false },
          help: { type: "boolean", short: "h", default: false },
        },
      });
      const venue = oneOf(values.venue, "venue", ["paper", "hyperliquid"] as const, "paper");
      if (values["api-url"] !== undefined && venue !== "hyperliquid") throw new UsageError("--api-url: only with --venue hyperliquid");
      if (values["api-url"] !== undefined && !/^https?:\/\/[^\s]+$/.test(values["api-url"])) throw new UsageError(`--api-url: expected an http(s) URL, got "${values["api-url"]}"`);
      return {
        command,
        venue,
        network: oneOf(values.network, "network", ["testnet", "mainnet"] as const, "testnet"),
        iUnderstandMainnet: values["i-understand-mainnet"] ?? false,
        keyFile: values["key-file"],
        apiUrl: values["api-url"],
        durationSec: num(values.duration, "duration"),
        metricsPort: int(values["metrics-port"], "metrics-port", 9464),
        config: values.config,
        seed: int(values.seed, "seed", 1),
        faults: oneOf(values.faults, "faults", FAULTS, "realistic"),
        status: !(values["no-status"] ?? false),
        help: values.help ?? false,
      };
    }
    if (command === "replay") {
      const { values } = parseArgs({
        args: [...rest],
        strict: true,
        allowPositionals: false,
        options: {
          data: { type: "string" },
          config: { type: "string" },
          out: { type: "string" },
          minutes: { type: "string" },
          seed: { type: "string" },
          faults: { type: "string" },
          open: { type: "boolean", default: false },
          help: { type: "boolean", short: "h", default: false },
        },
      });
      return {
        command,
        data: values.data,
        config: values.config,
        out: values.out ?? "reports",
        minutes: num(values.minutes, "minutes"),
        seed: int(values.seed, "seed", 1),
        faults: oneOf(values.faults, "faults", FAULTS, "realistic"),
        open: values.open ?? false,
        help: values.help ?? false,
      };
    }
    const { values } = parseArgs({
      args: [...rest],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        seed: { type: "string" },
        faults: { type: "string" },
        data: { type: "string" },
        synthetic: { type: "string" },
        accounts: { type: "string" },
        fund: { type: "string", multiple: true },
        "block-ms": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.data !== undefined && values.synthetic !== undefined) throw new UsageError("--data and --synthetic: choose one");
    const fund: Record<string, number> = {};
    for (const f of values.fund ?? []) {
      const m = /^(0x[0-9a-fA-F]{40})=(\d+(?:\.\d+)?)$/.exec(f);
      if (!m) throw new UsageError(`--fund expects <address>=<usdc>, e.g. 0xabc…=100000, got ${f.slice(0, 80)}`);
      fund[m[1]!.toLowerCase()] = Number(m[2]);
    }
    return {
      command: "sim",
      port: int(values.port, "port", 0),
      host: values.host ?? "127.0.0.1",
      seed: int(values.seed, "seed", 1),
      faults: oneOf(values.faults, "faults", FAULTS, "realistic"),
      data: values.data,
      synthetic: values.synthetic,
      accounts: oneOf(values.accounts, "accounts", ACCOUNTS, "faucet"),
      fund,
      blockMs: int(values["block-ms"], "block-ms", 70),
      help: values.help ?? false,
    };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    // parseArgs' own errors (unknown option, missing value): keep their text, which names the flag.
    throw new UsageError((err as Error).message);
  }
}

export function helpFor(command: Command): string {
  return command === "run" ? RUN_HELP : command === "replay" ? REPLAY_HELP : command === "sim" ? SIM_HELP : MAIN_HELP;
}
