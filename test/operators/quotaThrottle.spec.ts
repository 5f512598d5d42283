import { describe, expect, it } from "vitest";
import { distinctUntilChanged, map } from "rxjs";
import { createQuotaThrottleHandle, quotaThrottle, type QuotaAnswer, type QuotaRefusal } from "../../operators/index.js";
import type { ActionBatch, OrderSpec, RateLimitSnapshot } from "../../streams/index.js";
import { marbles } from "../marbles.js";

function order(i: number, asset = "BTC"): OrderSpec {
  return { asset, isBuy: i % 2 === 0, px: 100 + i, sz: 1, tif: "Alo", reduceOnly: false, cloid: `0x${i.toString(16).padStart(32, "0")}` };
}
const orders = (n: number, asset = "BTC"): ActionBatch => ({ type: "order", orders: Array.from({ length: n }, (_, i) => order(i, asset)) });
const cancels = (n: number, asset = "BTC"): ActionBatch => ({ type: "cancel", cancels: Array.from({ length: n }, (_, i) => ({ asset, oid: i + 1 })) });
const snapshot = (used: number, cap = 10_000): RateLimitSnapshot => ({ cumVlm: cap - 10_000, nRequestsUsed: used, nRequestsCap: cap, nRequestsSurplus: 0 });

