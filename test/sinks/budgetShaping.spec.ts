// Budget-shaped quoting: the skip tolerances widen as the address headroom falls (before the
// breaker), so the same market move requotes on a full budget and is kept on a thin one.
import { describe, expect, it } from "vitest";
import { Observable, Subject, VirtualTimeScheduler, of } from "rxjs";
import { QuotaThrottleHandle } from "../../operators/quotaThrottle.js";
import { budgetScale, shapeThresholds } from "../../sinks/budgetShaping.js";
import { DEFAULT_LADDER_THRESHOLDS } from "../../sinks/ladderDiff.js";
import type { QuoteIntent } from "../../streams/intent.js";
import type { QuotaThrottleState } from "../../streams/quota.js";
import type { RateLimitSnapshot } from "../../streams/orders.js";
import { FakeVenue } from "./fakeVenue.js";

import { wiredSink } from "./sinkHarness.js";

/** A venue whose address has already used `used` of its 10,000 requests. */
class UsedVenue extends FakeVenue {
  used = 0;
  override rateLimit(): Observable<RateLimitSnapshot> {
    return of({ cumVlm: 0, nRequestsUsed: this.used, nRequestsCap: 10_000, nRequestsSurplus: 0 });
  }
}

const state = (addressHeadroom: number): QuotaThrottleState => ({ time: 0, headroom: addressHeadroom, ipHeadroom: 1, addressHeadroom, breakerOpen: false, limited: "none", nextSlotAt: null, queuedCancels: 0 });

describe("budgetScale", () => {
  it("is 1 with a comfortable or unknown budget and widens linearly to maxScale at the floor", () => {
    expect(budgetScale(null)).toBe(1);
    expect(budgetScale(state(1))).toBe(1);
    expect(budgetScale(state(0.5))).toBe(1);
    expect(budgetScale(state(0.3))).toBeCloseTo(2.5);
    expect(budgetScale(state(0.1))).toBe(4);
    expect(budgetScale(state(0))).toBe(4);
    expect(budgetScale(state(0.2), { below: 0.4, floor: 0.2, maxScale: 3 })).toBe(3);
  });

  it("widens skip tolerances and modify limits together (size tolerances capped at 100%)", () => {
    const t = shapeThresholds(DEFAULT_LADDER_THRESHOLDS, 4);
    expect(t.skipPriceBps).toBe(80);
    expect(t.skipSizePct).toBe(40);
    expect(t.modifyPriceBps).toBe(200);
    expect(t.modifySizePct).toBe(100);
    expect(shapeThresholds(DEFAULT_LADDER_THRESHOLDS, 1)).toBe(DEFAULT_LADDER_THRESHOLDS);
  });
});

function ladder(mid: number): QuoteIntent {
  return { asset: "BTC", time: 0, bids: [{ px: +(mid * 0.999).toFixed(4), sz: 1, source: "base_ladder" }], asks: [{ px: +(mid * 1.001).toFixed(4), sz: 1, source: "base_ladder" }] };
}

function run(used: number) {
  const scheduler = new VirtualTimeScheduler(undefined, 0);
  const venue = new UsedVenue(scheduler);
  venue.used = used;
  const intents = new Subject<QuoteIntent>();
  const handle = new QuotaThrottleHandle();
  wiredSink(venue, { cloidSeed: 4, deadMan: false, executor: { timeoutMs: 2000 } }, scheduler, { intents$: intents }, { handle, options: {} });
  const at = (t: number, fn: () => void) => scheduler.schedule(fn, t - scheduler.now());
  at(100, () => intents.next(ladder(100)));
  // a 30 bps move: beyond the 20 bps skip tolerance, within a 2.5× widened one
  at(5000, () => intents.next(ladder(100.3)));
  scheduler.maxFrames = 10_000;
  scheduler.flush();
  return { venue, handle };
}

describe("ExecutionSink × budget shaping", () => {
  it("requotes a 30 bps move on a full address budget", () => {
    const { venue } = run(0);
    expect(venue.submitted.map((b) => b.type)).toEqual(["order", "batchModify"]);
  });

  it("keeps the ladder through the same move when the address headroom is 30% (tolerances × 2.5), quoting on", () => {
    const { venue, handle } = run(7_000);
    expect(handle.state.breakerOpen).toBe(false);
    expect(venue.submitted.map((b) => b.type)).toEqual(["order"]);
    expect(venue.open("BTC")).toHaveLength(2);
  });
});
