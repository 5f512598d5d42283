// The paper venue made to send false cancels (sim/faultFalseStatus.ts): orderUpdates says
// `canceled` for an order that rests on. With the confirmation (sinks/statusConfirm.ts) each one
// is held and asked about, found false, and nothing is placed beside the order; without it the
// sink believes the order gone, places its level again, and the venue holds an order the sink does
// not know as live until the next sync cancels it as an orphan.
import { describe, expect, it } from "vitest";
import { filter, map, share } from "rxjs";
import { PaperVenue, falseStatusVenue, simReplayScheduler, syntheticMarket } from "../../sim/index.js";
import type { FalseStatusRecord } from "../../sim/index.js";
import { isTerminalOrderState } from "../../streams/execution.js";
import type { QuoteIntent } from "../../streams/intent.js";
import type { MidEvent } from "../../streams/market.js";
import { everyOn } from "../../sinks/periodic.js";
import { touchLadder } from "./quotes.js";
import { wiredSink } from "./sinkHarness.js";

const T0 = 1_700_000_000_000;

const quote = touchLadder;

function run(confirmTerminal: boolean) {
  const durationMs = 20 * 60_000;
  const scheduler = simReplayScheduler(T0);
  const market = syntheticMarket({ assets: [{ name: "BTC", startPx: 50_000, szDecimals: 5, volBpsPerSqrtSec: 1 }], seed: 12, durationMs });
  const paper = new PaperVenue({ market, scheduler, seed: 12, faults: "realistic" });
  const faulty = falseStatusVenue(paper, scheduler, { seed: 12, everyMs: 30_000 });
  const books$ = paper.book("BTC").pipe(share());
  const intents$ = books$.pipe(map(quote), filter((i): i is QuoteIntent => i !== null));
  const mids$ = books$.pipe(
    filter((b) => b.bids.length > 0 && b.asks.length > 0 && b.bids[0]!.px < b.asks[0]!.px),
    map((b): MidEvent => ({ asset: b.asset, time: b.time, mid: (b.bids[0]!.px + b.asks[0]!.px) / 2 })),
  );
  const config = { cloidSeed: 12, confirmTerminal, deadMan: false as const, defaults: { thresholds: { skipPriceBps: 3, skipSizePct: 10, modifyPriceBps: 15, modifySizePct: 50 } }, kill: { staleDataMs: 3_600_000 } };
  const { sink, seen } = wiredSink(faulty.venue, config, scheduler, { intents$, mids$ });
  // every 100 ms: orders the venue holds that the sink does not know as live (ghosts), and the most of ours resting on one side
  let ghostChecks = 0;
  let maxPerSide = 0;
  const ghostOids = new Set<number>();
  everyOn(scheduler, 100, () => {
    const open = paper.truth().openOrders;
    for (const o of open) {
      const rec = o.cloid !== null ? sink.store.get(o.cloid) : undefined;
      if (!rec || isTerminalOrderState(rec.state)) {
        ghostChecks++;
        ghostOids.add(o.oid);
      }
    }
    maxPerSide = Math.max(maxPerSide, open.filter((o) => o.isBuy).length, open.filter((o) => !o.isBuy).length);
  });
  scheduler.maxFrames = T0 + durationMs;
  scheduler.flush();
  const contested = seen.all.filter((e) => e.type === "statusContested");
  const resolved = seen.all.filter((e): e is Extract<typeof e, { type: "statusResolved" }> => e.type === "statusResolved");
  return { sink, injected: faulty.injected as readonly FalseStatusRecord[], ghostChecks, ghostOids, maxPerSide, contested, resolved, paper };
}

describe("PaperVenue sending false cancels", () => {
  it("each false cancel is confirmed with orderStatus and found false: no level placed twice, no order on the venue the sink thinks gone", () => {
    const r = run(true);
    expect(r.injected.length).toBeGreaterThan(20);
    const victims = new Set(r.injected.map((f) => f.cloid));
    // every false cancel that hit a live order was contested, and the venue said it still rests
    const contestedVictims = r.contested.filter((e) => e.type === "statusContested" && victims.has(e.cloid) && e.status === "canceled");
    expect(contestedVictims.length).toBeGreaterThan(15);
    const falseOnes = r.resolved.filter((e) => victims.has(e.cloid) && e.status === "canceled");
    expect(falseOnes.every((e) => e.outcome === "false")).toBe(true);
    expect(falseOnes.length).toBe(contestedVictims.length);
    expect(r.sink.metrics.contestedFalse).toBeGreaterThanOrEqual(falseOnes.length);
    console.log(JSON.stringify({ falseCancels: r.injected.length, contested: contestedVictims.length, foundFalse: falseOnes.length, statusQueries: r.sink.metrics.statusQueries, ghostChecks: r.ghostChecks, maxPerSide: r.maxPerSide }));
    expect(r.ghostChecks).toBe(0);
    expect(r.maxPerSide).toBeLessThanOrEqual(2);
    // one orderStatus (IP weight 2) per false cancel, not more
    expect(r.sink.metrics.statusQueries).toBeLessThan(r.injected.length * 2 + 20);
  });

  it("without the confirmation the same faults leave orders on the venue that the sink believes cancelled, beside their re-placed level", () => {
    const r = run(false);
    expect(r.injected.length).toBeGreaterThan(20);
    console.log(JSON.stringify({ falseCancels: r.injected.length, ghostOrders: r.ghostOids.size, maxPerSide: r.maxPerSide }));
    expect(r.contested).toEqual([]);
    expect(r.ghostOids.size).toBeGreaterThan(10);
    expect(r.maxPerSide).toBeGreaterThan(2);
  });
});
