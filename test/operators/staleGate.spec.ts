import { describe, expect, it } from "vitest";
import { Subject, VirtualTimeScheduler } from "rxjs";
import { staleGate } from "../../operators/index.js";
import { emptyIntent, type QuoteIntent } from "../../streams/index.js";
import { marbles } from "../marbles.js";

function intent(time: number, px = 100, asset = "BTC"): QuoteIntent {
  return { asset, time, bids: [{ px, sz: 1, source: "base_ladder" }], asks: [{ px: px + 1, sz: 1, source: "base_ladder" }] };
}
const stale = (ageMs: number, thresholdMs: number) => ({ kind: "StaleData" as const, ageMs, thresholdMs });

describe("staleGate", () => {
  it(
    "passes intents while data is fresh (happy path)",
    marbles((m) => {
      const data = m.hot("   d-e-f-g-|", { d: { time: 0 }, e: { time: 2 }, f: { time: 4 }, g: { time: 6 } });
      const source = m.hot(" -a-b-c-|", { a: intent(1), b: intent(3), c: intent(5) });
      const expected = "     -a-b-c-|";
      m.expect(source.pipe(staleGate(data, { maxAgeMs: 10 }, m.scheduler))).toBeObservable(expected, {
        a: intent(1),
        b: intent(3),
        c: intent(5),
      });
      m.expect(source).toHaveSubscriptions("^------!");
      m.expect(data).toHaveSubscriptions("^------!");
    }),
  );

  it(
    "behaves as its doc diagram",
    marbles((m) => {
      const feed = m.hot("   --p-----q-----------------r----", { p: { time: 2 }, q: { time: 8 }, r: { time: 26 } });
      const source = m.hot(" a---b------c----------e------f|", { a: intent(0), b: intent(4), c: intent(11), e: intent(22), f: intent(29) });
      const expected = "     z-a-b------c------x-------e--f|";
      m.expect(source.pipe(staleGate(feed, { maxAgeMs: 10 }, m.scheduler))).toBeObservable(expected, {
        z: emptyIntent("BTC", 0, { kind: "NoDataReceived" }),
        a: intent(0),
        b: intent(4),
        c: intent(11),
        x: emptyIntent("BTC", 18, stale(10, 10)),
        e: intent(22),
        f: intent(29),
      });
    }),
  );

  it(
    "is open after 9,999 ms of silence and closes at exactly 10,000 ms, by timer",
    marbles((m) => {
      const data = m.hot("   d", { d: { time: 0 } });
      const source = m.hot(" -a 9997ms b 9999ms c", { a: intent(1), b: intent(9_999), c: intent(19_999) });
      const expected = "     -a 9997ms bx";
      m.expect(source.pipe(staleGate(data, { maxAgeMs: 10_000 }, m.scheduler))).toBeObservable(expected, {
        a: intent(1),
        b: intent(9_999),
        x: emptyIntent("BTC", 10_000, stale(10_000, 10_000)),
      });
    }),
  );

  it(
    "a value after 9,999 ms of silence keeps the gate open and moves the deadline",
    marbles((m) => {
      const data = m.hot("   d 9998ms e", { d: { time: 0 }, e: { time: 9_999 } });
      const source = m.hot(" -a 10001ms b", { a: intent(1), b: intent(10_003) });
      const expected = "     -a 10001ms b 9995ms x";
      m.expect(source.pipe(staleGate(data, { maxAgeMs: 10_000 }, m.scheduler))).toBeObservable(expected, {
        a: intent(1),
        b: intent(10_003),
        x: emptyIntent("BTC", 19_999, stale(10_000, 10_000)),
      });
    }),
  );

  it(
    "closes at once when data arrives with its own time maxAgeMs old, stays open at maxAgeMs − 1",
    marbles((m) => {
      // fresh by arrival, but the feed trickles old data: g is 9,999 ms old (open), o 10,000 ms (closed)
      const data = m.hot("   d---g---o---n", { d: { time: 0 }, g: { time: 4 - 9_999 }, o: { time: 8 - 10_000 }, n: { time: 12 } });
      const source = m.hot(" -a---b--c-e---|", { a: intent(1), b: intent(5), c: intent(8), e: intent(10) });
      const expected = "     -a---b--x---e-|";
      m.expect(source.pipe(staleGate(data, { maxAgeMs: 10_000 }, m.scheduler))).toBeObservable(expected, {
        a: intent(1),
        b: intent(5),
        x: emptyIntent("BTC", 8, stale(10_000, 10_000)),
        e: intent(10),
      });
    }),
  );

  it(
    "re-emits the latest intent the moment it reopens",
    marbles((m) => {
      const data = m.hot("   d-------------e", { d: { time: 0 }, e: { time: 14 } });
      const source = m.hot(" -a--b-------c-----f|", { a: intent(1), b: intent(4), c: intent(12), f: intent(18) });
      const expected = "     -a--b-----x---c---f|";
      m.expect(source.pipe(staleGate(data, { maxAgeMs: 10 }, m.scheduler))).toBeObservable(expected, {
        a: intent(1),
        b: intent(4),
        x: emptyIntent("BTC", 10, stale(10, 10)),
        c: intent(12),
        f: intent(18),
      });
    }),
  );

  it(
    "re-emits the pre-closing intent on reopening when nothing new arrived while closed",
    marbles((m) => {
      const data = m.hot("   d-------------e", { d: { time: 0 }, e: { time: 14 } });
      const source = m.hot(" -a-------------|", { a: intent(1) });
      const expected = "     -a--------x---a|";
      m.expect(source.pipe(staleGate(data, { maxAgeMs: 10 }, m.scheduler))).toBeObservable(expected, {
        a: intent(1),
        x: emptyIntent("BTC", 10, stale(10, 10)),
      });
    }),
  );

  it(
    "is closed until data first arrives (NoDataReceived, announced with the first intent)",
    marbles((m) => {
      const data = m.hot("   -----d", { d: { time: 5 } });
      const source = m.hot(" -a-b-----c|", { a: intent(1), b: intent(3), c: intent(9) });
      const expected = "     -z---b---c|";
      m.expect(source.pipe(staleGate(data, { maxAgeMs: 10 }, m.scheduler))).toBeObservable(expected, {
        z: emptyIntent("BTC", 1, { kind: "NoDataReceived" }),
        b: intent(3),
        c: intent(9),
      });
    }),
  );

  it(
    "closes for the data's own asset when no intent was seen yet",
    marbles((m) => {
      const data = m.hot("   d", { d: { time: 0, asset: "ETH" } });
      const source = m.hot(" -");
      const expected = "     10ms x";
      m.expect(source.pipe(staleGate(data, { maxAgeMs: 10 }, m.scheduler))).toBeObservable(expected, {
        x: emptyIntent("ETH", 10, stale(10, 10)),
      });
    }),
  );

  it(
    "announces a closing that happened before any asset was known with the first intent",
    marbles((m) => {
      const data = m.hot("   d", { d: { time: 0 } });
      const source = m.hot(" 12ms a", { a: intent(12) });
      const expected = "     12ms x";
      m.expect(source.pipe(staleGate(data, { maxAgeMs: 10 }, m.scheduler))).toBeObservable(expected, {
        x: emptyIntent("BTC", 12, stale(10, 10)),
      });
    }),
  );

  it(
    "completes with an empty intent source",
    marbles((m) => {
      const data = m.hot("   d-", { d: { time: 0 } });
      const source = m.cold("|");
      m.expect(source.pipe(staleGate(data, { maxAgeMs: 10 }, m.scheduler))).toBeObservable("|");
      m.expect(data).toHaveSubscriptions("(^!)");
    }),
  );

  it(
    "stays silent with a never intent source (no asset known, nothing to announce)",
    marbles((m) => {
      const data = m.cold("  -");
      const source = m.cold("-");
      m.expect(source.pipe(staleGate(data, { maxAgeMs: 10 }, m.scheduler))).toBeObservable("-");
    }),
  );

  it(
    "passes an intent-source error through and unsubscribes the data feed",
    marbles((m) => {
      const data = m.hot("   d---", { d: { time: 0 } });
      const source = m.hot(" -a-#", { a: intent(1) }, new Error("quoter died"));
      m.expect(source.pipe(staleGate(data, { maxAgeMs: 10 }, m.scheduler))).toBeObservable("-a-#", { a: intent(1) }, new Error("quoter died"));
      m.expect(data).toHaveSubscriptions("^--!");
    }),
  );

  it(
    "passes a data-feed error through",
    marbles((m) => {
      const data = m.hot("   d--#", { d: { time: 0 } }, new Error("socket"));
      const source = m.hot(" -a----", { a: intent(1) });
      m.expect(source.pipe(staleGate(data, { maxAgeMs: 10 }, m.scheduler))).toBeObservable("-a-#", { a: intent(1) }, new Error("socket"));
      m.expect(source).toHaveSubscriptions("^--!");
    }),
  );

  it(
    "tears down both subscriptions and the timer when the consumer unsubscribes",
    marbles((m) => {
      const data = m.hot("   d------", { d: { time: 0 } });
      const source = m.hot(" -a-b-c-", { a: intent(1), b: intent(3), c: intent(5) });
      const unsub = "        ^---!";
      m.expect(source.pipe(staleGate(data, { maxAgeMs: 10 }, m.scheduler)), unsub).toBeObservable("-a-b-", {
        a: intent(1),
        b: intent(3),
      });
      m.expect(source).toHaveSubscriptions("^---!");
      m.expect(data).toHaveSubscriptions("^---!");
    }),
  );

  it("keeps state per subscription and leaves no timer behind", () => {
    const scheduler = new VirtualTimeScheduler();
    const data = new Subject<{ time: number }>();
    const intents = new Subject<QuoteIntent>();
    const gated = intents.pipe(staleGate(data, { maxAgeMs: 10 }, scheduler));
    const first: QuoteIntent[] = [];
    const second: QuoteIntent[] = [];
    const s1 = gated.subscribe((v) => first.push(v));
    data.next({ time: 0 });
    const s2 = gated.subscribe((v) => second.push(v));
    intents.next(intent(0));
    // the second subscriber has not seen data yet: closed, NoDataReceived
    expect(first).toEqual([intent(0)]);
    expect(second).toEqual([emptyIntent("BTC", 0, { kind: "NoDataReceived" })]);
    s1.unsubscribe();
    s2.unsubscribe();
    scheduler.flush();
    expect(scheduler.actions.length).toBe(0);
    expect(first.length).toBe(1);
  });

  it("rejects a non-positive maxAgeMs", () => {
    expect(() => staleGate(new Subject<{ time: number }>(), { maxAgeMs: 0 })).toThrow(/maxAgeMs/);
  });
});
