// The executor as an operator over commands: batches to send, orderStatus queries, and the quota
// feedback (USDC traded, IP weight of info requests) — all of them data on one input — in; what it
// did and heard (ExecutionEvent) out. It never retries a placement: when a batch times out or the
// transport fails, it asks `orderStatus` for every order the batch touched and reports the answers;
// the core decides from those.
//
//   commands ─┬─ submit ─▶ throttle (cancels first; refusals reported) ─▶ mergeMap(send, maxInFlight)
//             │      send = venue.submit(batch) + timeout ─▶ "result" | "failed" ─▶ (failed) orderStatus per order
//             ├─ queryStatus ─▶ mergeMap(ask, maxStatusInFlight) ─▶ "status" | "statusFailed"
//             ├─ volume, infoWeight ─▶ the throttle's feedback (with its own answers and the venue's userRateLimit)
//             └─ gate(asset, reason) ─▶ the send queue: a closed asset's placements/modifies not yet sent are dropped
//
// The send queue (batches the throttle let through, waiting for one of maxInFlight slots) knows
// which assets are closed: the core sends a `gate` command the moment an asset's quoting closes
// (a pipeline gate's empty intent, its own OrderStale gate, the kill switch, shutdown) and again when
// it reopens. Closing purges the queue of that asset's placements and modifies, and a batch is
// checked once more right before `venue.submit` — nothing priced before the gate closed leaves after
// it; each drop is a "dropped" event. Cancels are never dropped, and a cancel batch waits only
// behind queued batches that touch one of its assets (a cancel by CLOID must not overtake the
// placement it cancels); it overtakes everything else.
//
// Whether a batch goes over the WebSocket `post` or HTTP is the Venue implementation's business
// (the Hyperliquid venue prefers WS post and falls back to HTTP); the executor sees one `submit`.
// mergeMap, never switchMap: an unsubscribed request may already have been accepted.
// The throttle is passed in (app/ composes operators/quotaThrottle): sinks/ imports no operator.
import { EMPTY, Observable, Subject, Subscription, TimeoutError, asyncScheduler, catchError, defer, filter, map, merge, mergeMap, share, take, timeout } from "rxjs";
import type { MonoTypeOperatorFunction, OperatorFunction, SchedulerLike } from "rxjs";
import type { ActionBatch, BatchResult } from "../streams/actions.js";
import type { QuoteGateReason } from "../streams/gate.js";
import type { AccountSnapshot, OrderStatusAnswer, RateLimitSnapshot } from "../streams/orders.js";
import type { QuotaAnswer, QuotaRefusal, QuotaThrottleFeedback, QuotaThrottleState } from "../streams/quota.js";
import type { Venue } from "../streams/venue.js";
import { coalesceBatches } from "./batchCoalescer.js";
import type { BatchingOptions } from "./batchCoalescer.js";
import { InfoLane } from "./infoLane.js";
import { everyOn } from "./periodic.js";
import type { InfoLaneCounts } from "./infoLane.js";
import { SendQueue } from "./sendQueue.js";
import { shareFanout } from "../streams/fanout.js";
import { firstAnswer } from "../streams/firstAnswer.js";

export { deadMansSwitch, type DeadMansSwitchOptions } from "./deadMansSwitch.js";

export type StatusRef = { readonly oid: number } | { readonly cloid: string };

export type ExecutionEvent =
  | { readonly kind: "sent"; readonly batch: ActionBatch; readonly time: number }
  | { readonly kind: "result"; readonly batch: ActionBatch; readonly result: BatchResult; readonly time: number; readonly latencyMs: number }
  | { readonly kind: "failed"; readonly batch: ActionBatch; readonly error: string; readonly timedOut: boolean; readonly time: number }
  | { readonly kind: "refused"; readonly batch: ActionBatch; readonly reason: QuotaRefusal; readonly time: number }
  /** Placements/modifies of an asset whose gate closed while they waited for a slot: never sent (`batch` holds only the dropped elements). */
  | { readonly kind: "dropped"; readonly batch: ActionBatch; readonly asset: string; readonly reason: QuoteGateReason; readonly time: number }
  | { readonly kind: "status"; readonly ref: StatusRef; readonly answer: OrderStatusAnswer; readonly time: number }
  | { readonly kind: "statusFailed"; readonly ref: StatusRef; readonly error: string; readonly time: number }
  /** An account snapshot the core asked for (fetchAccount), through the info lane. */
  | { readonly kind: "account"; readonly snapshot: AccountSnapshot; readonly trigger: string; readonly withOrders: boolean; readonly time: number }
  | { readonly kind: "accountFailed"; readonly trigger: string; readonly withOrders: boolean; readonly error: string; readonly time: number };

