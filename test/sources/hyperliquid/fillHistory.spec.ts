import { firstValueFrom, of } from "rxjs";
import { describe, expect, it } from "vitest";
import { pagedFillsSince } from "../../../sources/hyperliquid/fillHistory.js";
import type { VenueFill } from "../../../streams/fill.js";

const vf = (tid: number, time: number): VenueFill => ({ tid, oid: tid, cloid: null, asset: "BTC", isBuy: true, size: 1, price: 1, time, fee: 0, crossed: false });

/** A venue answering userFillsByTime as Hyperliquid does: fills with time >= start (inclusive), oldest first, `page` at most. */
function venueOf(all: readonly VenueFill[], page: number) {
  const starts: number[] = [];
  return { starts, fetch: (start: number) => (starts.push(start), of(all.filter((f) => f.time >= start).slice(0, page))) };
}

describe("pagedFillsSince", () => {
  it("asks once when the first page is short", async () => {
    const v = venueOf([vf(1, 10), vf(2, 20)], 4);
    const a = await firstValueFrom(pagedFillsSince(v.fetch, 5, 6, 4));
    expect(a).toEqual({ fills: [vf(1, 10), vf(2, 20)], pages: 1, truncated: false });
    expect(v.starts).toEqual([5]);
  });

  it("pages from the newest time of a full page (inclusive), keeping fills that share that millisecond, each once", async () => {
    const all = [vf(1, 10), vf(2, 11), vf(3, 12), vf(4, 12), vf(5, 12), vf(6, 13)];
    const v = venueOf(all, 4);
    const a = await firstValueFrom(pagedFillsSince(v.fetch, 0, 6, 4));
    expect(a.fills.map((f) => f.tid)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(v.starts).toEqual([0, 12, 13]);
    expect(a.pages).toBe(3);
    expect(a.truncated).toBe(false);
  });

  it("steps one ms past a page that is all one millisecond, and says truncated at the page cap", async () => {
    const all = [vf(1, 10), vf(2, 10), vf(3, 11), vf(4, 12), vf(5, 13), vf(6, 14)];
    const v = venueOf(all, 2);
    const a = await firstValueFrom(pagedFillsSince(v.fetch, 0, 2, 2));
    expect(v.starts).toEqual([0, 11]);
    expect(a.truncated).toBe(true);
    expect(a.fills.map((f) => f.tid)).toEqual([1, 2, 3, 4]);
  });
});
