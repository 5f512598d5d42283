// The one root logger. Components get `log.child({ component, asset })`; no child sets its own
// `redact` (it would replace this list). Two layers keep a key out of every line: pino's path
// redaction (the list below, spelled out at every depth), and a scrubber on the output stream
// that replaces any registered secret's text wherever it appears — a message string, an error
// stack, a nested field the list forgot.
import { Writable } from "node:stream";
import { pino, type Logger, type LoggerOptions } from "pino";
import pretty from "pino-pretty";

/** Field names that may carry secrets, in any casing used in this codebase and its libraries. */
const SECRET_FIELDS = [
  "privateKey",
  "private_key",
  "agentKey",
  "secretKey",
  "secret",
  "apiSecret",
  "mnemonic",
  "signature",
  "signingKey",
  "wallet",
  "authorization",
  "Authorization",
  "QUOTEFLOW_PRIVATE_KEY",
];

/**
 * The central redaction list: every secret field at depth 0 to 4 (`privateKey`, `*.privateKey`,
 * `*.*.privateKey`, …). pino's `*` matches one level only, so each depth is spelled out.
 */
export const REDACT_PATHS: readonly string[] = SECRET_FIELDS.flatMap((field) =>
  [0, 1, 2, 3, 4].map((depth) => [...Array<string>(depth).fill("*"), field].join(".")),
);

const secrets = new Set<string>();

/**
 * Register a secret's text (e.g. the agent private key) so that every output stream built by
 * this module replaces it. Both the 0x form and the bare hex are registered.
 */
export function registerSecret(secret: string): void {
  const s = secret.trim();
  if (s.length < 8) return;
  secrets.add(s);
  if (s.startsWith("0x") || s.startsWith("0X")) secrets.add(s.slice(2));
  else secrets.add("0x" + s);
  secrets.add(s.toLowerCase());
  secrets.add(s.toUpperCase());
}

/** Replace every registered secret in `text`. Applied to log lines, journal lines, error output. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join("[REDACTED]");
  return out;
}

/** A Writable that scrubs registered secrets from each chunk before passing it on. */
export function scrubbingStream(next: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      const text = scrubSecrets(typeof chunk === "string" ? chunk : chunk.toString("utf8"));
      if (next.write(text)) cb();
      else next.once("drain", () => cb());
    },
    final(cb) {
      cb();
    },
  });
}

export interface RootLoggerOptions {
  readonly level?: LoggerOptions["level"];
  /** Pretty, coloured lines (default: when `destination` is a TTY). */
  readonly pretty?: boolean;
  /** Where lines go (default process.stdout). */
  readonly destination?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** The service's root logger: JSON, or pretty on a terminal, always redacted and scrubbed. */
export function createRootLogger(options: RootLoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stdout;
  const isPretty = options.pretty ?? Boolean(destination.isTTY);
  const scrubbed = scrubbingStream(destination);
  // pino-pretty writes to its own destination: hand it the scrubbing stream (not a pipe).
  const out: NodeJS.WritableStream = isPretty
    ? pretty({ colorize: Boolean(destination.isTTY), translateTime: "HH:MM:ss.l", ignore: "pid,hostname,service", singleLine: true, sync: true, destination: scrubbed })
    : scrubbed;
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "quoteflow" },
      redact: { paths: [...REDACT_PATHS], censor: "[REDACTED]" },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    out,
  );
}

/** A logger that writes nothing (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
