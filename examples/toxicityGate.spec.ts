// The example gate, marble-tested against quoteflow/testing as a user would test their own.
import { describe, expect, it } from "vitest";
import { emptyIntent, intent, marblesFor, testContext, trade } from "quoteflow/testing";
import { operators } from "./plugin.js";
import { toxicityGate } from "./toxicityGate.js";

const { marbles } = marblesFor(expect);
const q = intent({ time: 0, bids: [[99, 1]], asks: [[101, 1]] });
const buy = trade({ side: "buy", sz: 1, tid: 1 });
const sell = trade({ side: "sell", sz: 1, tid: 2 });
const options = { windowMs: 1000, threshold: 0.8, minTrades: 3 };
const toxic = (at: number, n: number) => emptyIntent("BTC", at, { kind: "PluginGate", gate: "toxicityGate", detail: `buy flow 1.00 of ${n} trades in 1000 ms` });

describe("toxicityGate (examples/toxicityGate.ts)", () => {
  it(
    "closes at the trade that makes the window one-sided and reopens exactly when the oldest leaves it",
    marbles((m) => {
      const trades = m.hot("  a 99ms b 99ms c", { a: buy, b: buy, c: buy });
      const intents = m.hot(" q", { q });
      m.expect(intents.pipe(toxicityGate(trades, options, m.scheduler))).toBeObservable("q 199ms x 799ms q", { q, x: toxic(200, 3) });
      m.expect(trades).toHaveSubscriptions("^");
    }),
  );

  it(
    "is still closed 999 ms after the oldest trade when a fourth keeps the flow one-sided, and reopens at 1100 ms",
    marbles((m) => {
      // a at 0, b at 100, c at 200 close it; d at 300 keeps it closed after a leaves (b, c, d remain)
      const trades = m.hot("  a 99ms b 99ms c 99ms d", { a: buy, b: buy, c: buy, d: buy });
      const intents = m.hot(" q", { q });
      m.expect(intents.pipe(toxicityGate(trades, options, m.scheduler))).toBeObservable("q 199ms x 899ms q", { q, x: toxic(200, 3) });
    }),
  );

  it(
    "stays open on two-sided flow and below minTrades",
    marbles((m) => {
      const trades = m.hot("  a 99ms b 99ms c 99ms d", { a: buy, b: sell, c: buy, d: buy });
      const intents = m.hot(" q 499ms r", { q, r: { ...q, time: 500 } });
      m.expect(intents.pipe(toxicityGate(trades, { ...options, minTrades: 5 }, m.scheduler))).toBeObservable("q 499ms r", { q, r: { ...q, time: 500 } });
    }),
  );

  it(
    "passes errors of the trade feed downstream and unsubscribes it with the output",
    marbles((m) => {
      const trades = m.hot("  --#");
      const intents = m.hot(" q-", { q });
      m.expect(intents.pipe(toxicityGate(trades, options, m.scheduler))).toBeObservable("q-#", { q });
      const quiet = m.hot("  ----");
      const sub = "       ^-!";
      m.expect(m.hot("q---", { q }).pipe(toxicityGate(quiet, options, m.scheduler)), sub).toBeObservable("q--", { q });
      m.expect(quiet).toHaveSubscriptions(sub);
    }),
  );

  it(
    "is built from config by the plugin entry, on the context's trades and scheduler",
    marbles((m) => {
      const trades = m.hot("  a 99ms b 99ms c", { a: buy, b: buy, c: buy });
      const gate = operators.toxicityGate.create(options, testContext({ scheduler: m.scheduler, trades$: trades }));
      m.expect(m.hot("q", { q }).pipe(gate)).toBeObservable("q 199ms x 799ms q", { q, x: toxic(200, 3) });
    }),
  );

  it("refuses nonsense options at once, naming them", () => {
    expect(() => toxicityGate(testContext().trades$, { windowMs: 0, threshold: 0.8, minTrades: 3 })).toThrow(/toxicityGate: expected windowMs > 0/);
  });
});
