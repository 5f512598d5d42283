import { describe, expect, it } from "vitest";
import { Subject } from "rxjs";
import { createDataQualityStats, dataQualityGate, type DataQualityRejectReason } from "../../operators/index.js";
import type { BookEvent, MidEvent } from "../../streams/index.js";
import { marbles } from "../marbles.js";

function book(time: number, bid: number, ask: number, extra: Partial<BookEvent> = {}): BookEvent {
  return {
    asset: "BTC",
    time,
    bids: [{ px: bid, sz: 1, n: 1 }, { px: bid - 1, sz: 2, n: 3 }],
    asks: [{ px: ask, sz: 1, n: 1 }, { px: ask + 1, sz: 2, n: 3 }],
    ...extra,
  };
}
function withLevel(b: BookEvent, side: "bids" | "asks", px: number, sz: number): BookEvent {
  return { ...b, [side]: [...b[side], { px, sz, n: 1 }] };
}
const ref = (time: number, value: number, asset = "BTC"): MidEvent => ({ asset, time, mid: value });

describe("dataQualityGate", () => {
  it(
    "drops a book stamped an hour ahead of the local clock and never adopts it as latest: the true books after it pass",
    marbles((m) => {
      const stats = createDataQualityStats();
      const reasons: DataQualityRejectReason[] = [];
      const hourAhead = book(3 + 3_600_000, 99, 101);
      const source = m.cold("  -a-b-c-d-|", { a: book(1, 99, 101), b: hourAhead, c: book(5, 99, 101), d: book(7, 99.5, 101) });
      m.expect(source.pipe(dataQualityGate({ stats, maxClockSkewMs: 5_000, onReject: (r) => reasons.push(r) }, m.scheduler))).toBeObservable("-a---c-d-|", {
        a: book(1, 99, 101),
        c: book(5, 99, 101),
        d: book(7, 99.5, 101),
      });
      m.flush();
      expect(reasons).toEqual(["FutureTimestamp"]);
      expect(stats.byReason.FutureTimestamp).toBe(1);
      expect(stats.byReason.TimestampRegression).toBe(0);
    }),
  );

  it(
    "accepts a lead of exactly maxClockSkewMs and drops one millisecond more",
    marbles((m) => {
      const stats = createDataQualityStats();
      const source = m.cold("  -a-b-|", { a: book(1 + 5_000, 99, 101), b: book(3 + 5_001, 99, 101) });
      m.expect(source.pipe(dataQualityGate({ stats, maxClockSkewMs: 5_000 }, m.scheduler))).toBeObservable("-a---|", { a: book(5_001, 99, 101) });
      m.flush();
      expect(stats.byReason.FutureTimestamp).toBe(1);
    }),
  );

  it("refuses a negative maxClockSkewMs", () => {
    expect(() => dataQualityGate({ maxClockSkewMs: -1 })).toThrow(/maxClockSkewMs must be ≥ 0/);
  });

  it(
    "passes sane books and counts them (happy path)",
    marbles((m) => {
      const stats = createDataQualityStats();
      const source = m.cold("  -a-b-c-|", { a: book(1, 99, 101), b: book(2, 99.5, 101), c: book(2, 99, 100.5) });
      m.expect(source.pipe(dataQualityGate({ stats }))).toBeObservable("-a-b-c-|", {
        a: book(1, 99, 101),
        b: book(2, 99.5, 101),
        c: book(2, 99, 100.5),
      });
      m.expect(source).toHaveSubscriptions("^------!");
      m.flush();
      expect(stats.accepted).toBe(3);
      expect(stats.rejected).toBe(0);
    }),
  );

  it(
    "drops non-finite, zero and negative prices and sizes, by reason",
    marbles((m) => {
      const stats = createDataQualityStats();
      const ok = book(1, 99, 101);
      const values = {
        a: ok,
        n: withLevel(ok, "bids", Number.NaN, 1),
        i: withLevel(ok, "asks", Number.POSITIVE_INFINITY, 1),
        z: withLevel(ok, "bids", 0, 1),
        g: withLevel(ok, "asks", -1, 1),
        s: withLevel(ok, "bids", 98, 0),
        t: withLevel(ok, "asks", 102, -2),
        u: withLevel(ok, "asks", 102, Number.NaN),
        b: book(2, 99, 101),
      };
      const source = m.cold("  a-n-i-z-g-s-t-u-b|", values);
      m.expect(source.pipe(dataQualityGate({ stats }))).toBeObservable("a---------------b|", { a: ok, b: values.b });
      m.flush();
      expect(stats.byReason.BadPrice).toBe(4);
      expect(stats.byReason.BadSize).toBe(3);
      expect(stats.rejected).toBe(7);
      expect(stats.accepted).toBe(2);
    }),
  );

  it(
    "drops a timestamp regression (equal times pass) and keeps the last good time",
    marbles((m) => {
      const stats = createDataQualityStats();
      const values = { a: book(10, 99, 101), e: book(10, 99, 101), r: book(9, 99, 101), b: book(11, 99, 101) };
      const source = m.cold("  a-e-r-b|", values);
      m.expect(source.pipe(dataQualityGate({ stats }))).toBeObservable("a-e---b|", values);
      m.flush();
      expect(stats.byReason.TimestampRegression).toBe(1);
    }),
  );

  it(
    "drops a sequence gap, re-synchronises on it, and drops a sequence regression",
    marbles((m) => {
      const stats = createDataQualityStats();
      const b = (time: number, seq: number) => book(time, 99, 101, { seq });
      const values = { a: b(1, 1), c: b(2, 2), g: b(3, 5), h: b(4, 6), r: b(5, 6), o: b(6, 3), n: b(7, 7) };
      const source = m.cold("  a-c-g-h-r-o-n|", values);
      // g skips 3..4: dropped, expected becomes 6; h passes; r repeats 6 and o goes back: regressions.
      m.expect(source.pipe(dataQualityGate({ stats }))).toBeObservable("a-c---h-----n|", values);
      m.flush();
      expect(stats.byReason.SequenceGap).toBe(1);
      expect(stats.byReason.SequenceRegression).toBe(2);
    }),
  );

  it(
    "drops books whose top is more than 20% from the reference mid (19% passes, 21% does not)",
    marbles((m) => {
      const stats = createDataQualityStats();
      const reference = m.hot("  r------", { r: ref(0, 100) });
      const values = { a: book(1, 99, 101), p: book(2, 81, 119), f: book(3, 79, 101), g: book(4, 99, 121), b: book(5, 99.5, 100.5) };
      const source = m.hot("     -a-p-f-g-b|", values);
      m.expect(source.pipe(dataQualityGate({ reference, stats }))).toBeObservable("-a-p-----b|", values);
      m.flush();
      expect(stats.byReason.FarFromReference).toBe(2);
    }),
  );

  it(
    "uses the last accepted book's mid without a reference, and lets it expire after referenceMaxAgeMs",
    marbles((m) => {
      const values = { a: book(0, 99, 101), j: book(5, 129, 131), k: book(20, 129, 131) };
      const source = m.cold("  a-j-k|", values);
      // j: 30% from a's mid 5 ms later → dropped. k: a's mid is 20 ms old (> 10): no reference, accepted.
      m.expect(source.pipe(dataQualityGate({ referenceMaxAgeMs: 10 }))).toBeObservable("a---k|", values);
    }),
  );

  it(
    "ignores a stale external reference and matches references by asset",
    marbles((m) => {
      const reference = m.hot("  re-----", { r: ref(0, 50), e: ref(1, 100, "ETH") });
      const values = { a: book(20_000, 99, 101) };
      const source = m.hot("     ---a|", values);
      // the BTC reference (50) is 20 s older than the book: not used, and ETH's 100 is not BTC's
      m.expect(source.pipe(dataQualityGate({ reference }))).toBeObservable("---a|", values);
    }),
  );

  it(
    "calls onReject with the reason and the book, before the next book",
    marbles((m) => {
      const seen: [DataQualityRejectReason, number][] = [];
      const values = { a: book(2, 99, 101), r: book(1, 99, 101) };
      const source = m.cold("  a-r|", values);
      m.expect(source.pipe(dataQualityGate({ onReject: (reason, b) => seen.push([reason, b.time]) }))).toBeObservable("a--|", values);
      m.flush();
      expect(seen).toEqual([["TimestampRegression", 1]]);
    }),
  );

  it(
    "errors the stream when onReject throws",
    marbles((m) => {
      const boom = new Error("metrics down");
      const values = { a: book(2, 99, 101), r: book(1, 99, 101) };
      const source = m.cold("  a-r-a|", values);
      const onReject = () => {
        throw boom;
      };
      m.expect(source.pipe(dataQualityGate({ onReject }))).toBeObservable("a-#", values, boom);
      m.expect(source).toHaveSubscriptions("^-!");
    }),
  );

  it(
    "completes on an empty source",
    marbles((m) => {
      const source = m.cold("|");
      m.expect(source.pipe(dataQualityGate())).toBeObservable("|");
      m.expect(source).toHaveSubscriptions("(^!)");
    }),
  );

  it(
    "stays silent on a never source",
    marbles((m) => {
      const source = m.cold("-");
      m.expect(source.pipe(dataQualityGate())).toBeObservable("-");
      m.expect(source).toHaveSubscriptions("^");
    }),
  );

  it(
    "passes source and reference errors through",
    marbles((m) => {
      const source = m.cold("  a-#", { a: book(1, 99, 101) }, new Error("feed"));
      m.expect(source.pipe(dataQualityGate())).toBeObservable("a-#", { a: book(1, 99, 101) }, new Error("feed"));
      const reference = m.hot("  --#", {}, new Error("binance"));
      const other = m.hot("      a----", { a: book(1, 99, 101) });
      m.expect(other.pipe(dataQualityGate({ reference }))).toBeObservable("a-#", { a: book(1, 99, 101) }, new Error("binance"));
      m.expect(other).toHaveSubscriptions("^-!");
    }),
  );

  it(
    "unsubscribes from the source and the reference when the consumer unsubscribes",
    marbles((m) => {
      const reference = m.hot("  r------", { r: ref(0, 100) });
      const source = m.hot("     -a-b-c-", { a: book(1, 99, 101), b: book(2, 99, 101), c: book(3, 99, 101) });
      m.expect(source.pipe(dataQualityGate({ reference })), "^--!").toBeObservable("-a--", { a: book(1, 99, 101) });
      m.expect(source).toHaveSubscriptions("^--!");
      m.expect(reference).toHaveSubscriptions("^--!");
    }),
  );

  it("keeps state per subscription (a regression for one subscriber is a first book for another)", () => {
    const source = new Subject<BookEvent>();
    const gated = source.pipe(dataQualityGate());
    const first: number[] = [];
    const second: number[] = [];
    const s1 = gated.subscribe((v) => first.push(v.time));
    source.next(book(10, 99, 101));
    const s2 = gated.subscribe((v) => second.push(v.time));
    source.next(book(5, 99, 101));
    s1.unsubscribe();
    s2.unsubscribe();
    expect(first).toEqual([10]);
    expect(second).toEqual([5]);
  });

  it("rejects a non-positive maxDeviationFromMid", () => {
    expect(() => dataQualityGate({ maxDeviationFromMid: 0 })).toThrow(/maxDeviationFromMid/);
  });
});
