import { describe, expect, it } from "vitest";
import * as t from "io-ts";
import { BookEvent, FiniteNumber, QuoteIntent, decodeWith, strictStruct } from "../../streams/index.js";
import { marbles } from "../marbles.js";
import { map } from "rxjs";

describe("decodeWith", () => {
  it("decodes a valid book", () => {
    const r = decodeWith(BookEvent, { asset: "BTC", time: 1, bids: [{ px: 1, sz: 2, n: 1 }], asks: [] }, "book");
    expect(r.ok).toBe(true);
  });

  it("names the failing path and what was expected", () => {
    const r = decodeWith(BookEvent, { asset: "BTC", time: 1, bids: [{ px: "1", sz: 2, n: 1 }], asks: [] }, "book");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toContain("book:");
      expect(r.error.message).toContain("bids.0.px");
      expect(r.error.message).toContain("FiniteNumber");
    }
  });

  it("rejects NaN that a hand-made value can carry", () => {
    const r = decodeWith(QuoteIntent, { asset: "BTC", time: Number.NaN, bids: [], asks: [] }, "intent");
    expect(r.ok).toBe(false);
  });
});

describe("marbles helper", () => {
  it(
    "runs a marble diagram through vitest's expect",
    marbles((m) => {
      const source = m.cold("  -a-b-|", { a: 1, b: 2 });
      const expected = "       -x-y-|";
      m.expect(source.pipe(map((v) => v * 10))).toBeObservable(expected, { x: 10, y: 20 });
    }),
  );
});

describe("strictStruct", () => {
  const Params = strictStruct({ maxAgeMs: FiniteNumber }, { label: t.string }, "StaleParams");

  it("rejects an unknown key at its own path instead of stripping it", () => {
    const r = decodeWith(t.type({ staleGate: Params }), { staleGate: { maxAgeMS: 10_000, maxAgeMs: 5 } }, "config");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.problems).toContain('$.staleGate.maxAgeMS: expected no key "maxAgeMS" here (known keys: maxAgeMs, label), got 10000');
  });

  it("names a bad value inside an intersection without io-ts member indices", () => {
    const r = decodeWith(Params, { maxAgeMs: "ten" }, "params");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.problems).toEqual(['$.maxAgeMs: expected FiniteNumber, got "ten"']);
  });

  it("keeps array and tuple indices in paths", () => {
    const Levels = t.tuple([t.array(t.type({ px: t.string })), t.array(t.type({ px: t.string }))]);
    const r = decodeWith(t.type({ levels: Levels }), { levels: [[], [{ px: 1 }]] }, "book");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.problems[0]).toMatch(/^\$\.levels\.1\.0\.px: expected string, got 1$/);
  });

  it("decodes a valid object unchanged", () => {
    const r = decodeWith(Params, { maxAgeMs: 10_000 }, "params");
    expect(r).toStrictEqual({ ok: true, value: { maxAgeMs: 10_000 } });
  });
});
