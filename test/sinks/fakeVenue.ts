// A small in-process Venue for sink specs: orders rest until the test fills or cancels them;
// every answer and event arrives after a configurable latency on the given scheduler. Knobs let
// a test swallow answers (timeouts), fail the transport, answer rate-limited, or deliver the fill
// before the cancel reaches the book.
import { BehaviorSubject, EMPTY, Observable, Subject, of, throwError } from "rxjs";
import type { SchedulerLike } from "rxjs";
import type { ActionBatch, BatchResult, CancelResult, OrderResult, OrderSpec } from "../../streams/actions.js";
import type { VenueFill, VenueFillBatch } from "../../streams/fill.js";
import type { AccountSnapshot, OpenOrder, OrderStatusAnswer, OrderUpdate, RateLimitSnapshot } from "../../streams/orders.js";
import type { ConnectionState, DecodeErrorEvent, Venue } from "../../streams/venue.js";
import type { AssetMeta, BookEvent, TradeEvent } from "../../streams/market.js";

interface FakeOrder {
  oid: number;
  cloid: string;
  spec: OrderSpec;
  sz: number;
  status: string;
}

export interface FakeVenueKnobs {
  /** Latency of answers and events (ms). */
  latencyMs: number;
  /** Swallow the answer of the next n submits (the action still applies). */
  swallow: number;
  /** Fail the transport of the next n submits before the action applies. */
  transportErrors: number;
  /** Answer the next n submits with a rate-limit error (nothing applies). */
  rateLimited: number;
  /** Reject placements at these prices with BadAloPx. */
  rejectPx: Set<number>;
  /** Drop every orderUpdates message (a dead user feed). */
  dropUpdates: boolean;
}

export class FakeVenue implements Venue {
  readonly name = "fake";
  readonly knobs: FakeVenueKnobs = { latencyMs: 10, swallow: 0, transportErrors: 0, rateLimited: 0, rejectPx: new Set(), dropUpdates: false };
  readonly submitted: ActionBatch[] = [];
  readonly statusQueries: ({ oid: number } | { cloid: string })[] = [];
  readonly orders = new Map<number, FakeOrder>();
  readonly fillsSent: VenueFill[] = [];
  readonly positions = new Map<string, number>();
  accountCalls = 0;
  /** Every account() request: when, and whether open orders were asked for. */
  readonly accountRequests: { time: number; openOrders: boolean }[] = [];
  #nextOid = 1000;
  #tid = 1;
  readonly #updates = new Subject<OrderUpdate>();
  readonly #fills = new Subject<VenueFillBatch>();
  readonly connection = new BehaviorSubject<ConnectionState>({ status: "open", attempt: 0, time: 0 });
  readonly orderUpdates$ = this.#updates.asObservable();
  readonly fills$ = this.#fills.asObservable();
  readonly connection$ = this.connection.asObservable();
  readonly decodeErrors$: Observable<DecodeErrorEvent> = EMPTY;

  constructor(readonly scheduler: SchedulerLike) {}

  meta(): Observable<readonly AssetMeta[]> {
    return of([]);
  }
  book(): Observable<BookEvent> {
    return EMPTY;
  }
  trades(): Observable<TradeEvent> {
    return EMPTY;
  }