describe("quotaThrottle", () => {
  it(
    "lets batches through in order on a fresh address (happy path)",
    marbles((m) => {
      const values = { p: orders(3), c: cancels(2), s: { type: "scheduleCancel", time: null } as ActionBatch };
      const source = m.cold("  -p-c-s-|", values);
      const handle = createQuotaThrottleHandle();
      m.expect(source.pipe(quotaThrottle({ handle }, m.scheduler))).toBeObservable("-p-c-s-|", values);
      m.expect(source).toHaveSubscriptions("^------!");
      m.flush();
      expect(handle.counts.allowed).toBe(3);
      expect(handle.ledger?.used).toBe(6);
      expect(handle.byAsset.get("BTC")?.requests).toBe(5);
      expect(handle.byAsset.get("*")?.requests).toBe(1);
    }),
  );

  it(
    "lets cancels pass while refusing placements that would eat into the 5% reserve",
    marbles((m) => {
      const refused: [string, QuotaRefusal][] = [];
      const handle = createQuotaThrottleHandle();
      const values = { p: orders(5), P: orders(20), c: cancels(3), C: cancels(30) };
      const source = m.cold("  -p-c-P-C-p-|", values);
      // used 9,490 of 10,000: p (5) reaches 9,495 ≤ 9,500; P (20) would reach 9,515 > 9,500.
      // The breaker is set below the reserve here to isolate the reserve rule.
      const throttle = quotaThrottle(
        { seed: snapshot(9_490), config: { breakerOpenBelow: 0.01, breakerCloseAt: 0.02 }, handle, onRefused: (b, r) => refused.push([b.type, r]) },
        m.scheduler,
      );
      m.expect(source.pipe(throttle)).toBeObservable("-p-c---C---|", values);
      m.flush();
      expect(refused).toEqual([
        ["order", "reserve"],
        ["order", "reserve"],
      ]);
      expect(handle.counts.refusedByReason.reserve).toBe(2);
      expect(handle.ledger?.used).toBe(9_490 + 5 + 3 + 30);
      expect(handle.byAsset.get("BTC")?.refused).toBe(2);
    }),
  );

  it(
    "opens the breaker below 10% headroom (placements refused, cancels pass) and reports it as a gate reason",
    marbles((m) => {
      const handle = createQuotaThrottleHandle();
      const values = { p: orders(1), c: cancels(1) };
      const source = m.cold("  -p-c-|", values);
      const volume = m.hot("   ---------v", { v: 3_000 });
      m.expect(source.pipe(quotaThrottle({ seed: snapshot(9_100), handle, feedback: { volume$: volume } }, m.scheduler))).toBeObservable(
        "---c-|",
        values,
      );
      m.expect(
        handle.state$.pipe(
          map((s) => (s.reason?.kind === "QuotaBreaker" ? `open@${s.reason.threshold}` : "closed")),
          distinctUntilChanged(),
        ),
      ).toBeObservable("o", { o: "open@0.1" });
      m.flush();
      expect(handle.counts.refusedByReason.breaker).toBe(1);
      expect(handle.state.breakerOpen).toBe(true);
    }),
  );

  it(
    "closes the breaker with hysteresis when traded volume raises the cap",
    marbles((m) => {
      const handle = createQuotaThrottleHandle();
      const volume = m.hot("   --a---b", { a: 600, b: 1_000 });
      const source = m.hot("   -p--p---p|", { p: orders(1) });
      // used 9,100 of 10,000 (9%): open. +600 → 10,600 cap, 14.2% < 15%: still open. +1,000 → 11,600, 21.6%: closed.
      const throttle = quotaThrottle({ seed: snapshot(9_100), handle, feedback: { volume$: volume } }, m.scheduler);
      m.expect(source.pipe(throttle)).toBeObservable("--------p|", { p: orders(1) });
      m.expect(handle.state$.pipe(map((s) => s.breakerOpen), distinctUntilChanged())).toBeObservable("o-----c", { o: true, c: false });
    }),
  );

  it(
    "holds cancels in order for the IP window, refuses placements behind them, and completes after the last one",
    marbles((m) => {
      const handle = createQuotaThrottleHandle();
      const values = { a: cancels(1), b: cancels(2), c: cancels(3), p: orders(1) };
      const source = m.cold("  a-b-cp|", values);
      // ipWeightLimit 2 per 10 ms: a and b fill it, c waits until a leaves the window at 10.
      const throttle = quotaThrottle({ config: { ipWeightLimit: 2, ipWindowMs: 10, breakerOpenBelow: 0, breakerCloseAt: 0 }, handle }, m.scheduler);
      m.expect(source.pipe(throttle)).toBeObservable("a-b-------(c|)", values);
      m.flush();
      expect(handle.counts.cancelsDelayed).toBe(1);
      expect(handle.counts.refusedByReason.cancelsQueued).toBe(1);
    }),
  );

  it(
    "after a rate-limited answer allows one placement per interval, cancels unaffected",
    marbles((m) => {
      const handle = createQuotaThrottleHandle();
      const values = { p: orders(1), c: cancels(1) };
      const answers = m.hot("  -r-r", { r: { batch: orders(1), rateLimited: true } as QuotaAnswer });
      const source = m.hot("   --p-c-p----p-p|", values);
      // answer at 1 → next slot at 11 (interval 10); the second answer at 3 was in flight: no escalation.
      const throttle = quotaThrottle({ config: { limitedIntervalMs: 10 }, handle, feedback: { answers$: answers } }, m.scheduler);
      m.expect(source.pipe(throttle)).toBeObservable("----c------p--|", values);
      m.flush();
      expect(handle.counts.refusedByReason.limited).toBe(3);
    }),
  );

  it(
    "backs off 30, 60 … with jitter from the injected random source on repeated exhaustion",
    marbles((m) => {
      const handle = createQuotaThrottleHandle();
      const r: QuotaAnswer = { batch: orders(1), rateLimited: true };
      const answers = m.hot("  -r----------r", { r });
      const source = m.hot("   -----------p-p 20ms p-p|", { p: orders(1) });
      // r at 1: slot at 11; p at 11 uses it; r at 12 (the slot request refused again): exhaustion 2 →
      // 30 ms × (0.5 + random()) with random() = 0.25 → 22.5 ms → next slot at 34.5.
      const config = { limitedIntervalMs: 10, backoffBaseMs: 30, backoffMaxMs: 600, backoffJitter: 0.5 };
      const throttle = quotaThrottle({ config, handle, random: () => 0.25, feedback: { answers$: answers } }, m.scheduler);
      // p at 13 refused; p at 34 refused (34 < 34.5), p at 36 allowed
      m.expect(source.pipe(throttle)).toBeObservable("-----------p 24ms p|", { p: orders(1) });
      m.flush();
      expect(handle.ledger?.exhaustions).toBe(2);
    }),
  );

  it(
    "a normal answer ends the rate-limited regime",
    marbles((m) => {
      const answers = m.hot("  -r-o", { r: { batch: orders(1), rateLimited: true }, o: { batch: orders(1), rateLimited: false } });
      const source = m.hot("   --p--p|", { p: orders(1) });
      const throttle = quotaThrottle({ config: { limitedIntervalMs: 10 }, feedback: { answers$: answers } }, m.scheduler);
      m.expect(source.pipe(throttle)).toBeObservable("-----p|", { p: orders(1) });
    }),
  );

  it(
    "adopts a userRateLimit snapshot (venue truth) and counts invalid feedback without a state change",
    marbles((m) => {
      const handle = createQuotaThrottleHandle();
      const snaps = m.hot("  --s", { s: snapshot(9_990) });
      const volume = m.hot(" -n", { n: Number.NaN });
      const source = m.hot(" p--p|", { p: orders(1) });
      const throttle = quotaThrottle({ handle, feedback: { rateLimit$: snaps, volume$: volume } }, m.scheduler);
      m.expect(source.pipe(throttle)).toBeObservable("p---|", { p: orders(1) });
      m.flush();
      expect(handle.counts.invalidFeedback).toBe(1);
      expect(handle.ledger?.cap).toBe(10_000);
      expect(handle.ledger?.used).toBe(9_990);
    }),
  );

  it(
    "counts info requests against the IP window",
    marbles((m) => {
      const info = m.hot("   -w", { w: 1_150 });
      const source = m.hot(" --p|", { p: orders(1) });
      // 1,150 of 1,200 used by info: under 10% headroom → breaker; the placement is refused
      const handle = createQuotaThrottleHandle();
      m.expect(source.pipe(quotaThrottle({ handle, feedback: { infoWeight$: info } }, m.scheduler))).toBeObservable("---|");
      m.flush();
      expect(handle.counts.refusedByReason.breaker).toBe(1);
    }),
  );

  it(
    "completes on an empty source",
    marbles((m) => {
      const source = m.cold("|");
      m.expect(source.pipe(quotaThrottle({}, m.scheduler))).toBeObservable("|");
      m.expect(source).toHaveSubscriptions("(^!)");
    }),
  );

  it(
    "stays silent on a never source",
    marbles((m) => {
      const source = m.cold("-");
      m.expect(source.pipe(quotaThrottle({}, m.scheduler))).toBeObservable("-");
    }),
  );

  it(
    "passes source and feedback errors through",
    marbles((m) => {
      const source = m.cold("  -p-#", { p: orders(1) }, new Error("reconciler"));
      m.expect(source.pipe(quotaThrottle({}, m.scheduler))).toBeObservable("-p-#", { p: orders(1) }, new Error("reconciler"));
      const answers = m.hot("  --#", {}, new Error("executor"));
      const other = m.hot("    p----", { p: orders(1) });
      m.expect(other.pipe(quotaThrottle({ feedback: { answers$: answers } }, m.scheduler))).toBeObservable("p-#", { p: orders(1) }, new Error("executor"));
      m.expect(other).toHaveSubscriptions("^-!");
    }),
  );

  it(
    "errors when onRefused throws",
    marbles((m) => {
      const source = m.cold("  -P-|", { P: orders(20) });
      const boom = new Error("log sink");
      const throttle = quotaThrottle({ seed: snapshot(9_490), onRefused: () => { throw boom; } }, m.scheduler);
      m.expect(source.pipe(throttle)).toBeObservable("-#", {}, boom);
    }),
  );

  it(
    "unsubscribes from the source, the feedback and its timers when the consumer unsubscribes",
    marbles((m) => {
      const answers = m.hot("  -------", {});
      const source = m.hot("   a-b-c-", { a: cancels(1), b: cancels(1), c: cancels(1) });
      const throttle = quotaThrottle({ config: { ipWeightLimit: 2, ipWindowMs: 10, breakerOpenBelow: 0, breakerCloseAt: 0 }, feedback: { answers$: answers } }, m.scheduler);
      // c waits for the window at 10, but the consumer leaves at 6: nothing more
      m.expect(source.pipe(throttle), "^-----!").toBeObservable("a-b---", { a: cancels(1), b: cancels(1) });
      m.expect(source).toHaveSubscriptions("^-----!");
      m.expect(answers).toHaveSubscriptions("^-----!");
    }),
  );
});
