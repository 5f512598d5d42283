// A Venue seen through the service's metrics and log: every batch sent and its answer counted by
// kind and logged (debug for each action sent and answered; warn for every failure, with its
// context), the wall time from the book update that caused an order to the request carrying it
// (tick-to-action, by cause: app/tickStamps.ts), account snapshots (reconciliation) and their failures, order-status queries,
// decode errors, reconnects and the quota throttle's refusals. The wrapped venue behaves exactly
// like the original. This sits between the sink and the venue on purpose: it sees every failure of
// the executor, the reconciliation and the transport without knowing the sink's internals.
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import { Observable, type SchedulerLike, tap } from "rxjs";
import type { QuotaThrottleHandle } from "../operators/quotaThrottle.js";
import { everyOn } from "../sinks/periodic.js";
import { SourceSubscriber } from "../streams/sourceSubscriber.js";
import { batchLength, type ActionBatch, type BatchResult } from "../streams/actions.js";
import type { ConnectionStatus, Venue } from "../streams/venue.js";
import type { BookEvent } from "../streams/market.js";
import { TickStamps } from "./tickStamps.js";
import { type ExecutorFailureKind, type IpWeightPurpose, QUOTA_REFUSAL_REASONS, type ServiceMetrics } from "./metrics.js";

function assetsOf(batch: ActionBatch): string[] {
  switch (batch.type) {
    case "order":
      return batch.orders.map((o) => o.asset);
    case "cancel":
    case "cancelByCloid":
      return batch.cancels.map((c) => c.asset);
    case "batchModify":
      return batch.modifies.map((m) => m.order.asset);
    case "scheduleCancel":
    case "reserveRequestWeight":
      return [];
  }
}

/** What identifies element `i` of a batch as an order: its CLOID, or its OID for a cancel by OID (none for the rest). */
function elementKey(batch: ActionBatch, i: number): string | number | undefined {
  switch (batch.type) {
    case "order":
      return batch.orders[i]?.cloid;
    case "batchModify":
      return batch.modifies[i]?.order.cloid;
    case "cancelByCloid":
      return batch.cancels[i]?.cloid;
    case "cancel":
      return batch.cancels[i]?.oid;
    case "scheduleCancel":
    case "reserveRequestWeight":
      return undefined;
  }
}

/** What a log line says about one batch: its kind and, per element, asset, cloid/oid, side, px, sz. */
function describeBatch(batch: ActionBatch): Record<string, unknown> {
  switch (batch.type) {
    case "order":
      return { action: "place", orders: batch.orders.map((o) => ({ asset: o.asset, cloid: o.cloid, side: o.isBuy ? "buy" : "sell", px: o.px, sz: o.sz })) };
    case "batchModify":
      return { action: "modify", orders: batch.modifies.map((m) => ({ asset: m.order.asset, cloid: m.order.cloid, side: m.order.isBuy ? "buy" : "sell", px: m.order.px, sz: m.order.sz })) };
    case "cancel":
      return { action: "cancel", orders: batch.cancels.map((c) => ({ asset: c.asset, oid: c.oid })) };
    case "cancelByCloid":
      return { action: "cancelByCloid", orders: batch.cancels.map((c) => ({ asset: c.asset, cloid: c.cloid })) };
    case "scheduleCancel":
      return { action: "scheduleCancel" };
    case "reserveRequestWeight":
      return { action: "reserveRequestWeight", weight: batch.weight };
  }
}

function refOf(batch: ActionBatch, i: number): Record<string, unknown> {
  switch (batch.type) {
    case "order":
      return { asset: batch.orders[i]?.asset, cloid: batch.orders[i]?.cloid };
    case "batchModify":
      return { asset: batch.modifies[i]?.order.asset, cloid: batch.modifies[i]?.order.cloid };
    case "cancel":
      return { asset: batch.cancels[i]?.asset, oid: batch.cancels[i]?.oid };
    case "cancelByCloid":
      return { asset: batch.cancels[i]?.asset, cloid: batch.cancels[i]?.cloid };
    case "scheduleCancel":
    case "reserveRequestWeight":
      return {};
  }
}

const ACTION: Record<ActionBatch["type"], string | undefined> = {
  order: "placed",
  cancel: "cancelled",
  cancelByCloid: "cancelled",
  batchModify: "modified",
  scheduleCancel: undefined,
  reserveRequestWeight: undefined,
};

/** Counts by action kind, also kept here for the report (metrics are not read back). */
export interface OrderCounts {
  placed: number;
  modified: number;
  cancelled: number;
  rejected: number;
}

/** What the wrapper has seen of the venue, for `/healthz`. */
export interface VenueHealth {
  /** The latest connection status (undefined before the first). */
  connection: ConnectionStatus | undefined;
  /** An account snapshot has been answered (the sink adopts the venue's positions from it). */
  accountAdopted: boolean;
}

