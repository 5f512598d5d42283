import { describe, expect, it } from "vitest";
import { PaperVenue, simReplayScheduler, simUniverse, simUniverseFor, syntheticMarket } from "../../sim/index.js";
import type { ReferenceQuote } from "../../streams/market.js";
import { T0, cloid } from "./helpers.js";

describe("synthetic market", () => {
  it("meta follows the cassette universe: szDecimals BTC 5, ETH 4, asset ids by index, extras appended", () => {
    const u = simUniverse();
    expect(u.slice(0, 3)).toEqual([
      { name: "BTC", id: 0, szDecimals: 5, maxLeverage: 50, isSpot: false },
      { name: "ETH", id: 1, szDecimals: 4, maxLeverage: 50, isSpot: false },
      { name: "ATOM", id: 2, szDecimals: 2, maxLeverage: 50, isSpot: false },
    ]);
    expect(u).toHaveLength(28);
    const x = simUniverseFor(["BTC", "FOO"]);
    expect(x[28]).toMatchObject({ name: "FOO", id: 28, szDecimals: 2 });
  });

  it("the reference venue leads the traded venue's book by the configured lag", () => {
    const scheduler = simReplayScheduler(T0);
    const market = syntheticMarket({ assets: [{ name: "BTC", startPx: 50_000, szDecimals: 5, volBpsPerSqrtSec: 5 }], seed: 3, durationMs: 300_000, leadLagMs: [400, 400], uninformedPerSec: 0, informedPerSec: 0 });
    const venue = new PaperVenue({ market, scheduler, seed: 3 });
    const refs: ReferenceQuote[] = [];
    const books: { t: number; mid: number }[] = [];
    venue.reference("BTC").subscribe((q) => refs.push(q));
    venue.book("BTC").subscribe((b) => books.push({ t: b.time, mid: (b.bids[0]!.px + b.asks[0]!.px) / 2 }));
    scheduler.flush();
    const refMid = (t: number): number => {
      let m = 0;
      for (const q of refs) if (q.time <= t) m = (q.bid + q.ask) / 2;
      return m;
    };
    // the book tracks the reference as it was 400 ms earlier far better than the reference now
    const err = (lag: number) => books.slice(10).reduce((s, b) => s + Math.abs(b.mid - refMid(b.t - lag)), 0);
    expect(err(400)).toBeLessThan(err(0));
  });

  it("resting fills are adversely selected: the mid moves against them afterwards", () => {
    const scheduler = simReplayScheduler(T0);
    const market = syntheticMarket({ assets: [{ name: "BTC", startPx: 50_000, szDecimals: 5 }], seed: 8, durationMs: 900_000 });
    const venue = new PaperVenue({ market, scheduler, seed: 8 });
    const mids: { t: number; mid: number }[] = [];
    let n = 0;
    const live: string[] = [];
    venue.book("BTC").subscribe((b) => {
      mids.push({ t: b.time, mid: (b.bids[0]!.px + b.asks[0]!.px) / 2 });
      if (++n % 2 !== 0) return;
      if (live.length) venue.submit({ type: "cancelByCloid", cancels: live.splice(0).map((c) => ({ asset: "BTC", cloid: c })) }).subscribe();
      const [bc, ac] = [cloid(++n * 2), cloid(n * 2 + 1)];
      live.push(bc, ac);
      venue.submit({ type: "order", orders: [
        { asset: "BTC", isBuy: true, px: b.bids[0]!.px, sz: 0.001, tif: "Alo", reduceOnly: false, cloid: bc },
        { asset: "BTC", isBuy: false, px: b.asks[0]!.px, sz: 0.001, tif: "Alo", reduceOnly: false, cloid: ac },
      ] }).subscribe();
    });
    scheduler.flush();
    const midAt = (t: number): number | undefined => mids.find((m) => m.t >= t)?.mid;
    const marks = venue.truth().fills.flatMap((f) => {
      const later = midAt(f.time + 5_000);
      return later === undefined ? [] : [((later - f.price) / f.price) * 1e4 * (f.isBuy ? 1 : -1)];
    });
    expect(marks.length).toBeGreaterThan(50);
    const avg = marks.reduce((s, x) => s + x, 0) / marks.length;
    // markout in bps from the maker's side; negative = the market moved against the fill
    expect(avg).toBeLessThan(0);
  });
});
