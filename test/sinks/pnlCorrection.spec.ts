// The PnL book corrected on reconciliation (sinks/pnlCorrection.ts): a gap between the PnL book
// and the venue's position that persists (same gap on snapshots ≥ 5 s apart, nothing in flight)
// is corrected to the venue's position and entry; fills in flight never are (no double count).
// Against the paper venue: a fill the feed never delivers (lost for good) is corrected once; a
// hostile run with every fill delivered corrects nothing and ends with the PnL book on the venue.
import { describe, expect, it } from "vitest";
import { filter, map, share } from "rxjs";
import { PaperVenue, simReplayScheduler, syntheticMarket } from "../../sim/index.js";
import type { SimFaultSpec } from "../../sim/index.js";
import { PnlBook } from "../../sinks/position.js";
import type { QuoteIntent } from "../../streams/intent.js";
import type { MidEvent } from "../../streams/market.js";
import { fill } from "./helpers.js";
import { touchLadder } from "./quotes.js";
import { wiredSink } from "./sinkHarness.js";
import { losingFill } from "./losingFill.js";

const T0 = 1_700_000_000_000;

const quote = touchLadder;

function run(faults: SimFaultSpec, durationMs: number, loseNth: number | null, seed = 7) {
  const scheduler = simReplayScheduler(T0);
  const market = syntheticMarket({ assets: [{ name: "BTC", startPx: 50_000, szDecimals: 5, volBpsPerSqrtSec: 4 }], seed, durationMs });
  const paper = new PaperVenue({ market, scheduler, seed, faults });
  const losing = loseNth === null ? null : losingFill(paper, loseNth);
  const books$ = paper.book("BTC").pipe(share());
  const intents$ = books$.pipe(map(quote), filter((i): i is QuoteIntent => i !== null));
  const mids$ = books$.pipe(
    filter((b) => b.bids.length > 0 && b.asks.length > 0 && b.bids[0]!.px < b.asks[0]!.px),
    map((b): MidEvent => ({ asset: b.asset, time: b.time, mid: (b.bids[0]!.px + b.asks[0]!.px) / 2 })),
  );
  const config = { cloidSeed: seed, deadMan: false as const, defaults: { thresholds: { skipPriceBps: 3, skipSizePct: 10, modifyPriceBps: 15, modifySizePct: 50 } }, kill: { staleDataMs: 3_600_000 } };
  const { sink, seen } = wiredSink(losing?.venue ?? paper, config, scheduler, { intents$, mids$ });
  scheduler.maxFrames = T0 + durationMs;
  scheduler.flush();
  const venuePos = paper.truth().positions.find((p) => p.asset === "BTC");
  const corrections = seen.all.filter((e): e is Extract<typeof e, { type: "pnlCorrected" }> => e.type === "pnlCorrected");
  return { sink, seen, paper, venuePos, corrections, lost: losing?.lost() };
}

describe("PnL book corrected on reconciliation", () => {
  it("a fill the feed never delivers: the PnL book is corrected once, to the venue's position and entry, after the gap persisted", () => {
    const r = run("realistic", 10 * 60_000, 3);
    expect(r.lost).toBeDefined();
    const lost = r.lost!;
    const signed = lost.isBuy ? lost.size : -lost.size;
    expect(r.corrections.length).toBeGreaterThanOrEqual(1);
    const c = r.corrections[0]!;
    expect(c.gap).toBeCloseTo(signed, 9);
    expect(c.sinceMs).toBeGreaterThanOrEqual(5000);
    expect(c.snapshots).toBeGreaterThanOrEqual(2);
    // the corrected book follows the venue from then on, and was never corrected for anything else
    expect(r.corrections).toHaveLength(1);
    expect(r.sink.metrics.pnlCorrections).toBe(1);
    expect(r.sink.pnl.get("BTC").position).toBeCloseTo(r.venuePos?.szi ?? 0, 9);
    expect(r.sink.positions.position("BTC")).toBeCloseTo(r.venuePos?.szi ?? 0, 9);
  });

  it("hostile faults, every fill delivered: in-flight fills and dropouts never trigger a correction; the book ends on the venue", () => {
    const r = run("hostile", 30 * 60_000, null, 20261126);
    expect(r.paper.truth().fills.length).toBeGreaterThan(50);
    expect(r.seen.all.filter((e) => e.type === "drift").length).toBeGreaterThan(20); // drift windows were there
    expect(r.corrections).toEqual([]);
    expect(r.sink.pnl.get("BTC").position).toBeCloseTo(r.venuePos?.szi ?? 0, 9);
  });
});

describe("PnlBook.correct", () => {
  it("adopts position and entry; a fill stamped before the correction that arrives later counts its fee and closed PnL, not its size", () => {
    const b = new PnlBook();
    b.applyFill(fill({ tid: 1, oid: 1, isBuy: true, size: 1, price: 100, time: 1000, fee: 0.1 }));
    expect(b.correct("BTC", 3, 102, 5000)).toEqual({ position: 1, avgEntry: 100 });
    expect(b.get("BTC")).toMatchObject({ position: 3, avgEntry: 102, realized: 0, fees: 0.1 });
    // in flight at the correction: already in the venue's 3 @ 102
    b.applyFill(fill({ tid: 2, oid: 2, isBuy: true, size: 2, price: 103, time: 4000, fee: 0.2, closedPnl: 0 }));
    expect(b.get("BTC")).toMatchObject({ position: 3, avgEntry: 102 });
    expect(b.get("BTC").fees).toBeCloseTo(0.3, 12);
    // after it: applied as usual
    b.applyFill(fill({ tid: 3, oid: 3, isBuy: false, size: 1, price: 110, time: 6000, fee: 0.1 }));
    expect(b.get("BTC")).toMatchObject({ position: 2, avgEntry: 102, realized: 8 });
  });
});
