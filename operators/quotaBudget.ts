// Hyperliquid's two action budgets (FACTS §9) as plain arithmetic: no clock, no stream, no IO.
// Time is an argument, randomness is an argument, so quotaThrottle, the paper venue and the soak
// can all run the same numbers and property tests can throw any sequence at them.
import { batchLength, type ActionBatch } from "../streams/actions.js";
import type { RateLimitSnapshot } from "../streams/orders.js";

export interface QuotaBudgetConfig {
  /** REST weight per IP per rolling window. FACTS §9: 1200 per minute. */
  readonly ipWeightLimit: number;
  readonly ipWindowMs: number;
  /** Requests every address starts with. FACTS §9: 10,000 (+1 per USDC traded). */
  readonly addressInitialBuffer: number;
  /** Cancels may go to min(cap + cancelExtra, 2 × cap). FACTS §9: 100,000. */
  readonly cancelExtra: number;
  /** Placements/modifies are refused when they would eat into this fraction of either budget. */
  readonly reserveFraction: number;
  /** The breaker opens when headroom falls below this fraction… */
  readonly breakerOpenBelow: number;
  /** …and closes again only at or above this one (hysteresis). */
  readonly breakerCloseAt: number;
  /** While rate-limited: one request per this interval. FACTS §9: 10 s. */
  readonly limitedIntervalMs: number;
  /** Repeated exhaustion waits backoffBaseMs × 2^(k−1), capped at backoffMaxMs, × (1 ± jitter). */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly backoffJitter: number;
  /** An exhaustion this long after the previous one counts as the first again. */
  readonly backoffResetMs: number;
}

export const DEFAULT_QUOTA_BUDGET_CONFIG: QuotaBudgetConfig = {
  ipWeightLimit: 1200,
  ipWindowMs: 60_000,
  addressInitialBuffer: 10_000,
  cancelExtra: 100_000,
  reserveFraction: 0.05,
  breakerOpenBelow: 0.1,
  breakerCloseAt: 0.15,
  limitedIntervalMs: 10_000,
  backoffBaseMs: 30_000,
  backoffMaxMs: 600_000,
  backoffJitter: 0.5,
  backoffResetMs: 600_000,
};

/** IP weight of one exchange request carrying n elements: 1 + floor(n / 40) (FACTS §9). */
export function quotaIpWeight(n: number): number {
  return 1 + Math.floor(n / 40);
}

/** The address cap of an account that traded `cumVlm` USDC: 10,000 + 1 per USDC (FACTS §9). */
export function quotaAddressCap(cumVlm: number, config: QuotaBudgetConfig = DEFAULT_QUOTA_BUDGET_CONFIG): number {
  return config.addressInitialBuffer + Math.floor(cumVlm);
}

/** Cumulative cancel allowance for an address cap: min(cap + 100000, 2 × cap) (FACTS §9). */
export function quotaCancelLimit(cap: number, config: QuotaBudgetConfig = DEFAULT_QUOTA_BUDGET_CONFIG): number {
  return Math.min(cap + config.cancelExtra, 2 * cap);
}

/**
 * Wait before the next request after the `exhaustion`-th rate-limited episode (1-based): the first
 * is the venue's one request per 10 s; then 30 s, 60 s, 120 s … capped at 600 s, each × a factor
 * in [1 − jitter, 1 + jitter) from `random()` ∈ [0, 1).
 */
export function quotaBackoffMs(exhaustion: number, random: () => number, config: QuotaBudgetConfig = DEFAULT_QUOTA_BUDGET_CONFIG): number {
  if (exhaustion <= 1) return config.limitedIntervalMs;
  const base = Math.min(config.backoffBaseMs * 2 ** (exhaustion - 2), config.backoffMaxMs);
  const r = Math.min(Math.max(random(), 0), 1);
  return base * (1 - config.backoffJitter + 2 * config.backoffJitter * r);
}

export type { QuotaRefusal } from "../streams/quota.js";
import type { QuotaRefusal } from "../streams/quota.js";

export type QuotaDecision =
  | { readonly kind: "allow"; readonly slot: boolean }
  /** Placements and modifies only: dropped. */
  | { readonly kind: "refuse"; readonly reason: QuotaRefusal }
  /** Cancels only: may go at `until` (or earlier, if budget comes back). */
  | { readonly kind: "wait"; readonly until: number; readonly reason: "ip" | "limited" };

