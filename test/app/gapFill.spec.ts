import { Subject, of, throwError } from "rxjs";
import { describe, expect, it } from "vitest";
import { reconnectGapFills } from "../../app/gapFill.js";
import type { VenueFill, VenueFillBatch } from "../../streams/fill.js";
import type { ConnectionState, FillsSinceAnswer, Venue } from "../../streams/venue.js";

const vf = (tid: number, time: number): VenueFill => ({ tid, oid: tid, cloid: null, asset: "BTC", isBuy: true, size: 1, price: 1, time, fee: 0, crossed: false });
const st = (status: ConnectionState["status"]): ConnectionState => ({ status, attempt: 0, time: 0 });

function venueWith(answer: (since: number) => ReturnType<NonNullable<Venue["fillsSince"]>>) {
  const connection$ = new Subject<ConnectionState>();
  const asked: number[] = [];
  const venue = { connection$, fillsSince: (since: number) => (asked.push(since), answer(since)) } as unknown as Venue;
  return { venue, connection$, asked };
}

describe("reconnectGapFills", () => {
  it("asks for the fills since the last one seen after each reconnect, not at the first open, and emits them as a snapshot batch", () => {
    const { venue, connection$, asked } = venueWith(() => of<FillsSinceAnswer>({ fills: [vf(7, 1500)], pages: 1, truncated: false }));
    let last = 1000;
    const out: VenueFillBatch[] = [];
    const sub = reconnectGapFills(venue, () => last).subscribe((b) => out.push(b));
    connection$.next(st("connecting"));
    connection$.next(st("open"));
    expect(asked).toEqual([]);
    last = 1200;
    connection$.next(st("reconnecting"));
    connection$.next(st("open"));
    connection$.next(st("open")); // a repeated open is no reconnect
    expect(asked).toEqual([1200]);
    expect(out).toEqual([{ isSnapshot: true, fills: [vf(7, 1500)] }]);
    sub.unsubscribe();
  });

  it("a failed request is reported and the next reconnect asks again", () => {
    const { venue, connection$, asked } = venueWith(() => throwError(() => new Error("HTTP 429")));
    const errors: unknown[] = [];
    const sub = reconnectGapFills(venue, () => 5, (e) => errors.push(e)).subscribe();
    for (const s of ["open", "reconnecting", "open", "reconnecting", "open"] as const) connection$.next(st(s));
    expect(asked).toEqual([5, 5]);
    expect(errors).toHaveLength(2);
    sub.unsubscribe();
  });

  it("is empty for a venue without fillsSince", () => {
    const out: unknown[] = [];
    reconnectGapFills({ connection$: of(st("open")) } as unknown as Venue, () => 0).subscribe({ next: (b) => out.push(b), complete: () => out.push("done") });
    expect(out).toEqual(["done"]);
  });
});
