// The venue contract (DESIGN.md): the Hyperliquid client and the in-process paper venue both
// satisfy it, so the pipeline and the sink never know which one they drive. Everything is an
// Observable (not a Promise) so that replay on a VirtualTimeScheduler stays deterministic.
import type { Observable } from "rxjs";
import type { ActionBatch, BatchResult } from "./actions.js";
import type { VenueFillBatch } from "./fill.js";
import type { AssetMeta, BookEvent, TradeEvent } from "./market.js";
import type { AccountSnapshot, OrderStatusAnswer, OrderUpdate, RateLimitSnapshot } from "./orders.js";

export type ConnectionStatus = "connecting" | "open" | "reconnecting" | "closed";

export interface ConnectionState {
  readonly status: ConnectionStatus;
  /** Reconnect attempts since the last data received after a (re)connect. */
  readonly attempt: number;
  readonly time: number;
}

/** A frame or response that did not decode: a value on the feed, never a stream error. */
export interface DecodeErrorEvent {
  readonly kind: "DecodeError";
  /** Which feed or endpoint: "ws:l2Book", "http:/info clearinghouseState", … */
  readonly source: string;
  readonly message: string;
  readonly time: number;
}

/** A deployer halted an asset (HIP-3 `haltTrading`, FACTS §13): venue truth; its gate closes with `DexHalted`. */
export interface VenueHalt {
  readonly asset: string;
  readonly dex: string;
  /** The venue's words (the refusal text, or what the paper venue reported). */
  readonly detail: string;
  readonly time: number;
}

export interface Venue {
  readonly name: string;
  /**
   * The HIP-3 dexes followed beside the main one (`xyz` for `xyz:GOLD`): `meta()` lists their
   * assets, `account()` and `accountPushes$` cover every one (IP weight per dex). Absent: main only.
   */
  readonly perpDexs?: readonly string[];
  /** Deployer halts (HIP-3), as the venue reports them. Optional. */
  readonly halts$?: Observable<VenueHalt>;
  meta(): Observable<readonly AssetMeta[]>;
  book(asset: string): Observable<BookEvent>;
  trades(asset: string): Observable<TradeEvent>;
  /** Our order updates, all assets. */
  readonly orderUpdates$: Observable<OrderUpdate>;
  /** Our fills, all assets; snapshot batches after (re)subscribe. */
  readonly fills$: Observable<VenueFillBatch>;
  readonly connection$: Observable<ConnectionState>;
  readonly decodeErrors$: Observable<DecodeErrorEvent>;
  /** Send one batch; emits exactly one BatchResult then completes (or errors on transport failure/timeout). */
  submit(batch: ActionBatch): Observable<BatchResult>;
  /** Positions and open orders (clearinghouseState + frontendOpenOrders, IP weight 2 + 20); `{ openOrders: false }`: positions only (weight 2) — a venue may still include them. */
  account(options?: { readonly openOrders?: boolean }): Observable<AccountSnapshot>;
  /**
   * Account snapshots the venue pushes (Hyperliquid: WS `clearinghouseState` + `openOrders`, every
   * ~4–5 s, no REST weight), each one paired: positions and open orders of the same push round,
   * stamped with the clearinghouseState's time. Optional: a venue without pushes (the in-process
   * paper venue, test venues) leaves it out and the sink polls `account()` as before.
   */
  readonly accountPushes$?: Observable<AccountSnapshot>;
  orderStatus(ref: { readonly oid: number } | { readonly cloid: string }): Observable<OrderStatusAnswer>;
  rateLimit(): Observable<RateLimitSnapshot>;
}
