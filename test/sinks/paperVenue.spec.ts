// The sink against the paper venue (sim/PaperVenue) in-process on virtual time.
// Must show: with the `hostile` fault profile over a long seeded run, no fill is lost or counted
// twice, no order stays tracked as live that the venue does not have, every injected cancel-fill
// race ends resolved. Plus the modify cancel-replace ordering both ways on the real venue.
import { describe, expect, it } from "vitest";
import { filter, map, share } from "rxjs";
import type { VirtualTimeScheduler } from "rxjs";
import { PaperVenue, simReplayScheduler, simRoundPrice, simRoundSize, simTickAt, syntheticMarket } from "../../sim/index.js";
import type { SimFaultSpec } from "../../sim/index.js";
import type { ExecutionSinkConfig, ReconcileReport } from "../../sinks/executionSink.js";
import { QuotaThrottleHandle, wiredSink } from "./sinkHarness.js";
import type { ExecutionEvent } from "../../sinks/executor.js";
import { isTerminalOrderState } from "../../streams/execution.js";
import type { GuardedFill } from "../../streams/execution.js";
import type { QuoteIntent } from "../../streams/intent.js";
import type { BookEvent, MidEvent } from "../../streams/market.js";
import { SimRng } from "../../sim/prng.js";

const T0 = 1_700_000_000_000;
const SZ_DECIMALS = 5;

/** A deterministic random source (the paper venue's mulberry32) so every run sees the same stream. */
function seeded(seed: number): () => number {
  const rng = new SimRng(seed);
  return () => rng.next();
}

/** A minimal quoter for the test: levels at mid ∓ (2 + 4 i) bps, ~200 USD each; nothing on a crossed book. */
function quote(book: BookEvent, levels: number): QuoteIntent | null {
  const b = book.bids[0]?.px;
  const a = book.asks[0]?.px;
  if (b === undefined || a === undefined || b >= a) return null;
  const mid = (a + b) / 2;
  const sz = simRoundSize(200 / mid, SZ_DECIMALS);
  const tick = simTickAt(mid, SZ_DECIMALS);
  // passive (never through the touch), one tick apart at least, so no two levels share a price
  const bids = Array.from({ length: levels }, (_, i) => ({ px: simRoundPrice(Math.min(b - i * tick, mid * (1 - (2 + 4 * i) / 1e4)), SZ_DECIMALS), sz, source: "base_ladder" as const }));
  const asks = Array.from({ length: levels }, (_, i) => ({ px: simRoundPrice(Math.max(a + i * tick, mid * (1 + (2 + 4 * i) / 1e4)), SZ_DECIMALS), sz, source: "base_ladder" as const }));
  return { asset: book.asset, time: book.time, bids, asks };
}

function run(options: { seed: number; faults: SimFaultSpec; durationMs: number; levels?: number; volBps?: number; config?: Partial<ExecutionSinkConfig> }) {
  const scheduler: VirtualTimeScheduler = simReplayScheduler(T0);
  const market = syntheticMarket({ assets: [{ name: "BTC", startPx: 50_000, szDecimals: SZ_DECIMALS, volBpsPerSqrtSec: options.volBps ?? 2 }], seed: options.seed, durationMs: options.durationMs });
  const venue = new PaperVenue({ market, scheduler, seed: options.seed, faults: options.faults });
  const config: ExecutionSinkConfig = {
    cloidSeed: options.seed,
    defaults: { thresholds: { skipPriceBps: 3, skipSizePct: 10, modifyPriceBps: 15, modifySizePct: 50 } },
    executor: { maxInFlight: 16, timeoutMs: 3000 },
    kill: { staleDataMs: 3_600_000 },
    ...options.config,
  };
  const books$ = venue.book("BTC").pipe(share());
  const intents$ = books$.pipe(
    map((b) => quote(b, options.levels ?? 2)),
    filter((i): i is QuoteIntent => i !== null),
  );
  const mids$ = books$.pipe(
    filter((b) => b.bids.length > 0 && b.asks.length > 0 && b.bids[0]!.px < b.asks[0]!.px),
    map((b): MidEvent => ({ asset: b.asset, time: b.time, mid: (b.bids[0]!.px + b.asks[0]!.px) / 2 })),
  );
  const seen = { fills: [] as GuardedFill[], reports: [] as ReconcileReport[], actions: [] as ExecutionEvent[], ghosts: [] as string[], positionChecks: 0, errors: [] as unknown[] };
  const { sink } = wiredSink(venue, config, scheduler, { intents$, mids$ }, { handle: new QuotaThrottleHandle(), options: { random: seeded(options.seed) } });
  sink.events$.subscribe({ next: (e) => (e.type === "fill" ? seen.fills.push(e) : e.type === "action" ? seen.actions.push(e.action) : e.type === "reconcile" ? onReconcile(e.report) : 0), error: (e) => seen.errors.push(e) });
  const onReconcile = (r: ReconcileReport) => {
    seen.reports.push(r);
    // after each reconcile our position is the venue's (venue account() answers at once here)
    const venuePos = venue.truth().positions.find((p) => p.asset === "BTC")?.szi ?? 0;
    expect(sink.positions.position("BTC")).toBeCloseTo(venuePos, 9);
    seen.positionChecks += 1;
    // nothing tracked as live for long that the venue does not have
    const onVenue = new Set(venue.truth().openOrders.map((o) => o.oid));
    for (const o of sink.store.open("BTC")) {
      if ((o.state === "resting" || o.state === "partially-filled") && o.oid !== null && !onVenue.has(o.oid) && o.lastEventAt < r.snapshotTime - 10_000) {
        seen.ghosts.push(`${o.cloid} oid ${o.oid} at ${r.snapshotTime - T0}`);
      }
    }
  };
  const until = (t: number) => {
    scheduler.maxFrames = t;
    scheduler.flush();
  };
  return { scheduler, venue, sink, seen, until };
}

