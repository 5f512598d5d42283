#!/usr/bin/env node
// quoteflow's command line: `run` (default), `replay`, `sim`. Exit codes: 0 done, 1 failure,
// 2 usage or config error, 3 refused (mainnet without consent, unsafe key file), 130 second signal.
import { join, resolve } from "node:path";
import { createWriteStream, mkdirSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startPaperServer } from "../sim/server.js";
import { UsageError, helpFor, parseCli } from "./args.js";
import { ConfigError } from "./config.js";
import { fileStamp } from "../analytics/journal.js";
import { KeyError } from "./keys.js";
import { createRootLogger, scrubSecrets } from "./logger.js";
import { dataMarket, defaultMarket, syntheticOnly } from "./markets.js";
import { RefusedError, runService } from "./run.js";

function fail(code: number, message: string): number {
  process.stderr.write(scrubSecrets(`quoteflow: ${message}\n`));
  return code;
}

export async function main(argv: readonly string[]): Promise<number> {
  // `report` reads journals only: its own parser and help live with it in analytics/.
  if (argv[0] === "report") return (await import("../analytics/cli.js")).reportMain(argv.slice(1));
  let args;
  try {
    args = parseCli(argv);
  } catch (err) {
    if (err instanceof UsageError) return fail(2, `${err.message}\nRun \`quoteflow --help\` for usage.`);
    throw err;
  }
  if (args.help) {
    process.stdout.write(helpFor(args.command));
    if (args.command === "run" || args.command === "replay") {
      const { operatorRegistry } = await import("./registry.js");
      process.stdout.write("\nOperators a config's `operators:` list can name (app/registry.ts):\n");
      for (const [name, f] of Object.entries(operatorRegistry)) process.stdout.write(`  ${name.padEnd(18)} ${f.stage.padEnd(6)} ${f.params.name}\n      ${f.description}\n`);
    }
    return 0;
  }
  try {
    if (args.command === "run") {
      const log = createRootLogger({ level: process.env["QUOTEFLOW_LOG_LEVEL"] ?? "info" });
      const result = await runService(args, { log });
      log.info({ fills: result.fills, journal: result.journalPath }, "bye");
      log.flush();
      return 0;
    }
    if (args.command === "replay") {
      const { runReplay } = await import("./replay.js");
      // In a replay the progress bar and the summary are the output; the log goes to a file beside the report.
      const stamp = fileStamp(new Date());
      mkdirSync(resolve(args.out), { recursive: true });
      const logPath = join(resolve(args.out), `replay-${stamp}.log`);
      const logFile = createWriteStream(logPath);
      const log = createRootLogger({ level: process.env["QUOTEFLOW_LOG_LEVEL"] ?? "info", destination: logFile, pretty: false });
      const result = await runReplay({
        data: args.data,
        configPath: args.config,
        outDir: args.out,
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
    const choice = args.data ? dataMarket(resolve(args.data), { seed: args.seed }) : args.synthetic ? syntheticOnly(args.synthetic.split(",").filter(Boolean), args.seed) : defaultMarket({ seed: args.seed, loop: true });
    const server = await startPaperServer({ market: choice.market, seed: args.seed, faults: args.faults as "none" | "realistic" | "hostile", port: args.port, host: args.host });
    process.stdout.write(`${server.url}\n`);
    process.stderr.write(`paper venue: ${choice.description}; faults ${args.faults}, seed ${args.seed}; POST /info, POST /exchange, WS ${server.wsUrl}. Ctrl-C stops.\n`);
    await new Promise<void>((done) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        void server.close().then(done);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) return fail(2, err.message);
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

if (isEntry()) {
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
