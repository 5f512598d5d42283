// Blocks (FACTS §13): requests wait for the end of the ~70 ms block they reach the matcher in,
// and the block runs cancels and ALO-only batches before IOC / GTC. And the swappable models:
// a user's latency and fee models replace the defaults.
import { describe, expect, it } from "vitest";
import type { BatchResult } from "../../streams/actions.js";
import type { VenueFill } from "../../streams/fill.js";
import { PaperVenue, SimFlatFees, replayMarket, simBlockPriority, simReplayScheduler, type PaperExchangeOptions, type SimLatencyModel } from "../../sim/index.js";
import { ALICE, BOB, T0, book, order } from "./helpers.js";

function race(extra: Partial<PaperExchangeOptions>) {
  const books = Array.from({ length: 40 }, (_, i) => book(T0 + i * 250, [[99, 5]], [[101, 5]]));
  const scheduler = simReplayScheduler(T0);
  const alice = new PaperVenue({ market: replayMarket({ books }, { inferTakers: false }), scheduler, seed: 3, user: ALICE, ...extra });
  const bob = new PaperVenue({ exchange: alice.exchange, user: BOB });
  const out: { who: string; r: BatchResult }[] = [];
  const fills: VenueFill[] = [];
  alice.fills$.subscribe((b) => (b.isSnapshot ? undefined : fills.push(...b.fills)));
  scheduler.schedule(() => alice.submit({ type: "order", orders: [order(100, 1, true, "Alo", 1)] }).subscribe((r) => out.push({ who: "alice-place", r })), 1_000);
  // inside one block: Bob's IOC reaches the matcher first, Alice's cancel 30 ms later
  const blockEnd = Math.floor((T0 + 3_000) / 70) * 70 + 70;
  scheduler.schedule(() => bob.submit({ type: "order", orders: [order(100, 1, false, "Ioc", 2)] }).subscribe((r) => out.push({ who: "bob-ioc", r })), blockEnd - 50 - T0);
  scheduler.schedule(() => alice.submit({ type: "cancelByCloid", cancels: [{ asset: "BTC", cloid: order(0, 0, true, "Alo", 1).cloid }] }).subscribe((r) => out.push({ who: "alice-cancel", r })), blockEnd - 20 - T0);
  scheduler.flush();
  return { out, fills, blocks: alice.exchange.blocks.count, scheduler };
}

describe("blocks", () => {
  it("within a block the cancel runs before an IOC that reached the matcher earlier", () => {
    const { out, fills, blocks } = race({ blockMs: 70 });
    expect(out.find((o) => o.who === "alice-cancel")!.r).toEqual({ ok: true, type: "cancelByCloid", statuses: [{ kind: "Cancelled" }] });
    expect(out.find((o) => o.who === "bob-ioc")!.r).toMatchObject({ ok: true, statuses: [{ kind: "rejected", error: "Order could not immediately match against any resting orders." }] });
    expect(fills).toEqual([]);
    expect(blocks).toBe(2);
  });

  it("without blocks the same requests race in arrival order: the IOC fills, the cancel comes too late", () => {
    const { out, fills } = race({ blockMs: 0 });
    expect(out.find((o) => o.who === "bob-ioc")!.r).toMatchObject({ ok: true, statuses: [{ kind: "filled", totalSz: 1 }] });
    expect(out.find((o) => o.who === "alice-cancel")!.r).toMatchObject({ ok: true, statuses: [{ kind: "AlreadyFilled" }] });
    expect(fills.map((f) => [f.price, f.size, f.crossed])).toEqual([[100, 1, false]]);
  });

  it("ranks cancels and ALO-only batches first", () => {
    expect(simBlockPriority({ type: "cancel", cancels: [] })).toBe(0);
    expect(simBlockPriority({ type: "order", orders: [order(1, 1, true, "Alo", 1)] })).toBe(0);
    expect(simBlockPriority({ type: "order", orders: [order(1, 1, true, "Alo", 1), order(1, 1, true, "Gtc", 2)] })).toBe(1);
    expect(simBlockPriority({ type: "order", orders: [order(1, 1, true, "Ioc", 1)] })).toBe(1);
  });
});

describe("swappable models", () => {
  it("a user's queue model replaces the default: 'ahead' cleared on the first depth change", () => {
    const books = [book(T0, [[100, 5]], [[101, 5]]), book(T0 + 500, [[100, 4]], [[101, 5]]), book(T0 + 1_000, [[100, 4]], [[101, 5]])];
    const trades = [{ asset: "BTC", time: T0 + 900, tid: 900, px: 100, sz: 1, side: "sell" as const }];
    const run = (queue?: PaperExchangeOptions["queue"]) => {
      const scheduler = simReplayScheduler(T0);
      const v = new PaperVenue({ market: replayMarket({ books, trades }, { inferTakers: false }), scheduler, seed: 3, user: ALICE, ...(queue ? { queue } : {}) });
      scheduler.schedule(() => v.submit({ type: "order", orders: [order(100, 1, true, "Alo", 1)] }).subscribe(), 100);
      scheduler.flush();
      return v.truth().fills.length;
    };
    expect(run()).toBe(0); // default: 5 ahead, 1 cancel of which most was behind, 1 traded: still queued
    expect(run({ afterDepthChange: () => 0 })).toBe(1); // front of the queue after the first change: the print fills it
  });

  it("a user's latency and fee models replace the defaults", () => {
    const fixed: SimLatencyModel = { entry: () => 42, ack: () => 8, userFeed: () => 3 };
    const books = Array.from({ length: 20 }, (_, i) => book(T0 + i * 250, [[99, 5]], [[101, 5]]));
    const scheduler = simReplayScheduler(T0);
    const venue = new PaperVenue({ market: replayMarket({ books }, { inferTakers: false }), scheduler, seed: 3, user: ALICE, latency: fixed, fees: new SimFlatFees(-0.0001, 0.001) });
    const at: number[] = [];
    scheduler.schedule(() => venue.submit({ type: "order", orders: [order(101, 1, true, "Ioc", 1)] }).subscribe(() => at.push(scheduler.now())), 1_000);
    scheduler.flush();
    expect(at).toEqual([T0 + 1_000 + 42 + 8]);
    const fill = venue.truth().fills[0]!;
    expect(fill.fee).toBeCloseTo(101 * 0.001, 9);
  });
});
