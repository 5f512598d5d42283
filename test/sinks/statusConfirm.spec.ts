// A terminal orderUpdates status that contradicts what the sink knows is confirmed with orderStatus
// before the level is re-placed; until then the level is held (the order stays live in the
// record). On virtual time against the fake venue: a false cancel, a true venue cancel, a filled
// status before its fill, and one whose fill never comes.
import { describe, expect, it } from "vitest";
import { Subject, VirtualTimeScheduler } from "rxjs";
import type { QuoteIntent } from "../../streams/intent.js";
import type { ExecutionSinkConfig } from "../../sinks/executionSink.js";
import { FakeVenue } from "./fakeVenue.js";
import { wiredSink } from "./sinkHarness.js";

function ladder(asset: string, mid: number): QuoteIntent {
  return { asset, time: 0, bids: [{ px: mid - 1, sz: 1, source: "base_ladder" }], asks: [{ px: mid + 1, sz: 1, source: "base_ladder" }] };
}

function setup(over: Partial<ExecutionSinkConfig> = {}) {
  const scheduler = new VirtualTimeScheduler(undefined, 0);
  const venue = new FakeVenue(scheduler);
  venue.knobs.latencyMs = 100;
  const intents = new Subject<QuoteIntent>();
  // periodic syncs far apart: the contest alone must settle it
  const { sink, seen } = wiredSink(venue, { cloidSeed: 5, deadMan: false, reconcile: { intervalMs: 600_000 }, ...over }, scheduler, { intents$: intents });
  const until = (t: number) => {
    scheduler.maxFrames = t;
    scheduler.flush();
  };
  const at = (t: number, fn: () => void) => scheduler.schedule(fn, t - scheduler.now());
  const placements = () => venue.submitted.filter((b) => b.type === "order").flatMap((b) => (b.type === "order" ? b.orders : []));
  const bidOid = () => venue.open("BTC").find((o) => o.spec.isBuy)!.oid;
  const of = <T extends string>(type: T) => seen.all.filter((e) => e.type === type);
  return { scheduler, venue, intents, sink, seen, until, at, placements, bidOid, of };
}

describe("contradicting terminal status → orderStatus before re-placing", () => {
  it("a false cancel: the level is held, orderStatus (one query) says open, nothing is placed twice", () => {
    const { venue, intents, sink, until, at, placements, bidOid, of } = setup();
    at(1, () => intents.next(ladder("BTC", 100)));
    until(500);
    expect(venue.open("BTC")).toHaveLength(2);
    at(600, () => venue.announce(bidOid(), "canceled")); // arrives at 700; the order still rests
    until(5000);
    expect(placements()).toHaveLength(2); // the bid level was never placed a second time
    expect(venue.open("BTC")).toHaveLength(2);
    expect(venue.statusQueries).toHaveLength(1);
    expect(of("statusContested")).toMatchObject([{ asset: "BTC", status: "canceled", state: "resting", why: "we never asked to cancel it", graceMs: null, time: 700 }]);
    expect(of("statusAsked")).toEqual([]); // asked at once: the contest itself is the news
    expect(of("statusResolved")).toMatchObject([{ asset: "BTC", status: "canceled", outcome: "false", state: "resting", heldMs: 100, asked: true, time: 800 }]);
    expect(sink.metrics).toMatchObject({ contested: 1, contestedConfirmed: 0, contestedFalse: 1 });
    expect(sink.liveOrders("BTC")).toHaveLength(2);
  });

  it("without the check (confirmTerminal: false) the same false cancel places the level a second time", () => {
    const { venue, intents, until, at, placements, bidOid } = setup({ confirmTerminal: false });
    at(1, () => intents.next(ladder("BTC", 100)));
    until(500);
    at(600, () => venue.announce(bidOid(), "canceled"));
    until(5000);
    expect(placements()).toHaveLength(3);
    expect(venue.open("BTC").filter((o) => o.spec.isBuy)).toHaveLength(2); // two bids rest at one level
  });

  it("a true venue cancel (marginCanceled): held until the answer confirms it, then the level is placed again", () => {
    const { venue, intents, sink, seen, until, at, placements, bidOid, of } = setup();
    at(1, () => intents.next(ladder("BTC", 100)));
    until(500);
    at(600, () => venue.announce(bidOid(), "marginCanceled", true));
    until(5000);
    expect(of("statusResolved")).toMatchObject([{ outcome: "confirmed", time: 800 }]);
    const replaced = seen.actions.filter((a) => a.kind === "sent" && a.batch.type === "order").map((a) => a.time);
    expect(replaced).toEqual([1, 800]); // at the answer, not at 700 when the claim arrived
    expect(placements()).toHaveLength(3);
    expect(venue.open("BTC")).toHaveLength(2);
    expect(sink.metrics).toMatchObject({ contested: 1, contestedConfirmed: 1, contestedFalse: 0 });
  });

  it("a filled status ahead of its fill waits the grace for the fill: no orderStatus when it comes", () => {
    const { venue, intents, sink, until, at, bidOid, of } = setup();
    at(1, () => intents.next(ladder("BTC", 100)));
    until(500);
    // the update arrives at 700, the fill 300 ms later (inside the 1 s grace)
    at(600, () => {
      const oid = bidOid();
      venue.announce(oid, "filled");
      venue.fill(oid, undefined, 300);
    });
    until(5000);
    expect(venue.statusQueries).toEqual([]);
    expect(of("statusContested")).toMatchObject([{ status: "filled", graceMs: 1000 }]);
    expect(of("statusAsked")).toEqual([]);
    expect(of("statusResolved")).toMatchObject([{ status: "filled", outcome: "confirmed", state: "filled", asked: false }]);
    expect(sink.positions.position("BTC")).toBe(1);
    expect(sink.metrics.contestedConfirmed).toBe(1);
  });

  it("a filled status whose fill never comes is asked about after the grace", () => {
    const { venue, intents, until, at, bidOid, of } = setup({ confirmGraceMs: 1000 });
    at(1, () => intents.next(ladder("BTC", 100)));
    until(500);
    at(600, () => venue.announce(bidOid(), "filled")); // false: it still rests
    until(5000);
    expect(venue.statusQueries.length).toBe(1);
    expect(of("statusContested")).toMatchObject([{ status: "filled", why: "fills cover 0 of 1", graceMs: 1000, time: 700 }]);
    // the grace ran out at 1700: asked then, announced (the service's warning), answered at 1800
    expect(of("statusAsked")).toMatchObject([{ status: "filled", waitedMs: 1000, time: 1700 }]);
    expect(of("statusResolved")).toMatchObject([{ outcome: "false", asked: true, time: 1800 }]);
    expect(venue.open("BTC")).toHaveLength(2);
  });

  it("a cancel we asked for is applied as it comes: no contest", () => {
    const { venue, intents, until, at, of } = setup();
    at(1, () => intents.next(ladder("BTC", 100)));
    until(500);
    at(600, () => intents.next({ ...ladder("BTC", 100), bids: [] }));
    until(3000);
    expect(venue.open("BTC")).toHaveLength(1);
    expect(of("statusContested")).toEqual([]);
    expect(venue.statusQueries).toEqual([]);
  });
});
