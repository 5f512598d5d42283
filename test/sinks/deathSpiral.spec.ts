// The death spiral recovers, on the virtual clock against the in-process paper venue: a quoter
// that spends its address budget with no fills drives the quota breaker open — no placement
// leaves, the breaker gate's cancels still do — and when headroom comes back (requests bought
// elsewhere, seen in the userRateLimit the executor polls while the breaker is open) the breaker
// closes (hysteresis: 10% open, 15% close) and quoting resumes by itself.
import { describe, expect, it } from "vitest";
import { filter, map, share } from "rxjs";
import type { VirtualTimeScheduler } from "rxjs";
import { quotaBreakerGate } from "../../operators/quotaBreakerGate.js";
import { QuotaThrottleHandle } from "../../operators/quotaThrottle.js";
import { PaperVenue, simReplayScheduler, syntheticMarket } from "../../sim/index.js";
import type { ActionBatch } from "../../streams/actions.js";
import type { QuoteIntent } from "../../streams/intent.js";
import { farLadder } from "./quotes.js";
import { wiredSink } from "./sinkHarness.js";

const T0 = 1_700_000_000_000;

const quote = farLadder;

describe("death spiral", () => {
  it("with the breaker open: no placement, cancels go; headroom back → the breaker closes and quoting resumes by itself", () => {
    const scheduler: VirtualTimeScheduler = simReplayScheduler(T0);
    const market = syntheticMarket({ assets: [{ name: "BTC", startPx: 50_000, szDecimals: 5, volBpsPerSqrtSec: 3 }], seed: 3, durationMs: 3_600_000 });
    const venue = new PaperVenue({ market, scheduler, seed: 3, faults: "none", addressInitialBuffer: 400 });
    const handle = new QuotaThrottleHandle();
    const books$ = venue.book("BTC").pipe(share());
    const intents$ = books$.pipe(
      map(quote),
      filter((i): i is QuoteIntent => i !== null),
      quotaBreakerGate(handle.state$),
    );
    const breaker: Array<[number, boolean]> = [];
    handle.state$.subscribe((s) => {
      if (breaker.at(-1)?.[1] !== s.breakerOpen) breaker.push([s.time - T0, s.breakerOpen]);
    });
    const submitted: Array<[number, ActionBatch]> = [];
    const { sink } = wiredSink(
      venue,
      { cloidSeed: 8, deadMan: false, budgetShaping: false, defaults: { thresholds: { skipPriceBps: 0.5, skipSizePct: 2, modifyPriceBps: 50, modifySizePct: 50 } }, executor: { timeoutMs: 3000, rateLimitPollMs: 60_000 }, kill: { staleDataMs: 3_600_000 } },
      scheduler,
      { intents$ },
      { handle, options: {} },
    );
    sink.events$.subscribe((e) => {
      if (e.type === "action" && e.action.kind === "sent") submitted.push([e.time - T0, e.action.batch]);
    });
    const until = (t: number) => {
      scheduler.maxFrames = T0 + t;
      scheduler.flush();
    };
    until(20 * 60_000);
    // 1. the budget ran out: the breaker opened, and from then on nothing but cancels left
    const opened = breaker.find(([, open]) => open);
    expect(opened, JSON.stringify(breaker)).toBeDefined();
    const openAt = opened![0];
    const placesAfter = submitted.filter(([t, b]) => t > openAt + 1000 && (b.type === "order" || b.type === "batchModify"));
    expect(placesAfter).toEqual([]);
    expect(submitted.some(([t, b]) => t >= openAt && (b.type === "cancel" || b.type === "cancelByCloid"))).toBe(true);
    expect(venue.exchange.openOrders(venue.user)).toHaveLength(0);
    const rl = venue.exchange.rateLimit(venue.user);
    expect(rl.nRequestsUsed).toBeLessThanOrEqual(rl.nRequestsCap);
    // 2. headroom comes back from elsewhere (requests bought: reserveRequestWeight on another client)
    venue.exchange.account(venue.user).budget.reserve(400);
    const backAt = 20 * 60_000;
    // the executor's poll sees it within one poll period
    until(backAt + 61_000);
    const closed = breaker.find(([t, open]) => t >= backAt && !open);
    expect(closed, JSON.stringify(breaker)).toBeDefined();
    until(closed![0] + 5_000);
    expect(submitted.some(([t, b]) => t >= closed![0] && b.type === "order")).toBe(true);
    expect(venue.exchange.openOrders(venue.user).length).toBe(4);
  });
});
