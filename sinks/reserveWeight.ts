// Buying address-budget requests with `reserveRequestWeight` (FACTS §5.6, §9: 0.0005 USDC a
// request, paid from the perps balance), so a market maker with few fills is not starved. Off by
// default (`config.reserve` absent). The rules, and what they cost:
//
// - buy only when the address headroom (the quota throttle's, flowing back as `quota` input) is
//   below `belowHeadroom` (default 0.2 — above the breaker's 0.1, so a purchase lands before the
//   breaker has to stop quoting); `chunk` requests at a time (default 1000 = 0.5 USDC);
// - never more than `usdPerDay` per UTC day (the day of the scheduler's clock; a purchase that was
//   sent and never answered counts, it may have landed); the last purchase of a day is cut to what
//   the cap leaves, so spend stops exactly at it;
// - never while a purchase is in flight, never with less withdrawable than it costs (the last
//   snapshot's `withdrawable`, else its account value less the margin our positions and resting
//   orders use), never while stopping or with the kill switch tripped;
// - the purchase is itself one address request of IP weight 1 (the quota throttle counts it; it is
//   let through while the breaker is open, being the way out); when the venue confirms it, the
//   throttle's cap grows by the weight bought (the same feedback as traded volume, one request per
//   unit) until the next userRateLimit snapshot brings the venue's own numbers;
// - after a refusal (venue, quota throttle) or an unanswered purchase, nothing is tried for
//   `retryMs` (default 60 s): a venue that keeps refusing costs at most one request a minute.
// Refusals are counted and reported once per episode (a reason differing from the last one), not
// once per step.
import type { ActionBatch, BatchResult } from "../streams/actions.js";
import type { AccountSnapshot } from "../streams/orders.js";
import { marginUsed } from "./margin.js";
import { command, emit, submit } from "./sinkState.js";
import type { SinkState } from "./sinkState.js";

/** DOC-EXCH: reserveRequestWeight costs 0.0005 USDC per request. */
export const RESERVE_USDC_PER_REQUEST = 0.0005;
export const RESERVE_DEFAULTS = { chunk: 1000, belowHeadroom: 0.2, retryMs: 60_000 } as const;
const DAY_MS = 86_400_000;

export interface ReserveOptions {
  /** USD spent on bought requests per UTC day, at most. */
  readonly usdPerDay: number;
  /** Requests per purchase (default 1000 = 0.5 USDC). */
  readonly chunk?: number;
  /** Buy when the address headroom falls below this fraction (default 0.2). */
  readonly belowHeadroom?: number;
  /** After a refusal or an unanswered purchase, wait this long (default 60 000 ms). */
  readonly retryMs?: number;
}

export const RESERVE_REFUSAL_REASONS = ["dailyCap", "funds", "venue", "quota", "unanswered"] as const;
export type ReserveRefusalReason = (typeof RESERVE_REFUSAL_REASONS)[number];

export interface ReserveState {
  /** UTC day (⌊now / 86 400 000⌋) of `requestsToday`. */
  day: number;
  /** Requests paid for, or sent and not refused, on `day`. */
  requestsToday: number;
  /** Weight of the purchase in flight (null: none), and the UTC day it was counted on. */
  inFlight: number | null;
  inFlightDay: number;
  /** No purchase before this (after a refusal). */
  notBefore: number;
  /** The reason last reported (a refusal episode), null after a purchase or once headroom is back. */
  lastRefusal: ReserveRefusalReason | null;
  /** `withdrawable` of the last snapshot that carried it. */
  withdrawable: number | undefined;
}

export function createReserveState(): ReserveState {
  return { day: -1, requestsToday: 0, inFlight: null, inFlightDay: -1, notBefore: -Infinity, lastRefusal: null, withdrawable: undefined };
}

/** What the policy reads besides its own state. */
export interface ReserveView {
  /** The quota throttle's address headroom in [0, 1]; null before its first state. */
  readonly addressHeadroom: number | null;
  /** USD the account can pay from; undefined before the first account snapshot. */
  readonly withdrawable: number | undefined;
}

export type ReserveDecision =
  | { readonly kind: "none" }
  | { readonly kind: "buy"; readonly weight: number; readonly usd: number }
  | { readonly kind: "refuse"; readonly reason: "dailyCap" | "funds"; readonly detail: string };

export function utcDay(now: number): number {
  return Math.floor(now / DAY_MS);
}

/** Requests `usdPerDay` pays for (integer arithmetic from here on: no drift in the spend). */
export function reserveRequestsPerDay(usdPerDay: number): number {
  return Number.isFinite(usdPerDay) && usdPerDay > 0 ? Math.floor(usdPerDay / RESERVE_USDC_PER_REQUEST + 1e-9) : 0;
}

/** USD of `requests` bought requests. */
export function reserveUsd(requests: number): number {
  return Math.round(requests * RESERVE_USDC_PER_REQUEST * 1e6) / 1e6;
}

/** Requests already spent on the UTC day of `now` (0 on a day the state has not seen). */
export function requestsSpentOn(state: Readonly<ReserveState>, now: number): number {
  return utcDay(now) === state.day ? state.requestsToday : 0;
}

