// Drift that is news (sinks/driftWatch.ts): a reconciliation's drift that fills in flight account
// for (they arrive inside the adopted snapshot) is `driftExplained`; what is left after the grace
// is `driftUnexplained`, which the service warns about. Against the paper venue, virtual time.
import { describe, expect, it } from "vitest";
import { filter, map, share } from "rxjs";
import { PaperVenue, simReplayScheduler, syntheticMarket } from "../../sim/index.js";
import type { SimFaultSpec } from "../../sim/index.js";
import type { SinkEvent } from "../../sinks/executionSink.js";
import type { QuoteIntent } from "../../streams/intent.js";
import { touchLadder } from "./quotes.js";
import { wiredSink } from "./sinkHarness.js";
import { losingFill } from "./losingFill.js";

const T0 = 1_700_000_000_000;

function run(faults: SimFaultSpec, durationMs: number, loseNth: number | null, seed = 7) {
  const scheduler = simReplayScheduler(T0);
  const market = syntheticMarket({ assets: [{ name: "BTC", startPx: 50_000, szDecimals: 5, volBpsPerSqrtSec: 4 }], seed, durationMs });
  const paper = new PaperVenue({ market, scheduler, seed, faults });
  const losing = loseNth === null ? null : losingFill(paper, loseNth);
  const intents$ = paper.book("BTC").pipe(share(), map(touchLadder), filter((i): i is QuoteIntent => i !== null));
  const config = { cloidSeed: seed, deadMan: false as const, pnlCorrection: false as const, defaults: { thresholds: { skipPriceBps: 3, skipSizePct: 10, modifyPriceBps: 15, modifySizePct: 50 } }, kill: { staleDataMs: 3_600_000 } };
  const { sink, seen } = wiredSink(losing?.venue ?? paper, config, scheduler, { intents$ });
  scheduler.maxFrames = T0 + durationMs;
  scheduler.flush();
  const of = <K extends SinkEvent["type"]>(type: K) => seen.all.filter((e): e is Extract<SinkEvent, { type: K }> => e.type === type);
  return { sink, seen, paper, lost: losing?.lost(), drifts: of("drift"), explained: of("driftExplained"), unexplained: of("driftUnexplained") };
}

describe("driftWatch: which drift is news", () => {
  it("fills in flight (realistic feed latency): every drift is explained by the fills that arrive inside its snapshot, none is news", () => {
    const r = run("realistic", 20 * 60_000, null);
    expect(r.paper.truth().fills.length).toBeGreaterThan(20);
    expect(r.drifts.length).toBeGreaterThan(0); // the windows were there
    expect(r.unexplained).toEqual([]);
    expect(r.sink.metrics.driftUnexplained).toBe(0);
    // each explanation names its drift's size, and came within the grace
    for (const e of r.explained) {
      expect(e.late).toBe(false);
      expect(e.fills).toBeGreaterThanOrEqual(1);
      expect(e.afterMs).toBeLessThan(5000);
    }
    // every drift window is closed: explained (one event may cover several drifts of a window)
    expect(r.explained.length).toBeGreaterThan(0);
    expect(r.explained.length).toBeLessThanOrEqual(r.drifts.length);
    expect(r.sink.positions.position("BTC")).toBeCloseTo(r.paper.truth().positions.find((p) => p.asset === "BTC")?.szi ?? 0, 9);
  });

  it("hostile faults (the fill feed sometimes 5–8 s late), every fill delivered: a drift is reported only past the grace, and the late fills then close it", () => {
    const r = run("hostile", 30 * 60_000, null, 20261126);
    expect(r.drifts.length).toBeGreaterThan(100);
    // this seed holds fills back 4.4–7.9 s once (t ≈ 1030 s): the one report, closed when they came
    expect(r.unexplained).toHaveLength(1);
    const u = r.unexplained[0]!;
    expect(u.sinceMs).toBeGreaterThanOrEqual(5000);
    const late = r.explained.filter((e) => e.late);
    expect(late).toHaveLength(1);
    expect(late[0]!.time).toBeGreaterThan(u.time);
    expect(r.explained.length).toBeGreaterThan(100);
    expect(r.sink.positions.position("BTC")).toBeCloseTo(r.paper.truth().positions.find((p) => p.asset === "BTC")?.szi ?? 0, 9);
  });

  it("a fill the feed never delivers: its drift is news once, after the grace, with the lost fill's size unexplained", () => {
    const r = run("none", 10 * 60_000, 3);
    expect(r.lost).toBeDefined();
    const signed = r.lost!.isBuy ? r.lost!.size : -r.lost!.size;
    expect(r.unexplained).toHaveLength(1);
    const u = r.unexplained[0]!;
    expect(u.asset).toBe("BTC");
    expect(u.unexplained).toBeCloseTo(signed, 9);
    expect(u.sinceMs).toBeGreaterThanOrEqual(5000);
    expect(u.drifts.length).toBeGreaterThanOrEqual(1);
    expect(r.sink.metrics.driftUnexplained).toBe(1);
    // the venue's position was adopted at once all the same
    expect(r.sink.positions.position("BTC")).toBeCloseTo(r.paper.truth().positions.find((p) => p.asset === "BTC")?.szi ?? 0, 9);
  });
});