  #later(fn: () => void, extra = 0): void {
    this.scheduler.schedule(fn, this.knobs.latencyMs + extra);
  }

  submit(batch: ActionBatch): Observable<BatchResult> {
    this.submitted.push(batch);
    if (this.knobs.transportErrors > 0) {
      this.knobs.transportErrors -= 1;
      return throwError(() => new Error("socket hang up"));
    }
    if (this.knobs.rateLimited > 0) {
      this.knobs.rateLimited -= 1;
      return this.#answer({ ok: false, code: "RateLimited", error: "Too many cumulative requests sent", rateLimited: true }, false);
    }
    const swallow = this.knobs.swallow > 0;
    if (swallow) this.knobs.swallow -= 1;
    // the action reaches the matcher after half the latency
    const result = this.#apply(batch);
    return this.#answer(result, swallow);
  }

  #answer(result: BatchResult, swallow: boolean): Observable<BatchResult> {
    return new Observable<BatchResult>((sub) => {
      if (swallow) return undefined;
      const h = this.scheduler.schedule(() => {
        sub.next(result);
        sub.complete();
      }, this.knobs.latencyMs);
      return () => h.unsubscribe();
    });
  }

  #apply(batch: ActionBatch): BatchResult {
    switch (batch.type) {
      case "order":
        return { ok: true, type: "order", statuses: batch.orders.map((o) => this.#place(o)) };
      case "cancel":
        return { ok: true, type: "cancel", statuses: batch.cancels.map((c) => this.#cancel(this.orders.get(c.oid))) };
      case "cancelByCloid":
        return { ok: true, type: "cancelByCloid", statuses: batch.cancels.map((c) => this.#cancel(this.#byCloid(c.cloid))) };
      case "batchModify":
        return {
          ok: true,
          type: "batchModify",
          statuses: batch.modifies.map((m) => {
            const old = typeof m.oid === "number" ? this.orders.get(m.oid) : this.#byCloid(m.oid);
            if (!old) return { kind: "rejected", code: "CannotModify", error: "Cannot modify canceled or filled order" } as OrderResult;
            this.orders.delete(old.oid);
            this.#emit(old, "canceled");
            return this.#place(m.order);
          }),
        };
      case "scheduleCancel":
        return { ok: true, type: "scheduleCancel" };
      case "reserveRequestWeight":
        return { ok: true, type: "reserveRequestWeight" };
    }
  }

  #place(spec: OrderSpec): OrderResult {
    if (this.knobs.rejectPx.has(spec.px)) return { kind: "rejected", code: "BadAloPx", error: "Post only order would have immediately matched, bbo was 1@1" };
    const o: FakeOrder = { oid: this.#nextOid++, cloid: spec.cloid, spec, sz: spec.sz, status: "open" };
    this.orders.set(o.oid, o);
    this.#emit(o, "open");
    return { kind: "resting", oid: o.oid, cloid: spec.cloid };
  }

  #cancel(o: FakeOrder | undefined): CancelResult {
    if (!o) return { kind: "AlreadyFilled", error: "Order was never placed, already canceled, or filled." };
    this.orders.delete(o.oid);
    o.status = "canceled";
    this.#emit(o, "canceled");
    return { kind: "Cancelled" };
  }

  #byCloid(cloid: string): FakeOrder | undefined {
    for (const o of this.orders.values()) if (o.cloid === cloid) return o;
    return undefined;
  }

  #emit(o: FakeOrder, status: string, extraDelay = 0): void {
    const u: OrderUpdate = {
      asset: o.spec.asset,
      oid: o.oid,
      cloid: o.cloid,
      isBuy: o.spec.isBuy,
      px: o.spec.px,
      sz: o.sz,
      origSz: o.spec.sz,
      status,
      time: this.scheduler.now(),
    };
    if (this.knobs.dropUpdates) return;
    this.#later(() => this.#updates.next(u), extraDelay);
  }

  /** Fill `size` of our resting order `oid` now (the fill and the update arrive after the latency + extra). */
  fill(oid: number, size?: number, extraDelay = 0): VenueFill {
    const o = this.orders.get(oid);
    if (!o) throw new Error(`fake venue: no resting order ${oid}`);
    const sz = size ?? o.sz;
    o.sz -= sz;
    if (o.sz <= 1e-12) {
      this.orders.delete(oid);
      o.status = "filled";
    }
    const f: VenueFill = {
      tid: this.#tid++,
      oid,
      cloid: o.cloid,
      asset: o.spec.asset,
      isBuy: o.spec.isBuy,
      size: sz,
      price: o.spec.px,
      time: this.scheduler.now(),
      fee: 0,
      crossed: false,
    };
    this.fillsSent.push(f);
    this.positions.set(f.asset, (this.positions.get(f.asset) ?? 0) + (f.isBuy ? sz : -sz));
    this.#later(() => this.#fills.next({ isSnapshot: false, fills: [f] }), extraDelay);
    this.#emit(o, o.status === "filled" ? "filled" : "open", extraDelay);
    return f;
  }

  /** orderUpdates says `status` about our order `oid`; with `end` the order really ends (a venue cancel), else the status is false and it rests on. */
  announce(oid: number, status: string, end = false): void {
    const o = this.orders.get(oid);
    if (!o) throw new Error(`fake venue: no resting order ${oid}`);
    if (end) this.orders.delete(oid);
    this.#emit(o, status);
  }

  /** A fill from before the session (history), only ever seen in snapshots. */
  history(f: VenueFill): void {
    this.fillsSent.push(f);
  }

  /** Replay every fill as a snapshot batch (what a resubscribe does). */
  replaySnapshot(): void {
    const fills = [...this.fillsSent];
    this.#later(() => this.#fills.next({ isSnapshot: true, fills }));
  }

  account(options?: { readonly openOrders?: boolean }): Observable<AccountSnapshot> {
    return new Observable<AccountSnapshot>((sub) => {
      this.accountCalls += 1;
      const withOrders = options?.openOrders !== false;
      this.accountRequests.push({ time: this.scheduler.now(), openOrders: withOrders });
      const snap: AccountSnapshot = {
        time: this.scheduler.now(),
        accountValue: 1000,
        positions: [...this.positions].map(([asset, szi]) => ({ asset, szi, entryPx: 100, unrealizedPnl: 0 })),
        openOrders: withOrders
          ? [...this.orders.values()].map(
              (o): OpenOrder => ({ asset: o.spec.asset, oid: o.oid, cloid: o.cloid, isBuy: o.spec.isBuy, px: o.spec.px, sz: o.sz, origSz: o.spec.sz, time: 0 }),
            )
          : [],
        ...(withOrders ? {} : { openOrdersIncluded: false }),
      };
      const h = this.scheduler.schedule(() => {
        sub.next(snap);
        sub.complete();
      }, this.knobs.latencyMs);
      return () => h.unsubscribe();
    });
  }

  orderStatus(ref: { readonly oid: number } | { readonly cloid: string }): Observable<OrderStatusAnswer> {
    this.statusQueries.push(ref);
    const o = "oid" in ref ? this.orders.get(ref.oid) : this.#byCloid(ref.cloid);
    const answer: OrderStatusAnswer = o
      ? {
          kind: "known",
          update: { asset: o.spec.asset, oid: o.oid, cloid: o.cloid, isBuy: o.spec.isBuy, px: o.spec.px, sz: o.sz, origSz: o.spec.sz, status: "open", time: this.scheduler.now() },
        }
      : { kind: "unknownOid" };
    return new Observable<OrderStatusAnswer>((sub) => {
      const h = this.scheduler.schedule(() => {
        sub.next(answer);
        sub.complete();
      }, this.knobs.latencyMs);
      return () => h.unsubscribe();
    });
  }

  rateLimit(): Observable<RateLimitSnapshot> {
    return of({ cumVlm: 0, nRequestsUsed: 0, nRequestsCap: 10_000, nRequestsSurplus: 0 });
  }

  /** Simulate a dropout: reconnecting now, open again after `ms`. */
  dropout(ms: number): void {
    this.connection.next({ status: "reconnecting", attempt: 1, time: this.scheduler.now() });
    this.scheduler.schedule(() => this.connection.next({ status: "open", attempt: 0, time: this.scheduler.now() }), ms);
  }

  /** Resting orders of an asset (venue truth). */
  open(asset?: string): FakeOrder[] {
    return [...this.orders.values()].filter((o) => asset === undefined || o.spec.asset === asset);
  }
}
