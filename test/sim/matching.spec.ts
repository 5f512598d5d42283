import { describe, expect, it } from "vitest";
import type { VirtualTimeScheduler } from "rxjs";
import type { ActionBatch, BatchResult } from "../../streams/actions.js";
import type { VenueFill } from "../../streams/fill.js";
import type { OrderUpdate } from "../../streams/orders.js";
import { PaperVenue, replayMarket, simReplayScheduler, type PaperExchangeOptions } from "../../sim/index.js";
import type { BookEvent, TradeEvent } from "../../streams/market.js";
import { ALICE, BOB, T0, book, order, trade } from "./helpers.js";

interface Harness {
  scheduler: VirtualTimeScheduler;
  venue: PaperVenue;
  updates: OrderUpdate[];
  fills: VenueFill[];
  at(dt: number, batch: ActionBatch): BatchResult[];
  other(user: string): { venue: PaperVenue; updates: OrderUpdate[]; fills: VenueFill[]; at(dt: number, batch: ActionBatch): BatchResult[] };
}

function harness(books: BookEvent[], trades: TradeEvent[] = [], extra: Partial<PaperExchangeOptions> = {}): Harness {
  const scheduler = simReplayScheduler(T0);
  const venue = new PaperVenue({ market: replayMarket({ books, trades }, { inferTakers: false }), scheduler, seed: 7, user: ALICE, ...extra });
  const wire = (v: PaperVenue) => {
    const updates: OrderUpdate[] = [];
    const fills: VenueFill[] = [];
    v.orderUpdates$.subscribe((u) => updates.push(u));
    v.fills$.subscribe((b) => {
      if (!b.isSnapshot) fills.push(...b.fills);
    });
    const at = (dt: number, batch: ActionBatch): BatchResult[] => {
      const out: BatchResult[] = [];
      scheduler.schedule(() => v.submit(batch).subscribe((r) => out.push(r)), T0 + dt - scheduler.now());
      return out;
    };
    return { venue: v, updates, fills, at };
  };
  const mine = wire(venue);
  return {
    scheduler,
    ...mine,
    other: (user: string) => wire(new PaperVenue({ exchange: venue.exchange, user })),
  };
}

