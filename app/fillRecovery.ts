// The start's fill history, one `Venue.fillsSince` request (paged) for two jobs:
//
// - Recovery: fills the venue made for the account while no session ran (a crash, a kill -9, a
//   stop and a later start), from the last fill the journal directory holds for the account, are
//   journaled once each and marked `recovered`. They moved the position the start adopts from the
//   venue (and the PnL book adopts at the venue's entry price), so they go to the journal only,
//   never through this session's books a second time.
// - The loss limit from venue truth: the day's closed PnL and fees (fills since 00:00 UTC before
//   this session) become each asset's day baseline in the PnL book, so the max-loss switch counts
//   from the venue's day, not from this session's start.
import type { Logger } from "pino";
import { type SchedulerLike, firstValueFrom, timeout } from "rxjs";
import type { FillJournal, JournalHistory } from "../analytics/journal.js";
import type { VenueFill } from "../streams/fill.js";
import type { Venue } from "../streams/venue.js";

export interface FillRecoveryResult {
  /** Where recovery started (venue ms), or undefined when there was nothing to recover from (no earlier session). */
  readonly from: number | undefined;
  /** Where the request started: min(from, the day's start) (venue ms); undefined when nothing was asked. */
  readonly asked: number | undefined;
  /** Fills the venue returned from `asked` on. */
  readonly returned: number;
  /** Journaled now (`recovered: true`); the rest were journaled already or are older than `from`. */
  readonly recovered: number;
  readonly pages: number;
  readonly truncated: boolean;
  /** The request failed or timed out (logged; the start goes on: the position is adopted anyway). */
  readonly failed: boolean;
  /** Per asset, the day's closed PnL and fees before `startedAt` (fills since 00:00 UTC). */
  readonly dayBaseline: Readonly<Record<string, { readonly closedPnl: number; readonly fees: number; readonly fills: number }>>;
}

/** 00:00 UTC of the day `t` (ms) falls in. */
export function utcDayStart(t: number): number {
  return Math.floor(t / 86_400_000) * 86_400_000;
}

/** The day's closed PnL and fees per asset from the fills in [dayStart, before). A fill without `closedPnl` counts 0 for it. */
export function dayBaselineOf(fills: readonly VenueFill[], dayStart: number, before: number): Record<string, { closedPnl: number; fees: number; fills: number }> {
  const out: Record<string, { closedPnl: number; fees: number; fills: number }> = {};
  for (const f of fills) {
    if (f.time < dayStart || f.time >= before) continue;
    const b = (out[f.asset] ??= { closedPnl: 0, fees: 0, fills: 0 });
    b.closedPnl += f.closedPnl ?? 0;
    b.fees += f.fee;
    b.fills++;
  }
  return out;
}

/**
 * One paged `fillsSince` from min(the last journaled fill — or the first session's start when none
 * was journaled —, 00:00 UTC of `startedAt`): journal the fills since the last journaled one that no
 * line holds (with no earlier session of the account in the directory, nothing: earlier fills built
 * the inherited position, not a session of ours), and sum the day's closed PnL and fees before the start.
 *
 * Cost: one `userFillsByTime` per 2000 fills, IP weight 20 + 1 per 20 fills (metered as `gapfill`).
 */
export async function startFillHistory(o: {
  readonly venue: Venue;
  readonly journal: FillJournal | undefined;
  readonly history: JournalHistory | undefined;
  readonly startedAt: number;
  /** Ask from 00:00 UTC for the day baseline (the service does when any asset has a loss limit). */
  readonly dayBaseline: boolean;
  readonly scheduler: SchedulerLike;
  readonly log: Logger;
  readonly timeoutMs?: number;
}): Promise<FillRecoveryResult> {
  const from = o.journal && o.history ? (o.history.lastFillTime ?? o.history.firstStartTime) : undefined;
  const dayStart = utcDayStart(o.startedAt);
  const asked = o.dayBaseline ? Math.min(dayStart, from ?? dayStart) : from;
  const none: FillRecoveryResult = { from, asked, returned: 0, recovered: 0, pages: 0, truncated: false, failed: false, dayBaseline: {} };
  if (asked === undefined || o.venue.fillsSince === undefined) return { ...none, asked: undefined };
  try {
    const answer = await firstValueFrom(o.venue.fillsSince(asked).pipe(timeout({ first: o.timeoutMs ?? 15_000, scheduler: o.scheduler })));
    let recovered = 0;
    if (from !== undefined && o.journal) for (const f of answer.fills) if (f.time >= from && o.journal.recovered(f)) recovered++;
    const dayBaseline = o.dayBaseline ? dayBaselineOf(answer.fills, dayStart, o.startedAt) : {};
    const result: FillRecoveryResult = { from, asked, returned: answer.fills.length, recovered, pages: answer.pages, truncated: answer.truncated, failed: false, dayBaseline };
    const note = answer.truncated ? "start fill history: the venue's history may not reach back far enough (recovery and the day's PnL may be short)" : "start fill history: fills recovered since the last journaled one; the day's PnL before this session";
    (answer.truncated ? o.log.warn.bind(o.log) : o.log.info.bind(o.log))({ ...result, previousSessions: o.history?.files.length ?? 0 }, note);
    return result;
  } catch (err) {
    o.log.warn({ from, asked, failure: "fill_recovery", error: err instanceof Error ? err.message : String(err) }, "start fill history failed; fills made while no session ran are not journaled and the loss limit counts from this session");
    return { ...none, failed: true };
  }
}
