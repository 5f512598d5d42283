// The account's fill history from a time on, every page: Hyperliquid's `userFillsByTime` answers
// at most 2000 fills per request ("Returns at most 2000 fills per response and only the 10000 most
// recent fills are available", FACTS §9; start and end inclusive). The start's fill recovery and
// the reconnect gap-fill both read it through `Venue.fillsSince`.
//
// Cost: IP weight 20 + 1 per 20 fills returned, per page (FACTS §9/§13) — one page (20–120) for a
// restart after a normal gap; at most `maxPages` pages.
import { type Observable, EMPTY, defer, expand, map, reduce } from "rxjs";
import type { FillsSinceAnswer, VenueFill } from "../../streams/index.js";

/** Hyperliquid's page size for userFillsByTime. */
export const HL_FILLS_PAGE = 2000;

interface Page {
  readonly start: number;
  readonly fills: readonly VenueFill[];
  readonly n: number;
}

/**
 * Pages `fetchPage(startTime)` from `since` until a page comes back short: the next page starts at
 * the newest time of the last (inclusive, so fills sharing that millisecond are not lost; repeats
 * are dropped by tid), or one ms later when a whole page shares one millisecond (more than a page of
 * fills in one ms cannot be paged by time: the rest of that ms is lost, and `truncated` is not set
 * for it — a limit of the venue's API). Oldest first.
 *
 * @param maxPages stop after this many requests (default 6: the venue keeps only 10 000 fills) and say `truncated`.
 */
export function pagedFillsSince(fetchPage: (startTime: number) => Observable<readonly VenueFill[]>, since: number, maxPages = 6, pageSize = HL_FILLS_PAGE): Observable<FillsSinceAnswer> {
  return defer(() =>
    fetchPage(since).pipe(
      map((fills): Page => ({ start: since, fills, n: 1 })),
      expand((p) => {
        if (p.fills.length < pageSize || p.n >= maxPages) return EMPTY;
        const times = p.fills.map((f) => f.time);
        const newest = Math.max(...times);
        // A whole page in one millisecond: step past it (the venue cannot page inside one ms).
        const start = Math.min(...times) === newest ? newest + 1 : newest;
        return fetchPage(start).pipe(map((fills): Page => ({ start, fills, n: p.n + 1 })));
      }),
      reduce(
        (acc, p) => {
          for (const f of p.fills) {
            if (f.time < since || acc.seen.has(`${f.asset}:${f.tid}`)) continue;
            acc.seen.add(`${f.asset}:${f.tid}`);
            acc.fills.push(f);
          }
          return { ...acc, pages: p.n, full: p.fills.length >= pageSize };
        },
        { seen: new Set<string>(), fills: [] as VenueFill[], pages: 0, full: false },
      ),
      map((acc): FillsSinceAnswer => ({ fills: [...acc.fills].sort((a, b) => a.time - b.time || a.tid - b.tid), pages: acc.pages, truncated: acc.full })),
    ),
  );
}