describe("paper venue matching (no faults)", () => {
  it("rests an ALO order behind the displayed size and fills it once trades consume the queue ahead", () => {
    const h = harness([book(T0, [[100, 5], [99, 5]], [[101, 5]])], [trade(T0 + 100, "sell", 100, 3), trade(T0 + 200, "sell", 100, 3)]);
    const placed = h.at(10, { type: "order", orders: [order(100, 1, true, "Alo", 1)] });
    h.scheduler.flush();
    expect(placed).toHaveLength(1);
    const r = placed[0]!;
    expect(r.ok && r.type === "order" && r.statuses[0]!.kind).toBe("resting");
    // 5 ahead: the first 3 leave 2 ahead, the second 3 fill 1 of ours.
    expect(h.fills).toHaveLength(1);
    expect(h.fills[0]).toMatchObject({ size: 1, price: 100, isBuy: true, crossed: false, time: T0 + 200 });
    expect(h.fills[0]!.fee).toBeCloseTo(100 * 1 * 0.00015, 9);
    expect(h.updates.map((u) => u.status)).toEqual(["open", "filled"]);
    expect(h.venue.truth().positions).toMatchObject([{ asset: "BTC", szi: 1, entryPx: 100 }]);
  });

  it("fills partially when the trade reaching the order is smaller than the order", () => {
    const h = harness([book(T0, [[100, 2]], [[101, 5]])], [trade(T0 + 100, "sell", 100, 2.5)]);
    h.at(10, { type: "order", orders: [order(100, 1, true, "Alo", 1)] });
    h.scheduler.flush();
    expect(h.fills.map((f) => f.size)).toEqual([0.5]);
    expect(h.venue.truth().openOrders).toMatchObject([{ sz: 0.5, origSz: 1 }]);
  });

  it("shrinks the queue ahead with cancels in front when the level drains without trades", () => {
    // Ours is last at the level (no one behind), so every cancel there was ahead of us.
    const h = harness([book(T0, [[100, 10]], [[101, 5]]), book(T0 + 100, [[100, 2]], [[101, 5]])], [trade(T0 + 200, "sell", 100, 2.5)]);
    h.at(10, { type: "order", orders: [order(100, 1, true, "Alo", 1)] });
    h.scheduler.flush();
    expect(h.fills.map((f) => f.size)).toEqual([0.5]);
  });

  it("fills a resting order the market trades through, at its price, within the sweep's least volume", () => {
    // alone, a print at 99 proves a sweep of ≥ 5 (the level at 100) + 0.1: 5 were ahead of us, 0.1 is ours
    const alone = harness([book(T0, [[100, 5]], [[101, 5]])], [trade(T0 + 100, "sell", 99, 0.1)]);
    alone.at(10, { type: "order", orders: [order(100, 0.5, true, "Alo", 1)] });
    alone.scheduler.flush();
    expect(alone.fills).toMatchObject([{ size: 0.1, price: 100 }]);
    // as the feed prints a sweep — the 5 at 100 first, then 99 — the order fills whole at 100
    const sweep = harness([book(T0, [[100, 5]], [[101, 5]])], [trade(T0 + 100, "sell", 100, 5), trade(T0 + 100, "sell", 99, 0.1)]);
    sweep.at(10, { type: "order", orders: [order(100, 0.5, true, "Alo", 1)] });
    sweep.scheduler.flush();
    expect(sweep.fills).toMatchObject([{ size: 0.5, price: 100, time: T0 + 100 }]);
  });

  it("an order improving the spread fills only the size of a print at the old touch", () => {
    const h = harness([book(T0, [[100, 5]], [[102, 5]])], [trade(T0 + 100, "sell", 100, 0.2)]);
    h.at(10, { type: "order", orders: [order(101, 1, true, "Alo", 1)] });
    h.scheduler.flush();
    expect(h.fills).toMatchObject([{ size: 0.2, price: 101 }]);
  });

  it("rejects an ALO order that would cross with the live text and the bbo", () => {
    const h = harness([book(T0, [[100, 5]], [[101, 5]])]);
    const r = h.at(10, { type: "order", orders: [order(101, 1, true, "Alo", 1)] });
    h.scheduler.flush();
    expect(r[0]).toEqual({
      ok: true,
      type: "order",
      statuses: [{ kind: "rejected", code: "BadAloPx", error: "Post only order would have immediately matched, bbo was 100@101. asset=0" }],
    });
    expect(h.updates).toEqual([]);
  });

  it("IOC takes what it can and cancels the rest; IOC with nothing to take is rejected", () => {
    const h = harness([book(T0, [[100, 5]], [[101, 5], [102, 1]])]);
    const a = h.at(10, { type: "order", orders: [order(102, 7, true, "Ioc", 1)] });
    const b = h.at(20, { type: "order", orders: [order(100, 1, true, "Ioc", 2)] });
    h.scheduler.flush();
    const sa = a[0]!.ok && a[0]!.type === "order" ? a[0]!.statuses[0] : undefined;
    expect(sa).toMatchObject({ kind: "filled", totalSz: 6 });
    expect(sa && sa.kind === "filled" ? sa.avgPx : 0).toBeCloseTo((5 * 101 + 102) / 6, 9);
    expect(h.fills.map((f) => [f.price, f.size, f.crossed])).toEqual([[101, 5, true], [102, 1, true]]);
    expect(h.updates.map((u) => [u.status, u.sz])).toEqual([["canceled", 1]]);
    expect(b[0]).toMatchObject({ statuses: [{ kind: "rejected", code: "IocCancel", error: "Order could not immediately match against any resting orders." }] });
  });

  it("GTC takes the crossing part and rests the remainder", () => {
    const h = harness([book(T0, [[100, 5]], [[101, 5]])]);
    const r = h.at(10, { type: "order", orders: [order(101, 7, true, "Gtc", 1)] });
    h.scheduler.flush();
    expect(r[0]).toMatchObject({ statuses: [{ kind: "resting" }] });
    expect(h.fills.map((f) => f.size)).toEqual([5]);
    expect(h.venue.truth().openOrders).toMatchObject([{ px: 101, sz: 2, origSz: 7 }]);
  });

  it("self-trade prevention cancels our resting order instead of filling it (FACTS §10)", () => {
    const h = harness([book(T0, [[100, 5]], [[101, 5], [103, 5]])]);
    const rest = h.at(10, { type: "order", orders: [order(102, 1, false, "Alo", 1)] });
    h.at(20, { type: "order", orders: [order(102, 7, true, "Ioc", 2)] });
    h.scheduler.flush();
    const restOid = rest[0]!.ok && rest[0]!.type === "order" && rest[0]!.statuses[0]!.kind === "resting" ? rest[0]!.statuses[0]!.oid : -1;
    expect(h.updates.filter((u) => u.oid === restOid).map((u) => u.status)).toEqual(["open", "selfTradeCanceled"]);
    expect(h.fills.every((f) => f.oid !== restOid)).toBe(true);
    expect(h.fills.map((f) => [f.price, f.size])).toEqual([[101, 5]]);
  });

  it("matches two simulated accounts against each other with one tid and maker/taker fees", () => {
    const h = harness([book(T0, [[100, 5]], [[103, 5]])]);
    const bob = h.other(BOB);
    h.at(10, { type: "order", orders: [order(102, 1, false, "Alo", 1)] });
    bob.at(20, { type: "order", orders: [order(102, 1, true, "Ioc", 2)] });
    h.scheduler.flush();
    expect(h.fills).toHaveLength(1);
    expect(bob.fills).toHaveLength(1);
    expect(h.fills[0]!.tid).toBe(bob.fills[0]!.tid);
    expect([h.fills[0]!.crossed, bob.fills[0]!.crossed]).toEqual([false, true]);
    expect(bob.fills[0]!.fee).toBeGreaterThan(h.fills[0]!.fee);
  });

  it("cancels a resting order; a second cancel gets the never-placed text", () => {
    const h = harness([book(T0, [[100, 5]], [[101, 5]])]);
    const placed = h.at(10, { type: "order", orders: [order(99, 1, true, "Alo", 1)] });
    h.scheduler.flush();
    const oid = placed[0]!.ok && placed[0]!.type === "order" && placed[0]!.statuses[0]!.kind === "resting" ? placed[0]!.statuses[0]!.oid : -1;
    const c1 = h.at(20, { type: "cancel", cancels: [{ asset: "BTC", oid }] });
    const c2 = h.at(30, { type: "cancelByCloid", cancels: [{ asset: "BTC", cloid: order(99, 1, true, "Alo", 1).cloid }] });
    h.scheduler.flush();
    expect(c1[0]).toEqual({ ok: true, type: "cancel", statuses: [{ kind: "Cancelled" }] });
    expect(c2[0]).toEqual({ ok: true, type: "cancelByCloid", statuses: [{ kind: "AlreadyFilled", error: "Order was never placed, already canceled, or filled. asset=0" }] });
    expect(h.updates.map((u) => u.status)).toEqual(["open", "canceled"]);
  });

  it("a cancel for an asset the venue does not list fails per element", () => {
    const h = harness([book(T0, [[100, 5]], [[101, 5]])]);
    const r = h.at(10, { type: "cancel", cancels: [{ asset: "NOPE", oid: 1 }, { asset: "BTC", oid: 1 }] });
    h.scheduler.flush();
    expect(r[0]).toEqual({
      ok: true,
      type: "cancel",
      statuses: [
        { kind: "Failed", code: "Other", error: "Unknown asset." },
        { kind: "AlreadyFilled", error: "Order was never placed, already canceled, or filled. asset=0" },
      ],
    });
  });

  it("reveals AlreadyCancelled when asked to (the wire text cannot tell)", () => {
    const h = harness([book(T0, [[100, 5]], [[101, 5]])], [], { revealCancelOutcome: true });
    h.at(10, { type: "order", orders: [order(99, 1, true, "Alo", 1)] });
    h.at(20, { type: "cancelByCloid", cancels: [{ asset: "BTC", cloid: order(99, 1, true, "Alo", 1).cloid }] });
    const again = h.at(30, { type: "cancelByCloid", cancels: [{ asset: "BTC", cloid: order(99, 1, true, "Alo", 1).cloid }] });
    h.scheduler.flush();
    expect(again[0]).toEqual({ ok: true, type: "cancelByCloid", statuses: [{ kind: "AlreadyCancelled" }] });
  });

  it("modify is cancel-replace: a new OID with the same cloid, canceled then open", () => {
    const h = harness([book(T0, [[100, 5]], [[101, 5]])]);
    const placed = h.at(10, { type: "order", orders: [order(99, 1, true, "Alo", 1)] });
    const mod = h.at(20, { type: "batchModify", modifies: [{ oid: order(0, 0, true, "Alo", 1).cloid, order: order(98, 2, true, "Alo", 1) }] });
    h.scheduler.flush();
    const oldOid = placed[0]!.ok && placed[0]!.type === "order" && placed[0]!.statuses[0]!.kind === "resting" ? placed[0]!.statuses[0]!.oid : -1;
    const s = mod[0]!.ok && mod[0]!.type === "batchModify" ? mod[0]!.statuses[0] : undefined;
    expect(s?.kind).toBe("resting");
    const newOid = s && s.kind === "resting" ? s.oid : -1;
    expect(newOid).not.toBe(oldOid);
    expect(h.updates.map((u) => [u.oid, u.status, u.cloid])).toEqual([
      [oldOid, "open", order(0, 0, true, "Alo", 1).cloid],
      [oldOid, "canceled", order(0, 0, true, "Alo", 1).cloid],
      [newOid, "open", order(0, 0, true, "Alo", 1).cloid],
    ]);
    const again = h.at(30, { type: "batchModify", modifies: [{ oid: oldOid, order: order(97, 1, true, "Alo", 1) }] });
    h.scheduler.flush();
    expect(again[0]).toMatchObject({ statuses: [{ kind: "rejected", error: "Cannot modify canceled or filled order" }] });
  });

  it("validates tick, minimum notional and reduce-only with the live texts", () => {
    const h = harness([book(T0, [[100000, 5]], [[100001, 5]])]);
    const r = h.at(10, {
      type: "order",
      orders: [
        order(100000.5, 0.001, true, "Alo", 1),
        order(99999, 0.00001, true, "Alo", 2),
        { ...order(99999, 0.001, false, "Alo", 3), reduceOnly: true },
      ],
    });
    h.scheduler.flush();
    expect(r[0]!.ok && r[0]!.type === "order" && r[0]!.statuses.map((s) => (s.kind === "rejected" ? s.error : s.kind))).toEqual([
      "Price must be divisible by tick size.",
      "Order must have minimum value of $10.",
      "Reduce only order would increase position.",
    ]);
  });

  it("books position, entry price, realised PnL and fees like the clearinghouse", () => {
    const h = harness([book(T0, [[100, 5]], [[101, 5]])]);
    h.at(10, { type: "order", orders: [order(101, 2, true, "Ioc", 1)] });
    h.at(20, { type: "order", orders: [order(100, 1, false, "Ioc", 2)] });
    h.scheduler.flush();
    const t = h.venue.truth();
    expect(t.positions).toMatchObject([{ asset: "BTC", szi: 1, entryPx: 101 }]);
    expect(t.realisedPnl).toBeCloseTo(-1, 9);
    expect(t.feesPaid).toBeCloseTo((202 + 100) * 0.00045, 9);
    expect(t.balance).toBeCloseTo(100_000 - 1 - t.feesPaid, 6);
    expect(t.fills.map((f) => f.closedPnl)).toEqual([0, -1]);
  });

  it("scheduleCancel cancels every open order at the deadline with status scheduledCancel", () => {
    const h = harness([book(T0, [[100, 5]], [[101, 5]]), book(T0 + 20_000, [[100, 5]], [[101, 5]])]);
    h.at(10, { type: "order", orders: [order(99, 1, true, "Alo", 1), order(102, 1, false, "Alo", 2)] });
    h.at(20, { type: "scheduleCancel", time: T0 + 10_000 });
    h.scheduler.flush();
    expect(h.updates.filter((u) => u.status === "scheduledCancel")).toHaveLength(2);
    expect(h.updates.find((u) => u.status === "scheduledCancel")?.time).toBe(T0 + 10_000);
  });
});
