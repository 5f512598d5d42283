// The reserveRequestWeight policy (sinks/reserveWeight.ts), pure: when to buy, how much, never past
// the daily cap, never two in flight, never without the funds — as a function and through the core's
// `step` with any sequence of quota states, snapshots, answers and clock jumps (fast-check). And the
// quota ledger's side: the purchase is one address request the breaker does not hold, and what it
// bought raises the cap.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { QuotaLedger } from "../../operators/quotaBudget.js";
import { createSinkState, step } from "../../sinks/core.js";
import { RESERVE_USDC_PER_REQUEST, createReserveState, decideReserve, reserveRequestsPerDay, utcDay } from "../../sinks/reserveWeight.js";
import type { ActionBatch, BatchResult } from "../../streams/actions.js";
import type { QuotaThrottleState } from "../../streams/quota.js";

const DAY = 86_400_000;
const T0 = 1_700_000_000_000;
const quota = (addressHeadroom: number, time: number): QuotaThrottleState => ({
  time,
  headroom: addressHeadroom,
  ipHeadroom: 1,
  addressHeadroom,
  breakerOpen: addressHeadroom < 0.1,
  limited: "none",
  nextSlotAt: null,
  queuedCancels: 0,
});

describe("decideReserve", () => {
  const opts = { usdPerDay: 2, chunk: 1000, belowHeadroom: 0.2 };
  const view = (addressHeadroom: number | null, withdrawable: number | undefined = 100) => ({ addressHeadroom, withdrawable });

  it("buys a chunk (0.5 USDC) only below the headroom threshold", () => {
    const s = createReserveState();
    expect(decideReserve(s, opts, view(0.2), T0)).toEqual({ kind: "none" });
    expect(decideReserve(s, opts, view(null), T0)).toEqual({ kind: "none" });
    expect(decideReserve(s, opts, view(0.19), T0)).toEqual({ kind: "buy", weight: 1000, usd: 0.5 });
  });

  it("cuts the day's last purchase to what the cap leaves, then refuses until the next UTC day", () => {
    const s = { ...createReserveState(), day: utcDay(T0), requestsToday: 3500 };
    expect(decideReserve(s, opts, view(0.05), T0)).toEqual({ kind: "buy", weight: 500, usd: 0.25 });
    const full = { ...s, requestsToday: 4000 };
    expect(decideReserve(full, opts, view(0.05), T0)).toMatchObject({ kind: "refuse", reason: "dailyCap" });
    const nextDay = (utcDay(T0) + 1) * DAY;
    expect(decideReserve(full, opts, view(0.05), nextDay)).toEqual({ kind: "buy", weight: 1000, usd: 0.5 });
    expect(decideReserve(full, opts, view(0.05), nextDay - 1)).toMatchObject({ kind: "refuse", reason: "dailyCap" });
  });

  it("never while a purchase is in flight or backing off; never without the funds (and not before the first snapshot says what they are)", () => {
    expect(decideReserve({ ...createReserveState(), inFlight: 1000 }, opts, view(0.05), T0)).toEqual({ kind: "none" });
    expect(decideReserve({ ...createReserveState(), notBefore: T0 + 1 }, opts, view(0.05), T0)).toEqual({ kind: "none" });
    expect(decideReserve(createReserveState(), opts, view(0.05, 0.4999), T0)).toMatchObject({ kind: "refuse", reason: "funds" });
    expect(decideReserve(createReserveState(), opts, { addressHeadroom: 0.05, withdrawable: undefined }, T0)).toEqual({ kind: "none" });
    expect(decideReserve(createReserveState(), opts, view(0.05, 0.5), T0)).toMatchObject({ kind: "buy" });
  });

  it("prices requests without float drift: 5 USD a day is exactly 10,000 requests", () => {
    expect(reserveRequestsPerDay(5)).toBe(10_000);
    expect(reserveRequestsPerDay(0.0005)).toBe(1);
    expect(reserveRequestsPerDay(0.3)).toBe(600);
    expect(reserveRequestsPerDay(0)).toBe(0);
  });
});