describe("ExecutionSink × PaperVenue", () => {
  it("survives a long hostile seeded run: no fill lost or double-counted, no ghost orders, every race resolved", () => {
    // 30 min of a fast market (6 bps/√s): the ladder moves often, so cancels and modifies race fills
    const durationMs = 30 * 60_000;
    const { venue, sink, seen, until } = run({ seed: 20261126, faults: "hostile", durationMs, volBps: 6 });
    until(T0 + durationMs + 5_000);
    let stopped = false;
    sink.shutdown().subscribe({ complete: () => (stopped = true) });
    until(T0 + durationMs + 60_000);
    expect(seen.errors).toEqual([]);
    expect(stopped).toBe(true);
    expect(sink.store.open().map((o) => `${o.state} ${o.oid} ${o.lastEventAt - T0}`)).toEqual([]);

    const truth = venue.truth();
    const faults = venue.exchange.faults;
    const count = (k: string) => faults.filter((f) => f.kind === k).length;
    // the run really was hostile
    expect(count("cancelFillRace")).toBeGreaterThan(0);
    expect(count("dropout")).toBeGreaterThan(0);
    expect(count("modifyNewFirst")).toBeGreaterThan(0);
    expect(count("oidLate")).toBeGreaterThan(0);
    expect(truth.fills.length).toBeGreaterThan(20);

    // every venue fill reached every consumer exactly once (dropouts recovered from the snapshot)
    const tids = seen.fills.map((f) => f.fill.tid);
    expect(new Set(tids).size).toBe(tids.length);
    expect([...tids].sort((a, b) => a - b)).toEqual(truth.fills.map((f) => f.tid).sort((a, b) => a - b));
    // the position built from fills alone (PnL book, never adopted) equals the venue's
    const venuePos = truth.positions.find((p) => p.asset === "BTC")?.szi ?? 0;
    expect(sink.pnl.get("BTC").position).toBeCloseTo(venuePos, 9);
    expect(sink.positions.position("BTC")).toBeCloseTo(venuePos, 9);
    expect(seen.positionChecks).toBeGreaterThan(500);

    // no order tracked as live that the venue did not have, at any reconcile or at the end
    expect(seen.ghosts).toEqual([]);
    expect(truth.openOrders).toEqual([]);
    expect(sink.store.open()).toEqual([]);

    // every injected race resolved: the orders it hit ended filled or cancelled
    const raced = faults.filter((f) => f.kind === "cancelFillRace").map((f) => f.oid!);
    for (const oid of raced) {
      const o = sink.store.byOid(oid);
      // pruned records were terminal (the store prunes nothing else)
      if (o) expect(isTerminalOrderState(o.state)).toBe(true);
    }
    expect(sink.metrics.raceFills).toBeGreaterThan(10);
    expect(sink.metrics.pulls).toBeGreaterThan(0);
    // nothing was sent twice under one CLOID
    const placed = seen.actions.flatMap((a) => (a.kind === "sent" && a.batch.type === "order" ? a.batch.orders.map((o) => o.cloid) : []));
    expect(new Set(placed).size).toBe(placed.length);
    console.log(
      JSON.stringify({
        venueFills: truth.fills.length,
        faults: Object.fromEntries(["cancelFillRace", "dropout", "modifyNewFirst", "oidLate", "fillBeforeUpdate", "reject", "marginCancel", "updateBeforeResponse"].map((k) => [k, count(k)])),
        metrics: sink.metrics,
        placements: placed.length,
        killSwitch: sink.killSwitch.state,
      }),
    );
  });

  for (const newFirst of [1, 0]) {
    it(`handles a modify whose ${newFirst ? "new OID's open precedes" : "old OID's CANCELED precedes"} the other`, () => {
      const { venue, sink, seen, until } = run({
        seed: 5,
        faults: { profile: "none", modifyNewFirstProb: newFirst, userFeedMs: [20, 20], ackMs: [200, 200] },
        durationMs: 120_000,
        levels: 1,
        config: { defaults: { thresholds: { skipPriceBps: 0.5, skipSizePct: 10, modifyPriceBps: 200, modifySizePct: 50 } } },
      });
      until(T0 + 120_000);
      const modifies = seen.actions.filter((a) => a.kind === "sent" && a.batch.type === "batchModify");
      expect(modifies.length).toBeGreaterThan(0);
      expect(venue.exchange.faults.filter((f) => f.kind === "modifyNewFirst").length > 0).toBe(newFirst === 1);
      // the CLOIDs we quote with are still alive on the venue under their latest OIDs
      const live = sink.liveOrders("BTC").filter((o) => o.state === "resting" || o.state === "partially-filled");
      const onVenue = venue.truth().openOrders;
      for (const o of live) expect(onVenue.some((v) => v.oid === o.oid && v.cloid === o.cloid)).toBe(true);
      const modified = [...sink.store.all()].filter((o) => o.oldOids.length > 0);
      expect(modified.length).toBeGreaterThan(0);
      // no modified order was ever read as ended by its old OID's cancel
      expect(modified.filter((o) => o.state === "cancelled" && !o.inferred && o.raced === false && venue.truth().openOrders.some((v) => v.cloid === o.cloid))).toEqual([]);
      expect(seen.ghosts).toEqual([]);
    });
  }
});
