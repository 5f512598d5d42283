// Feeds a market source into the exchange on its scheduler: recorded or synthetic events at their
// times, shifted so the first one lands "now" (exchange time drives the clock on a replay).
import type { SchedulerLike, Subscription } from "rxjs";
import type { SimMarket, SimMarketEvent } from "./market.js";
import { simEventTime } from "./market.js";

export class SimMarketPump {
  private offset = 0;
  private iterator: Iterator<SimMarketEvent> | undefined;
  private pending: SimMarketEvent | undefined;
  private sub: Subscription | undefined;
  private stopped = false;
  /** Whether the open market's events are the pump's to restamp in place (SimMarket.freshEvents). */
  private fresh = false;
  /** The scheduled work, one closure for the pump's life (it re-arms once per event time). */
  private readonly run = (): void => this.pump();

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly onEvent: (e: SimMarketEvent) => void,
    private readonly onEnd: () => void,
  ) {}

  get opened(): boolean {
    return this.iterator !== undefined;
  }

  /** Open `market` at the scheduler's now; false (and onEnd) when it has no event at all. */
  start(market: SimMarket): boolean {
    this.fresh = market.freshEvents === true;
    this.iterator = market.open(this.scheduler.now());
    const first = this.iterator.next();
    if (first.done) {
      this.onEnd();
      return false;
    }
    this.offset = simEventTime(first.value) - this.scheduler.now();
    this.pending = first.value;
    this.schedule();
    return true;
  }

  stop(): void {
    this.stopped = true;
    this.sub?.unsubscribe();
  }

  private schedule(): void {
    const e = this.pending;
    if (!e || this.stopped) return;
    this.sub = this.scheduler.schedule(this.run, Math.max(0, simEventTime(e) - this.offset - this.scheduler.now()));
  }

  private pump(): void {
    if (this.stopped || !this.iterator) return;
    const now = this.scheduler.now();
    let e = this.pending;
    while (e && simEventTime(e) - this.offset <= now) {
      this.onEvent(this.restamp(e));
      const n = this.iterator.next();
      e = n.done ? undefined : n.value;
    }
    this.pending = e;
    if (e) this.schedule();
    else this.onEnd();
  }

  private restamp(e: SimMarketEvent): SimMarketEvent {
    if (this.offset === 0) return e;
    if (this.fresh) {
      // nobody else holds a fresh event: shift its time instead of copying event and payload
      const payload: { time: number } = e.kind === "book" ? e.book : e.kind === "trade" ? e.trade : e.quote;
      payload.time -= this.offset;
      return e;
    }
    switch (e.kind) {
      case "book":
        return { kind: "book", book: { ...e.book, time: e.book.time - this.offset } };
      case "trade":
        return { kind: "trade", trade: { ...e.trade, time: e.trade.time - this.offset } };
      case "ref":
        return { kind: "ref", quote: { ...e.quote, time: e.quote.time - this.offset } };
    }
  }
}