type Op =
  | { readonly kind: "quota"; readonly h: number }
  | { readonly kind: "account"; readonly value: number }
  | { readonly kind: "answer"; readonly how: "ok" | "venue" | "failed" | "refused" }
  | { readonly kind: "tick" }
  | { readonly kind: "advance"; readonly ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("quota" as const), h: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant("account" as const), value: fc.double({ min: 0, max: 5, noNaN: true }) }),
  fc.record({ kind: fc.constant("answer" as const), how: fc.constantFrom("ok" as const, "venue" as const, "failed" as const, "refused" as const) }),
  fc.constant({ kind: "tick" as const }),
  fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 8 * 3_600_000 }) }),
);

describe("the policy through the core's step, any sequence", () => {
  it("never two purchases in flight, never above the threshold or without funds, confirmed spend ≤ usdPerDay each UTC day", () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 120 }),
        fc.double({ min: 0.001, max: 3, noNaN: true }),
        fc.integer({ min: 1, max: 3000 }),
        (ops, usdPerDay, chunk) => {
          const below = 0.2;
          const s = createSinkState({ cloidSeed: 1, deadMan: false, reserve: { usdPerDay, chunk, belowHeadroom: below } }, T0);
          let now = T0;
          let inFlight: ActionBatch | null = null;
          let headroom: number | null = null;
          let value: number | undefined;
          const confirmedByDay = new Map<number, number>();
          let sentDay = 0;
          const perDay = reserveRequestsPerDay(usdPerDay);
          for (const op of ops) {
            let input;
            if (op.kind === "advance") {
              now += op.ms;
              continue;
            }
            if (op.kind === "quota") {
              headroom = op.h;
              input = { kind: "quota" as const, state: quota(op.h, now) };
            } else if (op.kind === "account") {
              value = op.value;
              input = { kind: "account" as const, snapshot: { time: now, accountValue: op.value, positions: [], openOrders: [] }, trigger: "periodic", withOrders: true };
            } else if (op.kind === "tick") input = { kind: "tick" as const };
            else {
              if (inFlight === null) continue;
              const batch: ActionBatch = inFlight;
              const result: BatchResult = op.how === "ok" ? { ok: true, type: "reserveRequestWeight" } : { ok: false, code: "Other", error: "no", rateLimited: false };
              input =
                op.how === "failed"
                  ? { kind: "executor" as const, event: { kind: "failed" as const, batch, error: "timeout", timedOut: true, time: now } }
                  : op.how === "refused"
                    ? { kind: "executor" as const, event: { kind: "refused" as const, batch, reason: "reserve" as const, time: now } }
                    : { kind: "executor" as const, event: { kind: "result" as const, batch, result, time: now, latencyMs: 1 } };
              if (op.how === "ok" && batch.type === "reserveRequestWeight") confirmedByDay.set(sentDay, (confirmedByDay.get(sentDay) ?? 0) + batch.weight);
              inFlight = null;
            }
            const out = step(s, input, now);
            for (const c of out.commands) {
              if (c.kind !== "submit" || c.batch.type !== "reserveRequestWeight") continue;
              expect(inFlight).toBeNull();
              expect(headroom).not.toBeNull();
              expect(headroom!).toBeLessThan(below);
              expect(c.batch.weight).toBeGreaterThan(0);
              expect(c.batch.weight).toBeLessThanOrEqual(chunk);
              if (value !== undefined) expect(value + 1e-9).toBeGreaterThanOrEqual(c.batch.weight * RESERVE_USDC_PER_REQUEST);
              inFlight = c.batch;
              sentDay = utcDay(now);
            }
          }
          for (const bought of confirmedByDay.values()) expect(bought).toBeLessThanOrEqual(perDay);
          const total = [...confirmedByDay.values()].reduce((a, b) => a + b, 0);
          expect(s.metrics.reserveRequestsBought).toBe(total);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("is off by default: no config, no purchase at any headroom", () => {
    const s = createSinkState({ cloidSeed: 1, deadMan: false }, T0);
    step(s, { kind: "account", snapshot: { time: T0, accountValue: 1000, positions: [], openOrders: [] }, trigger: "periodic", withOrders: true }, T0);
    const out = step(s, { kind: "quota", state: quota(0, T0) }, T0);
    expect(out.commands.filter((c) => c.kind === "submit")).toEqual([]);
    expect(out.events.filter((e) => e.type === "reserve")).toEqual([]);
  });

  it("a confirmed purchase raises the throttle's cap (a volume command of the weight) and reports once; a refusal is reported once per episode", () => {
    const s = createSinkState({ cloidSeed: 1, deadMan: false, reserve: { usdPerDay: 0.5 } }, T0);
    step(s, { kind: "account", snapshot: { time: T0, accountValue: 1000, withdrawable: 800, positions: [], openOrders: [] }, trigger: "periodic", withOrders: true }, T0);
    const sent = step(s, { kind: "quota", state: quota(0.15, T0) }, T0);
    expect(sent.commands).toContainEqual({ kind: "submit", batch: { type: "reserveRequestWeight", weight: 1000 } });
    const batch: ActionBatch = { type: "reserveRequestWeight", weight: 1000 };
    const ok = step(s, { kind: "executor", event: { kind: "result", batch, result: { ok: true, type: "reserveRequestWeight" }, time: T0 + 300, latencyMs: 300 } }, T0 + 300);
    expect(ok.commands).toContainEqual({ kind: "volume", usd: 1000 });
    expect(ok.events).toContainEqual({ type: "reserve", state: "bought", weight: 1000, usdToday: 0.5, reason: null, error: null, time: T0 + 300 });
    // the cap for the day is spent: one refusal event, not one per input
    const r1 = step(s, { kind: "quota", state: quota(0.12, T0 + 1000) }, T0 + 1000);
    const r2 = step(s, { kind: "tick" }, T0 + 1250);
    expect([...r1.events, ...r2.events].filter((e) => e.type === "reserve")).toMatchObject([{ state: "refused", reason: "dailyCap" }]);
    expect(s.metrics.reserveRefusals.dailyCap).toBe(1);
    expect(s.metrics.reserveUsdSpent).toBe(0.5);
  });
});

