import { describe, expect, it } from "vitest";
import { BookEvent, QuoteIntent, decodeWith } from "../../streams/index.js";
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
