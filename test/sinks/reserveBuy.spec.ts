// Buying requests through the real path, on the virtual clock against the in-process paper venue
// (the deathSpiral.spec.ts pattern): a quiet market maker (two levels a side far from the touch,
// re-priced with every book, no fills) spends a small address budget (400 requests) with nothing
// earned back. With `reserve` off the breaker opens and stays open (no fills come); with it on the
// sink buys 1000 requests at a time before the breaker opens, quoting goes on, the venue's account
// is debited exactly 0.0005 USDC per request bought, and spending stops at the daily cap — after
// which the breaker does open, as it must, until the UTC day turns on the scheduler's clock (the
// run starts 20 min before midnight) and the next day's purchase closes it again.
import { describe, expect, it } from "vitest";
import { filter, map, share } from "rxjs";
import type { VirtualTimeScheduler } from "rxjs";
import { quotaBreakerGate } from "../../operators/quotaBreakerGate.js";
import { QuotaThrottleHandle } from "../../operators/quotaThrottle.js";
import { PaperVenue, simReplayScheduler, syntheticMarket } from "../../sim/index.js";
import type { ReserveOptions } from "../../sinks/reserveWeight.js";
import type { SinkEvent } from "../../sinks/sinkTypes.js";
import type { ActionBatch } from "../../streams/actions.js";
import type { QuoteIntent } from "../../streams/intent.js";
import { farLadder } from "./quotes.js";
import { wiredSink } from "./sinkHarness.js";

const MIN = 60_000;
const DAY = 86_400_000;
/** 20 minutes before a UTC midnight. */
const MIDNIGHT = Math.ceil(1_700_000_000_000 / DAY) * DAY;
const T0 = MIDNIGHT - 20 * MIN;

const quote = farLadder;

function run(reserve: ReserveOptions | undefined, minutes: number) {
  const scheduler: VirtualTimeScheduler = simReplayScheduler(T0);
  const market = syntheticMarket({ assets: [{ name: "BTC", startPx: 50_000, szDecimals: 5, volBpsPerSqrtSec: 3 }], seed: 3, durationMs: (minutes + 5) * MIN });
  const venue = new PaperVenue({ market, scheduler, seed: 3, faults: "none", addressInitialBuffer: 400 });
  const handle = new QuotaThrottleHandle();
  const intents$ = venue.book("BTC").pipe(
    share(),
    map(quote),
    filter((i): i is QuoteIntent => i !== null),
    quotaBreakerGate(handle.state$),
  );
  const breaker: Array<[number, boolean]> = [];
  handle.state$.subscribe((s) => {
    if (breaker.at(-1)?.[1] !== s.breakerOpen) breaker.push([s.time - T0, s.breakerOpen]);
  });
  const balance0 = venue.exchange.account(venue.user).balance;
  const { sink } = wiredSink(
    venue,
    {
      cloidSeed: 8,
      deadMan: false,
      budgetShaping: false,
      defaults: { thresholds: { skipPriceBps: 0.5, skipSizePct: 2, modifyPriceBps: 50, modifySizePct: 50 } },
      executor: { timeoutMs: 3000, rateLimitPollMs: 60_000 },
      kill: { staleDataMs: 3_600_000 },
      ...(reserve ? { reserve } : {}),
    },
    scheduler,
    { intents$ },
    { handle, options: {} },
  );
  const submitted: Array<[number, ActionBatch]> = [];
  const reserveEvents: Extract<SinkEvent, { type: "reserve" }>[] = [];
  sink.events$.subscribe((e) => {
    if (e.type === "action" && e.action.kind === "sent") submitted.push([e.time - T0, e.action.batch]);
    if (e.type === "reserve") reserveEvents.push(e);
  });
  scheduler.maxFrames = T0 + minutes * MIN;
  scheduler.flush();
  const acct = venue.exchange.account(venue.user);
  return { venue, sink, breaker, submitted, reserveEvents, balance0, acct, fills: acct.fills.length };
}

const placementsIn = (submitted: Array<[number, ActionBatch]>, from: number, to: number) =>
  submitted.filter(([t, b]) => t >= from && t < to && (b.type === "order" || b.type === "batchModify")).length;

