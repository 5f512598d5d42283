// The executor: sends action batches to a Venue through quotaThrottle, at most N in flight, each
// with a timeout, and reports everything that happens as values (ExecutionEvent). It never
// retries a placement: when a batch times out or the transport fails, it asks `orderStatus` for
// every order the batch touched and reports the answers; the sink decides from those.
//
//   submit(batch) ─▶ quotaThrottle (cancels first; refusals reported) ─▶ mergeMap(send, maxInFlight)
//        send = venue.submit(batch) + timeout ─▶ "result" | "failed" ─▶ (failed) orderStatus per order
//
// Whether a batch goes over the WebSocket `post` or HTTP is the Venue implementation's business
// (the Hyperliquid venue prefers WS post and falls back to HTTP); the executor sees one `submit`.
// mergeMap, never switchMap: an unsubscribed request may already have been accepted.
import { Observable, Subject, Subscription, TimeoutError, asyncScheduler, catchError, defer, map, mergeMap, of, take, timeout } from "rxjs";
import type { SchedulerLike } from "rxjs";
import type { ActionBatch, BatchResult } from "../streams/actions.js";
import type { OrderStatusAnswer, RateLimitSnapshot } from "../streams/orders.js";
import type { Venue } from "../streams/venue.js";
import { quotaThrottle, QuotaThrottleHandle } from "../operators/quotaThrottle.js";
import type { QuotaAnswer, QuotaThrottleOptions } from "../operators/quotaThrottle.js";
import type { QuotaRefusal } from "../operators/quotaBudget.js";
import { everyOn } from "./periodic.js";

export type StatusRef = { readonly oid: number } | { readonly cloid: string };

export type ExecutionEvent =
  | { readonly kind: "sent"; readonly batch: ActionBatch; readonly time: number }
  | { readonly kind: "result"; readonly batch: ActionBatch; readonly result: BatchResult; readonly time: number; readonly latencyMs: number }
  | { readonly kind: "failed"; readonly batch: ActionBatch; readonly error: string; readonly timedOut: boolean; readonly time: number }
  | { readonly kind: "refused"; readonly batch: ActionBatch; readonly reason: QuotaRefusal; readonly time: number }
  | { readonly kind: "status"; readonly ref: StatusRef; readonly answer: OrderStatusAnswer; readonly time: number }
  | { readonly kind: "statusFailed"; readonly ref: StatusRef; readonly error: string; readonly time: number };

export interface ExecutorOptions {
  /** Requests in flight at most (default 16, capped at 100: Hyperliquid's in-flight post limit). */
  readonly maxInFlight?: number;
  /** A request with no answer after this long is treated as failed (default 10 000 ms). */
  readonly timeoutMs?: number;
  /** orderStatus queries in flight at most (default 8). */
  readonly maxStatusInFlight?: number;
  /**
   * quotaThrottle options (config, seed, random — pass a seeded `random` for replay), or false to
   * send unthrottled (tests). Feedback (answers, volume, rate-limit snapshots, info weight) is wired here.
   */
  readonly quota?: false | Omit<QuotaThrottleOptions, "feedback" | "handle" | "onRefused">;
}

/** The elements a batch touches, as orderStatus references. */
export function statusRefsOf(batch: ActionBatch): StatusRef[] {
  switch (batch.type) {
    case "order":
      return batch.orders.map((o) => ({ cloid: o.cloid }));
    case "batchModify":
      return batch.modifies.map((m) => ({ cloid: m.order.cloid }));
    case "cancelByCloid":
      return batch.cancels.map((c) => ({ cloid: c.cloid }));
    case "cancel":
      return batch.cancels.map((c) => ({ oid: c.oid }));
    case "scheduleCancel":
      return [];
  }
}

