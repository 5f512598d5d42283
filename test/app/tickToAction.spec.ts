// The service's tick-to-action metric, by cause (app/tickStamps.ts, app/instrument.ts): a request is
// timed from the book whose handling planned the orders it carries — held ones included, per asset
// from the earliest such book — and a request no book caused is not timed. The wall clock is
// performance.now(), replaced here by a hand-set one.
import { performance } from "node:perf_hooks";
import { NEVER, Subject, of } from "rxjs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import { instrumentVenue } from "../../app/instrument.js";
import { createMetrics } from "../../app/metrics.js";
import { TickStamps } from "../../app/tickStamps.js";
import type { ActionBatch, BatchResult, OrderSpec } from "../../streams/actions.js";
import type { BookEvent } from "../../streams/market.js";
import type { Venue } from "../../streams/venue.js";

let clock = 0;
beforeEach(() => {
  clock = 0;
  vi.spyOn(performance, "now").mockImplementation(() => clock);
});
afterEach(() => vi.restoreAllMocks());

const order = (asset: string, cloid: string): OrderSpec => ({ asset, isBuy: true, px: 100, sz: 1, tif: "Alo", reduceOnly: false, cloid });
const place = (...orders: OrderSpec[]): ActionBatch => ({ type: "order", orders });
const book = (asset: string): BookEvent => ({ asset, time: 0, bids: [{ px: 99, sz: 1, n: 1 }], asks: [{ px: 101, sz: 1, n: 1 }] });

/** A venue whose books come from `books` and whose every submit is answered at once. */
function rig() {
  const books = new Map([["BTC", new Subject<BookEvent>()], ["ETH", new Subject<BookEvent>()]]);
  const fake = {
    name: "fake",
    book: (asset: string) => books.get(asset)!,
    trades: () => NEVER,
    orderUpdates$: NEVER,
    fills$: NEVER,
    connection$: NEVER,
    decodeErrors$: NEVER,
    submit: (): ReturnType<Venue["submit"]> => of({ type: "order", statuses: [] } as unknown as BatchResult),
  } as unknown as Venue;
  const metrics = createMetrics({ collectDefaults: false });
  const iv = instrumentVenue(fake, metrics);
  const send = (batch: ActionBatch): void => {
    iv.venue.submit(batch).subscribe();
  };
  /** While the book of `asset` arriving at `at` is handled, run `handle` (the pipeline and sink would). */
  let onBook: (b: BookEvent) => void = () => undefined;
  iv.venue.book("BTC").subscribe((b) => onBook(b));
  iv.venue.book("ETH").subscribe((b) => onBook(b));
  const tick = (asset: string, at: number, handle: () => void): void => {
    clock = at;
    onBook = () => handle();
    books.get(asset)!.next(book(asset));
    onBook = () => undefined;
  };
  /** count and sum (s) of the histogram per asset. */
  const observed = async (asset: string): Promise<{ count: number; sum: number }> => {
    const text = await metrics.registry.getSingleMetricAsString("quoteflow_tick_to_action_seconds");
    const count = Number(new RegExp(`quoteflow_tick_to_action_seconds_count\\{asset="${asset}"\\} (\\S+)`).exec(text)?.[1] ?? 0);
    const sum = Number(new RegExp(`quoteflow_tick_to_action_seconds_sum\\{asset="${asset}"\\} (\\S+)`).exec(text)?.[1] ?? 0);
    return { count, sum };
  };
  /** The histogram of `asset` holds `count` observations summing to `sumS` seconds. */
  const expectObserved = async (asset: string, count: number, sumS: number): Promise<void> => {
    const o = await observed(asset);
    expect(o.count).toBe(count);
    expect(o.sum).toBeCloseTo(sumS, 9);
  };
  return { iv, send, tick, observed, expectObserved };
}