/** What the executor acts on. */
export type ExecutorCommand =
  | { readonly kind: "submit"; readonly batch: ActionBatch }
  | { readonly kind: "queryStatus"; readonly ref: StatusRef }
  /** An account snapshot (clearinghouseState 2 + frontendOpenOrders 20 IP weight), through the info lane. */
  | { readonly kind: "fetchAccount"; readonly withOrders: boolean; readonly trigger: string; readonly timeoutMs: number }
  | { readonly kind: "infoWeight"; readonly weight: number }
  | { readonly kind: "volume"; readonly usd: number }
  /** An asset's quoting closed (reason) or reopened (null): the send queue drops its placements and modifies while closed. */
  | { readonly kind: "gate"; readonly asset: string; readonly reason: QuoteGateReason | null }
  /** The submits of one core step are all in: with cross-asset batching, they are packed and sent now (or at the end of the coalescing window). */
  | { readonly kind: "stepEnd" };

/**
 * Builds the throttle for one executor subscription from its feedback and a refusal callback
 * (app/ passes `(feedback, onRefused) => quotaThrottle({ ...options, feedback, onRefused }, scheduler)`).
 */
export type ThrottleFactory = (feedback: QuotaThrottleFeedback, onRefused: (batch: ActionBatch, reason: QuotaRefusal) => void) => MonoTypeOperatorFunction<ActionBatch>;

export interface ExecutorOptions {
  /** Requests in flight at most (default 16, capped at 100: Hyperliquid's in-flight post limit). */
  readonly maxInFlight?: number;
  /** A request with no answer after this long is treated as failed (default 10 000 ms). */
  readonly timeoutMs?: number;
  /** orderStatus queries in flight at most (default 8). */
  readonly maxStatusInFlight?: number;
  /** The quota throttle; none: batches go out unthrottled (tests). */
  readonly throttle?: ThrottleFactory;
  /** A caller-owned window on the counts of the latest subscription. */
  readonly counts?: ExecutorCounts;
  /**
   * Cross-asset batching (batchCoalescer.ts): submits are buffered until a `stepEnd` command and
   * packed into one request per kind. Absent or `crossAsset: false`: every submit goes out as it is
   * (the per-asset baseline). The ExecutionSink turns it on by default.
   */
  readonly batching?: BatchingOptions;
  /** The quota throttle's state: its IP headroom widens the coalescing window when tight. */
  readonly quotaState$?: Observable<QuotaThrottleState>;
  /**
   * ms until `weight` more IP weight fits the window (0: now) — the quota throttle's ledger
   * (app/ passes QuotaThrottleHandle.infoWaitMs). Info requests (account snapshots, orderStatus)
   * wait for it in the info lane; none: they leave at once (still charged).
   */
  readonly infoRoom?: (weight: number, now: number) => number;
  /** Elements one request may hold when queued cancels are merged (default 39: IP weight 1). */
  readonly maxBatchSize?: number;
  /** While the quota breaker is open, ask the venue's userRateLimit this often (default 300 000 ms, IP weight 20: 4/min; min 10 000). */
  readonly rateLimitPollMs?: number;
}

/** Requests in flight and batches not yet answered, kept by the executor for whoever holds it. */
export interface ExecutorCounts extends InfoLaneCounts {
  inFlight: number;
  /** Batches accepted and not yet answered (queued, held by the throttle, or in flight). */
  pending: number;
}

export function createExecutorCounts(): ExecutorCounts {
  return { inFlight: 0, pending: 0, infoDelayed: 0, infoRateLimited: 0, infoWaiting: 0 };
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
    case "reserveRequestWeight":
      return [];
  }
}

/** Effective maxInFlight: at least 1, at most 100. */
export function executorMaxInFlight(options: ExecutorOptions): number {
  return Math.min(100, Math.max(1, Math.floor(options.maxInFlight ?? 16)));
}

/**
 * Commands in, ExecutionEvents out, in the order they happen.
 *
 * ```
 * commands: -s----q------|      s = submit(batch), q = queryStatus(ref)
 * output:   -S-R--Q-------|     S sent, R result (after the venue's latency), Q status
 * ```
 * @param venue where batches and queries go.
 * @param options maxInFlight (16), timeoutMs (10 000), maxStatusInFlight (8), throttle, counts.
 * @param scheduler timeouts and time stamps (default asyncScheduler).
 * Errors downstream: the source's errors. A failing request is an event, never an error.
 */
