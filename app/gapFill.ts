// The reconnect gap-fill: after the venue connection comes back (open after connecting or
// reconnecting, not the first open), ask the venue for the fills since the last one seen
// (`Venue.fillsSince`: Hyperliquid userFillsByTime, FACTS §13 "After reconnect: … userFillsByTime
// from the last seen fill time") and feed them, as a snapshot batch, in front of the one dedup pass.
// The WS userFills resubscribe snapshot carries the same fills when it comes; this does not depend on it.
//
// Cost: one userFillsByTime per reconnect (IP weight 20 + 1 per 20 fills, metered as `gapfill`);
// nothing while the connection stays up.
import type { Logger } from "pino";
import { type Observable, type Subscription, EMPTY, catchError, exhaustMap, filter, map, pairwise, startWith, tap } from "rxjs";
import type { VenueFillBatch } from "../streams/fill.js";
import type { ConnectionState, Venue } from "../streams/venue.js";

/**
 * @param lastSeen the newest fill time seen so far (venue ms), or the session's start.
 * @param onFailure called with the error of a failed request (logged by the caller); the next reconnect asks again.
 */
export function reconnectGapFills(venue: Venue, lastSeen: () => number, onFailure: (err: unknown) => void = () => undefined): Observable<VenueFillBatch> {
  const since = venue.fillsSince?.bind(venue);
  if (since === undefined) return EMPTY;
  let opened = false;
  return venue.connection$.pipe(
    startWith<ConnectionState | undefined>(undefined),
    pairwise(),
    filter(([prev, cur]) => {
      if (cur?.status !== "open" || prev?.status === "open") return false;
      const again = opened; // the first open is the start (the start's recovery covers it)
      opened = true;
      return again;
    }),
    exhaustMap(() =>
      since(lastSeen()).pipe(
        map((a): VenueFillBatch => ({ isSnapshot: true, fills: a.fills })),
        catchError((err: unknown) => {
          onFailure(err);
          return EMPTY;
        }),
      ),
    ),
  );
}

/**
 * The service's gap-fill: the newest fill time is tracked from the venue's own feed (from `startedAt`;
 * the tracking subscription is handed to `keep`), failures and batches are logged.
 */
export function loggedGapFills(venue: Venue, startedAt: number, log: Logger, keep: (s: Subscription) => void): Observable<VenueFillBatch> {
  let last = startedAt;
  keep(venue.fills$.subscribe((b) => {
    for (const f of b.fills) if (f.time > last) last = f.time;
  }));
  return reconnectGapFills(venue, () => last, (err) => log.warn({ failure: "gap_fill", error: err instanceof Error ? err.message : String(err) }, "reconnect gap-fill (userFillsByTime) failed; the resubscribe snapshot still carries recent fills")).pipe(
    tap((b) => log.info({ fills: b.fills.length, since: last }, "reconnect gap-fill: fills since the last one seen")),
  );
}
