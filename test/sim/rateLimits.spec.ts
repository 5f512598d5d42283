import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { BatchResult } from "../../streams/actions.js";
import { PaperVenue, SimAddressBudget, SimIpWeightWindow, replayMarket, simExchangeWeight, simInfoWeight, simReplayScheduler } from "../../sim/index.js";
import { ALICE, T0, book, order } from "./helpers.js";

describe("rate limits (FACTS §9)", () => {
  it("weighs exchange requests 1 + floor(n / 40) and info requests per the docs", () => {
    expect([1, 39, 40, 79, 80].map(simExchangeWeight)).toEqual([1, 1, 2, 2, 3]);
    expect(simInfoWeight("l2Book")).toBe(2);
    expect(simInfoWeight("clearinghouseState")).toBe(2);
    expect(simInfoWeight("userRole")).toBe(60);
    expect(simInfoWeight("openOrders")).toBe(20);
    expect(simInfoWeight("userFills", 45)).toBe(22);
  });

  it("allows 1200 weight per rolling minute per IP and frees it 60 s later", () => {
    const w = new SimIpWeightWindow();
    for (let i = 0; i < 600; i++) expect(w.tryConsume(i * 10, 2)).toBe(true);
    expect(w.tryConsume(6_000, 1)).toBe(false);
    expect(w.used(6_000)).toBe(1200);
    expect(w.tryConsume(60_000, 2)).toBe(true); // the weight spent at t=0 has left the window
  });

  it("address budget: 10,000 + 1 per USDC traded, n per batch, cancel allowance, then one request per 10 s", () => {
    const b = new SimAddressBudget();
    expect(b.check(0, 10_000, false)).toEqual({ ok: true, limitedRegime: false });
    const refused = b.check(1, 1, false);
    expect(refused).toEqual({
      ok: false,
      error: "Too many cumulative requests sent (10001 > 10000) for cumulative volume traded $0.00. Place taker orders to free up 1 request per USDC traded.",
    });
    // cancels may go to min(cap + 100000, 2 × cap) = 20,000 here
    expect(b.check(2, 9_999, true).ok).toBe(true);
    expect(b.check(3, 1, true).ok).toBe(true);
    expect(b.check(4, 1, true).ok).toBe(false); // over the cancel cap too; the regime's clock started at t=1
    expect(b.check(10_000, 1, false).ok).toBe(false);
    expect(b.check(10_001, 1, false)).toEqual({ ok: true, limitedRegime: true });
    expect(b.check(10_002, 1, true).ok).toBe(false);
    expect(b.check(20_001, 1, true)).toEqual({ ok: true, limitedRegime: true });
    b.addVolume(50_000.7);
    expect(b.snapshot()).toMatchObject({ nRequestsCap: 60_000, cumVlm: 50_000.7 });
  });

  it("the cancel cap is min(cap + 100000, 2 × cap) for any traded volume", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (vlm) => {
        const b = new SimAddressBudget();
        b.addVolume(vlm);
        expect(b.cancelCap()).toBe(Math.min(b.cap() + 100_000, 2 * b.cap()));
        expect(b.cap()).toBe(10_000 + vlm);
      }),
    );
  });

  it("a rate-limited address gets the real text in-process, and the IP limit comes back as HTTP 429", () => {
    const scheduler = simReplayScheduler(T0);
    const venue = new PaperVenue({
      market: replayMarket({ books: [book(T0, [[100, 5]], [[101, 5]]), book(T0 + 30_000, [[100, 5]], [[101, 5]])] }, { inferTakers: false }),
      scheduler,
      user: ALICE,
      addressInitialBuffer: 2,
    });
    const out: BatchResult[] = [];
    for (let i = 0; i < 4; i++) scheduler.schedule(() => venue.submit({ type: "order", orders: [order(90 + i, 1, true, "Alo", i + 1)] }).subscribe((r) => out.push(r)), 10 + i);
    scheduler.schedule(() => venue.submit({ type: "order", orders: [order(80, 1, true, "Alo", 9)] }).subscribe((r) => out.push(r)), 20_000);
    scheduler.flush();
    expect(out.map((r) => (r.ok ? "ok" : r.error.slice(0, 28)))).toEqual(["ok", "ok", "Too many cumulative requests", "Too many cumulative requests", "ok"]);
    expect(out[2]).toMatchObject({ ok: false, code: "RateLimited", rateLimited: true });
    expect(venue.truth().rateLimit).toMatchObject({ nRequestsUsed: 3, nRequestsCap: 2 });

    const s2 = simReplayScheduler(T0);
    const v2 = new PaperVenue({ market: replayMarket({ books: [book(T0, [[100, 5]], [[101, 5]])] }, { inferTakers: false }), scheduler: s2, user: ALICE, ipWeightPerMinute: 2 });
    const o2: BatchResult[] = [];
    for (let i = 0; i < 3; i++) s2.schedule(() => v2.submit({ type: "cancel", cancels: [{ asset: "BTC", oid: 1 }] }).subscribe((r) => o2.push(r)), 10 + i);
    s2.flush();
    expect(o2[2]).toEqual({ ok: false, code: "RateLimited", error: "429 Too Many Requests", rateLimited: true });
  });
});
