// A Venue seen through the service's metrics: every batch sent and its answer counted by kind,
// the wall time from the book update that preceded an action to the action (tick-to-action),
// decode errors and reconnects. The wrapped venue behaves exactly like the original.
import { performance } from "node:perf_hooks";
import { type Observable, tap } from "rxjs";
import type { ActionBatch, BatchResult } from "../streams/actions.js";
import type { Venue } from "../streams/venue.js";
/** What the wrapped venue counts into (app/metrics.ts has these as prom-client instruments). */
export interface VenueMetrics {
  readonly tickToAction: { observe(labels: { asset: string }, value: number): void };
  readonly orders: { inc(labels: { asset: string; action: string }): void };
  readonly decodeErrors: { inc(labels: { source: string }): void };
  readonly wsReconnects: { inc(): void };
}

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
      return [];
  }
}

const ACTION: Record<ActionBatch["type"], string | undefined> = {
  order: "placed",
  cancel: "cancelled",
  cancelByCloid: "cancelled",
  batchModify: "modified",
  scheduleCancel: undefined,
};

/** Counts by action kind, also kept here for the report (metrics are not read back). */
export interface OrderCounts {
  placed: number;
  modified: number;
  cancelled: number;
  rejected: number;
}

export interface InstrumentedVenue {
  readonly venue: Venue;
  readonly counts: OrderCounts;
}

/**
 * Wrap `venue` so the service's metrics see its traffic. `book()` marks the arrival of each
 * book (wall clock); the next batch touching that asset observes the time since — the latency
 * of our reaction, whatever the data's own timestamps say. (A delegating object, not a
 * prototype trick: venues keep #private state.)
 */
export function instrumentVenue(venue: Venue, metrics: VenueMetrics): InstrumentedVenue {
  const lastTick = new Map<string, number>();
  const counts: OrderCounts = { placed: 0, modified: 0, cancelled: 0, rejected: 0 };
  const submit = (batch: ActionBatch): Observable<BatchResult> => {
    const assets = assetsOf(batch);
    const now = performance.now();
    for (const asset of new Set(assets)) {
      const t = lastTick.get(asset);
      if (t !== undefined) {
        metrics.tickToAction.observe({ asset }, (now - t) / 1000);
        lastTick.delete(asset);
      }
    }
    const action = ACTION[batch.type];
    if (action) {
      for (const asset of assets) metrics.orders.inc({ asset, action });
      counts[action as keyof OrderCounts] += assets.length;
    }
    return venue.submit(batch).pipe(
      tap((result) => {
        if (batch.type !== "order" && batch.type !== "batchModify") return;
        if (!result.ok) {
          for (const asset of assets) metrics.orders.inc({ asset, action: "rejected" });
          counts.rejected += assets.length;
          return;
        }
        if (result.type === "order" || result.type === "batchModify") {
          result.statuses.forEach((s, i) => {
            if (s.kind === "rejected") {
              metrics.orders.inc({ asset: assets[i] ?? "?", action: "rejected" });
              counts.rejected++;
            }
          });
        }
      }),
    );
  };
  const wrapped: Venue = {
    name: venue.name,
    meta: () => venue.meta(),
    book: (asset) => venue.book(asset).pipe(tap(() => lastTick.set(asset, performance.now()))),
    trades: (asset) => venue.trades(asset),
    orderUpdates$: venue.orderUpdates$,
    fills$: venue.fills$,
    connection$: venue.connection$,
    decodeErrors$: venue.decodeErrors$,
    submit,
    account: (options) => venue.account(options),
    orderStatus: (ref) => venue.orderStatus(ref),
    rateLimit: () => venue.rateLimit(),
  };
  return { venue: wrapped, counts };
}

/** Count decode errors and reconnects of a venue; returns the subscriptions' teardown. */
export function watchVenueHealth(venue: Venue, metrics: VenueMetrics): () => void {
  const a = venue.decodeErrors$.subscribe((e) => metrics.decodeErrors.inc({ source: e.source }));
  const b = venue.connection$.subscribe((c) => {
    if (c.status === "reconnecting") metrics.wsReconnects.inc();
  });
  return () => {
    a.unsubscribe();
    b.unsubscribe();
  };
}
