// The quota throttle's vocabulary, shared by operators/quotaThrottle (which produces it),
// operators/quotaBreakerGate and the execution sink (which read it): the sink never imports
// operators/, so the types live here.
import type { Observable } from "rxjs";
import type { ActionBatch } from "./actions.js";
import type { QuoteGateReason } from "./gate.js";
import type { RateLimitSnapshot } from "./orders.js";

/** Why a placement or modify was refused. */
export type QuotaRefusal = "breaker" | "reserve" | "limited" | "tooLarge" | "cancelsQueued" | "queueFull";

/** The venue's answer to one batch we sent: was it refused for rate limits? */
export interface QuotaAnswer {
  readonly batch: ActionBatch;
  readonly rateLimited: boolean;
}

export interface QuotaThrottleFeedback {
  readonly answers$?: Observable<QuotaAnswer>;
  /** USDC traded (each value adds to the address cap, one request per USDC). */
  readonly volume$?: Observable<number>;
  readonly rateLimit$?: Observable<RateLimitSnapshot>;
  /** IP weight of info requests made from the same IP. */
  readonly infoWeight$?: Observable<number>;
}

export type QuotaLimitedLane = "none" | "placements" | "all";

export interface QuotaThrottleState {
  readonly time: number;
  /** min(ip, address) headroom in [0, 1]. */
  readonly headroom: number;
  readonly ipHeadroom: number;
  readonly addressHeadroom: number;
  readonly breakerOpen: boolean;
  readonly limited: QuotaLimitedLane;
  /** When the rate-limited regime lets the next request through (null when not limited). */
  readonly nextSlotAt: number | null;
  readonly queuedCancels: number;
  /** Present while the breaker is open: the reason a quote gate should report. */
  readonly reason?: QuoteGateReason;
}

