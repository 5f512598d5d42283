// The shared check after the local throttle: every batch operators/quotaThrottle lets through asks
// the quota authority before it leaves. It composes into the executor's throttle seam
// (`ThrottleFactory`), so the throttle itself is unchanged:
//
//   throttle: (feedback, onRefused) => pipe(quotaThrottle({ …, feedback }), authorityGate(shared, feedback, onRefused))
//
//   throttle:  -p--c--p--c--      (allowed by this process's own ledger)
//   authority:  ok ok no  down    (one Lua script per batch, ~0.2 ms on loopback)
//   gate:      -p--c-----c--      the refused placement is dropped (onRefused "reserve"); while the
//                                 store is down placements are dropped ("breaker") and cancels go
//                                 within the local emergency budget
//
// The shared state (`SharedQuota`) also turns into a quota state for the quote gates: the store
// down, or the shared headroom below the breaker, closes quotaBreakerGate so resting quotes are
// pulled rather than left on a guess.
import { BehaviorSubject, EMPTY, type MonoTypeOperatorFunction, Observable, type SchedulerLike, type Subscription, asyncScheduler, combineLatest, concatMap, from, map, mergeMap, of, share, timer } from "rxjs";
import { batchLength, isCancelBatch, type ActionBatch } from "../streams/actions.js";
import type { QuotaRefusal, QuotaThrottleFeedback, QuotaThrottleState } from "../streams/quota.js";
import type { AuthorityStatus, QuotaAuthority, QuotaUsage } from "./authority.js";

export interface SharedQuotaCounts {
  reserved: number;
  refusedIp: number;
  refusedAddress: number;
  /** Placements dropped because the store did not answer. */
  refusedDown: number;
  /** Cancels sent on the local emergency budget while the store was down. */
  emergencyCancels: number;
  /** Cancels held back: the emergency budget was spent. */
  emergencyRefused: number;
  /** Times the store went down. */
  outages: number;
  /** Cancels held until the shared IP window had room for them. */
  cancelsDelayed: number;
  /** Info requests held (200 ms each time) until the shared IP window had room. */
  infoDelayed: number;
}

export interface SharedQuotaOptions {
  /** IP weight cancels may spend per rolling minute while the store is down (default 60 = 5% of 1200). */
  readonly emergencyCancelWeight?: number;
  /** The breaker on the shared headroom: open below, close at or above (default 0.1 / 0.15). */
  readonly breakerOpenBelow?: number;
  readonly breakerCloseAt?: number;
  /** Unique prefix of this process's reservation ids. */
  readonly processId: string;
}

/** One process's window on the shared budgets: the authority, counts, and the last usage seen. */
export class SharedQuota {
  readonly counts: SharedQuotaCounts = { reserved: 0, refusedIp: 0, refusedAddress: 0, refusedDown: 0, emergencyCancels: 0, emergencyRefused: 0, outages: 0, cancelsDelayed: 0, infoDelayed: 0 };
  readonly usage$ = new BehaviorSubject<QuotaUsage | undefined>(undefined);
  readonly emergencyCancelWeight: number;
  readonly breakerOpenBelow: number;
  readonly breakerCloseAt: number;
  private breakerOpen = false;
  private seq = 0;
  private readonly emergency: { t: number; w: number }[] = [];
  private readonly statusSub: Subscription;

  constructor(
    readonly authority: QuotaAuthority,
    readonly options: SharedQuotaOptions,
    readonly scheduler: SchedulerLike = asyncScheduler,
  ) {
    this.emergencyCancelWeight = options.emergencyCancelWeight ?? 60;
    this.breakerOpenBelow = options.breakerOpenBelow ?? 0.1;
    this.breakerCloseAt = options.breakerCloseAt ?? 0.15;
    let last: AuthorityStatus | undefined;
    this.statusSub = authority.status$.subscribe((s) => {
      if (s === "down" && last === "up") this.counts.outages++;
      // back after an outage: the store may have restarted empty; what we last saw goes back in
      const seen = this.usage$.value;
      if (s === "up" && last === "down" && seen !== undefined) void authority.seed(seen).catch(() => undefined);
      last = s;
    });
  }

  nextId(): string {
    return `${this.options.processId}:${++this.seq}`;
  }

  /** min(ip, address) headroom of the shared budgets in [0, 1] (1 before the first answer). */
  headroom(u = this.usage$.value): number {
    if (u === undefined) return 1;
    const ip = (this.authority.limits.ipWeightLimit - u.ipUsed) / this.authority.limits.ipWeightLimit;
    const address = u.cap > 0 ? (u.cap - u.used - u.reserved) / u.cap : 0;
    return Math.max(0, Math.min(1, ip, address));
  }

  /** The shared breaker, with hysteresis. */
  sharedBreaker(u = this.usage$.value): boolean {
    const h = this.headroom(u);
    if (!this.breakerOpen && h < this.breakerOpenBelow) this.breakerOpen = true;
    else if (this.breakerOpen && h >= this.breakerCloseAt) this.breakerOpen = false;
    return this.breakerOpen;
  }

  /**
   * Before an info request leaves (orderStatus 2, account snapshot 2 + 20, userRateLimit 20, meta
   * 20): its weight goes into the shared IP window; past the window's cancel edge it waits (every
   * 200 ms, on the scheduler) until there is room. The store down: it goes (reconciliation must
   * not starve; the local throttle still meters it).
   */
  async reserveInfo(weight: number): Promise<void> {
    for (;;) {
      const id = this.nextId();
      const ans = await this.authority.reserve({ id, weight, requests: 0, cancel: true });
      if (ans.usage) this.usage$.next(ans.usage);
      if (ans.ok) {
        await this.authority.commit(id);
        return;
      }
      if (ans.reason !== "ip") return;
      this.counts.infoDelayed++;
      await new Promise<void>((r) => this.scheduler.schedule(() => r(), CANCEL_RETRY_MS));
    }
  }

