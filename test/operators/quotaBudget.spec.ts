import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  DEFAULT_QUOTA_BUDGET_CONFIG,
  QuotaLedger,
  quotaAddressCap,
  quotaBackoffMs,
  quotaCancelLimit,
  quotaIpWeight,
} from "../../operators/index.js";
import type { ActionBatch, OrderSpec } from "../../streams/index.js";

const spec = (i: number): OrderSpec => ({ asset: i % 3 === 0 ? "ETH" : "BTC", isBuy: true, px: 100, sz: 1, tif: "Alo", reduceOnly: false, cloid: "0x" + "0".repeat(32) });

const batches = new Map<string, ActionBatch>();
/** Batches are immutable: build each (kind, n) once. */
function batch(kind: "order" | "batchModify" | "cancel" | "cancelByCloid", n: number): ActionBatch {
  const key = `${kind}:${n}`;
  let b = batches.get(key);
  if (b === undefined) {
    b = makeBatch(kind, n);
    batches.set(key, b);
  }
  return b;
}

function makeBatch(kind: "order" | "batchModify" | "cancel" | "cancelByCloid", n: number): ActionBatch {
  const idx = Array.from({ length: n }, (_, i) => i);
  switch (kind) {
    case "order":
      return { type: "order", orders: idx.map(spec) };
    case "batchModify":
      return { type: "batchModify", modifies: idx.map((i) => ({ oid: i, order: spec(i) })) };
    case "cancel":
      return { type: "cancel", cancels: idx.map((i) => ({ asset: spec(i).asset, oid: i })) };
    case "cancelByCloid":
      return { type: "cancelByCloid", cancels: idx.map((i) => ({ asset: spec(i).asset, cloid: spec(i).cloid })) };
  }
}

function isCancel(k: string): boolean {
  return k === "cancel" || k === "cancelByCloid";
}
const isCancelKind = isCancel;

const step = fc.record({
  kind: fc.constantFrom("order", "batchModify", "cancel", "cancelByCloid") as fc.Arbitrary<"order" | "batchModify" | "cancel" | "cancelByCloid">,
  n: fc.integer({ min: 1, max: 400 }),
  // mostly bursts (nearby milliseconds) so the 1200/min IP window really fills up
  dt: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 20 }), weight: 8 }, { arbitrary: fc.integer({ min: 0, max: 3_000 }), weight: 1 }),
});

/** Placement-heavy traffic with rare small cancels: the case where starvation would show. */
const pressure = fc.oneof(
  { arbitrary: step.filter((s) => !isCancel(s.kind)), weight: 19 },
  {
    arbitrary: fc.record({
      kind: fc.constantFrom("cancel", "cancelByCloid") as fc.Arbitrary<"cancel" | "cancelByCloid">,
      n: fc.integer({ min: 1, max: 39 }),
      dt: fc.integer({ min: 0, max: 20 }),
    }),
    weight: 1,
  },
);

