// HyperliquidVenue: the `Venue` contract (streams/venue.ts) over the Hyperliquid wire protocol —
// live (mainnet/testnet) and against the paper venue's server. Feeds come from the WS client;
// info requests go over HTTP; submit() signs and sends via WS post when connected, else HTTP
// /exchange, and never retries (the executor reconciles via orderStatus).
import { Wallet } from "ethers";
import {
  EMPTY,
  Observable,
  Subject,
  asyncScheduler,
  concatMap,
  forkJoin,
  map,
  merge,
  mergeMap,
  of,
  shareReplay,
  tap,
  throwError,
  type SchedulerLike,
  type Subscriber,
  type Subscription,
} from "rxjs";
import {
  HlNonceGenerator,
  classifyExchangeError,
  decodeErrorEvent,
  decodeHlBbo,
  decodeHlBook,
  decodeHlClearinghouseState,
  decodeHlExchangeResponse,
  decodeHlFillsInfo,
  decodeHlFrontendOpenOrders,
  decodeHlMeta,
  decodeHlPerpDexs,
  haltRefusals,
  assetDex,
  perpDexIdOffset,
  decodeHlOrderStatus,
  decodeHlOrderUpdates,
  decodeHlTrades,
  decodeHlUserFills,
  decodeHlUserEvent,
  decodeHlUserRateLimit,
  decodeHlWsAllMids,
  decodeHlWsClearinghouseState,
  decodeHlWsOpenOrders,
  encodeAction,
  hlHttpErrorResult,
  hlWalletAddress,
  isRateLimitText,
  signedExchangeBody,
  type AccountSnapshot,
  type ActionBatch,
  type AssetMeta,
  type BatchResult,
  type BookEvent,
  type ConnectionState,
  type DecodeErrorEvent,
  type DecodeFailure,
  type Decoded,
  type HlInfoRequest,
  type HlUserEvent,
  type MidEvent,
  type OpenOrder,
  type OrderStatusAnswer,
  type OrderUpdate,
  type RateLimitSnapshot,
  type TradeEvent,
  type FillsSinceAnswer,
  type Venue,
  type VenueFillBatch,
  type VenueHalt,
} from "../../streams/index.js";
import { SourceSubscriber } from "../../streams/sourceSubscriber.js";
import { decodedEach, decodedOne } from "./decodedFrames.js";
import { type DexPart, mergeDexSnapshots, pairDexPushes } from "./dexAccount.js";
import { pagedFillsSince } from "./fillHistory.js";
import { HlTransportError } from "./errors.js";
import { HlHttpClient, type HlHttpAnswer, type HlHttpClientOptions } from "./httpClient.js";
import { HlWsClient, type HlPostResponse, type HlWsClientOptions } from "./wsClient.js";

export const HL_MAINNET_API_URL = "https://api.hyperliquid.xyz";
export const HL_TESTNET_API_URL = "https://api.hyperliquid-testnet.xyz";

/** Only the exact mainnet URL signs as mainnet (FACTS §1); testnet, localhost, paper: testnet. */
export function hlIsMainnet(baseUrl: string): boolean {
  return baseUrl.replace(/\/+$/, "") === HL_MAINNET_API_URL;
}

/** The Python SDK's rule: "ws" + base[len("http"):] + "/ws". */
export function hlWsUrl(baseUrl: string): string {
  return "ws" + baseUrl.replace(/\/+$/, "").slice("http".length) + "/ws";
}

export interface HyperliquidVenueOptions {
  /** `https://api.hyperliquid.xyz`, testnet, or the paper venue's `http://127.0.0.1:port`. */
  readonly baseUrl: string;
  /** Default: derived from baseUrl (`wss://…/ws`). */
  readonly wsUrl?: string;
  /** Signing key (ethers Wallet or 0x private key); omit for a read-only venue. */
  readonly wallet?: Wallet | string;
  /** The account whose orders, fills and state we follow (master, sub-account or vault — not an agent's address). */
  readonly userAddress: string;
  /** Trade on behalf of this vault/sub-account (signed into the hash and sent in the body). */
  readonly vaultAddress?: string | null;
  /** Timers that decide behaviour (backoff, watchdog, post timeout, HTTP deadline) and the nonce clock. */
  readonly scheduler?: SchedulerLike;
  /** Set `expiresAfter` = now + this on every action (default: none). */
  readonly expiresAfterMs?: number | null;
  readonly ws?: Omit<HlWsClientOptions, "url" | "scheduler">;
  readonly http?: Omit<HlHttpClientOptions, "baseUrl" | "scheduler">;
  readonly name?: string;
  /**
   * HIP-3 dexes to follow beside the main one (`["xyz"]` for `xyz:GOLD`): meta() adds their
   * universes (ids from `perpDexs`), account snapshots and pushes cover each. Each costs one more
   * `meta` (20) at start and one more clearinghouseState + frontendOpenOrders (2 + 20) per poll.
   */
  readonly dexes?: readonly string[];
}

