// The README's "Marble-test a timing edge case" example, verbatim, so the README stays true.
import { expect, it } from "vitest";
import { staleGate } from "quoteflow/operators";
import { emptyIntent, marblesFor, type QuoteIntent } from "quoteflow/testing";

const { marbles } = marblesFor(expect);
const quote = (time: number): QuoteIntent => ({ asset: "BTC", time, bids: [{ px: 100, sz: 1, source: "base_ladder" }], asks: [] });

it("pulls quotes exactly 10 s after the last book, not a millisecond earlier", marbles((m) => {
  const books = m.hot("  b", { b: { time: 0 } });
  const intents = m.hot("-q", { q: quote(1) });
  const gated = intents.pipe(staleGate(books, { maxAgeMs: 10_000 }, m.scheduler));
  m.expect(gated).toBeObservable("-q 9998ms s", {
    q: quote(1),
    s: emptyIntent("BTC", 10_000, { kind: "StaleData", ageMs: 10_000, thresholdMs: 10_000 }),
  });
}));
