// The flag parser every quoteflow program uses: `quoteflow run | replay | sim` (app/args.ts), and the
// proof tools (`npm run soak | fuzz | bench`) through the same `parseFlags`. A flag table says what
// each option takes; parsing is pure: it returns typed values or throws a one-line UsageError
// naming the flag and the bad value, never exits. `--help`/`-h` and `--version`/`-V` are on every
// command. A value is taken as given even when it starts with "-" (`--duration -5` is refused as a
// negative duration, not as an unknown option).

export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The environment refused what the options ask (a port in use, a missing file, an unwritable directory): exit 2, one line. */
export class EnvironmentError extends Error {
  override readonly name = "EnvironmentError";
}

/** One option: whether it takes a value, and how the raw text (undefined: absent) becomes a value. */
export interface Flag<T> {
  readonly takesValue: boolean;
  readonly short?: string;
  /** May be given more than once; `parse` then gets every value, joined by newlines. */
  readonly repeatable?: boolean;
  readonly parse: (raw: string | undefined, flag: string) => T;
}

type ValueOf<F> = F extends Flag<infer T> ? T : never;
export type FlagValues<S extends Record<string, Flag<unknown>>> = { readonly [K in keyof S]: ValueOf<S[K]> };

export interface Parsed<S extends Record<string, Flag<unknown>>> {
  readonly values: FlagValues<S>;
  readonly positionals: readonly string[];
  readonly help: boolean;
  readonly version: boolean;
}

function numberText(raw: string, flag: string, what: string): number {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) throw new UsageError(`${flag}: expected ${what}, got "${raw}"`);
  return n;
}

