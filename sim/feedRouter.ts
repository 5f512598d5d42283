// One subscription to a paper exchange's feed, routed by kind and asset to the in-process venue's
// book(asset), trades(asset) and reference(asset) streams and its malformed frames.
//
// Each of those used to be its own `feed$.pipe(filter(kind && asset), map(...))`: every feed event
// went through every asset's filter of every kind (two assets: six filters and their subscribers
// per event, ~3% of a soak's CPU), and trades went through a mergeMap/from per print batch. Here an
// event is looked up once and handed to the subscribers of its route only; each trades subscriber
// walks the prints itself.
//
// Same semantics per route: subscribers of one route get its values in subscription order; the
// feed is subscribed while any route has a subscriber (and again after they all left); when the
// feed completes or errors, every route does, and a later subscriber is told at once (as a
// subscriber of the ended feed would be).
import { Observable, type Observer, type Subscriber, type Subscription } from "rxjs";
import type { BookEvent, ReferenceQuote, TradeEvent } from "../streams/index.js";
import { FanoutSubject } from "../streams/fanout.js";
import type { SimFeedEvent } from "./exchangeTypes.js";

type SimMalformed = Extract<SimFeedEvent, { kind: "malformed" }>;
type Ended = { readonly failed: false } | { readonly failed: true; readonly error: unknown };

export class SimFeedRouter {
  private readonly books = new Map<string, FanoutSubject<BookEvent>>();
  private readonly trades = new Map<string, FanoutSubject<readonly TradeEvent[]>>();
  private readonly refs = new Map<string, FanoutSubject<ReferenceQuote>>();
  /** Malformed frames of every asset, under one key. */
  private readonly malformedFrames = new Map<string, FanoutSubject<SimMalformed>>();
  /** Every route's subscribers in subscription order (the order the feed's end reaches them). */
  private readonly subscribers = new Set<Subscriber<unknown>>();
  private upstream: Subscription | undefined;
  private ended: Ended | undefined;

  constructor(private readonly feed$: Observable<SimFeedEvent>) {}

  book(asset: string): Observable<BookEvent> {
    return this.route(this.books, asset);
  }

  /** Each print of the feed's trades events, in order (a subscriber gets all of one event's before the next subscriber). */
  trade(asset: string): Observable<TradeEvent> {
    return this.route(this.trades, asset, (subscriber) => ({
      next: (prints: readonly TradeEvent[]) => {
        for (let i = 0; i < prints.length && !subscriber.closed; i++) subscriber.next(prints[i]!);
      },
      error: (e: unknown) => subscriber.error(e),
      complete: () => subscriber.complete(),
    }));
  }

  reference(asset: string): Observable<ReferenceQuote> {
    return this.route(this.refs, asset);
  }

  /** The feed's malformed frames (all assets). */
  malformed(): Observable<SimMalformed> {
    return this.route(this.malformedFrames, "");
  }

  /** `asset`'s route: its subject's values to the subscriber as they are, or through `unpack`. */
  private route<T, W = T>(routes: Map<string, FanoutSubject<W>>, asset: string, unpack?: (subscriber: Subscriber<T>) => Observer<W>): Observable<T> {
    return new Observable<T>((subscriber) => {
      const ended = this.ended;
      if (ended) {
        if (ended.failed) subscriber.error(ended.error);
        else subscriber.complete();
        return undefined;
      }
      let s = routes.get(asset);
      if (!s) routes.set(asset, (s = new FanoutSubject<W>()));
      const inner = unpack ? s.subscribe(unpack(subscriber)) : s.subscribe(subscriber as unknown as Subscriber<W>);
      this.subscribers.add(subscriber);
      if (this.upstream === undefined) this.connect();
      return () => {
        inner.unsubscribe();
        this.subscribers.delete(subscriber);
        if (this.subscribers.size === 0 && this.upstream !== undefined) {
          const up = this.upstream;
          this.upstream = undefined;
          up.unsubscribe();
        }
      };
    });
  }

  private connect(): void {
    const books = this.books;
    const trades = this.trades;
    const refs = this.refs;
    const malformed = this.malformedFrames;
    this.upstream = this.feed$.subscribe({
      next: (e) => {
        if (e.kind === "book") books.get(e.book.asset)?.next(e.book);
        else if (e.kind === "trades") trades.get(e.asset)?.next(e.trades);
        else if (e.kind === "ref") refs.get(e.quote.asset)?.next(e.quote);
        else malformed.get("")?.next(e);
      },
      error: (error: unknown) => this.end({ failed: true, error }),
      complete: () => this.end({ failed: false }),
    });
  }

  private end(how: Ended): void {
    this.ended = how;
    this.upstream = undefined;
    for (const s of [...this.subscribers]) {
      if (how.failed) s.error(how.error);
      else s.complete();
    }
  }
}
