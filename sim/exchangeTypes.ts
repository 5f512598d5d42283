// What the simulated exchange takes and emits: options, feed and user events, replies.
import { type SchedulerLike } from "rxjs";
import type { BatchResult } from "../streams/actions.js";
import type { BookEvent, ReferenceQuote, TradeEvent } from "../streams/market.js";
import type { OrderUpdate } from "../streams/orders.js";
import { SimAccount, type SimFillRecord } from "./account.js";
import { type SimFaultSpec, type SimRange } from "./faults.js";
import type { SimMarket } from "./market.js";
import { type SimPerpDexSpec } from "./hip3.js";
import { SimRng } from "./prng.js";
import { type SimFeeModel, type SimLatencyModel } from "./models.js";
import { type SimQueueFunction, type SimQueueModel } from "./queueModel.js";
import { type SimFundingRecord } from "./accountRules.js";


/** Options of one submit: the IP it came from, and a check made when it reaches the matcher. */
export interface SimSubmitOptions {
  readonly ip?: string;
  /** Runs at the matcher before the batch (nonce and expiry rules); a text refuses the whole request. */
  readonly gate?: (account: SimAccount) => string | undefined;
}

/** The counterparty address printed for the recorded/synthetic market side of a trade. */
export const SIM_MARKET_ADDRESS = "0x0000000000000000000000000000000000000000";

/** A public trade as the feed prints it (domain trade + the wire's users and hash). */
export interface SimTrade extends TradeEvent {
  readonly users: readonly [string, string];
  readonly hash: string;
}

export type SimFeedEvent =
  | { readonly kind: "book"; readonly book: BookEvent }
  | { readonly kind: "trades"; readonly asset: string; readonly trades: readonly SimTrade[] }
  | { readonly kind: "ref"; readonly quote: ReferenceQuote }
  | { readonly kind: "malformed"; readonly channel: "l2Book" | "trades"; readonly asset: string; readonly time: number; readonly text: string };

export type SimUserEvent =
  | { readonly kind: "orderUpdate"; readonly user: string; readonly update: OrderUpdate }
  | { readonly kind: "fill"; readonly user: string; readonly record: SimFillRecord }
  | { readonly kind: "nonUserCancel"; readonly user: string; readonly asset: string; readonly oid: number; readonly time: number }
  | { readonly kind: "funding"; readonly user: string; readonly record: SimFundingRecord };

export interface SimDropout {
  readonly kind: "dropout";
  readonly time: number;
  readonly until: number;
}

/** What a request gets back: the HTTP status it would carry, and the domain answer. */
export interface SimReply {
  readonly http: 200 | 429;
  readonly result: BatchResult;
}

export interface PaperExchangeOptions {
  readonly market: SimMarket;
  readonly scheduler?: SchedulerLike;
  readonly seed?: number | string;
  /** A profile name (`none`, `realistic`, `hostile`) or knobs over one. Default `none`. */
  readonly faults?: SimFaultSpec;
  /** USDC each new account starts with. Default 100,000. */
  readonly startingBalance?: number;
  /** Maker / taker fee rates (fraction of notional). Defaults 0.00015 / 0.00045 (Hyperliquid tier 0). */
  readonly makerFee?: number;
  readonly takerFee?: number;
  /** Initial address budget (FACTS §9: 10,000). Lower it to reach the limited regime in a test. */
  readonly addressInitialBuffer?: number;
  readonly ipWeightPerMinute?: number;
  /** Queue model: a shape of hftbacktest's ProbQueueModel (`{ kind: "power", n }`, `{ kind: "log" }`) or your own SimQueueModel. */
  readonly queue?: SimQueueFunction | SimQueueModel;
  /** Cancel of an order the venue knows was canceled → AlreadyCancelled (default: AlreadyFilled, as the live text can't tell). */
  readonly revealCancelOutcome?: boolean;
  /** Stop fault timers when a finite market ends (so a VirtualTimeScheduler flush terminates). Default true. */
  readonly stopWithMarket?: boolean;
  /** Block length (ms): requests reaching the matcher run at the block's end, cancels and ALO first (FACTS §13: ~70 ms). Default 0 (no blocks); the server's default is 70. */
  readonly blockMs?: number;
  /** Latency model (default SimUniformLatency over the fault profile's ranges). */
  readonly latency?: SimLatencyModel;
  /** Fee model (default SimFlatFees(makerFee, takerFee)). */
  readonly fees?: SimFeeModel;
  /** Orders priced further than this fraction from the mark are refused (3P: 80 %). Default 0.8; Infinity turns it off. */
  readonly priceBand?: number;
  /** Hourly funding rate paid on positions at each hour of exchange time (longs pay when positive). Default 0.0000125 (0.01 % per 8 h, premium 0); 0 turns it off. */
  readonly fundingRatePerHour?: number;
  /** Volume (USDC) an account must have traded before scheduleCancel may be armed (FACTS §13: $1,000,000 live). Default 0. */
  readonly scheduleCancelMinVolume?: number;
  /** Knobs of the HIP-3 dexes the market's `dex:COIN` assets name (fee scale, growth mode, OI cap, isolated-only; sim/hip3.ts). */
  readonly perpDexs?: readonly SimPerpDexSpec[];
}

export const EPS = 1e-9;
export const FIRST_OID = 40_000_000_000;
/** Order records kept per account for orderStatus / race detection (oldest forgotten first). */
export const SIM_ORDER_MEMORY = 200_000; // beyond 2^32 like live oids, so uint64 encodings get exercised
/**
 * How long an ended order's end time is kept for cancel-fill race detection: a cancel is matched
 * within its request latency of being sent (≤ 400 ms plus a block in the hostile profile), so ten
 * minutes is far beyond any, and the map no longer grows with the run.
 */
export const SIM_ENDED_MEMORY_MS = 10 * 60_000;
/**
 * How long tids are remembered to keep them unique: a userFills snapshot replays the 2000 most
 * recent fills (minutes at this venue's rates); a 50-bit random tid repeating after an hour has a
 * chance of ~1e-11 per fill against the fills a client remembers.
 */
export const SIM_TID_MEMORY_MS = 60 * 60_000;

export function simSample(rng: SimRng, r: SimRange): number {
  return r[0] === r[1] ? r[0] : Math.round(rng.uniform(r[0], r[1]));
}

export interface SimPending {
  readonly userEvents: { ev: SimUserEvent; delay: number }[];
}
