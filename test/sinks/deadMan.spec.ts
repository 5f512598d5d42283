// The dead-man's switch on the virtual clock: nothing while flat, a bounded re-arm while orders
// rest, one disarm when flat again, a venue refusal logged with its text and not retried for an
// hour, and never sent from the cancel allowance (the throttle refuses it in the reserve).
import { describe, expect, it } from "vitest";
import { Observable, Subject, VirtualTimeScheduler, of } from "rxjs";
import { QuotaLedger } from "../../operators/quotaBudget.js";
import type { SinkEvent } from "../../sinks/executionSink.js";
import type { ActionBatch, BatchResult } from "../../streams/actions.js";
import type { QuoteIntent } from "../../streams/intent.js";
import { emptyIntent } from "../../streams/intent.js";
import { FakeVenue } from "./fakeVenue.js";
import { wiredSink } from "./sinkHarness.js";

const VOLUME_TEXT = "Cannot set scheduled cancel time until enough volume traded. Required: $1000000. Traded: $12.5.";

class RefusingVenue extends FakeVenue {
  refuse = false;
  override submit(batch: ActionBatch): Observable<BatchResult> {
    if (this.refuse && batch.type === "scheduleCancel" && batch.time !== null) {
      this.submitted.push(batch);
      return of<BatchResult>({ ok: false, code: "Other", error: VOLUME_TEXT, rateLimited: false });
    }
    return super.submit(batch);
  }
}

function ladder(asset = "BTC"): QuoteIntent {
  return { asset, time: 0, bids: [{ px: 99, sz: 1, source: "base_ladder" }], asks: [{ px: 101, sz: 1, source: "base_ladder" }] };
}

function setup(refuse = false) {
  const scheduler = new VirtualTimeScheduler(undefined, 0);
  const venue = new RefusingVenue(scheduler);
  venue.refuse = refuse;
  const intents = new Subject<QuoteIntent>();
  const { sink, seen } = wiredSink(venue, { cloidSeed: 5, executor: { timeoutMs: 2000 } }, scheduler, { intents$: intents });
  const until = (t: number) => {
    scheduler.maxFrames = t;
    scheduler.flush();
  };
  const at = (t: number, fn: () => void) => scheduler.schedule(fn, t - scheduler.now());
  const schedules = () => venue.submitted.filter((b): b is Extract<ActionBatch, { type: "scheduleCancel" }> => b.type === "scheduleCancel");
  const deadMan = () => seen.all.filter((e): e is Extract<SinkEvent, { type: "deadMan" }> => e.type === "deadMan");
  return { scheduler, venue, sink, seen, intents, until, at, schedules, deadMan };
}

describe("dead-man's switch", () => {
  it("costs nothing while flat with nothing resting: no scheduleCancel in a virtual hour", () => {
    const { until, schedules, sink } = setup();
    until(3_600_000);
    expect(schedules()).toEqual([]);
    expect(sink.metrics.deadManArms).toBe(0);
  });

  it("arms before the first placement, re-arms every 40 s while orders rest (≤ 91 an hour), and disarms once when flat", () => {
    const { until, at, intents, venue, schedules, deadMan, sink } = setup();
    at(1000, () => intents.next(ladder()));
    until(1000);
    // the arm goes out ahead of the placement it protects
    const first = venue.submitted.findIndex((b) => b.type === "scheduleCancel");
    const firstOrder = venue.submitted.findIndex((b) => b.type === "order");
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(firstOrder);
    expect(schedules()[0]).toEqual({ type: "scheduleCancel", time: 1000 + 60_000 });
    until(3_601_000);
    const arms = schedules().filter((b) => b.time !== null);
    expect(arms.length).toBeGreaterThan(80);
    expect(arms.length).toBeLessThanOrEqual(91);
    // every arm is at least 5 s ahead and the gaps never exceed the window (the switch never lapses)
    expect(arms.every((b, i) => i === 0 || (b.time as number) - (arms[i - 1]!.time as number) <= 60_000)).toBe(true);
    at(3_602_000, () => intents.next(emptyIntent("BTC", 3_602_000, { kind: "StaleData", ageMs: 10_000, thresholdMs: 10_000 })));
    until(7_200_000);
    expect(venue.open()).toHaveLength(0);
    const after = schedules().slice(arms.length);
    expect(after).toEqual([{ type: "scheduleCancel", time: null }]);
    expect(deadMan().filter((e) => e.state === "disarmed")).toHaveLength(1);
    expect(sink.metrics.deadManDisarms).toBe(1);
  });

  it("reports the venue's refusal with its text, does not assume it armed, and asks again only after an hour", () => {
    const { until, at, intents, schedules, deadMan, sink } = setup(true);
    at(1000, () => intents.next(ladder()));
    until(1_800_000);
    expect(schedules().length).toBe(1);
    const refused = deadMan().filter((e) => e.state === "refused");
    expect(refused).toHaveLength(1);
    expect(refused[0]!.error).toBe(VOLUME_TEXT);
    expect(sink.metrics.deadManRefusals).toBe(1);
    until(3_700_000);
    expect(schedules().length).toBe(2);
  });
});

describe("dead-man's switch × address budget", () => {
  it("is refused in the cancel reserve while cancels still pass (never drawn from the cancel allowance)", () => {
    const ledger = new QuotaLedger({ breakerOpenBelow: 0, breakerCloseAt: 0 }, { cumVlm: 0, nRequestsUsed: 9_600, nRequestsCap: 10_000, nRequestsSurplus: 0 });
    expect(ledger.decide({ type: "scheduleCancel", time: 60_000 }, 0)).toEqual({ kind: "refuse", reason: "reserve" });
    expect(ledger.decide({ type: "cancel", cancels: [{ asset: "BTC", oid: 1 }] }, 0).kind).toBe("allow");
    const open = new QuotaLedger({}, { cumVlm: 0, nRequestsUsed: 9_950, nRequestsCap: 10_000, nRequestsSurplus: 0 });
    expect(open.decide({ type: "scheduleCancel", time: 60_000 }, 0)).toEqual({ kind: "refuse", reason: "breaker" });
  });
});
