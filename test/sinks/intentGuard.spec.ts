// The sink checks every intent with the codec's guard first and decodes only a bad one (to name
// its problems): that is only right if the guard accepts exactly what decode accepts.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isRight } from "fp-ts/lib/Either.js";
import { QuoteIntent } from "../../streams/intent.js";
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

  it("a bad intent still gets decode's named problems", () => {
    expect(checkQuoteIntent({ asset: "BTC", time: 1, bids: [{ px: "x", sz: 1, source: "base_ladder" }], asks: [] })).toEqual([expect.stringContaining("bids.0.px")]);
  });
});