describe("the quota ledger and a purchase", () => {
  it("lets the purchase through while the breaker is open (one address request, IP weight 1); a confirmed 1000 closes it", () => {
    const l = new QuotaLedger({ addressInitialBuffer: 1000 }, { cumVlm: 0, nRequestsUsed: 950, nRequestsCap: 1000, nRequestsSurplus: 0 });
    const place: ActionBatch = { type: "order", orders: [{ asset: "BTC", isBuy: true, px: 1, sz: 1, tif: "Alo", reduceOnly: false, cloid: "0x" + "1".padStart(32, "0") }] };
    expect(l.decide(place, T0)).toEqual({ kind: "refuse", reason: "breaker" });
    const buy: ActionBatch = { type: "reserveRequestWeight", weight: 1000 };
    expect(l.tryConsume(buy, T0)).toEqual({ kind: "allow", slot: false });
    expect(l.used).toBe(951);
    expect(l.ipUsed(T0)).toBe(1);
    expect(l.usage.get("*")?.requests).toBe(1);
    l.addVolume(1000); // the core's volume command for what was bought
    expect(l.updateBreaker(T0).address).toBeCloseTo((2000 - 951) / 2000);
    expect(l.breakerOpen).toBe(false);
    expect(l.decide(place, T0)).toEqual({ kind: "allow", slot: false });
  });

  it("lets it through the rate-limited regime too, without using the one-request slot", () => {
    const l = new QuotaLedger({ addressInitialBuffer: 1000 });
    l.onAnswer(false, true, T0, () => 0.5);
    const place: ActionBatch = { type: "order", orders: [{ asset: "BTC", isBuy: true, px: 1, sz: 1, tif: "Alo", reduceOnly: false, cloid: "0x" + "2".padStart(32, "0") }] };
    expect(l.decide(place, T0 + 1)).toEqual({ kind: "refuse", reason: "limited" });
    expect(l.tryConsume({ type: "reserveRequestWeight", weight: 1000 }, T0 + 1)).toEqual({ kind: "allow", slot: false });
    expect(l.nextSlotAt).toBe(T0 + 10_000);
  });

  it("refuses it only when the IP window cannot take weight 1", () => {
    const l = new QuotaLedger({ ipWeightLimit: 10 });
    l.addInfoWeight(10, T0);
    expect(l.decide({ type: "reserveRequestWeight", weight: 1000 }, T0)).toEqual({ kind: "refuse", reason: "reserve" });
    expect(l.decide({ type: "reserveRequestWeight", weight: 1000 }, T0 + 60_000)).toEqual({ kind: "allow", slot: false });
  });
});