export interface QuotaAssetUsage {
  requests: number;
  weight: number;
  refused: number;
}

export interface QuotaHeadroom {
  /** min(ip, address), in [0, 1]. */
  readonly headroom: number;
  readonly ip: number;
  readonly address: number;
}

/** Group a batch's element count by asset (scheduleCancel and reserveRequestWeight have no asset: "*"). */
export function quotaAssetsOf(batch: ActionBatch): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (asset: string): void => {
    counts.set(asset, (counts.get(asset) ?? 0) + 1);
  };
  switch (batch.type) {
    case "order":
      for (const o of batch.orders) add(o.asset);
      break;
    case "cancel":
    case "cancelByCloid":
      for (const c of batch.cancels) add(c.asset);
      break;
    case "batchModify":
      for (const m of batch.modifies) add(m.order.asset);
      break;
    case "scheduleCancel":
    case "reserveRequestWeight":
      add("*");
      break;
  }
  return counts;
}

/**
 * Cancels and cancels by CLOID draw on the cancel allowance (they wait, never refused while it
 * lasts). scheduleCancel does not: the dead-man's switch is a placement-class request here, so it is
 * refused in the reserve and while the breaker is open — it must never use the budget kept for
 * cancelling what rests (a switch that lapses makes the venue cancel for us).
 */
export function isCancelLane(batch: ActionBatch): boolean {
  return batch.type === "cancel" || batch.type === "cancelByCloid";
}

/**
 * The accounting of one address behind one IP. Mutable, but every method takes `now` (and
 * `random`) explicitly, so a sequence of calls is a pure function of its arguments.
 *
 * Invariants (property-tested): the IP window never exceeds its limit and `used` never exceeds
 * the cancel allowance through an allowed action; placements and modifies never use the last
 * `reserveFraction` of either budget, so cancels always have it; weights are FACTS §9's.
 * Requests let through by the rate-limited regime (one per 10 s) when the budget is exhausted are
 * counted in `limitedRequests`, not in `used`: the next snapshot brings the venue's truth.
 */
export class QuotaLedger {
  readonly config: QuotaBudgetConfig;
  /** Placement cap (cap + surplus), from the last snapshot plus traded volume since. */
  cap: number;
  used: number;
  limitedRequests = 0;
  breakerOpen = false;
  /** Placements and modifies go only through the one-request slot. */
  placementsLimited = false;
  /** Cancels too (the venue refused a cancel, or the cancel allowance is spent). */
  cancelsLimited = false;
  nextSlotAt = -Infinity;
  exhaustions = 0;
  lastExhaustionAt = -Infinity;
  readonly usage = new Map<string, QuotaAssetUsage>();

  private snapshotCap: number;
  private volumeSince = 0;
  private slotsSinceLimited = 0;
  private readonly ipTimes: number[] = [];
  private readonly ipWeights: number[] = [];
  private ipHead = 0;
  private ipTotal = 0;

  constructor(config: Partial<QuotaBudgetConfig> = {}, seed?: RateLimitSnapshot) {
    this.config = { ...DEFAULT_QUOTA_BUDGET_CONFIG, ...config };
    this.snapshotCap = this.config.addressInitialBuffer;
    this.cap = this.snapshotCap;
    this.used = 0;
    if (seed !== undefined) this.applySnapshot(seed);
  }

  /** Adopt the venue's userRateLimit numbers (venue truth wins). False, and no change, if they are not finite. */
  applySnapshot(snapshot: RateLimitSnapshot): boolean {
    const { nRequestsCap, nRequestsSurplus, nRequestsUsed } = snapshot;
    if (![nRequestsCap, nRequestsSurplus, nRequestsUsed].every((v) => Number.isFinite(v) && v >= 0)) return false;
    this.snapshotCap = nRequestsCap + nRequestsSurplus;
    this.volumeSince = 0;
    this.cap = this.snapshotCap;
    this.used = nRequestsUsed;
    return true;
  }

  /** Traded volume (USDC) since the last snapshot raises the cap by one per USDC. False, and no change, for a negative or non-finite amount. */
  addVolume(usdc: number): boolean {
    if (!Number.isFinite(usdc) || usdc < 0) return false;
    this.volumeSince += usdc;
    this.cap = this.snapshotCap + Math.floor(this.volumeSince);
    return true;
  }

  /** Weight of an info request made from the same IP (it shares the 1200/min). */
  addInfoWeight(weight: number, now: number): boolean {
    if (!Number.isFinite(weight) || weight < 0) return false;
    this.pushIp(now, weight);
    return true;
  }