describe("quota accounting (FACTS §9)", () => {
  it("weighs an exchange request 1 + floor(n / 40) on the IP budget and n on the address budget", () => {
    expect([0, 1, 39, 40, 79, 80].map(quotaIpWeight)).toEqual([1, 1, 1, 2, 2, 3]);
    fc.assert(
      fc.property(fc.array(fc.record({ kind: step.map((s) => s.kind), n: fc.integer({ min: 1, max: 200 }) }), { minLength: 5, maxLength: 60 }), (steps) => {
        // limits out of the way: every batch is allowed, so the ledger must hold exactly the sums
        const ledger = new QuotaLedger({ ipWeightLimit: 1e9, breakerOpenBelow: 0, breakerCloseAt: 0 }, { cumVlm: 1e9, nRequestsCap: 1e9, nRequestsSurplus: 0, nRequestsUsed: 0 });
        let weight = 0;
        let count = 0;
        for (const s of steps) {
          expect(ledger.tryConsume(batch(s.kind, s.n), 0).kind).toBe("allow");
          weight += 1 + Math.floor(s.n / 40);
          count += s.n;
        }
        expect(ledger.ipUsed(0)).toBe(weight);
        expect(ledger.used).toBe(count);
        const perAsset = [...ledger.usage.values()].reduce((a, u) => a + u.requests, 0);
        expect(perAsset).toBe(count);
      }),
    );
  });

  it("derives the address cap and the cancel allowance as FACTS §9 states them", () => {
    expect(quotaAddressCap(0)).toBe(10_000);
    expect(quotaAddressCap(2_500.7)).toBe(12_500);
    expect(quotaCancelLimit(10_000)).toBe(20_000);
    expect(quotaCancelLimit(100_000)).toBe(200_000);
    expect(quotaCancelLimit(250_000)).toBe(350_000);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), (cap) => {
        const limit = quotaCancelLimit(cap);
        expect(limit).toBeGreaterThan(cap);
        expect(limit).toBeLessThanOrEqual(cap + 100_000);
        expect(limit).toBeLessThanOrEqual(2 * cap);
      }),
    );
  });

  // With the defaults the breaker (placements stop below 10% headroom) adds to the guarantee; the
  // second run switches it off to show the 5% reserve alone is enough.
  it.each([
    ["with the default breaker", {}],
    ["with the breaker switched off", { breakerOpenBelow: 0, breakerCloseAt: 0 }],
  ])("never starves cancels (%s): whatever placements do, cancels inside the reserve are allowed at once", (_label, config) => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 300_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.oneof(fc.array(step, { minLength: 300, maxLength: 700 }), fc.array(pressure, { minLength: 300, maxLength: 700 })),
        (cap, usedFraction, steps) => {
          const used0 = Math.floor(cap * usedFraction);
          const ledger = new QuotaLedger(config, { cumVlm: cap - 10_000, nRequestsCap: cap, nRequestsSurplus: 0, nRequestsUsed: used0 });
          const c = DEFAULT_QUOTA_BUDGET_CONFIG;
          // what placements can never touch
          const addressFloor = Math.max(used0, (1 - c.reserveFraction) * cap);
          const cancelIpShare = c.reserveFraction * c.ipWeightLimit;
          let now = 0;
          let cancelsUsed = 0;
          const cancelWindow: { t: number; w: number }[] = [];
          for (const s of steps) {
            now += s.dt;
            const b = batch(s.kind, s.n);
            while (cancelWindow.length > 0 && cancelWindow[0]!.t <= now - c.ipWindowMs) cancelWindow.shift();
            const cancelW = cancelWindow.reduce((a, e) => a + e.w, 0);
            const d = ledger.tryConsume(b, now);
            if (isCancelKind(s.kind)) {
              const w = quotaIpWeight(s.n);
              const withinReserve = addressFloor + cancelsUsed + s.n <= quotaCancelLimit(cap) && cancelW + w <= cancelIpShare;
              if (withinReserve && d.kind !== "allow") expect(d.kind).toBe("allow");
              if (d.kind === "allow") {
                cancelsUsed += s.n;
                cancelWindow.push({ t: now, w });
              }
            } else if (d.kind === "wait") {
              expect.fail("a placement must be allowed or refused, never held");
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("never lets an allowed action overdraw a budget, and headroom stays in [0, 1]", () => {
    const op = fc.oneof(
      step.map((s) => ({ op: "batch" as const, ...s })),
      fc.record({ op: fc.constant("volume" as const), usdc: fc.double({ min: -100, max: 5_000, noNaN: true }), dt: fc.integer({ min: 0, max: 1_000 }) }),
      fc.record({ op: fc.constant("answer" as const), cancel: fc.boolean(), rateLimited: fc.boolean(), dt: fc.integer({ min: 0, max: 20_000 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 500, max: 100_000 }), fc.array(op, { minLength: 50, maxLength: 300 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (cap, ops, r) => {
        const ledger = new QuotaLedger({}, { cumVlm: 0, nRequestsCap: cap, nRequestsSurplus: 0, nRequestsUsed: 0 });
        let now = 0;
        for (const o of ops) {
          now += o.dt;
          if (o.op === "volume") {
            const before = ledger.cap;
            const ok = ledger.addVolume(o.usdc);
            if (!ok) expect(ledger.cap).toBe(before);
            continue;
          }
          if (o.op === "answer") {
            ledger.onAnswer(o.cancel, o.rateLimited, now, () => r);
            continue;
          }
          const b = batch(o.kind, o.n);
          const ipBefore = ledger.ipUsed(now);
          const usedBefore = ledger.used;
          const d = ledger.tryConsume(b, now);
          if (d.kind === "allow") {
            expect(ipBefore + quotaIpWeight(o.n)).toBeLessThanOrEqual(DEFAULT_QUOTA_BUDGET_CONFIG.ipWeightLimit);
            expect(ledger.used).toBeLessThanOrEqual(Math.max(usedBefore, ledger.cancelLimit()));
          }
          expect(ledger.cancelLimit() - ledger.used).toBeGreaterThanOrEqual(0);
          expect(ledger.ipUsed(now)).toBeGreaterThanOrEqual(0);
          const h = ledger.headroom(now);
          for (const v of [h.headroom, h.ip, h.address]) {
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(1);
          }
        }
      }),
    );
  });

  it("placements never use the last 5% of either budget", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000, max: 100_000 }), fc.array(step, { minLength: 50, maxLength: 300 }), (cap, steps) => {
        const ledger = new QuotaLedger({ breakerOpenBelow: 0, breakerCloseAt: 0 }, { cumVlm: 0, nRequestsCap: cap, nRequestsSurplus: 0, nRequestsUsed: 0 });
        let now = 0;
        for (const s of steps) {
          now += s.dt;
          const ipBefore = ledger.ipUsed(now);
          const usedBefore = ledger.used;
          const d = ledger.tryConsume(batch(s.kind, s.n), now);
          if (d.kind === "allow" && !isCancelKind(s.kind)) {
            expect(usedBefore + s.n).toBeLessThanOrEqual(0.95 * cap);
            expect(ipBefore + quotaIpWeight(s.n)).toBeLessThanOrEqual(0.95 * 1_200);
          }
        }
      }),
    );
  });

  it("keeps the breaker's hysteresis: open only below 10%, closed only at or above 15%", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000, max: 50_000 }), fc.array(fc.oneof(step, step.map((s) => ({ ...s, n: -s.n * 10 }))), { minLength: 50, maxLength: 200 }), (cap, steps) => {
        const ledger = new QuotaLedger({}, { cumVlm: 0, nRequestsCap: cap, nRequestsSurplus: 0, nRequestsUsed: Math.floor(cap * 0.8) });
        let now = 0;
        let wasOpen = false;
        for (const s of steps) {
          now += s.dt;
          if (s.n < 0) ledger.addVolume(-s.n);
          else ledger.tryConsume(batch(s.kind, s.n), now);
          const h = ledger.updateBreaker(now).headroom;
          if (ledger.breakerOpen && !wasOpen) expect(h).toBeLessThan(0.1);
          if (!ledger.breakerOpen && wasOpen) expect(h).toBeGreaterThanOrEqual(0.15);
          if (ledger.breakerOpen) expect(h).toBeLessThan(0.15);
          else expect(h).toBeGreaterThanOrEqual(0.1);
          wasOpen = ledger.breakerOpen;
        }
      }),
    );
  });

  it("backs off 10 s, then 30 s, 60 s, 120 s … 600 s, each within ±50% jitter", () => {
    expect(quotaBackoffMs(1, () => 0.9)).toBe(10_000);
    expect([2, 3, 4, 5, 6, 7, 8].map((k) => quotaBackoffMs(k, () => 0.5))).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 600_000, 600_000]);
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (k, r) => {
        const base = Math.min(30_000 * 2 ** (k - 2), 600_000);
        const d = quotaBackoffMs(k, () => r);
        expect(d).toBeGreaterThanOrEqual(0.5 * base);
        expect(d).toBeLessThanOrEqual(1.5 * base);
      }),
    );
  });

  it("escalates only when a request sent in the limited regime is refused again, not on in-flight answers", () => {
    const ledger = new QuotaLedger();
    ledger.onAnswer(false, true, 0, () => 0.5);
    ledger.onAnswer(false, true, 300, () => 0.5);
    expect(ledger.exhaustions).toBe(1);
    expect(ledger.nextSlotAt).toBe(10_000);
    expect(ledger.tryConsume(batch("order", 1), 5_000)).toEqual({ kind: "refuse", reason: "limited" });
    expect(ledger.tryConsume(batch("cancel", 1), 5_000).kind).toBe("allow");
    expect(ledger.tryConsume(batch("order", 1), 10_000)).toEqual({ kind: "allow", slot: true });
    ledger.onAnswer(false, true, 10_300, () => 0.5);
    expect(ledger.exhaustions).toBe(2);
    expect(ledger.nextSlotAt).toBe(10_300 + 30_000);
    // a quiet period longer than backoffResetMs starts over
    ledger.onAnswer(false, false, 50_000, () => 0.5);
    ledger.onAnswer(false, true, 50_000 + 600_000, () => 0.5);
    expect(ledger.exhaustions).toBe(1);
  });

  it("refundInfoWeight: the IP window equals a model's (every charge in its 60 s, less the refunded ones), whatever the order of charges, refunds and time", () => {
    type Op = { kind: "add" | "refund" | "wait"; w: number; pick: number; dt: number };
    const op = fc.record({ kind: fc.constantFrom<"add" | "refund" | "wait">("add", "add", "refund", "wait"), w: fc.integer({ min: 0, max: 40 }), pick: fc.nat(), dt: fc.integer({ min: 0, max: 30_000 }) });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 300 }), (ops: Op[]) => {
        const ledger = new QuotaLedger({ ipWindowMs: 60_000 });
        const model: { at: number; w: number; refunded: boolean }[] = [];
        let now = 0;
        for (const o of ops) {
          if (o.kind === "wait") now += o.dt;
          else if (o.kind === "add") {
            ledger.addInfoWeight(o.w, now);
            model.push({ at: now, w: o.w, refunded: false });
          } else if (model.length > 0) {
            const m = model[o.pick % model.length]!;
            const got = ledger.refundInfoWeight(m.w, m.at, now);
            // charges of the same time and weight are interchangeable: the model refunds one still held in the window
            const twin = model.find((x) => x.at === m.at && x.w === m.w && !x.refunded && x.at > now - 60_000 && x.w > 0);
            expect(got).toBe(twin !== undefined);
            if (twin) twin.refunded = true;
          }
          const want = model.filter((x) => x.at > now - 60_000 && !x.refunded).reduce((a, x) => a + x.w, 0);
          expect(ledger.ipUsed(now)).toBe(want);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("changes nothing on a bad snapshot, volume or info weight", () => {
    const ledger = new QuotaLedger({}, { cumVlm: 0, nRequestsCap: 10_000, nRequestsSurplus: 0, nRequestsUsed: 5 });
    expect(ledger.applySnapshot({ cumVlm: 0, nRequestsCap: Number.NaN, nRequestsSurplus: 0, nRequestsUsed: 1 })).toBe(false);
    expect(ledger.addVolume(-1)).toBe(false);
    expect(ledger.addInfoWeight(Number.POSITIVE_INFINITY, 0)).toBe(false);
    expect([ledger.cap, ledger.used, ledger.ipUsed(0)]).toEqual([10_000, 5, 0]);
  });
});
