// PaperVenue: the Venue contract (streams/venue.ts) for one simulated account, in-process on
// the exchange's scheduler. With a VirtualTimeScheduler a replay runs as fast as the CPU allows
// and, for one seed and one input, emits the same events at the same times every run.
import { BehaviorSubject, Observable, Subject, concat, defer, map, of, throwError, type Subscription } from "rxjs";
import type { ActionBatch, BatchResult } from "../streams/actions.js";
import type { VenueFillBatch } from "../streams/fill.js";
import type { AssetMeta, BookEvent, ReferenceQuote, TradeEvent } from "../streams/market.js";
import type { AccountSnapshot, OrderStatusAnswer, OrderUpdate, RateLimitSnapshot } from "../streams/orders.js";
import type { ConnectionState, DecodeErrorEvent, FillsSinceAnswer, Venue, VenueHalt } from "../streams/venue.js";
import { assetDex } from "../streams/market.js";
import { haltRefusals } from "../streams/wire/hip3.js";
import { PaperExchange, type PaperExchangeOptions, type SimVenueTruth } from "./exchange.js";
import { simInfoWeight } from "./rateLimits.js";
import { FanoutSubject } from "../streams/fanout.js";
import { SimFeedRouter } from "./feedRouter.js";
import { scheduleTracked } from "./scheduleTracked.js";

/**
 * Build a venue with its own exchange (started at once), or attach another account to a shared
 * exchange (`{ exchange, user }`; the exchange is started by whoever built it — `exchange.start()`).
 */
export type PaperVenueOptions =
  | (PaperExchangeOptions & { readonly user?: string; readonly name?: string })
  | { readonly exchange: PaperExchange; readonly user: string; readonly name?: string };

/**
 * Fills in a userFills snapshot: "Returns at most 2000 most recent fills" (FACTS §4, userFills).
 * A dropout loses seconds of user events, so what it lost is always among these.
 */
export const SIM_USER_FILLS_SNAPSHOT = 2000;

/** The default in-process account address. */
export const SIM_DEFAULT_USER = "0x00000000000000000000000000000000000000aa";

export class PaperVenue implements Venue {
  readonly name: string;
  readonly exchange: PaperExchange;
  readonly user: string;
  readonly orderUpdates$: Observable<OrderUpdate>;
  readonly fills$: Observable<VenueFillBatch>;
  readonly connection$: Observable<ConnectionState>;
  readonly decodeErrors$: Observable<DecodeErrorEvent>;
  /** nonUserCancel events (userEvents): orders the exchange canceled on its own. */
  readonly nonUserCancels$: Observable<{ readonly asset: string; readonly oid: number; readonly time: number }>;
  /** User events dropped because the connection was down (a dropout fault). */
  lostEvents = 0;
  /** HIP-3 dexes of the universe (the account covers them all in-process). */
  readonly perpDexs: readonly string[];
  /** Deployer halts, seen as the live client sees them: a placement refused with the halt text. */
  readonly halts$: Observable<VenueHalt>;
  private readonly halts = new Subject<VenueHalt>();
  private readonly halted = new Set<string>();

  private readonly updates = new FanoutSubject<OrderUpdate>();
  private readonly fillBatches = new FanoutSubject<VenueFillBatch>();
  private readonly nonUser = new Subject<{ asset: string; oid: number; time: number }>();
  private readonly connection: BehaviorSubject<ConnectionState>;
  private down = false;
  /** The end of the current outage (the latest end of the dropouts that overlap it). */
  private downUntil = -Infinity;
  private readonly subs: Subscription[] = [];
  /** The dropouts' reconnect timers still to run (scheduleTracked: each leaves the set when it runs; ~12 dropouts an hour in a hostile soak). */
  private readonly reconnects = new Set<Subscription>();
  /** book(asset), trades(asset), reference(asset) and the decode errors: one feed subscription, routed (sim/feedRouter.ts) */
  private readonly feed: SimFeedRouter;

  constructor(options: PaperVenueOptions) {
    const attached = "exchange" in options;
    this.exchange = attached ? options.exchange : new PaperExchange(options);
    this.user = (options.user ?? SIM_DEFAULT_USER).toLowerCase();
    this.name = options.name ?? "paper";
    this.exchange.account(this.user);
    const ex = this.exchange;
    this.perpDexs = ex.hip3.dexes.map((d) => d.name);
    this.halts$ = this.halts.asObservable();
    this.connection = new BehaviorSubject<ConnectionState>({ status: "open", attempt: 0, time: ex.now() });
    this.connection$ = this.connection.asObservable();
    this.orderUpdates$ = this.updates.asObservable();
    this.nonUserCancels$ = this.nonUser.asObservable();
    this.fills$ = defer(() => concat(of(this.snapshot()), this.fillBatches));
    this.feed = new SimFeedRouter(ex.feed$);
    this.decodeErrors$ = this.feed.malformed().pipe(
      map((e) => ({ kind: "DecodeError" as const, source: `ws:${e.channel}`, message: `malformed frame: ${e.text}`, time: e.time })),
    );
    this.subs.push(
      ex.user$.subscribe((e) => {
        if (e.user !== this.user || e.kind === "funding") return;
        if (this.down) {
          this.lostEvents++;
          return;
        }
        if (e.kind === "orderUpdate") this.updates.next(e.update);
        else if (e.kind === "fill") this.fillBatches.next({ isSnapshot: false, fills: [e.record.fill] });
        else this.nonUser.next({ asset: e.asset, oid: e.oid, time: e.time });
      }),
      ex.dropouts$.subscribe((d) => {
        // A dropout during another one extends the outage to the later end; the earlier end does
        // not reconnect (the venue stays unreachable until the last one is over).
        const wasDown = this.down;
        this.down = true;
        this.downUntil = Math.max(this.downUntil, d.until);
        if (!wasDown) this.connection.next({ status: "reconnecting", attempt: 1, time: d.time });
        scheduleTracked(
          ex.scheduler,
          this.reconnects,
          () => {
            if (!this.down || ex.now() < this.downUntil) return;
            this.down = false;
            this.connection.next({ status: "open", attempt: 0, time: ex.now() });
            // The resubscribe: userFills answers with a snapshot that carries what the dropout lost.
            this.fillBatches.next(this.snapshot());
          },
          d.until - d.time,
        );
      }),
    );
    if (!attached) ex.start();
  }

