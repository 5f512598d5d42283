// A session of one account on one journal directory: the lock (one process per account), what
// earlier sessions journaled (read, and a partial last line left by a kill repaired), and this
// session's CLOID prefix — larger than any earlier session's (sinks/cloid.ts `sessionCloidSeed`).
import type { Logger } from "pino";
import { type AccountLock, type JournalHistory, acquireAccountLock, readJournalHistory } from "../analytics/journal.js";
import { cloidSeedHex, sessionCloidSeed } from "../sinks/cloid.js";

export interface AccountSession {
  readonly history: JournalHistory;
  readonly lock: AccountLock;
  readonly cloidSeed: bigint;
}

/**
 * Take the account's lock in `dir`, read and repair its journal history, pick the CLOID prefix.
 * @param nowMs the wall clock (the edge passes Date.now()).
 * @throws AccountLockedError when another live process holds the account.
 */
export function openAccountSession(dir: string, account: string, nowMs: number, log: Logger): AccountSession {
  const lock = acquireAccountLock(dir, account);
  try {
    const history = readJournalHistory(dir, account, { repair: true });
    const cloidSeed = sessionCloidSeed(nowMs, history.lastCloidSeed);
    log.info(
      {
        account,
        previousSessions: history.files.length,
        journaledFills: history.fills.size,
        lastFillTime: history.lastFillTime ?? null,
        partialLinesRepaired: history.repaired.length,
        partialLinesSkipped: history.partialLines,
        badLines: history.badLines,
        staleLockPid: lock.stalePid ?? null,
        cloidSeed: cloidSeedHex(cloidSeed),
      },
      lock.stalePid !== undefined ? "account session: an earlier process on this account ended without shutdown (stale lock taken over)" : "account session",
    );
    return { history, lock, cloidSeed };
  } catch (err) {
    lock.release();
    throw err;
  }
}