/** A dex the config names is not listed by the venue's `perpDexs`. */
export class HlUnknownDexError extends Error {
  override readonly name = "HlUnknownDexError";
  constructor(
    readonly venue: string,
    readonly dex: string,
    readonly listed: readonly string[],
  ) {
    super(`${venue}: perp dex "${dex}" is not listed by perpDexs (listed: ${listed.join(", ") || "none"})`);
  }
}

/** submit() on a venue built without a wallet. */
export class HlReadOnlyError extends Error {
  override readonly name = "HlReadOnlyError";
}

export class HyperliquidVenue implements Venue {
  readonly name: string;
  readonly isMainnet: boolean;
  readonly ws: HlWsClient;
  readonly http: HlHttpClient;
  readonly orderUpdates$: Observable<OrderUpdate>;
  readonly fills$: Observable<VenueFillBatch>;
  readonly connection$: Observable<ConnectionState>;
  readonly decodeErrors$: Observable<DecodeErrorEvent>;
  readonly accountPushes$: Observable<AccountSnapshot>;
  readonly perpDexs: readonly string[];
  readonly halts$: Observable<VenueHalt>;
  readonly #halts = new Subject<VenueHalt>();
  readonly #halted = new Set<string>();

  readonly #signer: Wallet | undefined;
  readonly #user: string;
  readonly #vault: string | null;
  readonly #scheduler: SchedulerLike;
  readonly #nonces: HlNonceGenerator;
  readonly #expiresAfterMs: number | null;
  readonly #decodeErrors = new Subject<DecodeErrorEvent>();
  #meta$: Observable<readonly AssetMeta[]> | undefined;
  #assets = new Map<string, AssetMeta>();

