// quotaThrottle — how the executor wires it (sinks/):
//
//   const quota = createQuotaThrottleHandle();
//   const answers$ = new Subject<QuotaAnswer>();
//   const allowed$ = actions$.pipe(
//     quotaThrottle({
//       seed: await firstValueFrom(venue.rateLimit()),           // userRateLimit snapshot
//       feedback: {
//         answers$,        // { batch, rateLimited } for every BatchResult the venue returns
//         volume$,         // USDC traded, one number per fill (px × sz)
//         rateLimit$,      // later userRateLimit snapshots (venue truth wins)
//         infoWeight$,     // weight of each info request from the same IP (clearinghouseState 2, …)
//       },
//       handle: quota,
//       onRefused: (batch, reason) => log.warn({ type: batch.type, reason }, "quota refused"),
//     }, scheduler),
//     concatMap((batch) => venue.submit(batch).pipe(   // never switchMap
//       tap((r) => answers$.next({ batch, rateLimited: !r.ok && r.rateLimited })),
//     )),
//   );
//   // the gate: intents$.pipe(quotaBreakerGate(quota.state$)) — state$ replays the current
//   // { breakerOpen, reason?: QuotaBreaker, headroom, limited, … } and emits on every change
//   // metrics: quota.counts (allowed, refused by reason, delayed cancels), quota.state, quota.byAsset
//
// Input: ActionBatch (streams/actions.ts); output: the batches allowed, in order, cancels first.
// Cancels (cancel, cancelByCloid) are never refused while their allowance lasts (scheduleCancel is placement-class: see isCancelLane):
// when the IP window or the rate-limited regime holds them, they wait in a FIFO and go out as soon
// as they fit. Placements and modifies are refused (dropped, counted, `onRefused`) when they would
// eat into the 5% reserve, while the breaker is open (<10% headroom, closes at ≥15%), while the
// rate-limited regime has no free slot, or while cancels are waiting.
import { BehaviorSubject, Observable, asyncScheduler, type OperatorFunction, type SchedulerLike, type Subscription } from "rxjs";
import type { ActionBatch } from "../streams/actions.js";
import type { RateLimitSnapshot } from "../streams/orders.js";
import { QuotaLedger, isCancelLane, type QuotaAssetUsage, type QuotaBudgetConfig, type QuotaRefusal } from "./quotaBudget.js";

export type { QuotaAnswer, QuotaLimitedLane, QuotaThrottleFeedback, QuotaThrottleState } from "../streams/quota.js";
import type { QuotaLimitedLane, QuotaThrottleFeedback, QuotaThrottleState } from "../streams/quota.js";

export interface QuotaCounts {
  allowed: number;
  refused: number;
  readonly refusedByReason: Record<QuotaRefusal, number>;
  /** Cancels that had to wait (IP window or rate-limited slot) before going out. */
  cancelsDelayed: number;
  /** Feedback values ignored because they were not finite/non-negative. */
  invalidFeedback: number;
}

/**
 * Caller-owned window on one quotaThrottle subscription: its state stream, its counters and its
 * ledger. Give each subscription its own handle.
 */
export class QuotaThrottleHandle {
  readonly counts: QuotaCounts = {
    allowed: 0,
    refused: 0,
    refusedByReason: { breaker: 0, reserve: 0, limited: 0, tooLarge: 0, cancelsQueued: 0, queueFull: 0 },
    cancelsDelayed: 0,
    invalidFeedback: 0,
  };
  /** The accounting of the latest subscription (undefined before the first subscribe); kept after it ends so final numbers stay readable. */
  ledger: QuotaLedger | undefined;
  private readonly subject = new BehaviorSubject<QuotaThrottleState>({
    time: 0,
    headroom: 1,
    ipHeadroom: 1,
    addressHeadroom: 1,
    breakerOpen: false,
    limited: "none",
    nextSlotAt: null,
    queuedCancels: 0,
  });
  /** Current state at once, then every change of breaker, limited lane, cancel queue or headroom (5% steps) (never completes). */
  readonly state$: Observable<QuotaThrottleState> = this.subject.asObservable();

  get state(): QuotaThrottleState {
    return this.subject.value;
  }

  /** Per-asset usage (requests, IP weight share, refusals) of the live subscription. */
  get byAsset(): ReadonlyMap<string, QuotaAssetUsage> {
    return this.ledger?.usage ?? new Map();
  }

  /** ms until an info request of `weight` fits the live subscription's IP window (0 before the first subscribe). */
  infoWaitMs(weight: number, now: number): number {
    return this.ledger?.infoWaitMs(weight, now) ?? 0;
  }