export function executor(venue: Venue, options: ExecutorOptions = {}, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<ExecutorCommand, ExecutionEvent> {
  const maxInFlight = executorMaxInFlight(options);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxStatus = Math.max(1, options.maxStatusInFlight ?? 8);
  return (commands$) =>
    defer(() => {
      const counts = options.counts ?? createExecutorCounts();
      counts.inFlight = 0;
      counts.pending = 0;
      counts.infoWaiting = 0;
      // every info request is charged when it leaves the lane (orderStatus 2, account 2 + 20)
      const infoCharged$ = new Subject<number>();
      const lane = new InfoLane(scheduler, options.infoRoom, (w) => infoCharged$.next(w), counts);
      const polledLimits$ = new Subject<RateLimitSnapshot>();
      const pollMs = Math.max(10_000, options.rateLimitPollMs ?? 300_000);
      let pollTimer: Subscription | null = null;
      // Headroom comes back only with the venue's word (traded volume, bought requests): while the
      // breaker is open, ask userRateLimit (IP weight 20) every pollMs — 4 weight/min at 5 min.
      const pollLimits = (): void => {
        lane
          .request(
            20,
            () => venue.rateLimit().pipe(take(1), timeout({ first: timeoutMs, scheduler })),
            () => null,
          )
          .subscribe({ next: (snap) => polledLimits$.next(snap), error: () => undefined });
      };
      const onBreaker = (open: boolean): void => {
        if (open && pollTimer === null) pollTimer = everyOn(scheduler, pollMs, pollLimits);
        else if (!open && pollTimer !== null) {
          pollTimer.unsubscribe();
          pollTimer = null;
        }
      };
      const cmds$ = commands$.pipe(shareFanout());
      const closed = new Map<string, QuoteGateReason>();
      // per-subscription loops inside the executor: the throttle hears the answers of what it let
      // through, refusals become events, and a failed batch asks about its orders
      const answers$ = new Subject<QuotaAnswer>();
      const refused$ = new Subject<ExecutionEvent>();
      const recheck$ = new Subject<StatusRef>();
      const submits$ = cmds$.pipe(
        filter((c): c is Extract<ExecutorCommand, { kind: "submit" }> => c.kind === "submit"),
        map((c) => {
          counts.pending += 1;
          return c;
        }),
      );
      const batching = options.batching;
      let ipHeadroom = 1;
      const coalesceDrops = new Subject<ExecutionEvent>();
      const batches$: Observable<ActionBatch> =
        batching && batching.crossAsset !== false
          ? merge(submits$, cmds$.pipe(filter((c): c is Extract<ExecutorCommand, { kind: "stepEnd" }> => c.kind === "stepEnd"))).pipe(
              coalesceBatches(
                batching,
                {
                  ipHeadroom: () => ipHeadroom,
                  closed,
                  onDropped: (dropped, asset, reason) => coalesceDrops.next({ kind: "dropped", batch: dropped, asset, reason, time: scheduler.now() }),
                  onPacked: (inputs, outputs) => {
                    counts.pending += outputs - inputs;
                  },
                },
                scheduler,
              ),
            )
          : submits$.pipe(map((c) => c.batch));
      const asked$ = merge(
        cmds$.pipe(
          filter((c): c is Extract<ExecutorCommand, { kind: "queryStatus" }> => c.kind === "queryStatus"),
          map((c) => c.ref),
        ),
        recheck$,
      ).pipe(share());
      const feedback: QuotaThrottleFeedback = {
        answers$,
        volume$: cmds$.pipe(
          filter((c): c is Extract<ExecutorCommand, { kind: "volume" }> => c.kind === "volume"),
          map((c) => c.usd),
          filter((usd) => usd > 0 && Number.isFinite(usd)),
        ),
        // info requests from the same IP: charged by the lane as they leave, and the core's extra charges
        infoWeight$: merge(
          cmds$.pipe(
            filter((c): c is Extract<ExecutorCommand, { kind: "infoWeight" }> => c.kind === "infoWeight"),
            map((c) => c.weight),
          ),
          infoCharged$,
        ),
        // the venue's userRateLimit at start, and again while the breaker is open (rateLimitPollMs)
        rateLimit$: merge(
          venue.rateLimit().pipe(
            take(1),
            catchError(() => EMPTY),
          ),
          polledLimits$,
        ),
      };
      const onRefused = (batch: ActionBatch, reason: QuotaRefusal): void => {
        counts.pending -= 1;
        refused$.next({ kind: "refused", batch, reason, time: scheduler.now() });
      };
      const allowed$ = options.throttle ? batches$.pipe(options.throttle(feedback, onRefused)) : batches$;
      // "sent" (when its slot is taken), then the answer or the failure: firstAnswer is
      // take(1) + timeout + map + catchError in one subscriber (streams/firstAnswer.ts)
      const send = (batch: ActionBatch): Observable<ExecutionEvent> =>
        new Observable<ExecutionEvent>((subscriber) => {
          const t0 = scheduler.now();
          counts.inFlight += 1;
          let settled = false;
          const settle = () => {
            if (!settled) {
              settled = true;
              counts.inFlight -= 1;
              counts.pending -= 1;
            }
          };
          subscriber.next({ kind: "sent", batch, time: t0 });
          if (subscriber.closed) return;
          firstAnswer(
            venue.submit(batch),
            timeoutMs,
            scheduler,
            (result): ExecutionEvent => {
              settle();
              const now = scheduler.now();
              answers$.next({ batch, rateLimited: !result.ok && result.rateLimited });
              return { kind: "result", batch, result, time: now, latencyMs: now - t0 };
            },
            (err: unknown): ExecutionEvent => {
              settle();
              const timedOut = err instanceof TimeoutError;
              // Reconcile before anything is sent again: ask what became of every order it touched.
              scheduler.schedule(() => {
                for (const ref of statusRefsOf(batch)) recheck$.next(ref);
              });
              return {
                kind: "failed",
                batch,
                error: timedOut ? `no answer within ${timeoutMs} ms` : err instanceof Error ? err.message : String(err),
                timedOut,
                time: scheduler.now(),
              };
            },
          ).subscribe(subscriber);
        });
      const ask = (ref: StatusRef): Observable<ExecutionEvent> =>
        lane.request(
          2,
          () =>
            firstAnswer(
              venue.orderStatus(ref),
              timeoutMs,
              scheduler,
              (answer): ExecutionEvent => ({ kind: "status", ref, answer, time: scheduler.now() }),
              (err: unknown): ExecutionEvent => ({
                kind: "statusFailed",
                ref,
                error: err instanceof TimeoutError ? `orderStatus: no answer within ${timeoutMs} ms` : err instanceof Error ? err.message : String(err),
                time: scheduler.now(),
              }),
            ),
          (e) => (e.kind === "statusFailed" ? e.error : null),
        );
      const fetchAccount = (c: Extract<ExecutorCommand, { kind: "fetchAccount" }>): Observable<ExecutionEvent> =>
        lane.request(
          c.withOrders ? 2 + 20 : 2, // clearinghouseState (+ frontendOpenOrders), FACTS §9
          () =>
            firstAnswer(
              venue.account(c.withOrders ? undefined : { openOrders: false }),
              c.timeoutMs,
              scheduler,
              (snapshot): ExecutionEvent => ({ kind: "account", snapshot, trigger: c.trigger, withOrders: c.withOrders, time: scheduler.now() }),
              (err: unknown): ExecutionEvent => ({ kind: "accountFailed", trigger: c.trigger, withOrders: c.withOrders, error: err instanceof Error ? err.message : String(err), time: scheduler.now() }),
            ),
          (e) => (e.kind === "accountFailed" ? e.error : null),
        );
      return new Observable<ExecutionEvent>((subscriber) => {
        const sub = new Subscription();
        sub.add(refused$.subscribe(subscriber));
        sub.add(coalesceDrops.subscribe(subscriber));
        if (options.quotaState$) {
          sub.add(
            options.quotaState$.subscribe((q) => {
              ipHeadroom = q.ipHeadroom;
              onBreaker(q.breakerOpen);
            }),
          );
        }
        sub.add(() => pollTimer?.unsubscribe());
        sub.add(asked$.pipe(mergeMap(ask, maxStatus)).subscribe({ next: (e) => subscriber.next(e), error: (err) => subscriber.error(err) }));
        sub.add(
          cmds$
            .pipe(
              filter((c): c is Extract<ExecutorCommand, { kind: "fetchAccount" }> => c.kind === "fetchAccount"),
              mergeMap(fetchAccount),
            )
            .subscribe({ next: (e) => subscriber.next(e), error: (err) => subscriber.error(err) }),
        );
        sub.add(() => lane.close());
        const queue = new SendQueue(
          maxInFlight,
          closed,
          (batch) => send(batch),
          (dropped, asset, reason, whole) => {
            if (whole) counts.pending -= 1;
            subscriber.next({ kind: "dropped", batch: dropped, asset, reason, time: scheduler.now() });
          },
          options.maxBatchSize ?? 39,
          (n) => (counts.pending -= n - 1),
        );
        sub.add(
          cmds$.pipe(filter((c): c is Extract<ExecutorCommand, { kind: "gate" }> => c.kind === "gate")).subscribe((c) => {
            if (c.reason === null) closed.delete(c.asset);
            else {
              closed.set(c.asset, c.reason);
              queue.purge(c.asset);
            }
          }),
        );
        sub.add(queue.run(allowed$, subscriber));
        return sub;
      });
    });
}
