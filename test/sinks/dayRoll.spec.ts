// The loss limit's day rolls over at 00:00 UTC on the scheduler's clock: the day's PnL restarts,
// a kill switch of yesterday's loss is cleared (unless kill.maxLossCarriesOver), and a loss still
// open at midnight counts in the new day. The core on explicit times, then the whole sink on a
// virtual clock across midnight.
import { describe, expect, it } from "vitest";
import { Subject } from "rxjs";
import { initialSinkState, step } from "../../sinks/core.js";
import type { ExecutionSinkConfig, SinkEvent } from "../../sinks/sinkTypes.js";
import type { QuoteIntent } from "../../streams/intent.js";
import type { VenueFill } from "../../streams/fill.js";
import { simReplayScheduler } from "../../sim/index.js";
import { FakeVenue } from "./fakeVenue.js";
import { wiredSink } from "./sinkHarness.js";

const MIDNIGHT = Date.UTC(2026, 11, 3);
const cfg = (over: Partial<ExecutionSinkConfig> = {}): ExecutionSinkConfig => ({ cloidSeed: 1, deadMan: false, assets: { BTC: { maxLossUsd: 10, maxPositionUsd: 1e9 } }, ...over });
const vf = (tid: number, isBuy: boolean, price: number, time: number): VenueFill => ({ tid, oid: tid, cloid: null, asset: "BTC", isBuy, size: 1, price, time, fee: 0, crossed: false });

function core(over: Partial<ExecutionSinkConfig> = {}) {
  const s = initialSinkState(cfg(over), MIDNIGHT - 60_000);
  const events: SinkEvent[] = [];
  const at = (t: number, input: Parameters<typeof step>[1]) => events.push(...step(s, input, t).events);
  return { s, events, at };
}

describe("the loss limit's day at 00:00 UTC", () => {
  it("yesterday's realised loss tripped the switch; the rollover restarts the day and clears it", () => {
    const { s, events, at } = core();
    at(MIDNIGHT - 50_000, { kind: "mid", mid: { asset: "BTC", time: MIDNIGHT - 50_000, mid: 100 } });
    at(MIDNIGHT - 40_000, { kind: "fill", fill: vf(1, true, 100, MIDNIGHT - 40_000) });
    at(MIDNIGHT - 30_000, { kind: "fill", fill: vf(2, false, 85, MIDNIGHT - 30_000) }); // realised −15
    expect(s.killSwitch.state).toMatchObject({ active: true, trip: { trigger: "MaxLoss" } });
    at(MIDNIGHT - 250, { kind: "tick" });
    expect(s.killSwitch.active).toBe(true); // not before midnight
    at(MIDNIGHT + 100, { kind: "tick" });
    expect(s.killSwitch.state).toMatchObject({ active: false, clearedTrip: { trigger: "MaxLoss" } });
    expect(events).toContainEqual({ type: "dayRolled", dayStart: MIDNIGHT, killSwitchCleared: true, time: MIDNIGHT + 100 });
    expect(s.pnl.dayTotal("BTC", 100)).toBeCloseTo(0, 9);
    expect(s.pnl.total("BTC", 100)).toBeCloseTo(-15, 9); // the session's own PnL is untouched
    // the new day counts from zero: a −8 loss today does not trip a 10 USD limit
    at(MIDNIGHT + 1000, { kind: "fill", fill: vf(3, true, 100, MIDNIGHT + 1000) });
    at(MIDNIGHT + 2000, { kind: "fill", fill: vf(4, false, 92, MIDNIGHT + 2000) });
    expect(s.pnl.dayTotal("BTC", 100)).toBeCloseTo(-8, 9);
    expect(s.killSwitch.active).toBe(false);
    expect(s.metrics.dayRollovers).toBe(1);
    at(MIDNIGHT + 2250, { kind: "tick" });
    expect(s.metrics.dayRollovers).toBe(1); // once per day
  });

  it("with kill.maxLossCarriesOver the switch stays tripped past midnight", () => {
    const { s, events, at } = core({ kill: { maxLossCarriesOver: true } });
    at(MIDNIGHT - 40_000, { kind: "fill", fill: vf(1, true, 100, MIDNIGHT - 40_000) });
    at(MIDNIGHT - 30_000, { kind: "fill", fill: vf(2, false, 85, MIDNIGHT - 30_000) });
    at(MIDNIGHT + 100, { kind: "tick" });
    expect(s.killSwitch.active).toBe(true);
    expect(events).toContainEqual({ type: "dayRolled", dayStart: MIDNIGHT, killSwitchCleared: false, time: MIDNIGHT + 100 });
  });

  it("a loss still open at midnight counts in the new day: cleared, then tripped again at once", () => {
    const { s, events, at } = core();
    at(MIDNIGHT - 50_000, { kind: "mid", mid: { asset: "BTC", time: MIDNIGHT - 50_000, mid: 100 } });
    at(MIDNIGHT - 40_000, { kind: "fill", fill: vf(1, true, 100, MIDNIGHT - 40_000) });
    at(MIDNIGHT - 30_000, { kind: "mid", mid: { asset: "BTC", time: MIDNIGHT - 30_000, mid: 85 } });
    at(MIDNIGHT - 29_750, { kind: "tick" }); // unrealised −15 → trip
    expect(s.killSwitch.active).toBe(true);
    at(MIDNIGHT + 100, { kind: "tick" });
    const kills = events.filter((e): e is Extract<SinkEvent, { type: "killSwitch" }> => e.type === "killSwitch").map((e) => [e.state.active, e.time]);
    expect(kills).toEqual([
      [true, MIDNIGHT - 29_750],
      [false, MIDNIGHT + 100],
      [true, MIDNIGHT + 100],
    ]);
  });

  it("a switch tripped for another reason beside the loss is not cleared by the rollover", () => {
    const { s, at } = core();
    at(MIDNIGHT - 40_000, { kind: "kill", detail: "operator" });
    at(MIDNIGHT - 30_000, { kind: "fill", fill: vf(1, true, 100, MIDNIGHT - 30_000) });
    at(MIDNIGHT + 100, { kind: "tick" });
    expect(s.killSwitch.state).toMatchObject({ active: true, trip: { trigger: "Manual" } });
  });
});

