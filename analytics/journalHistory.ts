// What earlier sessions of one account left in the journal directory: which fills are journaled
// (by asset and tid), the last fill's time, the largest CLOID prefix handed out. A start reads it
// so that the journal continues across processes: every venue fill in exactly one line, CLOIDs that
// never repeat, and fills made while no process ran recovered from the venue from the last
// journaled one on.
//
// A process killed mid-write (kill -9, a power cut) leaves at most a partial last line: the reader
// skips it and counts it; with `repair` it cuts the file back to its last complete line, so that
// the next reader (the report, a notebook) finds only whole lines.
import { closeSync, existsSync, openSync, readFileSync, readdirSync, statSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The journal files the service writes (`fills-<mode>-<stamp>.jsonl`). */
export const JOURNAL_FILE_PATTERN = /^fills-.*\.jsonl$/;

export interface JournalHistory {
  /** The account's journals, oldest first by name (the name carries the start stamp). */
  readonly files: readonly string[];
  /** Every journaled fill as `asset:tid`. */
  readonly fills: ReadonlySet<string>;
  /** The latest fill time journaled (venue ms), undefined when none. */
  readonly lastFillTime: number | undefined;
  /** The earliest header's `startTime`: where recovery starts when no fill was ever journaled. */
  readonly firstStartTime: number | undefined;
  /** The largest CLOID prefix (high 64 bits) any header of the account names. */
  readonly lastCloidSeed: bigint | undefined;
  /** Partial last lines found (a process killed mid-write), skipped. */
  readonly partialLines: number;
  /** Complete lines that did not parse as JSON, skipped. */
  readonly badLines: number;
  /** Files whose partial last line was cut off (with `repair`). */
  readonly repaired: readonly string[];
}

export const fillKey = (asset: string, tid: number): string => `${asset}:${tid}`;

const sameAccount = (a: unknown, b: string) => typeof a === "string" && a.toLowerCase() === b.toLowerCase();

/**
 * Read every journal of `account` in `dir` (a journal belongs to the account its header names;
 * files of other accounts, and files without a header, are passed over). A missing directory is an
 * empty history.
 *
 * @param options.repair cut a partial last line off its file (default false: read only).
 */
export function readJournalHistory(dir: string, account: string, options: { readonly repair?: boolean } = {}): JournalHistory {
  const fills = new Set<string>();
  const files: string[] = [];
  const repaired: string[] = [];
  let lastFillTime: number | undefined;
  let lastCloidSeed: bigint | undefined;
  let firstStartTime: number | undefined;
  let partialLines = 0;
  let badLines = 0;
  const names = existsSync(dir) ? readdirSync(dir).filter((n) => JOURNAL_FILE_PATTERN.test(n)).sort() : [];
  for (const name of names) {
    const path = join(dir, name);
    let text: string;
    try {
      if (!statSync(path).isFile()) continue;
      text = readFileSync(path, "utf8");
    } catch {
      continue;
    }
    const end = text.lastIndexOf("\n");
    const complete = end < 0 ? "" : text.slice(0, end);
    const partial = text.length > end + 1;
    const lines = complete.length > 0 ? complete.split("\n") : [];
    const header = parse(lines[0]);
    if (header === undefined || header["type"] !== "header" || !sameAccount(header["account"], account)) continue;
    files.push(name);
    if (partial) {
      partialLines++;
      if (options.repair) {
        truncateSync(path, Buffer.byteLength(complete, "utf8") + (end < 0 ? 0 : 1));
        repaired.push(name);
      }
    }
    const st = header["startTime"];
    if (typeof st === "number" && (firstStartTime === undefined || st < firstStartTime)) firstStartTime = st;
    const seed = header["cloidSeed"];
    if (typeof seed === "string" && /^[0-9a-f]{1,16}$/.test(seed)) {
      const v = BigInt(`0x${seed}`);
      if (lastCloidSeed === undefined || v > lastCloidSeed) lastCloidSeed = v;
    }
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.length === 0) continue;
      // `type` comes first in every line: only fill lines need parsing.
      if (!line.startsWith('{"type":"fill"')) {
        if (!line.startsWith('{"type":')) badLines++;
        continue;
      }
      const o = parse(line);
      if (o === undefined || typeof o["asset"] !== "string" || typeof o["tid"] !== "number" || typeof o["time"] !== "number") {
        badLines++;
        continue;
      }
      fills.add(fillKey(o["asset"], o["tid"]));
      if (lastFillTime === undefined || o["time"] > lastFillTime) lastFillTime = o["time"];
    }
  }
  return { files, fills, lastFillTime, firstStartTime, lastCloidSeed, partialLines, badLines, repaired };
}

function parse(line: string | undefined): Record<string, unknown> | undefined {
  if (line === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Another process holds the account's journal lock. */
export class AccountLockedError extends Error {
  override readonly name = "AccountLockedError";
}

export interface AccountLock {
  readonly path: string;
  /** The pid of a dead process whose lock was taken over (it was killed without shutdown). */
  readonly stalePid: number | undefined;
  release(): void;
}

/**
 * One process per account and journal directory: `<dir>/.lock-<account>` holds the pid. Two
 * processes quoting one account journal each other's fills and halve each other's quota; the second
 * is refused. A lock whose pid no longer runs (a kill -9) is taken over and said so.
 *
 * @throws AccountLockedError naming the account and the running pid.
 */
export function acquireAccountLock(dir: string, account: string, pid = process.pid, alive: (pid: number) => boolean = pidAlive): AccountLock {
  const path = join(dir, `.lock-${account.toLowerCase()}`);
  let stalePid: number | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeFileSync(fd, `${pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        path,
        stalePid,
        release: () => {
          if (released) return;
          released = true;
          try {
            if (readFileSync(path, "utf8").trim() === String(pid)) unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
      if (Number.isSafeInteger(holder) && holder > 0 && holder !== pid && alive(holder)) {
        throw new AccountLockedError(`journal lock ${path}: account ${account} is already quoted by pid ${holder} (two processes on one account journal each other's fills); stop it first`);
      }
      stalePid = Number.isSafeInteger(holder) ? holder : undefined;
      unlinkSync(path);
    }
  }
  throw new AccountLockedError(`journal lock ${path}: could not be taken for account ${account}`);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