/** The policy: pure in (state, options, view, now). */
export function decideReserve(state: Readonly<ReserveState>, options: ReserveOptions, view: ReserveView, now: number): ReserveDecision {
  const below = options.belowHeadroom ?? RESERVE_DEFAULTS.belowHeadroom;
  if (view.addressHeadroom === null || !(view.addressHeadroom < below)) return { kind: "none" };
  if (state.inFlight !== null || now < state.notBefore) return { kind: "none" };
  const chunk = Math.max(1, Math.floor(options.chunk ?? RESERVE_DEFAULTS.chunk));
  const perDay = reserveRequestsPerDay(options.usdPerDay);
  const spent = requestsSpentOn(state, now);
  const weight = Math.min(chunk, perDay - spent);
  if (weight <= 0) return { kind: "refuse", reason: "dailyCap", detail: `spent ${reserveUsd(spent)} of ${options.usdPerDay} USD today` };
  const usd = reserveUsd(weight);
  // before the first account snapshot: wait for it (the start), not a refusal
  if (view.withdrawable === undefined) return { kind: "none" };
  if (!(view.withdrawable >= usd)) return { kind: "refuse", reason: "funds", detail: `withdrawable ${view.withdrawable} USD < ${usd} USD for ${weight} requests` };
  return { kind: "buy", weight, usd };
}

/** The counters move to the UTC day of `now`. */
export function rollReserveDay(state: ReserveState, now: number): void {
  const day = utcDay(now);
  if (day === state.day) return;
  state.day = day;
  state.requestsToday = 0;
  if (state.lastRefusal === "dailyCap") state.lastRefusal = null;
}

function withdrawableOf(s: SinkState): number | undefined {
  if (s.reserve.withdrawable !== undefined) return s.reserve.withdrawable;
  return s.accountValue === undefined ? undefined : s.accountValue - marginUsed(s);
}

function refused(s: SinkState, reason: ReserveRefusalReason, detail: string, weight: number, now: number): void {
  s.metrics.reserveRefusals[reason] += 1;
  s.reserve.lastRefusal = reason;
  emit(s, { type: "reserve", state: "refused", weight, usdToday: reserveUsd(requestsSpentOn(s.reserve, now)), reason, error: detail, time: now });
}

/** Evaluate the policy (on quota state, account snapshots and housekeeping ticks) and buy when it says so. */
export function reserveCheck(s: SinkState, now: number): void {
  const options = s.config.reserve;
  if (options === undefined || s.stopping || s.killSwitch.state.active) return;
  rollReserveDay(s.reserve, now);
  const h = s.quota?.addressHeadroom ?? null;
  if (h !== null && h >= (options.belowHeadroom ?? RESERVE_DEFAULTS.belowHeadroom)) {
    // headroom is back: the next shortage is a new episode (and the funds need not be looked at)
    s.reserve.lastRefusal = null;
    return;
  }
  const d = decideReserve(s.reserve, options, { addressHeadroom: h, withdrawable: withdrawableOf(s) }, now);
  if (d.kind === "none") return;
  if (d.kind === "refuse") {
    if (s.reserve.lastRefusal !== d.reason) refused(s, d.reason, d.detail, 0, now);
    return;
  }
  s.reserve.inFlight = d.weight;
  s.reserve.inFlightDay = s.reserve.day;
  s.reserve.requestsToday += d.weight;
  s.reserve.lastRefusal = null;
  submit(s, { type: "reserveRequestWeight", weight: d.weight });
  emit(s, { type: "reserve", state: "sent", weight: d.weight, usdToday: reserveUsd(s.reserve.requestsToday), reason: null, error: null, time: now });
}

/** An account snapshot: its `withdrawable`, when it carries one. */
export function reserveOnSnapshot(s: SinkState, snap: AccountSnapshot, now: number): void {
  if (snap.withdrawable !== undefined && Number.isFinite(snap.withdrawable)) s.reserve.withdrawable = snap.withdrawable;
  reserveCheck(s, now);
}

/** Give a purchase that was never charged back to the day it was counted on (if that is still the day of the counters). */
function refund(s: SinkState, weight: number, day: number): void {
  if (day === s.reserve.day) s.reserve.requestsToday = Math.max(0, s.reserve.requestsToday - weight);
}

/** The venue's answer to a purchase. */
export function reserveAnswer(s: SinkState, batch: ActionBatch, result: BatchResult, now: number): void {
  if (batch.type !== "reserveRequestWeight") return;
  const day = s.reserve.inFlightDay;
  s.reserve.inFlight = null;
  if (result.ok) {
    s.metrics.reserveRequestsBought += batch.weight;
    s.metrics.reserveUsdSpent = reserveUsd(s.metrics.reserveRequestsBought);
    // the throttle's cap grows by what was bought: one request per unit, like traded volume
    command(s, { kind: "volume", usd: batch.weight });
    emit(s, { type: "reserve", state: "bought", weight: batch.weight, usdToday: reserveUsd(requestsSpentOn(s.reserve, now)), reason: null, error: null, time: now });
    return;
  }
  refund(s, batch.weight, day);
  s.reserve.notBefore = now + (s.config.reserve?.retryMs ?? RESERVE_DEFAULTS.retryMs);
  refused(s, "venue", result.error, batch.weight, now);
}

/** Refused by the quota throttle before sending (never charged), or sent and never answered (it may have landed: still counted). */
export function reserveNotSent(s: SinkState, batch: ActionBatch, why: "quota" | "unanswered", detail: string, now: number): void {
  if (batch.type !== "reserveRequestWeight") return;
  s.reserve.inFlight = null;
  if (why === "quota") refund(s, batch.weight, s.reserve.inFlightDay);
  s.reserve.notBefore = now + (s.config.reserve?.retryMs ?? RESERVE_DEFAULTS.retryMs);
  refused(s, why, detail, batch.weight, now);
}