describe("buying requests with reserveRequestWeight (in-process paper venue, virtual clock)", () => {
  it("reserve off: the quiet market maker's breaker opens and stays open (no fills come)", () => {
    const r = run(undefined, 60);
    expect(r.fills).toBe(0);
    const opened = r.breaker.find(([, open]) => open);
    expect(opened, JSON.stringify(r.breaker)).toBeDefined();
    expect(r.breaker.at(-1)?.[1]).toBe(true);
    expect(placementsIn(r.submitted, opened![0] + 1000, 60 * MIN)).toBe(0);
    expect(r.submitted.some(([, b]) => b.type === "reserveRequestWeight")).toBe(false);
    expect(r.acct.budget.reserved).toBe(0);
    expect(r.acct.balance).toBe(r.balance0);
  });

  it("reserve on: buys 1000 at a time before the breaker opens, quoting goes on, 0.0005 USDC a request, spending stops at the daily cap until the UTC day turns", () => {
    const reserve = { usdPerDay: 1, chunk: 1000, belowHeadroom: 0.2 };
    const r = run(reserve, 30);
    const off = run(undefined, 30);
    expect(r.fills).toBe(0);
    const at = (e: { time: number }) => e.time - T0;
    const midnight = MIDNIGHT - T0;
    const bought = r.reserveEvents.filter((e) => e.state === "bought");
    const sent = r.submitted.filter(([, b]) => b.type === "reserveRequestWeight");
    // each UTC day: the cap (1 USD = 2000 requests) in two chunks, each confirmed by the venue
    const before = bought.filter((e) => at(e) < midnight);
    const after = bought.filter((e) => at(e) >= midnight);
    expect(before.map((e) => [e.weight, e.usdToday])).toEqual([[1000, 0.5], [1000, 1]]);
    expect(after.map((e) => [e.weight, e.usdToday])).toEqual([[1000, 0.5], [1000, 1]]);
    expect(sent.map(([, b]) => b)).toEqual(Array.from({ length: 4 }, () => ({ type: "reserveRequestWeight", weight: 1000 })));
    expect(r.sink.metrics.reserveRequestsBought).toBe(4000);
    // the venue credited them and debited exactly 0.0005 USDC per request (no fills: nothing else moves the balance)
    expect(r.acct.budget.reserved).toBe(4000);
    expect(r.acct.budget.reservePaidUsd).toBe(2);
    expect(r.balance0 - r.acct.balance).toBeCloseTo(4000 * 0.0005, 9);
    // the breaker did not open while the day's money lasted; quoting went on long after the
    // reserve-off run had stopped
    const openedOff = off.breaker.find(([, open]) => open)![0];
    const openedOn = r.breaker.find(([, open]) => open)![0];
    expect(off.breaker.at(-1)?.[1]).toBe(true);
    expect(openedOn).toBeGreaterThan(at(before.at(-1)!));
    expect(openedOn).toBeGreaterThan(openedOff);
    expect(placementsIn(r.submitted, openedOff + 1000, openedOn)).toBeGreaterThan(100);
    expect(placementsIn(off.submitted, openedOff + 1000, 30 * MIN)).toBe(0);
    // spending stopped at the cap: refused for the day, nothing sent until midnight
    expect(r.reserveEvents.some((e) => e.state === "refused" && e.reason === "dailyCap" && at(e) < midnight)).toBe(true);
    expect(sent.filter(([t]) => t > at(before.at(-1)!) && t < midnight)).toEqual([]);
    expect(r.breaker.some(([t, open]) => open && t < midnight)).toBe(true);
    // the new UTC day's first purchase closes the breaker and quoting resumes
    const reopened = r.breaker.find(([t, open]) => !open && t >= midnight);
    expect(reopened, JSON.stringify(r.breaker)).toBeDefined();
    expect(placementsIn(r.submitted, reopened![0], reopened![0] + MIN)).toBeGreaterThan(0);
    expect(r.sink.metrics.reserveRefusals.funds + r.sink.metrics.reserveRefusals.venue + r.sink.metrics.reserveRefusals.quota).toBe(0);
  });
});
