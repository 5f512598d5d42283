// Property tests of the matcher and ledger: whatever the market and our orders do, fills never
// exceed an order's size, land only while it rests, the position is the sum of the fills, and
// the latency the realistic profile promises is the latency requests see.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { ActionBatch, BatchResult } from "../../streams/actions.js";
import type { BookEvent, TradeEvent } from "../../streams/market.js";
import type { OrderUpdate } from "../../streams/orders.js";
import { PaperVenue, replayMarket, simReplayScheduler, SIM_FAULT_PROFILES } from "../../sim/index.js";
import { BOB, T0, book, order, trade } from "./helpers.js";

const step = fc.record({
  dt: fc.integer({ min: 1, max: 400 }),
  mid: fc.integer({ min: 95, max: 105 }),
  tradeSide: fc.constantFrom("buy" as const, "sell" as const, null),
  tradeSz: fc.integer({ min: 1, max: 30 }).map((x) => x / 10),
  act: fc.constantFrom("none", "alo", "gtc", "ioc", "cancel", "modify"),
  isBuy: fc.boolean(),
  off: fc.integer({ min: -3, max: 3 }),
  sz: fc.integer({ min: 1, max: 20 }).map((x) => x / 10),
});

describe("matcher invariants (fast-check)", () => {
  it("fills ≤ order size, only while resting, position = Σ fills, STP never fills ourselves", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 5, maxLength: 40 }), (steps) => {
        const books: BookEvent[] = [];
        const trades: TradeEvent[] = [];
        let t = T0;
        for (const s of steps) {
          t += s.dt;
          books.push(book(t, [[s.mid - 1, 2], [s.mid - 2, 3]], [[s.mid + 1, 2], [s.mid + 2, 3]]));
          if (s.tradeSide) trades.push(trade(t + 1, s.tradeSide, s.tradeSide === "sell" ? s.mid - 1 : s.mid + 1, s.tradeSz));
        }
        const scheduler = simReplayScheduler(T0);
        const venue = new PaperVenue({ market: replayMarket({ books, trades }, { inferTakers: false }), scheduler, seed: 1 });
        const other = new PaperVenue({ exchange: venue.exchange, user: BOB });
        const updates: OrderUpdate[] = [];
        venue.orderUpdates$.subscribe((u) => updates.push(u));
        const results: BatchResult[] = [];
        let n = 0;
        let tt = T0;
        for (const s of steps) {
          tt += s.dt;
          const px = s.mid + s.off;
          const k = ++n;
          const who = k % 5 === 0 ? other : venue;
          let batch: ActionBatch | undefined;
          if (s.act === "alo" || s.act === "gtc" || s.act === "ioc") batch = { type: "order", orders: [order(px, s.sz, s.isBuy, s.act === "alo" ? "Alo" : s.act === "gtc" ? "Gtc" : "Ioc", k)] };
          else if (s.act === "cancel" && k > 1) batch = { type: "cancelByCloid", cancels: [{ asset: "BTC", cloid: order(0, 0, true, "Alo", k - 1).cloid }] };
          else if (s.act === "modify" && k > 1) batch = { type: "batchModify", modifies: [{ oid: order(0, 0, true, "Alo", k - 1).cloid, order: order(px, s.sz, s.isBuy, "Alo", k - 1) }] };
          if (batch) {
            const b = batch;
            scheduler.schedule(() => who.submit(b).subscribe((r) => results.push(r)), tt + 2 - T0);
          }
        }
        scheduler.flush();
        const truth = venue.truth();
        // position = Σ signed fills
        const net = truth.fills.reduce((s, f) => s + (f.isBuy ? f.size : -f.size), 0);
        expect(truth.positions.find((p) => p.asset === "BTC")?.szi ?? 0).toBeCloseTo(net, 8);
        // per order: filled ≤ original size; no fill after a terminal non-fill status
        const byOid = new Map<number, number>();
        for (const f of truth.fills) byOid.set(f.oid, (byOid.get(f.oid) ?? 0) + f.size);
        for (const o of truth.orders) {
          expect(byOid.get(o.oid) ?? 0).toBeLessThanOrEqual(o.origSz + 1e-9);
          if (o.status === "canceled" || o.status === "selfTradeCanceled" || o.status === "marginCanceled") {
            for (const f of truth.fills.filter((x) => x.oid === o.oid)) expect(f.time).toBeLessThanOrEqual(o.time);
          }
          if (o.status === "filled") expect(byOid.get(o.oid) ?? 0).toBeCloseTo(o.origSz, 8);
        }
        // remaining sizes stay positive, open orders are the ones reported open
        for (const o of truth.openOrders) expect(o.sz).toBeGreaterThan(0);
        expect(new Set(truth.openOrders.map((o) => o.oid))).toEqual(new Set(truth.orders.filter((o) => o.status === "open").map((o) => o.oid)));
        expect(results.length).toBeGreaterThan(0);
      }),
      { numRuns: 150 },
    );
  });

  it("realistic latency: every answer arrives entry (20–80 ms) + ack (100–300 ms) after the request, or later when the OID is late", () => {
    const scheduler = simReplayScheduler(T0);
    const books = Array.from({ length: 200 }, (_, i) => book(T0 + i * 500, [[99, 5]], [[101, 5]]));
    const venue = new PaperVenue({ market: replayMarket({ books }, { inferTakers: false }), scheduler, seed: 77, faults: { profile: "realistic", rejectRate: 0, oidLateProb: 0 } });
    const delays: number[] = [];
    for (let i = 0; i < 200; i++) {
      scheduler.schedule(() => {
        const sent = scheduler.now();
        venue.submit({ type: "order", orders: [order(90 - (i % 50) * 0.1, 1, true, "Alo", i + 1)] }).subscribe(() => delays.push(scheduler.now() - sent));
      }, 10 + i * 400);
    }
    scheduler.flush();
    const p = SIM_FAULT_PROFILES.realistic;
    expect(delays).toHaveLength(200);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(p.orderEntryMs[0] + p.ackMs[0]);
    expect(Math.max(...delays)).toBeLessThanOrEqual(p.orderEntryMs[1] + p.ackMs[1]);
    // spread across the range, not a constant
    expect(new Set(delays).size).toBeGreaterThan(50);
  });
});