  /** @internal used by quotaThrottle */
  publish(state: QuotaThrottleState): void {
    const prev = this.subject.value;
    if (
      prev.breakerOpen !== state.breakerOpen ||
      prev.limited !== state.limited ||
      prev.nextSlotAt !== state.nextSlotAt ||
      prev.queuedCancels !== state.queuedCancels ||
      // headroom in 5% steps: the sink shapes its quoting and the executor its coalescing window by it
      Math.floor(prev.addressHeadroom * 20) !== Math.floor(state.addressHeadroom * 20) ||
      Math.floor(prev.ipHeadroom * 20) !== Math.floor(state.ipHeadroom * 20)
    ) {
      this.subject.next(state);
    }
  }
}

export function createQuotaThrottleHandle(): QuotaThrottleHandle {
  return new QuotaThrottleHandle();
}

export interface QuotaThrottleOptions {
  /** Overrides of DEFAULT_QUOTA_BUDGET_CONFIG (1200/60 s, 10,000, 5% reserve, 10%/15% breaker, …). */
  readonly config?: Partial<QuotaBudgetConfig>;
  /** userRateLimit at start. Without it the address is assumed fresh (cap 10,000, nothing used). */
  readonly seed?: RateLimitSnapshot;
  readonly feedback?: QuotaThrottleFeedback;
  /** Jitter source, [0, 1). Default Math.random. */
  readonly random?: () => number;
  /** Cancels waiting at most; beyond it a cancel is refused (`queueFull`). Default 1,000. */
  readonly maxQueuedCancels?: number;
  readonly handle?: QuotaThrottleHandle;
  /** Called for each refused batch (after counting). A throw errors the stream. */
  readonly onRefused?: (batch: ActionBatch, reason: QuotaRefusal) => void;
}

/**
 * Lets action batches through Hyperliquid's IP and address budgets (FACTS §9), cancels first.
 *
 * ```
 * (used 9,490 of 10,000; breaker thresholds lowered to isolate the reserve rule — with the
 *  defaults the breaker, open below 10% headroom, refuses these placements first)
 * source:         -p-c-P-c-|      p = 5 orders (fits under 95%), P = 20 orders, c = cancels
 * quotaThrottle:  -p-c---c-|      P refused ("reserve"), counted, onRefused; cancels pass
 *
 * (IP window full: cancels wait, in order, and keep the output open)
 * source:         -c-c-|
 * quotaThrottle:  ---------- … (c)(c)|    at the instants the window frees enough weight
 * ```
 *
 * Accounting is `QuotaLedger` (operators/quotaBudget.ts); this operator adds the cancel queue,
 * the timers, the feedback and the handle. State is per subscription (a fresh ledger each time).
 * Rate-limited answers: one request per 10 s; a slot request refused again backs off 30 s, 60 s,
 * 120 s … 600 s × (0.5 + random()).
 *
 * @param options see QuotaThrottleOptions; all optional.
 * @param scheduler time and timers, default `asyncScheduler`.
 * Errors downstream: source and feedback errors, a throwing `onRefused`. Completes when the source
 * has completed and no cancel is waiting.
 */
