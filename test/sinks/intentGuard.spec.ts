// The sink checks every intent with the codec's guard first and decodes only a bad one (to name
// its problems): that is only right if the guard accepts exactly what decode accepts.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isRight } from "fp-ts/lib/Either.js";
import { QuoteIntent, isPlainQuoteIntent } from "../../streams/intent.js";
import { checkQuoteIntent } from "../../sinks/ladderStep.js";

const num = fc.oneof(fc.double(), fc.constant(Number.NaN), fc.constant(Infinity), fc.string(), fc.constant(undefined));
const level = fc.record({ px: num, sz: num, source: fc.oneof(fc.constantFrom("base_ladder", "spike_defense", "recovery"), fc.string()) }, { requiredKeys: [] });
const reason = fc.oneof(
  fc.constant({ kind: "NoDataReceived" }),
  fc.record({ kind: fc.constant("StaleData"), ageMs: num, thresholdMs: num }),
  fc.record({ kind: fc.string() }),
  fc.anything(),
);
const signals = fc.oneof(fc.dictionary(fc.string({ maxLength: 45 }), fc.oneof(fc.double(), fc.string({ maxLength: 70 }), fc.boolean(), fc.anything()), { maxKeys: 34 }), fc.anything());
const intent = fc.record(
  { asset: fc.oneof(fc.string(), fc.integer()), time: num, bids: fc.oneof(fc.array(level, { maxLength: 4 }), fc.anything()), asks: fc.array(level, { maxLength: 4 }), reason, signals },
  { requiredKeys: [] },
);

describe("QuoteIntent: the guard and decode agree", () => {
  it("is(x) exactly when decode(x) succeeds, for near-valid and arbitrary input", () => {
    fc.assert(
      fc.property(fc.oneof(intent, fc.anything()), (x) => {
        expect(QuoteIntent.is(x)).toBe(isRight(QuoteIntent.decode(x)));
      }),
      { numRuns: 3000, seed: 19 },
    );
  });

  it("the plain guard accepts only what the codec's guard accepts, and every intent the quoter makes", () => {
    fc.assert(
      fc.property(fc.oneof(intent, fc.anything()), (x) => {
        if (isPlainQuoteIntent(x)) expect(QuoteIntent.is(x)).toBe(true);
      }),
      { numRuns: 5000, seed: 19 },
    );
    const goodLevel = fc.record({ px: fc.double({ noNaN: true, noDefaultInfinity: true }), sz: fc.double({ noNaN: true, noDefaultInfinity: true }), source: fc.constantFrom("base_ladder" as const, "spike_defense" as const, "recovery" as const) });
    fc.assert(
      fc.property(fc.record({ asset: fc.string(), time: fc.double({ noNaN: true, noDefaultInfinity: true }), bids: fc.array(goodLevel, { maxLength: 5 }), asks: fc.array(goodLevel, { maxLength: 5 }) }), (x) => {
        expect(isPlainQuoteIntent(x)).toBe(true);
      }),
      { numRuns: 2000, seed: 19 },
    );
    // what it leaves to the codec: a reason or signals, a level with a prototype-inherited key, a hole
    expect(isPlainQuoteIntent({ asset: "BTC", time: 1, bids: [], asks: [], reason: { kind: "NoDataReceived" } })).toBe(false);
    expect(isPlainQuoteIntent({ asset: "BTC", time: 1, bids: [{ px: 1, sz: 1, source: "toString" }], asks: [] })).toBe(false);
    expect(QuoteIntent.is({ asset: "BTC", time: 1, bids: [{ px: 1, sz: 1, source: "toString" }], asks: [] })).toBe(false);
    expect(isPlainQuoteIntent({ asset: "BTC", time: 1, bids: [, { px: 1, sz: 1, source: "recovery" }], asks: [] })).toBe(false);
  });

  it("a bad intent still gets decode's named problems", () => {
    expect(checkQuoteIntent({ asset: "BTC", time: 1, bids: [{ px: "x", sz: 1, source: "base_ladder" }], asks: [] })).toEqual([expect.stringContaining("bids.0.px")]);
  });
});
