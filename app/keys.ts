// The agent (API wallet) key for live trading: from QUOTEFLOW_PRIVATE_KEY or from a file only
// its owner can read. Never from a flag (it would sit in shell history and `ps`). No message
// here ever contains the key: errors name the source, never the text.
import { readFileSync, statSync } from "node:fs";
import { registerSecret } from "./logger.js";

export class KeyError extends Error {
  override readonly name = "KeyError";
}

const KEY_PATTERN = /^(0x)?[0-9a-fA-F]{64}$/;

export interface LoadedKey {
  /** 0x-prefixed private key. Registered with the log scrubber before it is returned. */
  readonly privateKey: string;
  readonly source: "env" | "file";
}

function validated(text: string, source: string): string {
  const key = text.trim();
  if (!KEY_PATTERN.test(key)) throw new KeyError(`${source}: expected a 32-byte hex private key (64 hex digits, optional 0x); the value does not match (not shown)`);
  registerSecret(key);
  return key.startsWith("0x") ? key : "0x" + key;
}

/**
 * Load the live key. `keyFile` wins over the environment when both are given. A key file must be
 * a regular file owned by this user with no group/other permission bits (chmod 600 or 400).
 */
export function loadAgentKey(options: { readonly env?: NodeJS.ProcessEnv; readonly keyFile?: string } = {}): LoadedKey {
  const env = options.env ?? process.env;
  if (options.keyFile !== undefined) {
    let st;
    try {
      st = statSync(options.keyFile);
    } catch (err) {
      throw new KeyError(`key file ${options.keyFile}: cannot stat (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
    if (!st.isFile()) throw new KeyError(`key file ${options.keyFile}: not a regular file`);
    if ((st.mode & 0o077) !== 0)
      throw new KeyError(`key file ${options.keyFile}: readable by group or others (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 ${options.keyFile}`);
    if (typeof process.getuid === "function" && st.uid !== process.getuid())
      throw new KeyError(`key file ${options.keyFile}: owned by uid ${st.uid}, not by this user (${process.getuid()})`);
    return { privateKey: validated(readFileSync(options.keyFile, "utf8"), `key file ${options.keyFile}`), source: "file" };
  }
  const fromEnv = env["QUOTEFLOW_PRIVATE_KEY"];
  if (fromEnv !== undefined && fromEnv !== "") return { privateKey: validated(fromEnv, "QUOTEFLOW_PRIVATE_KEY"), source: "env" };
  throw new KeyError("live trading needs an agent key: set QUOTEFLOW_PRIVATE_KEY or pass --key-file <file> (mode 600); keys are never taken from a flag");
}
