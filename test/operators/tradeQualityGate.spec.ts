import { describe, expect, it } from "vitest";
import { tradeQualityGate, type TradeQualityRejectReason } from "../../operators/index.js";
import type { TradeEvent } from "../../streams/index.js";
import { marbles } from "../marbles.js";

const trade = (time: number, over: Partial<TradeEvent> = {}): TradeEvent => ({ asset: "BTC", time, tid: time, px: 100, sz: 1, side: "buy", ...over });

describe("tradeQualityGate", () => {
  it(
    "drops a trade stamped an hour ahead of the local clock and reports it; the trades around it pass",
    marbles((m) => {
      const rejected: string[] = [];
      const source = m.cold("  -a-b-c-|", { a: trade(0), b: trade(3 + 3_600_000), c: trade(5) });
      const subs = "           ^------!";
      m.expect(source.pipe(tradeQualityGate({ maxClockSkewMs: 5000, onReject: (r, t) => rejected.push(`${r}@${t.time}`) }, m.scheduler))).toBeObservable("-a---c-|", { a: trade(0), c: trade(5) });
      m.expect(source).toHaveSubscriptions(subs);
      m.flush();
      expect(rejected).toEqual([`FutureTimestamp@${3 + 3_600_000}`]);
    }),
  );

  it(
    "at the threshold: 5000 ms ahead passes, 5001 ms ahead is dropped",
    marbles((m) => {
      const source = m.cold("-a-b|", { a: trade(1 + 5000), b: trade(3 + 5001) });
      m.expect(source.pipe(tradeQualityGate({ maxClockSkewMs: 5000 }, m.scheduler))).toBeObservable("-a--|", { a: trade(5001) });
    }),
  );

  it(
    "drops non-positive or non-finite prices and sizes",
    marbles((m) => {
      const reasons: TradeQualityRejectReason[] = [];
      const source = m.cold("-a-b-c|", { a: trade(0, { px: 0 }), b: trade(0, { sz: Number.NaN }), c: trade(0) });
      m.expect(source.pipe(tradeQualityGate({ maxClockSkewMs: 5000, onReject: (r) => reasons.push(r) }, m.scheduler))).toBeObservable("-----c|", { c: trade(0) });
      m.flush();
      expect(reasons).toEqual(["BadPrice", "BadSize"]);
    }),
  );

  it(
    "passes empty, never and errors through, and unsubscribes",
    marbles((m) => {
      m.expect(m.cold<TradeEvent>("|").pipe(tradeQualityGate({ maxClockSkewMs: 0 }, m.scheduler))).toBeObservable("|");
      m.expect(m.cold<TradeEvent>("-").pipe(tradeQualityGate({ maxClockSkewMs: 0 }, m.scheduler))).toBeObservable("-");
      m.expect(m.cold<TradeEvent>("-#").pipe(tradeQualityGate({ maxClockSkewMs: 0 }, m.scheduler))).toBeObservable("-#");
      const source = m.cold("-a-a-a-", { a: trade(0) });
      m.expect(source.pipe(tradeQualityGate({ maxClockSkewMs: 0 }, m.scheduler)), "^--!").toBeObservable("-a-", { a: trade(0) });
      m.expect(source).toHaveSubscriptions("^--!");
    }),
  );

  it(
    "a throwing onReject errors the stream",
    marbles((m) => {
      const boom = new Error("boom");
      const source = m.cold("-a|", { a: trade(1e9) });
      const gate = tradeQualityGate({
        maxClockSkewMs: 0,
        onReject: () => {
          throw boom;
        },
      }, m.scheduler);
      m.expect(source.pipe(gate)).toBeObservable("-#", undefined, boom);
    }),
  );

  it("refuses a negative skew", () => {
    expect(() => tradeQualityGate({ maxClockSkewMs: -1 })).toThrow(/maxClockSkewMs must be ≥ 0/);
  });
});
