import { type Observable, type MonoTypeOperatorFunction } from "rxjs";
import type { QuoteGateReason } from "../streams/gate.js";
import type { QuoteIntent } from "../streams/intent.js";
import { quoteGate } from "./quoteGateCore.js";
import type { BookEvent } from "../streams/market.js";

/** Why `book` must not be quoted against, or undefined when its top of book is sane. */
export function crossedBookReason(book: BookEvent): QuoteGateReason | undefined {
  const bid = book.bids[0];
  if (bid === undefined) return { kind: "EmptyBookSide", side: "bid" };
  const ask = book.asks[0];
  if (ask === undefined) return { kind: "EmptyBookSide", side: "ask" };
  return bid.px >= ask.px ? { kind: "CrossedBook", bestBid: bid.px, bestAsk: ask.px } : undefined;
}

/**
 * Passes quote intents only while the latest book is uncrossed with both sides present; a
 * closed gate says so by emitting an empty intent at the moment it closes.
 *
 * ```
 * book$:            --o----x------o---      o = sane book, x = best bid ≥ best ask
 * source:           a---b----c-d------
 * crossedBookGate:  z-a-b--y------d---      z = empty intent, NoDataReceived (at a, for a's asset)
 *                                           y = empty intent, CrossedBook {bestBid, bestAsk} (at x's time)
 *                                           c, d swallowed; d (the latest) re-emitted when o arrives
 * ```
 *
 * - Closed while the latest book has best bid ≥ best ask (a locked book closes too):
 *   `CrossedBook` with both prices.
 * - An empty side also closes it, with `EmptyBookSide` (`bid` checked first): with no best bid or
 *   no best ask there is no mid to quote around and no way to tell a cross, so the rule is "when
 *   unsure, don't quote".
 * - Closed until the first book arrives (`NoDataReceived`), for the same reason. In the usual
 *   chain `staleGate(book$)` reports that too; two empty intents in a row are harmless.
 * - Close / swallow / reopen as `staleGate`: on closing it emits one empty intent for the last
 *   seen asset (last intent's asset, else the book's), stamped with the book's `time`; while
 *   closed it remembers the latest intent; when a sane book arrives it re-emits that latest intent
 *   at once. A closed gate whose reason changes (crossed → empty side) emits nothing more. If the
 *   gate is closed before any intent arrived, the empty intent goes out with the first intent
 *   (that intent's asset and time).
 * - Needs no scheduler: every decision is taken when a book or an intent arrives, and the empty
 *   intent carries the time of the event that caused it.
 *
 * @param book$ the book feed of the quoted asset; its errors error the output, its completion does not (the last book stays in force).
 * Errors downstream: errors of the intent source or of `book$`. Completes with the intent source.
 */
export function crossedBookGate(book$: Observable<BookEvent>): MonoTypeOperatorFunction<QuoteIntent> {
  return quoteGate(book$, { open: false, reason: { kind: "NoDataReceived" } }, (gate) => ({
    control(book) {
      const why = crossedBookReason(book);
      if (why === undefined) gate.reopen();
      else gate.close(why, book.time, book.asset);
    },
    intentTime: (intent) => intent.time,
  }));
}