describe("tick-to-action by cause", () => {
  it("times a request sent on the book's own stack from the book's arrival", async () => {
    const r = rig();
    r.tick("BTC", 1000, () => {
      const b = place(order("BTC", "0x01"));
      r.iv.planned(b);
      clock = 1000.25;
      r.send(b);
    });
    await r.expectObserved("BTC", 1, 0.00025);
  });

  it("times a held request from the book that planned it, not from the latest book", async () => {
    const r = rig();
    const held = place(order("BTC", "0x02"));
    r.tick("BTC", 2000, () => r.iv.planned(held));
    r.tick("BTC", 2400, () => undefined); // a later book of the same asset plans nothing
    clock = 2500; // the coalescing window ends
    r.send(held);
    await r.expectObserved("BTC", 1, 0.5);
  });

  it("does not time a request no book caused, however recent the asset's last book", async () => {
    const r = rig();
    r.tick("BTC", 3000, () => undefined);
    const b = place(order("BTC", "0x03"));
    clock = 3001;
    r.iv.planned(b); // planned outside a book's handling: a fill's replacement, a timer
    r.send(b);
    expect((await r.observed("BTC")).count).toBe(0);
  });

  it("observes a packed request once per asset, from each asset's earliest book", async () => {
    const r = rig();
    const a = place(order("BTC", "0x04"));
    const b = place(order("BTC", "0x05"));
    const c = place(order("ETH", "0x06"));
    r.tick("BTC", 4000, () => r.iv.planned(a));
    r.tick("BTC", 4100, () => r.iv.planned(b));
    r.tick("ETH", 4200, () => r.iv.planned(c));
    clock = 4300;
    r.send(place(order("BTC", "0x04"), order("BTC", "0x05"), order("ETH", "0x06")));
    await r.expectObserved("BTC", 1, 0.3);
    await r.expectObserved("ETH", 1, 0.1);
    // each stamp is taken once: the same orders sent again are not timed again
    r.send(place(order("BTC", "0x04")));
    expect((await r.observed("BTC")).count).toBe(1);
  });

  it("times cancels by OID and by CLOID and modifies by their order's CLOID", async () => {
    const r = rig();
    const batches: ActionBatch[] = [
      { type: "cancel", cancels: [{ asset: "BTC", oid: 77 }] },
      { type: "cancelByCloid", cancels: [{ asset: "BTC", cloid: "0x07" }] },
      { type: "batchModify", modifies: [{ oid: 78, order: order("BTC", "0x08") }] },
    ];
    r.tick("BTC", 5000, () => batches.forEach((b) => r.iv.planned(b)));
    clock = 5002;
    for (const b of batches) r.send(b);
    await r.expectObserved("BTC", 3, 0.006);
  });
});

describe("TickStamps", () => {
  it("stamps only inside a book's handling, keeps the earliest stamp, and restores the outer book on re-entry", () => {
    const s = new TickStamps();
    s.stamp("0xa");
    expect(s.size).toBe(0);
    const outer = s.begin(10);
    s.stamp("0xa");
    const inner = s.begin(20);
    s.stamp("0xa"); // already stamped by the outer book
    s.stamp(5);
    s.end(inner);
    expect(s.current).toBe(10);
    s.end(outer);
    expect(s.current).toBeNull();
    expect(s.take("0xa")).toBe(10);
    expect(s.take("0xa")).toBeUndefined();
    expect(s.take(5)).toBe(20);
  });

  it("forgets stamps older than maxAgeMs against the newest book, and only those (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 200 }), (gaps, maxAge) => {
        const s = new TickStamps(maxAge);
        let t = 0;
        const times: number[] = [];
        gaps.forEach((g, i) => {
          t += g;
          const prev = s.begin(t);
          s.stamp(`0x${i}`);
          s.end(prev);
          times.push(t);
        });
        // what a stamp at the last time keeps: everything at or after t - maxAge (the rest was evicted, oldest first)
        const kept = times.map((x, i) => [i, x] as const).filter(([, x]) => x >= t - maxAge);
        expect(s.size).toBe(kept.length);
        for (const [i, x] of kept) expect(s.take(`0x${i}`)).toBe(x);
      }),
    );
  });
});