/** The flag kinds every program uses. */
export const flag = {
  bool(short?: string): Flag<boolean> {
    return { takesValue: false, ...(short !== undefined ? { short } : {}), parse: (raw) => raw !== undefined };
  },
  string(): Flag<string | undefined> {
    return {
      takesValue: true,
      parse: (raw, f) => {
        if (raw !== undefined && raw.trim() === "") throw new UsageError(`${f}: expected a value, got ""`);
        return raw;
      },
    };
  },
  stringOr(fallback: string): Flag<string> {
    const s = flag.string();
    return { takesValue: true, parse: (raw, f) => s.parse(raw, f) ?? fallback };
  },
  /** An integer in [min, max]. */
  int(fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): Flag<number> {
    const what = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
    return {
      takesValue: true,
      parse: (raw, f) => {
        if (raw === undefined) return fallback;
        const n = numberText(raw, f, what);
        if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${f}: expected ${what}, got "${raw}"`);
        return n;
      },
    };
  },
  /** An integer ≥ min, or undefined when absent. */
  optionalInt(min = 0): Flag<number | undefined> {
    const i = flag.int(0, min);
    return { takesValue: true, parse: (raw, f) => (raw === undefined ? undefined : i.parse(raw, f)) };
  },
  /** A finite number > 0 and ≤ max, or undefined when absent. */
  positive(max = Number.MAX_SAFE_INTEGER, what = "a positive number"): Flag<number | undefined> {
    return {
      takesValue: true,
      parse: (raw, f) => {
        if (raw === undefined) return undefined;
        const n = numberText(raw, f, what);
        if (n <= 0 || n > max) throw new UsageError(`${f}: expected ${what}, got "${raw}"`);
        return n;
      },
    };
  },
  /** A finite number satisfying `ok`, with a default. */
  number(fallback: number, ok: (n: number) => boolean, what: string): Flag<number> {
    return {
      takesValue: true,
      parse: (raw, f) => {
        if (raw === undefined) return fallback;
        const n = numberText(raw, f, what);
        if (!ok(n)) throw new UsageError(`${f}: expected ${what}, got "${raw}"`);
        return n;
      },
    };
  },
  oneOf<T extends string>(allowed: readonly T[], fallback: T): Flag<T> {
    return {
      takesValue: true,
      parse: (raw, f) => {
        if (raw === undefined) return fallback;
        if (!(allowed as readonly string[]).includes(raw)) throw new UsageError(`${f}: expected one of ${allowed.join(", ")}, got "${raw}"`);
        return raw as T;
      },
    };
  },
  /** A comma-separated list of non-empty names (`BTC,ETH`), or undefined when absent. */
  list(): Flag<readonly string[] | undefined> {
    return {
      takesValue: true,
      parse: (raw, f) => {
        if (raw === undefined) return undefined;
        const items = raw.split(",").map((s) => s.trim());
        if (items.length === 0 || items.some((s) => s === "")) throw new UsageError(`${f}: expected a comma-separated list of names such as BTC,ETH, got "${raw}"`);
        return items;
      },
    };
  },
  /** `--fund <address>=<usdc>`, repeatable: lower-case address → USDC. */
  funds(): Flag<Readonly<Record<string, number>>> {
    return {
      takesValue: true,
      repeatable: true,
      parse: (raw, f) => {
        const out: Record<string, number> = {};
        if (raw === undefined) return out;
        for (const one of raw.split("\n")) {
          const m = /^(0x[0-9a-fA-F]{40})=(\d+(?:\.\d+)?)$/.exec(one);
          if (!m) throw new UsageError(`${f}: expected <address>=<usdc>, e.g. 0xabc…=100000, got "${one.slice(0, 80)}"`);
          out[m[1]!.toLowerCase()] = Number(m[2]);
        }
        return out;
      },
    };
  },
} as const;

/**
 * Parse `argv` against `spec` (keys are the long names without `--`). `--name value` and
 * `--name=value`; `-h`/`--help` and `-V`/`--version` always. Positionals only with
 * `positionals: true`. Throws UsageError with one line naming the flag.
 */
export function parseFlags<S extends Record<string, Flag<unknown>>>(argv: readonly string[], spec: S, options: { readonly positionals?: boolean } = {}): Parsed<S> {
  const raw = new Map<string, string | undefined>();
  const positionals: string[] = [];
  let help = false;
  let version = false;
  const byShort = new Map<string, string>();
  for (const [name, f] of Object.entries(spec)) if (f.short !== undefined) byShort.set(f.short, name);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (arg === "--version" || arg === "-V") {
      version = true;
      continue;
    }
    if (arg === "--") {
      if (!options.positionals) throw new UsageError(`unexpected argument "--" (this command takes no arguments, only options)`);
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      if (!options.positionals) throw new UsageError(`unexpected argument "${arg}" (options start with --; see --help)`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const long = arg.startsWith("--");
    const name = long ? arg.slice(2, eq < 0 ? undefined : eq) : byShort.get(arg.slice(1));
    const f = name !== undefined && Object.prototype.hasOwnProperty.call(spec, name) ? spec[name] : undefined;
    if (name === undefined || f === undefined) throw new UsageError(`unknown option ${long && eq >= 0 ? arg.slice(0, eq) : arg} (see --help)`);
    const shown = `--${name}`;
    if (raw.has(name) && !f.repeatable) throw new UsageError(`${shown}: given twice`);
    const put = (value: string): void => {
      const before = raw.get(name);
      raw.set(name, f.repeatable && before !== undefined ? `${before}\n${value}` : value);
    };
    if (!f.takesValue) {
      if (eq >= 0) throw new UsageError(`${shown}: takes no value, got "${arg.slice(eq + 1)}"`);
      raw.set(name, "true");
      continue;
    }
    if (eq >= 0) {
      put(arg.slice(eq + 1));
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || value === "--help" || value === "-h") throw new UsageError(`${shown}: expected a value`);
    put(value);
    i++;
  }
  const values: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(spec)) values[name] = f.parse(raw.get(name), `--${name}`);
  return { values: values as FlagValues<S>, positionals, help, version };
}

/**
 * The shell of a program (soak, fuzz, bench): `main` returns the exit code; a UsageError is one
 * line on stderr and exit 2; `… | head` (EPIPE on stdout) is not an error.
 */
export function runProgram(name: string, main: () => Promise<number>): void {
  for (const stream of [process.stdout, process.stderr])
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw err;
    });
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if (err instanceof UsageError || err instanceof EnvironmentError) {
        process.stderr.write(`${name}: ${err.message}; run with --help for usage\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write(`${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