export function quotaThrottle(
  options: QuotaThrottleOptions = {},
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<ActionBatch, ActionBatch> {
  const random = options.random ?? Math.random;
  const maxQueued = options.maxQueuedCancels ?? 1_000;
  const feedback = options.feedback ?? {};
  return (source) =>
    new Observable<ActionBatch>((subscriber) => {
      const ledger = new QuotaLedger(options.config, options.seed);
      const handle = options.handle ?? new QuotaThrottleHandle();
      handle.ledger = ledger;
      const counts = handle.counts;
      const queue: ActionBatch[] = [];
      let queueHead = 0;
      let sourceDone = false;
      let drainTimer: Subscription | undefined;
      let drainAt = Infinity;
      let breakerTimer: Subscription | undefined;
      const subscriptions: Subscription[] = [];

      const queued = (): number => queue.length - queueHead;

      const publish = (): void => {
        const now = scheduler.now();
        const h = ledger.updateBreaker(now);
        const limited: QuotaLimitedLane = ledger.cancelsLimited ? "all" : ledger.placementsLimited ? "placements" : "none";
        const base = {
          time: now,
          headroom: h.headroom,
          ipHeadroom: h.ip,
          addressHeadroom: h.address,
          breakerOpen: ledger.breakerOpen,
          limited,
          nextSlotAt: limited !== "none" && Number.isFinite(ledger.nextSlotAt) ? ledger.nextSlotAt : null,
          queuedCancels: queued(),
        };
        handle.publish(
          ledger.breakerOpen
            ? { ...base, reason: { kind: "QuotaBreaker", headroom: h.headroom, threshold: ledger.config.breakerOpenBelow } }
            : base,
        );
        // The IP window frees weight with time alone: re-check an open breaker when it does.
        breakerTimer?.unsubscribe();
        breakerTimer = undefined;
        if (ledger.breakerOpen) {
          const at = ledger.nextIpExpiry(now);
          if (at !== undefined) breakerTimer = scheduler.schedule(() => publish(), Math.max(0, at - now));
        }
      };

      const refuse = (batch: ActionBatch, reason: QuotaRefusal): void => {
        counts.refused++;
        counts.refusedByReason[reason]++;
        ledger.countRefused(batch);
        if (options.onRefused !== undefined) {
          try {
            options.onRefused(batch, reason);
          } catch (err) {
            subscriber.error(err);
          }
        }
      };

      const allow = (batch: ActionBatch): void => {
        counts.allowed++;
        subscriber.next(batch);
      };

      /** Send every waiting cancel that fits now; arm a timer for the first that does not. */
      const drain = (): void => {
        const now = scheduler.now();
        while (queueHead < queue.length) {
          const batch = queue[queueHead]!;
          const d = ledger.decide(batch, now);
          if (d.kind === "wait") {
            armDrain(d.until, now);
            break;
          }
          queueHead++;
          if (d.kind === "allow") {
            ledger.commit(batch, d, now);
            allow(batch);
          } else {
            refuse(batch, d.reason);
          }
          if (subscriber.closed) return;
        }
        if (queueHead === queue.length) {
          queue.length = 0;
          queueHead = 0;
          drainTimer?.unsubscribe();
          drainTimer = undefined;
          drainAt = Infinity;
        }
        publish();
        if (sourceDone && queued() === 0) subscriber.complete();
      };

      const armDrain = (until: number, now: number): void => {
        if (drainTimer !== undefined && drainAt <= until) return;
        drainTimer?.unsubscribe();
        drainAt = until;
        drainTimer = scheduler.schedule(() => {
          drainTimer = undefined;
          drainAt = Infinity;
          drain();
        }, Math.max(0, until - now));
      };

      const onFeedback = (apply: () => boolean): void => {
        if (!apply()) counts.invalidFeedback++;
        if (queued() > 0) drain();
        else publish();
      };

      const { answers$, volume$, rateLimit$, infoWeight$ } = feedback;
      const fail = (err: unknown): void => subscriber.error(err);
      if (rateLimit$ !== undefined) subscriptions.push(rateLimit$.subscribe({ next: (s) => onFeedback(() => ledger.applySnapshot(s)), error: fail }));
      if (volume$ !== undefined) subscriptions.push(volume$.subscribe({ next: (v) => onFeedback(() => ledger.addVolume(v)), error: fail }));
      if (infoWeight$ !== undefined) {
        subscriptions.push(infoWeight$.subscribe({ next: (w) => onFeedback(() => ledger.addInfoWeight(w, scheduler.now())), error: fail }));
      }
      if (answers$ !== undefined) {
        subscriptions.push(
          answers$.subscribe({
            next: (a) =>
              onFeedback(() => {
                ledger.onAnswer(isCancelLane(a.batch), a.rateLimited, scheduler.now(), random);
                return true;
              }),
            error: fail,
          }),
        );
      }

      subscriptions.push(
        source.subscribe({
          next(batch) {
            const now = scheduler.now();
            if (isCancelLane(batch)) {
              if (queued() > 0) {
                if (queued() >= maxQueued) refuse(batch, "queueFull");
                else {
                  queue.push(batch);
                  counts.cancelsDelayed++;
                  drain();
                }
                return;
              }
              const d = ledger.decide(batch, now);
              if (d.kind === "allow") {
                ledger.commit(batch, d, now);
                allow(batch);
              } else if (d.kind === "wait") {
                queue.push(batch);
                counts.cancelsDelayed++;
                armDrain(d.until, now);
              } else {
                refuse(batch, d.reason);
              }
              publish();
              return;
            }
            if (queued() > 0) {
              refuse(batch, "cancelsQueued");
              publish();
              return;
            }
            const d = ledger.decide(batch, now);
            if (d.kind === "allow") {
              ledger.commit(batch, d, now);
              allow(batch);
            } else if (d.kind === "refuse") {
              refuse(batch, d.reason);
            }
            publish();
          },
          error: fail,
          complete: () => {
            sourceDone = true;
            if (queued() === 0) subscriber.complete();
          },
        }),
      );
      publish();

      return () => {
        for (const s of subscriptions) s.unsubscribe();
        drainTimer?.unsubscribe();
        breakerTimer?.unsubscribe();
      };
    });
}
