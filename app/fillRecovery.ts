// The start's fill recovery: fills the venue made for the account while no session ran (a crash,
// a kill -9, a stop and a later start), from the last fill the journal directory holds for the
// account up to now, journaled once each and marked `recovered`. They moved the position the start
// adopts from the venue (and the PnL book adopts at the venue's entry price), so they go to the
// journal only, never through this session's books a second time.
import type { Logger } from "pino";
import { type SchedulerLike, firstValueFrom, timeout } from "rxjs";
import type { FillJournal, JournalHistory } from "../analytics/journal.js";
import type { Venue } from "../streams/venue.js";

export interface FillRecoveryResult {
  /** Where recovery started (venue ms), or undefined when there was nothing to recover from (no earlier session). */
  readonly from: number | undefined;
  /** Fills the venue returned from `from` on. */
  readonly returned: number;
  /** Of them, journaled now (`recovered: true`); the rest were journaled already. */
  readonly recovered: number;
  readonly pages: number;
  readonly truncated: boolean;
  /** The request failed or timed out (logged; the start goes on: the position is adopted anyway). */
  readonly failed: boolean;
}

/**
 * Ask the venue for the account's fills since the last journaled one (`history.lastFillTime`, or
 * the first session's start when none was journaled) and journal those not in the history. With no
 * earlier session of the account in the directory, there is nothing to recover: earlier fills built
 * the inherited position, not a session of ours.
 *
 * Cost: one `userFillsByTime` per 2000 fills, IP weight 20 + 1 per 20 fills (metered as `gapfill`).
 */
export async function recoverFills(o: {
  readonly venue: Venue;
  readonly journal: FillJournal;
  readonly history: JournalHistory;
  readonly scheduler: SchedulerLike;
  readonly log: Logger;
  readonly timeoutMs?: number;
}): Promise<FillRecoveryResult> {
  const from = o.history.lastFillTime ?? o.history.firstStartTime;
  const none = { from, returned: 0, recovered: 0, pages: 0, truncated: false, failed: false };
  if (from === undefined || o.venue.fillsSince === undefined) return none;
  try {
    const answer = await firstValueFrom(o.venue.fillsSince(from).pipe(timeout({ first: o.timeoutMs ?? 15_000, scheduler: o.scheduler })));
    let recovered = 0;
    for (const f of answer.fills) if (o.journal.recovered(f)) recovered++;
    const result = { from, returned: answer.fills.length, recovered, pages: answer.pages, truncated: answer.truncated, failed: false };
    (answer.truncated ? o.log.warn.bind(o.log) : o.log.info.bind(o.log))({ ...result, previousSessions: o.history.files.length }, answer.truncated ? "fill recovery: the venue's history may not reach back to the last journaled fill" : "fill recovery: fills since the last journaled one");
    return result;
  } catch (err) {
    o.log.warn({ from, failure: "fill_recovery", error: err instanceof Error ? err.message : String(err) }, "fill recovery failed; fills made while no session ran are not journaled");
    return { ...none, failed: true };
  }
}
