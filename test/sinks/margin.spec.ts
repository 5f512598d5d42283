// Margin before sending: with an account of 1000 USD at 20× leverage (19 000 USD of notional after a
// 5 % buffer), a ladder that fits is placed whole; one that does not is placed only as far as it fits,
// the rest held (counted), nothing rejected by the venue.
import { describe, expect, it } from "vitest";
import { Subject, VirtualTimeScheduler } from "rxjs";
import type { QuoteIntent } from "../../streams/intent.js";
import type { ExecutionSinkConfig } from "../../sinks/sinkTypes.js";
import { FakeVenue } from "./fakeVenue.js";
import { wiredSink } from "./sinkHarness.js";

function run(sz: number, margin: ExecutionSinkConfig["margin"]) {
  const scheduler = new VirtualTimeScheduler(undefined, 0);
  const venue = new FakeVenue(scheduler);
  const intents = new Subject<QuoteIntent>();
  const mids = new Subject<{ asset: string; time: number; mid: number }>();
  const { sink } = wiredSink(venue, { cloidSeed: 4, awaitAccount: true, deadMan: false, ...(margin ? { margin } : {}), assets: { BTC: { maxPositionUsd: 1e9 } } }, scheduler, { intents$: intents, mids$: mids });
  scheduler.schedule(() => {
    mids.next({ asset: "BTC", time: 1, mid: 100 });
    intents.next({ asset: "BTC", time: 1, bids: [1, 2, 3].map((i) => ({ px: 100 - i, sz, source: "base_ladder" as const })), asks: [1, 2, 3].map((i) => ({ px: 100 + i, sz, source: "base_ladder" as const })) });
  }, 1);
  scheduler.maxFrames = 3_000;
  scheduler.flush();
  const placed = venue.submitted.flatMap((b) => (b.type === "order" ? b.orders : []));
  return { sink, placed };
}

describe("margin before sending", () => {
  it("places a ladder the account's margin covers, whole", () => {
    const { sink, placed } = run(10, { leverage: new Map([["BTC", 20]]) }); // 6 × ~1000 USD = 6000 ≤ 19 000
    expect(placed).toHaveLength(6);
    expect(sink.metrics.marginHeld).toBe(0);
  });

  it("holds the placements the margin does not cover and counts them; at lower leverage fewer fit", () => {
    const at20 = run(40, { leverage: new Map([["BTC", 20]]) }); // ~4000 USD each: 4 fit in 19 000
    expect(at20.placed).toHaveLength(4);
    expect(at20.sink.metrics.marginHeld).toBeGreaterThanOrEqual(2);
    const at5 = run(40, { leverage: new Map([["BTC", 5]]) }); // 4750 USD of notional: 1 fits
    expect(at5.placed).toHaveLength(1);
  });

  it("without the margin option nothing is checked (the sink's default)", () => {
    const { sink, placed } = run(40, undefined);
    expect(placed).toHaveLength(6);
    expect(sink.metrics.marginHeld).toBe(0);
  });
});
