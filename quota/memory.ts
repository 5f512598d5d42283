// The in-process backend of the quota authority: today's QuotaLedger (operators/quotaBudget.ts)
// behind the authority's interface, on the injected scheduler's clock. It is what one process
// alone would decide; two processes each with one of these each believe they have the whole
// budget (the cluster tool's `--store memory` baseline).
import { BehaviorSubject, type Observable, type SchedulerLike, asyncScheduler } from "rxjs";
import { QuotaLedger } from "../operators/quotaBudget.js";
import type { RateLimitSnapshot } from "../streams/orders.js";
import {
  type AuthorityStatus,
  DEFAULT_AUTHORITY_LIMITS,
  type QuotaAuthority,
  type QuotaAuthorityLimits,
  type QuotaUsage,
  type ReserveAnswer,
  type ReserveRequest,
  type WsAnswer,
  authorityCancelLimit,
} from "./authority.js";

interface Held {
  readonly requests: number;
  /** The IP weight charged at `at`, given back on release. */
  readonly weight: number;
  readonly at: number;
  readonly expiresAt: number;
}

export class MemoryQuotaAuthority implements QuotaAuthority {
  readonly kind = "memory";
  readonly limits: QuotaAuthorityLimits;
  readonly ledger: QuotaLedger;
  readonly status$: Observable<AuthorityStatus> = new BehaviorSubject<AuthorityStatus>("up");
  readonly status: AuthorityStatus = "up";
  private readonly held = new Map<string, Held>();
  private reserved = 0;
  private readonly ws = new Map<string, { connections: number; users: readonly string[] }>();

  constructor(
    limits: Partial<QuotaAuthorityLimits> = {},
    private readonly scheduler: SchedulerLike = asyncScheduler,
  ) {
    this.limits = { ...DEFAULT_AUTHORITY_LIMITS, ...limits };
    const l = this.limits;
    this.ledger = new QuotaLedger({ ipWeightLimit: l.ipWeightLimit, ipWindowMs: l.ipWindowMs, addressInitialBuffer: l.addressInitialBuffer, cancelExtra: l.cancelExtra, reserveFraction: l.reserveFraction });
  }

  private expire(now: number): void {
    for (const [id, h] of this.held) {
      if (h.expiresAt > now) continue;
      this.held.delete(id);
      this.reserved -= h.requests;
    }
  }

  private now(): number {
    return this.scheduler.now();
  }

  private snapshotUsage(now: number): QuotaUsage {
    const cap = this.ledger.cap;
    return { ipUsed: this.ledger.ipUsed(now), used: this.ledger.used, reserved: this.reserved, cap, cancelLimit: authorityCancelLimit(cap, this.limits) };
  }

  reserve(req: ReserveRequest): Promise<ReserveAnswer> {
    const now = this.now();
    this.expire(now);
    const u = this.snapshotUsage(now);
    const keep = 1 - this.limits.reserveFraction;
    if (req.cancel && u.ipUsed + req.weight > (1 - this.limits.cancelIpReserveFraction) * this.limits.ipWeightLimit) return Promise.resolve({ ok: false, reason: "ip", usage: u });
    if (!req.cancel) {
      if (u.ipUsed + req.weight > (1 - this.limits.ipReserveFraction) * this.limits.ipWeightLimit) return Promise.resolve({ ok: false, reason: "ip", usage: u });
      if (u.used + u.reserved + req.requests > keep * u.cap) return Promise.resolve({ ok: false, reason: "address", usage: u });
    }
    this.ledger.addInfoWeight(req.weight, now);
    this.held.set(req.id, { requests: req.requests, weight: req.weight, at: now, expiresAt: now + this.limits.reservationTtlMs });
    this.reserved += req.requests;
    return Promise.resolve({ ok: true, usage: this.snapshotUsage(now) });
  }

  /** Commit: used += requests. Release: the requests and the IP weight come back (as the Redis backend's SETTLE_LUA). */
  commit(id: string): Promise<void> {
    this.settle(id, true);
    return Promise.resolve();
  }

  release(id: string): Promise<void> {
    this.settle(id, false);
    return Promise.resolve();
  }

  private settle(id: string, commit: boolean): void {
    this.expire(this.now());
    const h = this.held.get(id);
    if (h === undefined) return;
    this.held.delete(id);
    this.reserved -= h.requests;
    if (commit) this.ledger.used += h.requests;
    else this.ledger.refundInfoWeight(h.weight, h.at, this.now());
  }

  addIpWeight(weight: number): Promise<void> {
    this.ledger.addInfoWeight(weight, this.now());
    return Promise.resolve();
  }

  applySnapshot(snapshot: RateLimitSnapshot): Promise<void> {
    const before = this.ledger.used;
    if (this.ledger.applySnapshot(snapshot)) this.ledger.used = Math.max(before, this.ledger.used);
    return Promise.resolve();
  }

  addVolume(usdc: number): Promise<void> {
    if (usdc > 0) this.ledger.addVolume(usdc);
    return Promise.resolve();
  }

  usage(): Promise<QuotaUsage> {
    const now = this.now();
    this.expire(now);
    return Promise.resolve(this.snapshotUsage(now));
  }

  /** Nothing to restore: the in-process ledger never goes away. */
  seed(): Promise<void> {
    return Promise.resolve();
  }

  wsAcquire(proc: string, connections: number, users: readonly string[]): Promise<WsAnswer> {
    let total = connections;
    const all = new Set(users.map((u) => u.toLowerCase()));
    for (const [p, w] of this.ws) {
      if (p === proc) continue;
      total += w.connections;
      for (const u of w.users) all.add(u);
    }
    if (total > this.limits.wsConnections) return Promise.resolve({ ok: false, reason: `connections: ${total} connections > ${this.limits.wsConnections} on this IP` });
    if (all.size > this.limits.wsUsers) return Promise.resolve({ ok: false, reason: `users: ${all.size} unique users > ${this.limits.wsUsers} on this IP` });
    this.ws.set(proc, { connections, users: users.map((u) => u.toLowerCase()) });
    return Promise.resolve({ ok: true, connections: total, users: all.size });
  }

  wsRelease(proc: string): Promise<void> {
    this.ws.delete(proc);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
