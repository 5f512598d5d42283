// The loss limit survives a restart: a day baseline from the venue's fills (the service's start
// fill history) makes the max-loss switch count from the venue's day, not from this session.
import { describe, expect, it } from "vitest";
import { Subject, VirtualTimeScheduler } from "rxjs";
import type { QuoteIntent } from "../../streams/intent.js";
import { FakeVenue } from "./fakeVenue.js";
import { wiredSink } from "./sinkHarness.js";

function setup(baseline: { closedPnl: number; fees: number } | undefined) {
  const scheduler = new VirtualTimeScheduler(undefined, 0);
  const venue = new FakeVenue(scheduler);
  const intents = new Subject<QuoteIntent>();
  const mids = new Subject<{ asset: string; time: number; mid: number }>();
  const { sink, seen } = wiredSink(venue, { cloidSeed: 3, awaitAccount: true, deadMan: false, assets: { BTC: { maxPositionUsd: 1000, maxLossUsd: 100 } } }, scheduler, { intents$: intents, mids$: mids }, undefined, 1);
  if (baseline) sink.pnl.adoptDayBaseline("BTC", baseline.closedPnl, baseline.fees);
  scheduler.schedule(() => mids.next({ asset: "BTC", time: 2, mid: 100 }), 2);
  scheduler.maxFrames = 5_000;
  scheduler.flush();
  return { sink, seen };
}

describe("max loss from venue truth across a restart", () => {
  it("trips MaxLoss at the start when the day's closed PnL and fees before this session already exceed the limit", () => {
    const { sink } = setup({ closedPnl: -95, fees: 10 });
    expect(sink.killSwitch.state).toMatchObject({ active: true, trip: { trigger: "MaxLoss", asset: "BTC" } });
    expect(sink.killSwitch.state.active && sink.killSwitch.state.trip.detail).toMatch(/PnL today -105\.00 USD < −100 USD/);
  });

  it("does not trip with a day baseline inside the limit, nor without one", () => {
    expect(setup({ closedPnl: -50, fees: 10 }).sink.killSwitch.state.active).toBe(false);
    expect(setup(undefined).sink.killSwitch.state.active).toBe(false);
  });
});