  /**
   * Give back info weight charged at `at` (a reservation whose request never left): the entry of
   * that time and weight leaves the window now. False when it is no longer in the window (it left
   * on its own) or was never charged.
   */
  refundInfoWeight(weight: number, at: number, now: number): boolean {
    this.expire(now);
    for (let i = this.ipTimes.length - 1; i >= this.ipHead && this.ipTimes[i]! >= at; i--) {
      if (this.ipTimes[i] !== at || this.ipWeights[i] !== weight || weight === 0) continue;
      this.ipWeights[i] = 0;
      this.ipTotal -= weight;
      return true;
    }
    return false;
  }

  cancelLimit(): number {
    return quotaCancelLimit(this.cap, this.config);
  }

  /** Weight used in the IP window ending at `now`. */
  ipUsed(now: number): number {
    this.expire(now);
    return this.ipTotal;
  }

  headroom(now: number): QuotaHeadroom {
    const ip = Math.max(0, (this.config.ipWeightLimit - this.ipUsed(now)) / this.config.ipWeightLimit);
    const address = this.cap > 0 ? Math.max(0, (this.cap - this.used) / this.cap) : 0;
    return { headroom: Math.min(ip, address, 1), ip: Math.min(ip, 1), address: Math.min(address, 1) };
  }

  /** Re-evaluate the breaker (hysteresis) at `now`; returns the headroom it used. */
  updateBreaker(now: number): QuotaHeadroom {
    const h = this.headroom(now);
    if (!this.breakerOpen && h.headroom < this.config.breakerOpenBelow) this.breakerOpen = true;
    else if (this.breakerOpen && h.headroom >= this.config.breakerCloseAt) this.breakerOpen = false;
    return h;
  }

  /** What would happen to `batch` at `now`. Changes nothing but window expiry and the breaker. */
  decide(batch: ActionBatch, now: number): QuotaDecision {
    const n = batchLength(batch);
    const w = quotaIpWeight(n);
    const c = this.config;
    this.updateBreaker(now);
    const slotFree = now >= this.nextSlotAt;
    if (w > c.ipWeightLimit) return { kind: "refuse", reason: "tooLarge" };
    if (isCancelLane(batch)) {
      const ipWait = this.ipFreeAt(w, c.ipWeightLimit, now);
      const exhausted = this.used + n > this.cancelLimit();
      if (this.cancelsLimited || exhausted) {
        if (!slotFree || ipWait > now) return { kind: "wait", until: Math.max(this.nextSlotAt, ipWait), reason: slotFree ? "ip" : "limited" };
        return { kind: "allow", slot: true };
      }
      if (ipWait > now) return { kind: "wait", until: ipWait, reason: "ip" };
      return { kind: "allow", slot: false };
    }
    if (batch.type === "reserveRequestWeight") {
      // Buying requests is the way out of an exhausted budget: neither the breaker, the 5% reserve
      // nor the rate-limited regime holds it (it costs one request to add many, and the venue does
      // not refuse it for the address budget); a full IP window does.
      if (this.ipTotal + w > c.ipWeightLimit) return { kind: "refuse", reason: "reserve" };
      return { kind: "allow", slot: false };
    }
    const limited = this.placementsLimited || this.cancelsLimited;
    if (limited && !slotFree) return { kind: "refuse", reason: "limited" };
    if (this.breakerOpen) return { kind: "refuse", reason: "breaker" };
    const keep = 1 - c.reserveFraction;
    if (this.used + n > keep * this.cap) return { kind: "refuse", reason: "reserve" };
    if (this.ipTotal + w > keep * c.ipWeightLimit) return { kind: "refuse", reason: "reserve" };
    return { kind: "allow", slot: limited };
  }

  /** Record an allowed batch (the decision `decide` just returned for it). */
  commit(batch: ActionBatch, decision: QuotaDecision, now: number): void {
    if (decision.kind !== "allow") return;
    const n = batchLength(batch);
    const w = quotaIpWeight(n);
    this.pushIp(now, w);
    const ceiling = isCancelLane(batch) ? this.cancelLimit() : this.cap;
    if (decision.slot && this.used + n > ceiling) this.limitedRequests += n;
    else this.used += n;
    if (decision.slot) {
      this.nextSlotAt = Math.max(this.nextSlotAt, now + this.config.limitedIntervalMs);
      this.slotsSinceLimited++;
    }
    for (const [asset, count] of quotaAssetsOf(batch)) {
      const u = this.usageOf(asset);
      u.requests += count;
      u.weight += (w * count) / n;
    }
    this.updateBreaker(now);
  }