export interface InstrumentedVenue {
  readonly venue: Venue;
  readonly counts: OrderCounts;
  /** Failures logged, by kind (the same numbers as `quoteflow_executor_failures_total`). */
  readonly failures: Record<ExecutorFailureKind, number>;
  readonly health: VenueHealth;
  /**
   * To be called with every batch the core plans, as it plans it (ExecutionSinkConfig.onPlanned):
   * the orders planned while a book is handled carry its arrival to the request that sends them.
   */
  readonly planned: (batch: ActionBatch) => void;
}

/** An HTTP 429 answer (HlHttpError.status, or the text), or the venue's rate-limit flag. */
function isHttp429(err: unknown): boolean {
  if (err === null || typeof err !== "object") return false;
  const e = err as { status?: unknown; rateLimited?: unknown; message?: unknown };
  return e.status === 429 || e.rateLimited === true || (typeof e.message === "string" && /\b429\b/.test(e.message));
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Wrap `venue` so the service's metrics and log see its traffic. `book()` marks the arrival of
 * each book (wall clock) while it is handled; the orders planned meanwhile (`planned`) carry it,
 * and the request that sends them observes the time since, per asset — the latency of our
 * reaction, held time included, whatever the data's own timestamps say. A request the caller drops
 * before its answer (the executor's timeout) is a `timeout` failure. (A delegating object, not a
 * prototype trick: venues keep #private state.)
 */
export function instrumentVenue(venue: Venue, metrics: ServiceMetrics, rootLog?: Logger): InstrumentedVenue {
  const log = rootLog?.child({ component: "executor" });
  // the debug lines build their fields only when debug is on (two per action otherwise built and dropped)
  const debug = (): boolean => log?.isLevelEnabled("debug") === true;
  const rlog = rootLog?.child({ component: "reconcile" });
  const stamps = new TickStamps();
  // the earliest stamp per asset of the request being sent (reused: one per request otherwise)
  const earliest = new Map<string, number>();
  const counts: OrderCounts = { placed: 0, modified: 0, cancelled: 0, rejected: 0 };
  const failures = Object.fromEntries(["timeout", "transport", "batch_rejected", "rate_limited", "order_rejected", "cancel_failed", "status_failed"].map((k) => [k, 0])) as Record<ExecutorFailureKind, number>;
  const health: VenueHealth = { connection: undefined, accountAdopted: false };
  const failed = (kind: ExecutorFailureKind, n: number, context: Record<string, unknown>, msg: string) => {
    failures[kind] += n;
    metrics.executorFailures.inc({ kind }, n);
    log?.warn({ failure: kind, count: n, ...context }, msg);
  };
  // IP weight (FACTS §9) charged when a request goes out; an info 429 is logged and counted
  const ipWeight = (purpose: IpWeightPurpose, weight: number) => metrics.hot.ipWeight.add(weight, purpose);
  // one subscriber each (not defer + tap): every request of the service passes here
  const info = <T>(purpose: IpWeightPurpose, what: string, weight: number, request$: Observable<T>): Observable<T> =>
    new Observable<T>((subscriber) => {
      ipWeight(purpose, weight);
      request$.subscribe(
        new SourceSubscriber<T>(
          subscriber,
          (value) => subscriber.next(value),
          "forward",
          (err: unknown) => {
            if (isHttp429(err)) {
              metrics.infoRateLimited.inc({ purpose });
              (purpose === "account" ? rlog : log)?.warn({ failure: "info_rate_limited", purpose, request: what, error: errText(err) }, "info request rate limited (HTTP 429); backing off");
            }
            subscriber.error(err);
          },
        ),
      );
    });
  const answered = (batch: ActionBatch, result: BatchResult, assets: readonly string[], latencyMs: number) => {
    if (debug()) log?.debug({ action: batch.type, ok: result.ok, latencyMs: Math.round(latencyMs * 10) / 10, ...(result.ok && "statuses" in result ? { statuses: result.statuses.map((s) => s.kind) } : {}) }, "action answered");
    if (!result.ok) {
      const n = Math.max(1, assets.length);
      if (batch.type === "order" || batch.type === "batchModify") {
        for (const asset of assets) metrics.hot.orders.add(1, asset, "rejected");
        counts.rejected += assets.length;
      }
      failed(result.rateLimited ? "rate_limited" : "batch_rejected", n, { ...describeBatch(batch), code: result.code, error: result.error }, result.rateLimited ? "batch refused: rate limited" : "batch rejected by the venue");
      return;
    }
    if (result.type === "order" || result.type === "batchModify") {
      result.statuses.forEach((s, i) => {
        if (s.kind !== "rejected") return;
        metrics.hot.orders.add(1, assets[i] ?? "?", "rejected");
        counts.rejected++;
        failed("order_rejected", 1, { action: batch.type === "order" ? "place" : "modify", ...refOf(batch, i), code: s.code, error: s.error }, "order rejected");
      });
    } else if (result.type === "cancel" || result.type === "cancelByCloid") {
      result.statuses.forEach((s, i) => {
        if (s.kind === "Failed") failed("cancel_failed", 1, { action: "cancel", ...refOf(batch, i), code: s.code, error: s.error }, "cancel failed");
      });
    }
  };
  // tick-to-action by cause (app/tickStamps.ts): per asset, from the earliest book whose orders this request carries
  const planned = (batch: ActionBatch): void => {
    if (stamps.current === null) return;
    for (let i = 0, n = batchLength(batch); i < n; i++) {
      const key = elementKey(batch, i);
      if (key !== undefined) stamps.stamp(key);
    }
  };
  const observeCaused = (batch: ActionBatch, assets: readonly string[], now: number): void => {
    if (stamps.size === 0) return;
    for (let i = 0; i < assets.length; i++) {
      const key = elementKey(batch, i);
      const t = key === undefined ? undefined : stamps.take(key);
      if (t === undefined) continue;
      const asset = assets[i]!;
      const e = earliest.get(asset);
      if (e === undefined || t < e) earliest.set(asset, t);
    }
    if (earliest.size === 0) return;
    for (const [asset, t] of earliest) metrics.hot.tickToAction.observe((now - t) / 1000, asset);
    earliest.clear();
  };
  const submit = (batch: ActionBatch): Observable<BatchResult> =>
    new Observable<BatchResult>((subscriber) => {
      const assets = assetsOf(batch);
      const now = performance.now();
      observeCaused(batch, assets, now);
      const action = ACTION[batch.type];
      if (action) {
        for (const asset of assets) metrics.hot.orders.add(1, asset, action);
        counts[action as keyof OrderCounts] += assets.length;
      }
      if (debug()) log?.debug(describeBatch(batch), "action sent");
      ipWeight("actions", 1 + Math.floor(batchLength(batch) / 40));
      let settled = false;
      venue.submit(batch).subscribe(
        new SourceSubscriber<BatchResult>(
          subscriber,
          (result) => {
            if (!settled) {
              settled = true;
              answered(batch, result, assets, performance.now() - now);
            }
            subscriber.next(result);
          },
          () => {
            settled = true;
            subscriber.complete();
          },
          (err: unknown) => {
            settled = true;
            failed("transport", Math.max(1, assets.length), { ...describeBatch(batch), error: errText(err) }, "batch failed in transport; order status will be asked");
            subscriber.error(err);
          },
        ),
      );
      // dropped before an answer (the executor's timeout): runs after the source is unsubscribed
      return () => {
        if (!settled) failed("timeout", Math.max(1, assets.length), { ...describeBatch(batch), waitedMs: Math.round(performance.now() - now) }, "no answer before the executor gave up (timeout); order status will be asked");
        settled = true;
      };
    });
  // HIP-3 (app/hip3.ts): meta and account snapshots cost their weight once per followed dex (+ perpDexs, 20)
  const dexes = 1 + (venue.perpDexs?.length ?? 0);
  const wrapped: Venue = {
    name: venue.name,
    ...(venue.perpDexs ? { perpDexs: venue.perpDexs } : {}),
    ...(venue.halts$ ? { halts$: venue.halts$ } : {}),
    meta: () => info("other", "meta", 20 * dexes + (dexes > 1 ? 20 : 0), venue.meta()),
    // each book's handling (the pipeline and the sink run on its call stack) is the time its orders are planned in
    book: (asset) =>
      new Observable<BookEvent>((subscriber) =>
        venue.book(asset).subscribe(
          new SourceSubscriber<BookEvent>(subscriber, (b) => {
            const prev = stamps.begin(performance.now());
            try {
              subscriber.next(b);
            } finally {
              stamps.end(prev);
            }
          }),
        ),
      ),
    trades: (asset) => venue.trades(asset),
    orderUpdates$: venue.orderUpdates$,
    fills$: venue.fills$,
    connection$: venue.connection$,
    decodeErrors$: venue.decodeErrors$,
    ...(venue.accountPushes$ ? { accountPushes$: venue.accountPushes$.pipe(tap(() => metrics.accountPushes.inc())) } : {}),
    submit,
    account: (options) =>
      info("account", options?.openOrders === false ? "clearinghouseState" : "clearinghouseState+frontendOpenOrders", (options?.openOrders === false ? 2 : 2 + 20) * dexes, venue.account(options)).pipe(
        tap({
          next: (snapshot) => {
            if (!health.accountAdopted) rlog?.info({ positions: snapshot.positions.length, openOrders: snapshot.openOrders?.length }, "first account snapshot: venue positions adopted");
            health.accountAdopted = true;
          },
          error: (err: unknown) => {
            metrics.reconciliationFailures.inc();
            rlog?.warn({ failure: "reconciliation", error: errText(err) }, "account snapshot failed; reconciliation retries on its next tick");
          },
        }),
      ),
    orderStatus: (ref) =>
      info("status", "orderStatus", 2, venue.orderStatus(ref)).pipe(
        tap({
          next: (answer) => log?.debug({ ref, answer }, "order status answered"),
          error: (err: unknown) => failed("status_failed", 1, { ref, error: errText(err) }, "order status query failed"),
        }),
      ),
    rateLimit: () => info("other", "userRateLimit", 20, venue.rateLimit()),
    // Fill recovery at start and the reconnect gap-fill (userFillsByTime): 20 + 1 per 20 fills, per page.
    ...(venue.fillsSince ? { fillsSince: (since: number) => venue.fillsSince!(since).pipe(tap((a) => ipWeight("gapfill", 20 * a.pages + Math.ceil(a.fills.length / 20)))) } : {}),
  };
  return { venue: wrapped, counts, failures, health, planned };
}

export interface VenueWatchOptions {
  readonly log?: Logger;
  readonly health?: VenueHealth;
  /** The quota throttle whose refusals are counted and logged (sampled every `everyMs`). */
  readonly quota?: QuotaThrottleHandle | null;
  readonly scheduler?: SchedulerLike;
  readonly everyMs?: number;
}

/**
 * Count and log decode errors, connection changes and quota refusals of a venue; returns the
 * subscriptions' teardown.
 */
export function watchVenueHealth(venue: Venue, metrics: ServiceMetrics, options: VenueWatchOptions = {}): () => void {
  const tlog = options.log?.child({ component: "transport" });
  const qlog = options.log?.child({ component: "quota" });
  const a = venue.decodeErrors$.subscribe((e) => {
    metrics.decodeErrors.inc({ source: e.source });
    tlog?.warn({ failure: "decode", source: e.source, error: e.message }, "frame or response did not decode; dropped");
  });
  const b = venue.connection$.subscribe((c) => {
    if (options.health) options.health.connection = c.status;
    if (c.status === "reconnecting") {
      metrics.wsReconnects.inc();
      tlog?.warn({ status: c.status, attempt: c.attempt }, "connection lost; reconnecting");
    } else if (c.status === "open") tlog?.info({ status: c.status }, "connected");
    else tlog?.debug({ status: c.status, attempt: c.attempt }, "connection");
  });
  const teardowns = [() => a.unsubscribe(), () => b.unsubscribe()];
  const quota = options.quota;
  if (quota && options.scheduler) {
    const seen: Record<string, number> = Object.fromEntries(QUOTA_REFUSAL_REASONS.map((r) => [r, quota.counts.refusedByReason[r]]));
    let breakerOpen = quota.state.breakerOpen;
    const requestsSeen = new Map<string, number>();
    const sample = () => {
      // address requests by asset, from the throttle's ledger (what it let through)
      for (const [asset, u] of quota.byAsset) {
        const d = u.requests - (requestsSeen.get(asset) ?? 0);
        if (d > 0) metrics.addressRequests.inc({ asset }, d);
        requestsSeen.set(asset, u.requests);
      }
      const by: Record<string, number> = {};
      for (const r of QUOTA_REFUSAL_REASONS) {
        const d = quota.counts.refusedByReason[r] - (seen[r] ?? 0);
        if (d > 0) {
          by[r] = d;
          seen[r] = quota.counts.refusedByReason[r];
          metrics.quotaRefusals.inc({ reason: r }, d);
        }
      }
      const n = Object.values(by).reduce((s, x) => s + x, 0);
      if (n > 0) qlog?.warn({ failure: "quota_refused", count: n, byReason: by, headroom: quota.state.headroom }, "quota throttle refused placements");
    };
    const s = quota.state$.subscribe((st) => {
      if (st.breakerOpen === breakerOpen) return;
      breakerOpen = st.breakerOpen;
      if (st.breakerOpen) qlog?.warn({ headroom: st.headroom, limited: st.limited }, "quota breaker open: new quotes stop, cancels go on");
      else qlog?.info({ headroom: st.headroom }, "quota breaker closed");
    });
    const periodic = everyOn(options.scheduler, options.everyMs ?? 1000, sample);
    teardowns.push(() => {
      sample();
      s.unsubscribe();
      periodic.unsubscribe();
    });
  }
  return () => {
    for (const t of teardowns) t();
  };
}