describe("the sink on a virtual clock across midnight", () => {
  it("a MaxLoss trip before midnight (a loss that has recovered since) is cleared within one housekeeping period of 00:00 UTC and quoting resumes", () => {
    const scheduler = simReplayScheduler(MIDNIGHT - 60_000);
    const venue = new FakeVenue(scheduler);
    const intents = new Subject<QuoteIntent>();
    const mids = new Subject<{ asset: string; time: number; mid: number }>();
    const { sink, seen } = wiredSink(venue, cfg(), scheduler, { intents$: intents, mids$: mids });
    const lad = (mid: number): QuoteIntent => ({ asset: "BTC", time: scheduler.now(), bids: [{ px: mid - 1, sz: 1, source: "base_ladder" }], asks: [{ px: mid + 1, sz: 1, source: "base_ladder" }] });
    const at = (t: number, fn: () => void) => scheduler.schedule(fn, t - scheduler.now());
    const market = (mid: number) => {
      mids.next({ asset: "BTC", time: scheduler.now(), mid });
      intents.next(lad(mid));
    };
    at(MIDNIGHT - 59_000, () => market(100));
    at(MIDNIGHT - 50_000, () => venue.fill(venue.open("BTC").find((o) => o.spec.isBuy)!.oid)); // long 1 at 99
    at(MIDNIGHT - 45_000, () => market(86)); // unrealised −13 < −10: tripped (latched)
    at(MIDNIGHT - 30_000, () => market(100)); // recovered: +1, the switch stays tripped
    scheduler.maxFrames = MIDNIGHT + 10_000;
    scheduler.flush();
    expect(seen.kill[0]).toMatchObject({ active: true, trip: { trigger: "MaxLoss" } });
    expect(seen.kill[0]!.time).toBeLessThan(MIDNIGHT - 40_000);
    const cleared = seen.kill.find((k) => !k.active)!;
    expect(cleared.time).toBeGreaterThanOrEqual(MIDNIGHT);
    expect(cleared.time).toBeLessThanOrEqual(MIDNIGHT + 250);
    expect(sink.killSwitch.active).toBe(false);
    const placedAfter = seen.actions.filter((a) => a.kind === "sent" && a.batch.type === "order" && a.time >= MIDNIGHT);
    expect(placedAfter.length).toBeGreaterThan(0);
    expect(venue.open("BTC")).toHaveLength(2);
  });
});

describe("risk.maxLossCarriesOver in the config file", () => {
  it("is accepted in a risk section, reaches the sink's kill options when an asset sets it, and is absent otherwise", async () => {
    const { loadConfigWithPlugins } = await import("../../app/plugins.js");
    const { defaultConfigPath, RiskConfig } = await import("../../app/config.js");
    const { sinkConfigOf } = await import("../../app/sinkConfig.js");
    expect(RiskConfig.is({ maxPositionUsd: 1, maxLossUsd: 1, maxDriftUsd: 1, maxLossCarriesOver: true })).toBe(true);
    const base = (await loadConfigWithPlugins(defaultConfigPath())).config;
    expect(sinkConfigOf(base, 1).kill?.maxLossCarriesOver).toBeUndefined();
    const carried = { ...base, assets: base.assets.map((a, i) => (i === 0 ? { ...a, risk: { ...a.risk, maxLossCarriesOver: true } } : a)) };
    expect(sinkConfigOf(carried, 1).kill?.maxLossCarriesOver).toBe(true);
  });
});