  /** decide + commit. */
  tryConsume(batch: ActionBatch, now: number): QuotaDecision {
    const d = this.decide(batch, now);
    if (d.kind === "allow") this.commit(batch, d, now);
    return d;
  }

  /**
   * ms until an info request of `weight` fits the IP window without eating the reserve kept for
   * cancels (0: now). Info requests wait for this; they are charged with addInfoWeight when they leave.
   */
  infoWaitMs(weight: number, now: number): number {
    const w = Number.isFinite(weight) && weight > 0 ? weight : 0;
    const limit = (1 - this.config.reserveFraction) * this.config.ipWeightLimit;
    return Math.max(0, this.ipFreeAt(Math.min(w, limit), limit, now) - now);
  }

  /** When the oldest IP window entry leaves (headroom can grow without any event), or undefined. */
  nextIpExpiry(now: number): number | undefined {
    this.expire(now);
    const t = this.ipTimes[this.ipHead];
    return t === undefined ? undefined : t + this.config.ipWindowMs;
  }

  /** Count a refused batch against its assets. */
  countRefused(batch: ActionBatch): void {
    for (const asset of quotaAssetsOf(batch).keys()) this.usageOf(asset).refused++;
  }

  /**
   * The venue's answer to a batch we sent. Rate-limited: the lane (placements; or everything, for
   * a cancel) goes to one request per 10 s, and an exhaustion after a slot request was already
   * refused backs off 30 s, 60 s … 600 s ± jitter. Answers still in flight from before the
   * episode began do not escalate it. A normal answer clears the lane (a placement's clears both).
   */
  onAnswer(isCancel: boolean, rateLimited: boolean, now: number, random: () => number): void {
    const c = this.config;
    if (!rateLimited) {
      this.cancelsLimited = false;
      if (!isCancel) this.placementsLimited = false;
      if (!this.placementsLimited && !this.cancelsLimited) this.slotsSinceLimited = 0;
      return;
    }
    const alreadyLimited = isCancel ? this.cancelsLimited : this.placementsLimited || this.cancelsLimited;
    if (alreadyLimited && this.slotsSinceLimited === 0) return;
    if (now - this.lastExhaustionAt >= c.backoffResetMs) this.exhaustions = 0;
    this.exhaustions++;
    this.lastExhaustionAt = now;
    this.placementsLimited = true;
    if (isCancel) this.cancelsLimited = true;
    this.slotsSinceLimited = 0;
    this.nextSlotAt = now + quotaBackoffMs(this.exhaustions, random, c);
  }

  private usageOf(asset: string): QuotaAssetUsage {
    let u = this.usage.get(asset);
    if (u === undefined) {
      u = { requests: 0, weight: 0, refused: 0 };
      this.usage.set(asset, u);
    }
    return u;
  }

  /** Earliest time ≥ now at which `w` more fits under `limit`. */
  private ipFreeAt(w: number, limit: number, now: number): number {
    this.expire(now);
    let excess = this.ipTotal + w - limit;
    if (excess <= 0) return now;
    for (let i = this.ipHead; i < this.ipTimes.length; i++) {
      excess -= this.ipWeights[i]!;
      if (excess <= 0) return this.ipTimes[i]! + this.config.ipWindowMs;
    }
    return now + this.config.ipWindowMs;
  }

  private pushIp(now: number, weight: number): void {
    this.expire(now);
    this.ipTimes.push(now);
    this.ipWeights.push(weight);
    this.ipTotal += weight;
  }

  /** Entries leave the window exactly `ipWindowMs` after they entered it. */
  private expire(now: number): void {
    const edge = now - this.config.ipWindowMs;
    while (this.ipHead < this.ipTimes.length && this.ipTimes[this.ipHead]! <= edge) {
      this.ipTotal -= this.ipWeights[this.ipHead]!;
      this.ipHead++;
    }
    if (this.ipHead > 1024 && this.ipHead * 2 > this.ipTimes.length) {
      this.ipTimes.splice(0, this.ipHead);
      this.ipWeights.splice(0, this.ipHead);
      this.ipHead = 0;
    }
    if (this.ipHead === this.ipTimes.length) this.ipTotal = 0;
  }
}
