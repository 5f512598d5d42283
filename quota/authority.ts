// The quota authority: the one place that decides whether a request may spend the budgets the
// venue meters (FACTS §9, §13): the IP's rolling 1200 weight per minute, the address's monotone
// ledger (10,000 + 1 per USDC traded, cancels up to min(cap + 100000, 2 × cap)), and the IP's
// WebSocket connections and unique users. One process (memory) or every process on an account and
// an IP (redis) asks it. The throttle (operators/quotaThrottle) keeps its local ledger; the
// authority is the shared check after it (quota/gate.ts).
import type { Observable } from "rxjs";
import type { RateLimitSnapshot } from "../streams/orders.js";

export interface QuotaAuthorityLimits {
  /** REST weight per IP per rolling window (1200 / 60 s). */
  readonly ipWeightLimit: number;
  readonly ipWindowMs: number;
  /** Requests an address starts with (10,000). */
  readonly addressInitialBuffer: number;
  /** Cancels may go to min(cap + cancelExtra, 2 × cap) (100,000). */
  readonly cancelExtra: number;
  /** Placements never use the last this-fraction of the address budget (cancels may). */
  readonly reserveFraction: number;
  /**
   * …nor this fraction of the IP window: it is left to cancels and to info requests, which the
   * authority counts but cannot hold back (account snapshots, orderStatus, start-up meta of every
   * process on the IP). Default 0.15 (placements stop at 1020 of 1200).
   */
  readonly ipReserveFraction: number;
  /** Cancels stop at this last fraction of the IP window and wait (default 0.05: info requests keep 60 of 1200). */
  readonly cancelIpReserveFraction: number;
  /** A reservation neither committed nor released within this is dropped (its process died). */
  readonly reservationTtlMs: number;
  /** WS caps per IP (10 connections, 10 unique users). */
  readonly wsConnections: number;
  readonly wsUsers: number;
}

export const DEFAULT_AUTHORITY_LIMITS: QuotaAuthorityLimits = {
  ipWeightLimit: 1200,
  ipWindowMs: 60_000,
  addressInitialBuffer: 10_000,
  cancelExtra: 100_000,
  reserveFraction: 0.05,
  ipReserveFraction: 0.15,
  cancelIpReserveFraction: 0.05,
  reservationTtlMs: 30_000,
  wsConnections: 10,
  wsUsers: 10,
};

export interface ReserveRequest {
  /** Unique per request (process id + counter). */
  readonly id: string;
  /** IP weight: 1 + floor(n / 40) for an action. */
  readonly weight: number;
  /** Address requests: n, the batch length. */
  readonly requests: number;
  /** Cancels are never refused for the address (the venue keeps a cancel allowance); past the IP window's last 5% they answer "ip" and wait. */
  readonly cancel: boolean;
}

export type ReserveAnswer =
  | { readonly ok: true; readonly usage: QuotaUsage }
  | { readonly ok: false; readonly reason: "ip" | "address" | "unavailable"; readonly usage?: QuotaUsage };

/** What the shared budgets look like after a call. */
export interface QuotaUsage {
  /** IP weight in the window ending now (every process of the scope, info requests included). */
  readonly ipUsed: number;
  /** Address requests committed (venue truth from userRateLimit, plus commits since). */
  readonly used: number;
  /** Address requests reserved by requests in flight. */
  readonly reserved: number;
  /** Placement cap: cap + surplus + traded volume since the snapshot. */
  readonly cap: number;
  readonly cancelLimit: number;
}

export type WsAnswer = { readonly ok: true; readonly connections: number; readonly users: number } | { readonly ok: false; readonly reason: string };

/** Up: answers come back. Down: the store is unreachable; placements must stop. */
export type AuthorityStatus = "up" | "down";

export interface QuotaAuthority {
  readonly kind: "memory" | "redis";
  readonly limits: QuotaAuthorityLimits;
  /** Reserve budget for one request about to leave. Never rejects: an unreachable store answers `unavailable`. */
  reserve(req: ReserveRequest): Promise<ReserveAnswer>;
  /** The request went out and the venue answered: the reservation becomes used. */
  commit(id: string): Promise<void>;
  /** The request never left: its weight and requests come back. */
  release(id: string): Promise<void>;
  /** Info weight spent from the same IP (it shares the 1200/min). */
  addIpWeight(weight: number): Promise<void>;
  /** The venue's userRateLimit numbers: the cap is adopted; `used` only rises (an older snapshot from another process must not erase later commits). */
  applySnapshot(snapshot: RateLimitSnapshot): Promise<void>;
  /** USDC traded: one more request each. */
  addVolume(usdc: number): Promise<void>;
  usage(): Promise<QuotaUsage | undefined>;
  /** After the store came back empty (restarted without persistence): write what this process last saw (IP window only if nobody did; used only rises). */
  seed(usage: QuotaUsage): Promise<void>;
  /** Register this process's WS connections and user subscriptions on the IP; refused past the caps. */
  wsAcquire(process: string, connections: number, users: readonly string[]): Promise<WsAnswer>;
  wsRelease(process: string): Promise<void>;
  /** Replays the current status, then every change. */
  readonly status$: Observable<AuthorityStatus>;
  readonly status: AuthorityStatus;
  close(): Promise<void>;
}

/** Cumulative cancel allowance for a placement cap (FACTS §9). */
export function authorityCancelLimit(cap: number, limits: QuotaAuthorityLimits): number {
  return Math.min(cap + limits.cancelExtra, 2 * cap);
}
