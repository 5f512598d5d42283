import { describe, expect, it } from "vitest";
import { crossedBookGate, crossedBookReason } from "../../operators/index.js";
import { emptyIntent, type BookEvent, type QuoteIntent } from "../../streams/index.js";
import { marbles } from "../marbles.js";

function intent(time: number, px = 100, asset = "BTC"): QuoteIntent {
  return { asset, time, bids: [{ px, sz: 1, source: "base_ladder" }], asks: [{ px: px + 2, sz: 1, source: "base_ladder" }] };
}
function book(time: number, bid: number | null, ask: number | null, asset = "BTC"): BookEvent {
  return {
    asset,
    time,
    bids: bid === null ? [] : [{ px: bid, sz: 1, n: 1 }, { px: bid - 1, sz: 2, n: 1 }],
    asks: ask === null ? [] : [{ px: ask, sz: 1, n: 1 }, { px: ask + 1, sz: 2, n: 1 }],
  };
}

describe("crossedBookGate", () => {
  it(
    "passes intents while the book is sane (happy path)",
    marbles((m) => {
      const books = m.hot("  o--o--|", { o: book(0, 99, 101) });
      const source = m.hot(" -a-b-c-|", { a: intent(1), b: intent(3), c: intent(5) });
      m.expect(source.pipe(crossedBookGate(books))).toBeObservable("-a-b-c-|", { a: intent(1), b: intent(3), c: intent(5) });
      m.expect(source).toHaveSubscriptions("^------!");
      m.expect(books).toHaveSubscriptions("^-----!");
    }),
  );

  it(
    "closes on a crossed book with an empty intent at once, swallows, and re-emits the latest on uncrossing",
    marbles((m) => {
      const books = m.hot("  o----x------o---|", { o: book(0, 99, 101), x: book(5, 101, 100) });
      const source = m.hot(" -a--b---c-d-----e|", { a: intent(1), b: intent(4), c: intent(8), d: intent(10), e: intent(16) });
      const expected = "     -a--bx------d---e|";
      m.expect(source.pipe(crossedBookGate(books))).toBeObservable(expected, {
        a: intent(1),
        b: intent(4),
        x: emptyIntent("BTC", 5, { kind: "CrossedBook", bestBid: 101, bestAsk: 100 }),
        d: intent(10),
        e: intent(16),
      });
    }),
  );

  it(
    "treats a locked book (best bid = best ask) as crossed",
    marbles((m) => {
      const books = m.hot("  o-l-", { o: book(0, 99, 101), l: book(2, 100, 100) });
      const source = m.hot(" -a--b|", { a: intent(1), b: intent(4) });
      m.expect(source.pipe(crossedBookGate(books))).toBeObservable("-ax--|", {
        a: intent(1),
        x: emptyIntent("BTC", 2, { kind: "CrossedBook", bestBid: 100, bestAsk: 100 }),
      });
    }),
  );

  it(
    "closes on an empty side with EmptyBookSide and emits nothing more while the reason changes",
    marbles((m) => {
      const books = m.hot("  o-b-a-x-o|", {
        o: book(0, 99, 101),
        b: book(2, null, 101),
        a: book(4, 99, null),
        x: book(6, 102, 101),
      });
      const source = m.hot(" -i-------j|", { i: intent(1), j: intent(9) });
      // the sane book at 8 re-emits the latest intent (i) before j arrives
      m.expect(source.pipe(crossedBookGate(books))).toBeObservable("-iz-----ij|", {
        i: intent(1),
        z: emptyIntent("BTC", 2, { kind: "EmptyBookSide", side: "bid" }),
        j: intent(9),
      });
    }),
  );

  it(
    "reports the ask side when only the ask is missing",
    () => {
      expect(crossedBookReason(book(0, 99, null))).toEqual({ kind: "EmptyBookSide", side: "ask" });
      expect(crossedBookReason(book(0, null, null))).toEqual({ kind: "EmptyBookSide", side: "bid" });
      expect(crossedBookReason(book(0, 99, 100))).toBeUndefined();
    },
  );

  it(
    "is closed until the first book (NoDataReceived with the first intent), then re-emits the latest",
    marbles((m) => {
      const books = m.hot("  ----o-|", { o: book(4, 99, 101) });
      const source = m.hot(" -a-b---c|", { a: intent(1), b: intent(3), c: intent(7) });
      m.expect(source.pipe(crossedBookGate(books))).toBeObservable("-z--b--c|", {
        z: emptyIntent("BTC", 1, { kind: "NoDataReceived" }),
        b: intent(3),
        c: intent(7),
      });
    }),
  );

  it(
    "announces a crossed first book for the book's asset when no intent was seen",
    marbles((m) => {
      const books = m.hot("  -x-o", { x: book(1, 101, 100, "ETH"), o: book(3, 99, 101, "ETH") });
      const source = m.hot(" -----a|", { a: intent(5, 100, "ETH") });
      m.expect(source.pipe(crossedBookGate(books))).toBeObservable("-x---a|", {
        x: emptyIntent("ETH", 1, { kind: "CrossedBook", bestBid: 101, bestAsk: 100 }),
        a: intent(5, 100, "ETH"),
      });
    }),
  );

  it(
    "completes with an empty intent source",
    marbles((m) => {
      const books = m.hot("  o-", { o: book(0, 99, 101) });
      const source = m.cold("|");
      m.expect(source.pipe(crossedBookGate(books))).toBeObservable("|");
      m.expect(books).toHaveSubscriptions("(^!)");
    }),
  );

  it(
    "stays silent with a never intent source and a sane book",
    marbles((m) => {
      const books = m.hot("  o-", { o: book(0, 99, 101) });
      const source = m.cold("-");
      m.expect(source.pipe(crossedBookGate(books))).toBeObservable("-");
    }),
  );

  it(
    "passes an intent-source error through",
    marbles((m) => {
      const books = m.hot("  o----", { o: book(0, 99, 101) });
      const source = m.hot(" -a-#", { a: intent(1) }, new Error("quoter"));
      m.expect(source.pipe(crossedBookGate(books))).toBeObservable("-a-#", { a: intent(1) }, new Error("quoter"));
      m.expect(books).toHaveSubscriptions("^--!");
    }),
  );

  it(
    "passes a book-feed error through",
    marbles((m) => {
      const books = m.hot("  o-#", { o: book(0, 99, 101) }, new Error("book feed"));
      const source = m.hot(" -a---", { a: intent(1) });
      m.expect(source.pipe(crossedBookGate(books))).toBeObservable("-a#", { a: intent(1) }, new Error("book feed"));
      m.expect(source).toHaveSubscriptions("^-!");
    }),
  );

  it(
    "keeps the last book in force after the book feed completes",
    marbles((m) => {
      const books = m.hot("  o|", { o: book(0, 99, 101) });
      const source = m.hot(" ---a|", { a: intent(3) });
      m.expect(source.pipe(crossedBookGate(books))).toBeObservable("---a|", { a: intent(3) });
    }),
  );

  it(
    "unsubscribes from both inputs when the consumer unsubscribes",
    marbles((m) => {
      const books = m.hot("  o------", { o: book(0, 99, 101) });
      const source = m.hot(" -a-b-c-", { a: intent(1), b: intent(3), c: intent(5) });
      m.expect(source.pipe(crossedBookGate(books)), "^---!").toBeObservable("-a-b-", { a: intent(1), b: intent(3) });
      m.expect(source).toHaveSubscriptions("^---!");
      m.expect(books).toHaveSubscriptions("^---!");
    }),
  );
});