  /** A cancel while the store is down: within `emergencyCancelWeight` per rolling minute? */
  takeEmergency(weight: number): boolean {
    const now = this.scheduler.now();
    while (this.emergency.length > 0 && this.emergency[0]!.t <= now - 60_000) this.emergency.shift();
    const spent = this.emergency.reduce((s, e) => s + e.w, 0);
    if (spent + weight > this.emergencyCancelWeight) return false;
    this.emergency.push({ t: now, w: weight });
    return true;
  }

  /**
   * The throttle's state as the quote gates should see it: the store down, or the shared budgets
   * below the breaker, is an open breaker (reason QuotaBreaker at the shared headroom; 0 when down).
   */
  quotaState(local$: Observable<QuotaThrottleState>): Observable<QuotaThrottleState> {
    return combineLatest([local$, this.authority.status$, this.usage$]).pipe(
      map(([local, status, usage]) => {
        if (local.breakerOpen) return local;
        const down = status === "down";
        const open = down || this.sharedBreaker(usage);
        if (!open) return local;
        const headroom = down ? 0 : this.headroom(usage);
        return { ...local, time: this.scheduler.now(), breakerOpen: true, headroom, reason: { kind: "QuotaBreaker" as const, headroom, threshold: this.breakerOpenBelow } };
      }),
    );
  }

  dispose(): void {
    this.statusSub.unsubscribe();
  }
}

/** How often a held cancel asks again (the window frees entry by entry). */
const CANCEL_RETRY_MS = 200;

function ipWeight(n: number): number {
  return 1 + Math.floor(n / 40);
}

/**
 * Asks the shared authority for every batch, in order (`concatMap`: one Lua call each). Feeds the
 * authority what the executor learns: answers (commit), traded volume, userRateLimit.
 * Refused placements go to `onRefused` as "reserve" (shared budget) or "breaker" (store down).
 * Errors downstream: source errors only (a store failure is an answer, never an error).
 */
export function authorityGate(shared: SharedQuota, feedback: QuotaThrottleFeedback, onRefused: (batch: ActionBatch, reason: QuotaRefusal) => void): MonoTypeOperatorFunction<ActionBatch> {
  const a = shared.authority;
  const c = shared.counts;
  return (source) =>
    new Observable<ActionBatch>((subscriber) => {
      const ids = new Map<ActionBatch, string>();
      const subs: Subscription[] = [];
      const ignore = (p: Promise<unknown>): void => void p.catch(() => undefined);
      if (feedback.answers$) {
        subs.push(
          feedback.answers$.subscribe((ans) => {
            const id = ids.get(ans.batch);
            if (id === undefined) return;
            ids.delete(ans.batch);
            ignore(a.commit(id));
          }),
        );
      }
      // info weight is reserved where the request leaves (ClusterWiring.scopeVenue → reserveInfo), not from feedback.infoWeight$
      if (feedback.volume$) subs.push(feedback.volume$.subscribe((v) => ignore(a.addVolume(v))));
      if (feedback.rateLimit$) subs.push(feedback.rateLimit$.subscribe({ next: (s) => ignore(a.applySnapshot(s)), error: () => undefined }));
      subs.push(
        source
          .pipe(
            concatMap((batch) => {
              const n = batchLength(batch);
              // a reserveRequestWeight purchase is judged like a cancel: the shared address budget's
              // placement reserve must not hold it, it is how that budget grows (sinks/reserveWeight.ts)
              const cancel = isCancelBatch(batch) || batch.type === "reserveRequestWeight";
              let delayed = false;
              // a cancel the shared window has no room for waits (and what follows it, in order)
              const attempt = (): Observable<ActionBatch> => {
                const id = shared.nextId();
                return from(a.reserve({ id, weight: ipWeight(n), requests: n, cancel })).pipe(
                  mergeMap((ans) => {
                    if (ans.usage) shared.usage$.next(ans.usage);
                    if (!ans.ok && cancel && ans.reason === "ip") {
                      if (!delayed) c.cancelsDelayed++;
                      delayed = true;
                      return timer(CANCEL_RETRY_MS, shared.scheduler).pipe(mergeMap(attempt));
                    }
                    if (ans.ok) {
                      c.reserved++;
                      ids.set(batch, id);
                      return of(batch);
                    }
                    if (ans.reason === "unavailable") {
                      if (cancel) {
                        if (shared.takeEmergency(ipWeight(n))) {
                          c.emergencyCancels++;
                          return of(batch);
                        }
                        c.emergencyRefused++;
                        onRefused(batch, "limited");
                        return EMPTY;
                      }
                      c.refusedDown++;
                      onRefused(batch, "breaker");
                      return EMPTY;
                    }
                    if (ans.reason === "ip") c.refusedIp++;
                    else c.refusedAddress++;
                    onRefused(batch, "reserve");
                    return EMPTY;
                  }),
                );
              };
              return attempt();
            }),
          )
          .subscribe(subscriber),
      );
      return () => {
        for (const s of subs) s.unsubscribe();
        // what never got an answer may still have reached the venue: its reservation expires by TTL
        ids.clear();
      };
    });
}

/** Share one feedback between the throttle and the gate: userRateLimit is asked once, not twice. */
export function shareFeedback(feedback: QuotaThrottleFeedback): QuotaThrottleFeedback {
  return { ...feedback, ...(feedback.rateLimit$ ? { rateLimit$: feedback.rateLimit$.pipe(share()) } : {}) };
}