  constructor(options: HyperliquidVenueOptions) {
    this.name = options.name ?? "hyperliquid";
    this.perpDexs = [...new Set(options.dexes ?? [])].filter((d) => d !== "");
    this.halts$ = this.#halts.asObservable();
    this.isMainnet = hlIsMainnet(options.baseUrl);
    this.#scheduler = options.scheduler ?? asyncScheduler;
    this.#user = options.userAddress.toLowerCase();
    this.#vault = options.vaultAddress == null ? null : options.vaultAddress.toLowerCase();
    this.#expiresAfterMs = options.expiresAfterMs ?? null;
    this.#nonces = new HlNonceGenerator(this.#scheduler);
    const w = options.wallet;
    // Wallet construction validates the key; hlWalletAddress wraps failures without the key.
    this.#signer = w === undefined ? undefined : typeof w === "string" ? new Wallet(signerKey(w)) : w;
    this.ws = new HlWsClient({ ...options.ws, url: options.wsUrl ?? hlWsUrl(options.baseUrl), scheduler: this.#scheduler });
    this.http = new HlHttpClient({ ...options.http, baseUrl: options.baseUrl, scheduler: this.#scheduler });
    this.connection$ = this.ws.state$;
    this.decodeErrors$ = merge(this.ws.decodeErrors$, this.#decodeErrors);
    this.orderUpdates$ = this.ws
      .channel({ type: "orderUpdates", user: this.#user })
      .pipe(decodedEach((d) => decodeHlOrderUpdates(d, "ws:orderUpdates"), this.#reporter("ws:orderUpdates")));
    this.fills$ = this.ws.channel({ type: "userFills", user: this.#user }).pipe(
      mergeMap((d) => {
        const r = decodeHlUserFills(d, "ws:userFills");
        if (!r.ok) return this.#report("ws:userFills", r);
        if (r.value.user.toLowerCase() !== this.#user) return EMPTY;
        const batch: VenueFillBatch = { isSnapshot: r.value.isSnapshot, fills: r.value.fills };
        return of(batch);
      }),
    );
    this.accountPushes$ = this.#accountPushes();
  }

  /**
   * The account pushes (FACTS §13) of every followed dex for our user, paired: a snapshot goes out
   * once a fresh clearinghouseState and a fresh openOrders push of each dex have arrived since the
   * last one (the venue pushes both every ~4–5 s), carrying the oldest clearinghouseState's time —
   * the venue's position at that time, so the sink's fill-in-flight rules hold as for a polled
   * snapshot. The main dex subscribes without `dex` (as before HIP-3); a HIP-3 dex with it.
   */
  #accountPushes(): Observable<AccountSnapshot> {
    const user = this.#user;
    const dexes = ["", ...this.perpDexs];
    const parts$ = merge(
      ...dexes.map((dex) => {
        const sub = dex === "" ? { user } : { user, dex };
        const states$ = this.ws.channel({ type: "clearinghouseState", ...sub }).pipe(
          mergeMap((d): Observable<DexPart> => {
            const r = decodeHlWsClearinghouseState(d, Math.floor(this.#scheduler.now()));
            if (!r.ok) return this.#report("ws:clearinghouseState", r);
            return r.value.user.toLowerCase() === user && r.value.dex === dex ? of({ dex, kind: "state", state: r.value.state }) : EMPTY;
          }),
        );
        const orders$ = this.ws.channel({ type: "openOrders", ...sub }).pipe(
          mergeMap((d): Observable<DexPart> => {
            const r = decodeHlWsOpenOrders(d);
            if (!r.ok) return this.#report("ws:openOrders", r);
            return r.value.user.toLowerCase() === user && r.value.dex === dex ? of({ dex, kind: "orders", orders: r.value.orders }) : EMPTY;
          }),
        );
        return merge(states$, orders$);
      }),
    );
    return pairDexPushes(parts$, dexes);
  }

  /** The signer's address (undefined for a read-only venue). */
  get signerAddress(): string | undefined {
    return this.#signer?.address;
  }

  /** A decode failure of `source`, as a DecodeErrorEvent on decodeErrors$ (counted there; nothing else changes). */
  #decodeError(source: string, error: DecodeFailure): void {
    this.#decodeErrors.next(decodeErrorEvent(source, error, this.#scheduler.now()));
  }

  #report(source: string, r: Decoded<unknown> & { ok: false }): Observable<never> {
    this.#decodeError(source, r.error);
    return EMPTY;
  }

  /** #decodeError for one source (for decodedOne / decodedEach). */
  #reporter(source: string): (error: DecodeFailure) => void {
    return (error) => this.#decodeError(source, error);
  }

  #info<A>(body: HlInfoRequest, decode: (u: unknown) => Decoded<A>): Observable<A> {
    const source = `http:/info ${body.type}`;
    return this.http.info(body).pipe(
      mergeMap((u) => {
        const r = decode(u);
        if (r.ok) return of(r.value);
        this.#decodeError(source, r.error);
        return throwError(() => r.error);
      }),
    );
  }

  /**
   * The main dex's universe, then each followed HIP-3 dex's (`meta {dex}`, ids
   * `100000 + index × 10000 + i` with the index from `perpDexs`; names `dex:COIN`). A followed dex
   * that `perpDexs` does not list errors with HlUnknownDexError naming it.
   */
  meta(): Observable<readonly AssetMeta[]> {
    const main$ = this.#info({ type: "meta" }, (u) => decodeHlMeta(u));
    const all$ =
      this.perpDexs.length === 0
        ? main$
        : this.#info({ type: "perpDexs" }, (u) => decodeHlPerpDexs(u)).pipe(
            concatMap((listed) => {
              const metas = this.perpDexs.map((dex) => {
                const d = listed.find((x) => x.name === dex);
                if (!d) return throwError(() => new HlUnknownDexError(this.name, dex, listed.map((x) => x.name)));
                return this.#info({ type: "meta", dex }, (u) => decodeHlMeta(u, perpDexIdOffset(d.index), `info meta ${dex}`)).pipe(
                  // live names carry the prefix (`xyz:XYZ100`); a bare one gets it, so names stay unique across dexes
                  map((ms) => ms.map((m) => (m.name.startsWith(`${dex}:`) ? m : { ...m, name: `${dex}:${m.name}` }))),
                );
              });
              return forkJoin([main$, ...metas]).pipe(map((lists) => lists.flat()));
            }),
          );
    return all$.pipe(
      tap((metas) => {
        this.#assets = new Map(metas.map((m) => [m.name, m]));
      }),
    );
  }

  /** Meta once (shared), refreshed by any explicit meta() call. */
  #assetsReady(): Observable<ReadonlyMap<string, AssetMeta>> {
    if (this.#assets.size > 0) return of(this.#assets);
    this.#meta$ ??= this.meta().pipe(shareReplay({ bufferSize: 1, refCount: false }));
    return this.#meta$.pipe(
      map(() => this.#assets),
      tap({ error: () => (this.#meta$ = undefined) }),
    );
  }

  book(asset: string): Observable<BookEvent> {
    const source = `ws:l2Book ${asset}`;
    return this.ws.channel({ type: "l2Book", coin: asset }).pipe(decodedOne((d) => decodeHlBook(d, source), this.#reporter(source)));
  }

  trades(asset: string): Observable<TradeEvent> {
    const source = `ws:trades ${asset}`;
    return this.ws.channel({ type: "trades", coin: asset }).pipe(decodedEach((d) => decodeHlTrades(d, source), this.#reporter(source)));
  }

  /** Best bid/offer pushes (`bbo`, only when it changes on a block) as one-level books. */
  bbo(asset: string): Observable<BookEvent> {
    const source = `ws:bbo ${asset}`;
    return this.ws.channel({ type: "bbo", coin: asset }).pipe(decodedOne((d) => decodeHlBbo(d, source), this.#reporter(source)));
  }

  /** All mids (`allMids`; `dex`: a HIP-3 dex's, keyed `dex:COIN`), one MidEvent per coin, stamped with the scheduler's time. */
  mids(dex?: string): Observable<MidEvent> {
    return this.ws
      .channel(dex ? { type: "allMids", dex } : { type: "allMids" })
      .pipe(decodedEach((d) => decodeHlWsAllMids(d, this.#scheduler.now(), "ws:allMids"), this.#reporter("ws:allMids")));
  }

  /** Our `userEvents` (channel `user`): fills, funding, liquidation, nonUserCancel. No snapshot on subscribe. */
  userEvents(): Observable<HlUserEvent> {
    return this.ws.channel({ type: "userEvents", user: this.#user }).pipe(decodedOne((d) => decodeHlUserEvent(d, "ws:user"), this.#reporter("ws:user")));
  }

  /**
   * Sign and send one batch: WS post when the socket is open, else HTTP /exchange. Emits one
   * BatchResult (HTTP 429 / rate-limit texts → `rateLimited: true`) or errors with an
   * HlTransportError whose `sent` says whether the venue may have acted. Never retried.
   */
  submit(batch: ActionBatch): Observable<BatchResult> {
    return new Observable<BatchResult>((subscriber) => {
      const signer = this.#signer;
      if (signer === undefined) return subscriber.error(new HlReadOnlyError(`${this.name}: no wallet configured; cannot submit`));
      // meta known (every request after the first): encode, sign and send on this call stack, one
      // subscriber to the answer (PROFILE.md §17); before it, wait for meta as any request does
      if (this.#assets.size > 0) return this.#send(batch, this.#assets, signer, subscriber);
      return this.#assetsReady()
        .pipe(concatMap((assets) => new Observable<BatchResult>((inner) => this.#send(batch, assets, signer, inner))))
        .subscribe(subscriber);
    });
  }

  /** Encode, sign and send `batch`; its one BatchResult (halts noticed first) to `subscriber`. */
  #send(batch: ActionBatch, assets: ReadonlyMap<string, AssetMeta>, signer: Wallet, subscriber: Subscriber<BatchResult>): Subscription {
    const action = encodeAction(batch, assets);
    const nonce = this.#nonces.next();
    const expiresAfter = this.#expiresAfterMs === null ? null : Math.floor(this.#scheduler.now()) + this.#expiresAfterMs;
    const body = signedExchangeBody({ wallet: signer, action, nonce, vaultAddress: this.#vault, expiresAfter, isMainnet: this.isMainnet });
    const answer = (r: BatchResult): void => {
      this.#noticeHalts(batch, r);
      subscriber.next(r);
    };
    if (this.ws.status === "open")
      return this.ws.post("action", body).subscribe(new SourceSubscriber<HlPostResponse>(subscriber, (resp) => answer(this.#fromPost(resp, batch))));
    return this.http.exchange(body).subscribe(new SourceSubscriber<HlHttpAnswer>(subscriber, (a) => answer(this.#fromHttp(a, batch))));
  }

  /** A placement refused because its asset is halted (HIP-3 deployer halt): venue truth, once per asset. */
  #noticeHalts(batch: ActionBatch, r: BatchResult): void {
    for (const [asset, detail] of haltRefusals(batch, r)) {
      if (this.#halted.has(asset)) continue;
      this.#halted.add(asset);
      this.#halts.next({ asset, dex: assetDex(asset), detail, time: this.#scheduler.now() });
    }
  }

  #decodeResult(body: unknown, batch: ActionBatch, source: string): BatchResult {
    const r = decodeHlExchangeResponse(body, batch, source);
    if (r.ok) return r.value;
    this.#decodeError(source, r.error);
    throw new HlTransportError(`${source}: undecodable answer; outcome unknown (${r.error.message.slice(0, 200)})`, true);
  }

  #fromPost(resp: HlPostResponse, batch: ActionBatch): BatchResult {
    if (resp.type === "action") return this.#decodeResult(resp.payload, batch, "ws:post action");
    if (resp.type === "error") {
      const text = resp.payload;
      const rateLimited = /\b429\b/.test(text) || isRateLimitText(text);
      return { ok: false, code: rateLimited ? "RateLimited" : classifyExchangeError(text), error: text, rateLimited };
    }
    throw new HlTransportError(`ws:post action: answered with an info payload; outcome unknown`, true);
  }

  #fromHttp(answer: HlHttpAnswer, batch: ActionBatch): BatchResult {
    if (answer.status < 200 || answer.status >= 300) return hlHttpErrorResult(answer.status, answer.text);
    return this.#decodeResult(answer.body, batch, "http:/exchange");
  }

  /** Every followed dex's clearinghouseState (+ frontendOpenOrders), merged (dexAccount.ts): IP weight (2 [+ 20]) per dex. */
  account(options?: { readonly openOrders?: boolean }): Observable<AccountSnapshot> {
    const withOrders = options?.openOrders !== false;
    const now = (): number => Math.floor(this.#scheduler.now());
    const perDex = ["", ...this.perpDexs].map((dex) => {
      const d = dex === "" ? {} : { dex };
      const state$ = this.#info({ type: "clearinghouseState", user: this.#user, ...d }, (u) => decodeHlClearinghouseState(u, now()));
      const orders$ = withOrders ? this.#info({ type: "frontendOpenOrders", user: this.#user, ...d }, (u) => decodeHlFrontendOpenOrders(u)) : of([] as OpenOrder[]);
      return forkJoin([state$, orders$]).pipe(map(([state, orders]) => ({ dex, state, orders })));
    });
    return forkJoin(perDex).pipe(map((parts) => mergeDexSnapshots(parts, withOrders)));
  }

  orderStatus(ref: { readonly oid: number } | { readonly cloid: string }): Observable<OrderStatusAnswer> {
    const oid = "oid" in ref ? ref.oid : ref.cloid;
    return this.#info({ type: "orderStatus", user: this.#user, oid }, (u) => decodeHlOrderStatus(u));
  }

  rateLimit(): Observable<RateLimitSnapshot> {
    return this.#info({ type: "userRateLimit", user: this.#user }, (u) => decodeHlUserRateLimit(u));
  }

  /** userFillsByTime from `since`, every page (IP weight 20 + 1 per 20 fills a page; sources/hyperliquid/fillHistory.ts). */
  fillsSince(since: number): Observable<FillsSinceAnswer> {
    return pagedFillsSince((startTime) => this.#info({ type: "userFillsByTime", user: this.#user, startTime }, (u) => decodeHlFillsInfo(u, "http:/info userFillsByTime")), since);
  }

  /** Release the HTTP pool (the WS closes by itself when nothing is subscribed). */
  close(): Promise<void> {
    return this.http.close();
  }
}

/** Normalise and validate a key string without ever putting it in an error. */
function signerKey(key: string): string {
  hlWalletAddress(key); // throws HlSigningError (no key material) when invalid
  return key.startsWith("0x") ? key : "0x" + key;
}