  /** The userFills snapshot a (re)subscribe gets: the most recent fills, as Hyperliquid sends them. */
  private snapshot(): VenueFillBatch {
    const records = this.exchange.account(this.user).fills;
    const recent = records.length > SIM_USER_FILLS_SNAPSHOT ? records.slice(-SIM_USER_FILLS_SNAPSHOT) : records;
    return { isSnapshot: true, fills: recent.map((r) => r.fill) };
  }

  meta(): Observable<readonly AssetMeta[]> {
    return defer(() => of(this.exchange.universe));
  }

  book(asset: string): Observable<BookEvent> {
    return this.feed.book(asset);
  }

  trades(asset: string): Observable<TradeEvent> {
    return this.feed.trade(asset);
  }

  /** The reference venue's quotes (synthetic markets and Binance replays). */
  reference(asset: string): Observable<ReferenceQuote> {
    return this.feed.reference(asset);
  }

  submit(batch: ActionBatch): Observable<BatchResult> {
    return new Observable<BatchResult>((subscriber) => {
      let active = true;
      this.exchange.submit(this.user, batch, (reply) => {
        for (const [asset, detail] of haltRefusals(batch, reply.result)) {
          if (this.halted.has(asset)) continue;
          this.halted.add(asset);
          this.halts.next({ asset, dex: assetDex(asset), detail, time: this.exchange.now() });
        }
        if (!active) return;
        subscriber.next(reply.result);
        subscriber.complete();
      });
      return () => {
        // The request is already on its way; unsubscribing only stops listening for the answer.
        active = false;
      };
    });
  }

  /**
   * Charge an info request's IP weight as the server does (sim/server.ts: simInfoWeight, the same
   * window the actions of this account use); refused → an HTTP-429-like error, nothing answered.
   */
  #info<T>(weights: readonly [string, number][], answer: () => T): Observable<T> {
    return defer(() => {
      const ip = `local:${this.user}`;
      for (const [type, items] of weights) {
        if (!this.exchange.chargeIp(ip, simInfoWeight(type, items))) return throwError(() => new Error(`paper venue: ${type}: 429 Too Many Requests`));
      }
      return of(answer());
    });
  }

  account(options?: { readonly openOrders?: boolean }): Observable<AccountSnapshot> {
    const withOrders = options?.openOrders !== false;
    // clearinghouseState (2) + frontendOpenOrders (20), as a live client asks for them
    return this.#info(withOrders ? [["clearinghouseState", 0], ["frontendOpenOrders", 0]] : [["clearinghouseState", 0]], () => {
      // Only what a snapshot holds (never truth(): that copies every fill and order ever recorded).
      const ex = this.exchange;
      const orders = withOrders ? { openOrders: ex.openOrders(this.user) } : { openOrders: [], openOrdersIncluded: false as const };
      return { time: ex.now(), accountValue: ex.accountValueOf(this.user), positions: ex.positions(this.user), ...orders };
    });
  }

  orderStatus(ref: { readonly oid: number } | { readonly cloid: string }): Observable<OrderStatusAnswer> {
    return this.#info([["orderStatus", 0]], () => this.exchange.orderStatus(this.user, ref));
  }

  rateLimit(): Observable<RateLimitSnapshot> {
    return this.#info([["userRateLimit", 0]], () => this.exchange.rateLimit(this.user));
  }

  /** The account's fills from `since` on (the userFillsByTime of the in-process venue: one page, every fill kept). */
  fillsSince(since: number): Observable<FillsSinceAnswer> {
    return defer(() => of({ fills: this.exchange.account(this.user).fills.filter((r) => r.fill.time >= since).map((r) => r.fill), pages: 1, truncated: false }));
  }

  /** Venue truth (all fills sent, open orders, positions, cash) for tests and the soak. */
  truth(): SimVenueTruth {
    return this.exchange.truth(this.user);
  }

  private unsubscribeAll(): void {
    for (const s of this.subs.splice(0)) s.unsubscribe();
    for (const s of this.reconnects) s.unsubscribe();
    this.reconnects.clear();
  }

  /** Detach from the exchange and leave it running (a process that died: another venue may attach to the same exchange). */
  detach(): void {
    this.unsubscribeAll();
    this.down = true;
  }

  /** Stop the market and detach (pending deliveries are dropped for this venue). */
  close(): void {
    this.exchange.stop();
    this.unsubscribeAll();
    this.connection.next({ status: "closed", attempt: 0, time: this.exchange.now() });
  }
}
