#!/usr/bin/env node
// quoteflow's command line: `run` (default), `replay`, `sim`. Exit codes: 0 done, 1 failure,
// 2 usage, config or environment error (one line), 3 refused (mainnet without consent, unsafe key
// file), 130 second signal.
import { join, resolve } from "node:path";
import { accessSync, constants, createWriteStream, existsSync, mkdirSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startPaperServer } from "../sim/server.js";
import { EnvironmentError, UsageError, helpFor, parseCli } from "./args.js";
import { ConfigError } from "./config.js";
import { fileStamp } from "../analytics/journal.js";
import { KeyError } from "./keys.js";
import { createRootLogger, scrubSecrets } from "./logger.js";
import { ListenError } from "./metrics.js";
import { RefusedError, dataMarket, defaultMarket, loadRunConfig, logLevelOf, packageVersion, runService, syntheticOnly } from "./run.js";

function fail(code: number, message: string): number {
  process.stderr.write(scrubSecrets(`quoteflow: ${message}\n`));
  return code;
}

/** First line of a message: an environment error is one line, whatever a library appended. */
function oneLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

/** A directory we will write into: created and checked now, so a bad `--out` is one line, not a stack. */
function writableDir(dir: string, what: string): string {
  const abs = resolve(dir);
  try {
    mkdirSync(abs, { recursive: true });
    accessSync(abs, constants.W_OK);
  } catch (err) {
    throw new EnvironmentError(`${what} ${abs}: not writable (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  return abs;
}

function existing(path: string, what: string): string {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new EnvironmentError(`${what} ${abs}: no such file or directory`);
  return abs;
}

export async function main(argv: readonly string[]): Promise<number> {
  // `report` reads journals only: its own parser and help live with it in analytics/.
  if (argv[0] === "report") return (await import("../analytics/cli.js")).reportMain(argv.slice(1));
  let args;
  try {
    args = parseCli(argv);
  } catch (err) {
    if (err instanceof UsageError) return fail(2, `${err.message}; run \`quoteflow --help\` for usage`);
    throw err;
  }
  if (args.version) {
    process.stdout.write(`quoteflow ${packageVersion()}\n`);
    return 0;
  }
  if (args.help) {
    process.stdout.write(helpFor(args.command));
    if (args.command === "run" || args.command === "replay" || args.command === "help") {
      const { operatorRegistry } = await import("./registry.js");
      process.stdout.write("\nOperators a config's `operators:` list can name (app/registry.ts):\n");
      for (const [name, f] of Object.entries(operatorRegistry)) process.stdout.write(`  ${name.padEnd(18)} ${f.stage.padEnd(6)} ${f.params.name}\n      ${f.description}\n`);
    }
    return 0;
  }
  try {
    if (args.command === "run") {
      const loaded = await loadRunConfig(args.config);
      const log = createRootLogger({ level: logLevelOf(loaded.config) });
      const result = await runService(args, { log, config: loaded });
      log.info({ fills: result.fills, journal: result.journalPath }, "bye");
      log.flush();
      return 0;
    }
    if (args.command === "replay") {
      const { runReplay } = await import("./replay.js");
      const data = args.data !== undefined ? existing(args.data, "--data") : undefined;
      const config = args.config !== undefined ? existing(args.config, "--config") : undefined;
      const outDir = writableDir(args.out, "--out");
      const loaded = await loadRunConfig(config);
      // In a replay the progress bar and the summary are the output; the log goes to a file beside the report.
      const stamp = fileStamp(new Date());
      const logPath = join(outDir, `replay-${stamp}.log`);
      const logFile = createWriteStream(logPath);
      const log = createRootLogger({ level: logLevelOf(loaded.config), destination: logFile, pretty: false });
      const result = await runReplay({
        data,
        configPath: loaded.path,
        outDir,
        seed: args.seed,
        faults: args.faults as "none" | "realistic" | "hostile",
        minutes: args.minutes,
        log,
        progress: process.stderr,
        stamp,
      }).finally(() => new Promise<void>((done) => logFile.end(() => done())));
      process.stdout.write(result.summary + "\n\n");
      process.stdout.write(`report:  ${result.reportPath}\n`);
      if (result.data.journalPath) process.stdout.write(`journal: ${result.data.journalPath}\n`);
      process.stdout.write(`log:     ${logPath}\n`);
      return 0;
    }
    // sim: the paper venue alone.
    const choice = args.data
      ? dataMarket(existing(args.data, "--data"), { seed: args.seed })
      : args.synthetic
        ? syntheticOnly([...args.synthetic], args.seed)
        : defaultMarket({ seed: args.seed, loop: true });
    let server;
    try {
      server = await startPaperServer({ market: choice.market, seed: args.seed, faults: args.faults as "none" | "realistic" | "hostile", port: args.port, host: args.host, accounts: args.accounts, fund: args.fund, blockMs: args.blockMs, perpDexs: args.perpDexs, halts: args.halts });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (err instanceof ListenError) throw new EnvironmentError(`--host ${args.host} --port ${args.port}: ${err.message}`);
      if (typeof code === "string" && /^E[A-Z]+$/.test(code)) throw new EnvironmentError(`--host ${args.host} --port ${args.port}: cannot listen (${code})`);
      throw err;
    }
    process.stdout.write(`${server.url}\n`);
    process.stderr.write(`paper venue: ${choice.description}; faults ${args.faults}, seed ${args.seed}, accounts ${args.accounts}; POST /info, POST /exchange, WS ${server.wsUrl}. Ctrl-C stops.\n`);
    const open = server;
    await new Promise<void>((done) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        void open.close().then(done);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    return 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof EnvironmentError || err instanceof UsageError) return fail(2, oneLine(err.message));
    // The recording readers name the flag they were given (`--data <path>: expected …`).
    if (err instanceof Error && err.message.startsWith("--data ")) return fail(2, oneLine(err.message));
    if (err instanceof KeyError || err instanceof RefusedError) return fail(3, err.message);
    return fail(1, err instanceof Error ? (err.stack ?? err.message) : String(err));
  }
}

function isEntry(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try {
    return realpathSync(arg) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** `quoteflow --help | head`: a reader that stops early is not an error. */
export function quietOnEpipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

if (isEntry()) {
  quietOnEpipe(process.stdout);
  quietOnEpipe(process.stderr);
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Sockets and timers of libraries may linger; the service has stopped and flushed.
      setTimeout(() => process.exit(code), 200).unref();
    },
    (err: unknown) => {
      process.stderr.write(scrubSecrets(`quoteflow: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`));
      process.exit(1);
    },
  );
}