export class Executor {
  readonly maxInFlight: number;
  readonly timeoutMs: number;
  /** quotaThrottle's state, counters and ledger (null when unthrottled). */
  readonly quota: QuotaThrottleHandle | null;
  readonly #events = new Subject<ExecutionEvent>();
  /** Everything the executor did and heard, in order. Hot; subscribe before `start()`. */
  readonly events$: Observable<ExecutionEvent> = this.#events.asObservable();
  readonly #input = new Subject<ActionBatch>();
  readonly #status = new Subject<StatusRef>();
  readonly #answers = new Subject<QuotaAnswer>();
  readonly #volume = new Subject<number>();
  readonly #rateLimit = new Subject<RateLimitSnapshot>();
  readonly #infoWeight = new Subject<number>();
  readonly #maxStatus: number;
  #inFlight = 0;
  #queued = 0;
  #subscription: Subscription | null = null;

  constructor(
    private readonly venue: Venue,
    private readonly options: ExecutorOptions = {},
    private readonly scheduler: SchedulerLike = asyncScheduler,
  ) {
    this.maxInFlight = Math.min(100, Math.max(1, Math.floor(options.maxInFlight ?? 16)));
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxStatus = Math.max(1, options.maxStatusInFlight ?? 8);
    this.quota = options.quota === false ? null : new QuotaThrottleHandle();
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Batches accepted by `submit` and not yet answered (queued, held by the throttle, or in flight). */
  get pending(): number {
    return this.#queued;
  }

  start(): Subscription {
    if (this.#subscription) return this.#subscription;
    const sub = new Subscription();
    const quotaOpts = this.options.quota;
    const allowed$ =
      quotaOpts === false || this.quota === null
        ? this.#input.asObservable()
        : this.#input.pipe(
            quotaThrottle(
              {
                ...(quotaOpts ?? {}),
                handle: this.quota,
                feedback: {
                  answers$: this.#answers,
                  volume$: this.#volume,
                  rateLimit$: this.#rateLimit,
                  infoWeight$: this.#infoWeight,
                },
                onRefused: (batch, reason) => {
                  this.#queued -= 1;
                  this.#events.next({ kind: "refused", batch, reason, time: this.scheduler.now() });
                },
              },
              this.scheduler,
            ),
          );
    sub.add(
      allowed$.pipe(mergeMap((batch) => this.#send(batch), this.maxInFlight)).subscribe({
        next: (e) => this.#events.next(e),
        error: (err) => this.#events.error(err),
      }),
    );
    sub.add(
      this.#status
        .pipe(mergeMap((ref) => this.#ask(ref), this.#maxStatus))
        .subscribe({ next: (e) => this.#events.next(e), error: (err) => this.#events.error(err) }),
    );
    this.#subscription = sub;
    return sub;
  }

  /** Queue one batch. Never blocks; the answer arrives on `events$`. */
  submit(batch: ActionBatch): void {
    this.#queued += 1;
    this.#input.next(batch);
  }

  /** Ask the venue about one order; the answer arrives on `events$` as "status" or "statusFailed". */
  queryStatus(ref: StatusRef): void {
    this.#infoWeight.next(2);
    this.#status.next(ref);
  }

  /** USDC traded (quota feedback: one request per USDC). */
  addVolume(usd: number): void {
    if (usd > 0 && Number.isFinite(usd)) this.#volume.next(usd);
  }

  /** Weight of an info request made from the same IP (clearinghouseState 2, …). */
  addInfoWeight(weight: number): void {
    this.#infoWeight.next(weight);
  }

  /** A userRateLimit snapshot (venue truth wins over the local ledger). */
  feedRateLimit(snapshot: RateLimitSnapshot): void {
    this.#rateLimit.next(snapshot);
  }

  stop(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = null;
  }

  #send(batch: ActionBatch): Observable<ExecutionEvent> {
    return defer(() => {
      const t0 = this.scheduler.now();
      this.#inFlight += 1;
      this.#events.next({ kind: "sent", batch, time: t0 });
      let settled = false;
      const settle = () => {
        if (!settled) {
          settled = true;
          this.#inFlight -= 1;
          this.#queued -= 1;
        }
      };
      return this.venue.submit(batch).pipe(
        take(1),
        timeout({ first: this.timeoutMs, scheduler: this.scheduler }),
        map((result): ExecutionEvent => {
          settle();
          const now = this.scheduler.now();
          this.#answers.next({ batch, rateLimited: !result.ok && result.rateLimited });
          return { kind: "result", batch, result, time: now, latencyMs: now - t0 };
        }),
        catchError((err: unknown) => {
          settle();
          const timedOut = err instanceof TimeoutError;
          const failed: ExecutionEvent = {
            kind: "failed",
            batch,
            error: timedOut ? `no answer within ${this.timeoutMs} ms` : err instanceof Error ? err.message : String(err),
            timedOut,
            time: this.scheduler.now(),
          };
          // Reconcile before anything is sent again: ask what became of every order it touched.
          this.scheduler.schedule(() => {
            for (const ref of statusRefsOf(batch)) this.queryStatus(ref);
          });
          return of(failed);
        }),
      );
    });
  }

  #ask(ref: StatusRef): Observable<ExecutionEvent> {
    return this.venue.orderStatus(ref).pipe(
      take(1),
      timeout({ first: this.timeoutMs, scheduler: this.scheduler }),
      map((answer): ExecutionEvent => ({ kind: "status", ref, answer, time: this.scheduler.now() })),
      catchError((err: unknown) =>
        of<ExecutionEvent>({
          kind: "statusFailed",
          ref,
          error: err instanceof TimeoutError ? `orderStatus: no answer within ${this.timeoutMs} ms` : err instanceof Error ? err.message : String(err),
          time: this.scheduler.now(),
        }),
      ),
    );
  }
}

/** Options of the dead-man's switch (Hyperliquid scheduleCancel, FACTS §5.5). */
export interface DeadMansSwitchOptions {
  /** Orders are cancelled this long after the last re-arm if we vanish (default 30 000 ms; the venue needs ≥ 5000). */
  readonly windowMs?: number;
  /** Re-arm period while the connection is open (default 10 000 ms; must be < windowMs). */
  readonly rearmMs?: number;
}

/**
 * The scheduleCancel batches that keep the dead-man's switch armed: one at once when the
 * connection is (or becomes) open, then every `rearmMs` while it stays open, each for
 * `now + windowMs`. Nothing while the connection is down — if we are gone, the venue pulls our
 * orders at the last armed time. Feed them to `Executor.submit` (which uses mergeMap).
 *
 * ```
 * connection: o-----------r------o-----    (o open, r reconnecting)
 * output:     a---a---a---       a---a-    a = scheduleCancel(now + windowMs), every rearmMs
 * ```
 * The timer is switched by connection state (switchMap over timers only, never over a request).
 */
export function deadMansSwitch(
  connection$: Observable<{ readonly status: string }>,
  options: DeadMansSwitchOptions = {},
  scheduler: SchedulerLike = asyncScheduler,
): Observable<ActionBatch> {
  const windowMs = Math.max(5000, options.windowMs ?? 30_000);
  const rearmMs = Math.min(options.rearmMs ?? 10_000, windowMs - 1000);
  return new Observable<ActionBatch>((subscriber) => {
    let timer: Subscription | null = null;
    let open = false;
    const arm = () => {
      subscriber.next({ type: "scheduleCancel", time: scheduler.now() + windowMs });
    };
    const sub = connection$.subscribe({
      next: (c) => {
        const nowOpen = c.status === "open";
        if (nowOpen === open) return;
        open = nowOpen;
        timer?.unsubscribe();
        timer = null;
        if (open) {
          arm();
          timer = everyOn(scheduler, rearmMs, arm);
        }
      },
      error: (err) => subscriber.error(err),
      complete: () => subscriber.complete(),
    });
    return () => {
      sub.unsubscribe();
      timer?.unsubscribe();
    };
  });
}
