// Rate limits exactly as FACTS.md §9 states them: a per-IP REST weight window, and a per-address
// action budget with the cancel allowance and the one-request-per-10-s limited regime.
import { addressLimitText } from "./texts.js";

export const SIM_IP_WEIGHT_PER_MINUTE = 1200;
export const SIM_ADDRESS_INITIAL_BUFFER = 10_000;
export const SIM_LIMITED_INTERVAL_MS = 10_000;

/** IP weight of an exchange request: 1 + floor(n / 40). */
export function simExchangeWeight(batchLength: number): number {
  return 1 + Math.floor(batchLength / 40);
}

const WEIGHT_2 = new Set(["l2Book", "allMids", "clearinghouseState", "orderStatus", "spotClearinghouseState", "exchangeStatus"]);
const PER_20_ITEMS = new Set([
  "recentTrades", "historicalOrders", "userFills", "userFillsByTime", "fundingHistory", "userFunding",
  "nonUserFundingUpdates", "twapHistory", "userTwapSliceFills", "userTwapSliceFillsByTime",
  "delegatorHistory", "delegatorRewards", "validatorStats",
]);

/** IP weight of an info request (DOC-RL); `items` = elements returned, for the per-20-items endpoints (+1 per 20, UNCONFIRMED increment). */
export function simInfoWeight(type: string, items = 0): number {
  if (WEIGHT_2.has(type)) return 2;
  if (type === "userRole") return 60;
  if (PER_20_ITEMS.has(type)) return 20 + Math.floor(items / 20);
  if (type === "candleSnapshot") return 20 + Math.floor(items / 60);
  return 20;
}

/** Sliding 60 s window of REST weight for one IP. A refused request consumes nothing. */
export class SimIpWeightWindow {
  private readonly entries: { time: number; weight: number }[] = [];
  private head = 0;
  private total = 0;
  /** Weight accepted since the window was made (for the venue's own usage report). */
  charged = 0;
  /** Requests refused (HTTP 429) since the window was made, and the weight they asked for. */
  refused = 0;
  refusedWeight = 0;
  /** The most weight ever held by the window at once: the peak of the sliding 60 s sum. */
  peak = 0;

  constructor(
    readonly limit = SIM_IP_WEIGHT_PER_MINUTE,
    readonly windowMs = 60_000,
  ) {}

  used(now: number): number {
    this.expire(now);
    return this.total;
  }

  /** True and recorded when `weight` fits in the window at `now`; false (HTTP 429) otherwise. */
  tryConsume(now: number, weight: number): boolean {
    this.expire(now);
    if (this.total + weight > this.limit) {
      this.refused++;
      this.refusedWeight += weight;
      return false;
    }
    this.entries.push({ time: now, weight });
    this.total += weight;
    this.charged += weight;
    if (this.total > this.peak) this.peak = this.total;
    return true;
  }

  private expire(now: number): void {
    while (this.head < this.entries.length) {
      const e = this.entries[this.head]!;
      if (e.time > now - this.windowMs) break;
      this.total -= e.weight;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
  }
}

export type SimBudgetDecision = { readonly ok: true; readonly limitedRegime: boolean } | { readonly ok: false; readonly error: string };

/**
 * Per-address action budget: cap = initial buffer (10,000) + 1 per USDC traded; a batch of n
 * counts n; cancels may go up to min(cap + 100000, 2 × cap); over the cap, one request per 10 s.
 */
export class SimAddressBudget {
  used = 0;
  cumVlm = 0;
  /** Requests bought with reserveRequestWeight (DOC-EXCH: 0.0005 USDC each). */
  reserved = 0;
  /** USDC this account paid for reserveRequestWeight (for any target; sim/reserveWeight.ts). */
  reservePaidUsd = 0;
  /** Actions refused for the address budget (rate-limited answers), since the account was made. */
  refused = 0;
  private lastLimitedAt = -Infinity;

  constructor(readonly initialBuffer = SIM_ADDRESS_INITIAL_BUFFER) {}

  cap(): number {
    return this.initialBuffer + Math.floor(this.cumVlm);
  }

  cancelCap(): number {
    const cap = this.cap();
    return Math.min(cap + 100_000, cap * 2);
  }

  check(now: number, n: number, isCancel: boolean): SimBudgetDecision {
    const cap = (isCancel ? this.cancelCap() : this.cap()) + this.reserved;
    if (this.used + n <= cap) {
      this.used += n;
      return { ok: true, limitedRegime: false };
    }
    // The first refusal starts the limited regime's clock; from then on one request per 10 s passes.
    if (this.lastLimitedAt === -Infinity) this.lastLimitedAt = now;
    else if (now - this.lastLimitedAt >= SIM_LIMITED_INTERVAL_MS) {
      this.lastLimitedAt = now;
      this.used += n;
      return { ok: true, limitedRegime: true };
    }
    this.refused++;
    return { ok: false, error: addressLimitText(this.used + n, this.cap() + this.reserved, this.cumVlm) };
  }

  /** Count `n` requests without a check (a stale expiresAfter costs 5× its length, DOC-EXCH). */
  charge(n: number): void {
    this.used += n;
  }

  reserve(n: number): void {
    this.reserved += n;
  }

  addVolume(usdc: number): void {
    this.cumVlm += usdc;
  }

  snapshot(): { cumVlm: number; nRequestsUsed: number; nRequestsCap: number; nRequestsSurplus: number } {
    // DOC-INFO: nRequestsUsed = max(0, used − reserved), nRequestsSurplus = max(0, reserved − used)
    return { cumVlm: this.cumVlm, nRequestsUsed: Math.max(0, this.used - this.reserved), nRequestsCap: this.cap(), nRequestsSurplus: Math.max(0, this.reserved - this.used) };
  }
}
