// What the report needs and the fill stream does not carry: order actions by kind and rejects by
// reason (from the execution sink's events), and quoting time by state (from the gated intents and
// the sink's own gates). Both are pure folds over time from an injected clock.
import type { QuoteIntent } from "../streams/intent.js";
import type { OrderTallyRecord, QuotingRecord } from "./journal.js";

/** The part of an action batch the tally reads (structurally the sink's `ActionBatch`). */
export type TallyBatch =
  | { readonly type: "order"; readonly orders: readonly { readonly asset: string }[] }
  | { readonly type: "batchModify"; readonly modifies: readonly { readonly order: { readonly asset: string } }[] }
  | { readonly type: "cancel" | "cancelByCloid"; readonly cancels: readonly { readonly asset: string }[] }
  | { readonly type: "scheduleCancel" | "reserveRequestWeight" };

type TallyStatus = { readonly kind: string; readonly code?: string };

/** The part of the sink's execution events the tally reads (`sink.actions$`). */
export type OrderTallyEvent =
  | { readonly kind: "sent"; readonly batch: TallyBatch }
  | { readonly kind: "result"; readonly batch: TallyBatch; readonly result: { readonly ok: boolean; readonly code?: string; readonly statuses?: readonly TallyStatus[] } }
  | { readonly kind: "failed"; readonly batch: TallyBatch }
  | { readonly kind: "refused"; readonly batch: TallyBatch }
  | { readonly kind: "status" }
  | { readonly kind: "statusFailed" };

function assetsOf(batch: TallyBatch): string[] {
  switch (batch.type) {
    case "order":
      return batch.orders.map((o) => o.asset);
    case "batchModify":
      return batch.modifies.map((m) => m.order.asset);
    case "cancel":
    case "cancelByCloid":
      return batch.cancels.map((c) => c.asset);
    case "scheduleCancel":
    case "reserveRequestWeight":
      return [];
  }
}

const emptyTally = (): OrderTallyRecord => ({ placed: 0, modified: 0, cancelled: 0, rejected: 0, failed: 0, refused: 0, rejectReasons: {} });

/**
 * Order actions per asset: placed / modified / cancelled as sent (one per element, like the
 * `quoteflow_orders_total` metric), rejected by the venue's error code (placements and modifies),
 * failed (no answer: transport error or timeout), refused (held back by the quota throttle).
 */
export class OrderTally {
  private readonly byAsset = new Map<string, OrderTallyRecord>();

  private of(asset: string): OrderTallyRecord {
    let r = this.byAsset.get(asset);
    if (!r) this.byAsset.set(asset, (r = emptyTally()));
    return r;
  }

  observe(e: OrderTallyEvent): void {
    if (e.kind === "status" || e.kind === "statusFailed") return;
    const assets = assetsOf(e.batch);
    const kind = e.batch.type;
    if (e.kind === "sent") {
      const key = kind === "order" ? "placed" : kind === "batchModify" ? "modified" : kind === "cancel" || kind === "cancelByCloid" ? "cancelled" : undefined;
      if (key) for (const a of assets) this.of(a)[key]++;
      return;
    }
    if (e.kind === "failed") {
      for (const a of assets) this.of(a).failed++;
      return;
    }
    if (e.kind === "refused") {
      for (const a of assets) this.of(a).refused++;
      return;
    }
    if (kind !== "order" && kind !== "batchModify") return;
    const reject = (asset: string, code: string) => {
      const r = this.of(asset);
      r.rejected++;
      r.rejectReasons[code] = (r.rejectReasons[code] ?? 0) + 1;
    };
    if (!e.result.ok) {
      for (const a of assets) reject(a, e.result.code ?? "Other");
      return;
    }
    (e.result.statuses ?? []).forEach((s, i) => {
      if (s.kind === "rejected") reject(assets[i] ?? "?", s.code ?? "Other");
    });
  }

  snapshot(): Record<string, OrderTallyRecord> {
    const out: Record<string, OrderTallyRecord> = {};
    for (const [a, r] of this.byAsset) out[a] = { ...r, rejectReasons: { ...r.rejectReasons } };
    return out;
  }
}

type QuoteState = { readonly kind: "two" } | { readonly kind: "one" } | { readonly kind: "empty" } | { readonly kind: "gated"; readonly reason: string };

interface AssetClock {
  pipeline: QuoteState;
  sink: string | undefined;
  since: number;
  readonly rec: QuotingRecord;
}

/**
 * Quoting time per asset by state: two-sided, one-sided, empty (the quoter wanted nothing: e.g.
 * no size left), gated by reason. The sink's own gates (OrderStale, KillSwitch) override the
 * pipeline's state while closed. Time from the injected clock; state before the first intent is
 * "gated: NoDataReceived".
 */
export class QuotingClock {
  private readonly assets = new Map<string, AssetClock>();
  private frozenAt: number | undefined;

  constructor(private readonly clock: () => number) {}

  private now(): number {
    const t = this.clock();
    return this.frozenAt === undefined ? t : Math.min(t, this.frozenAt);
  }

  /** Stop the clock (a replay's market is over: the wait for markouts and the shutdown are not session time). */
  freeze(): void {
    this.frozenAt ??= this.clock();
  }

  private entry(asset: string): AssetClock {
    let e = this.assets.get(asset);
    if (!e) this.assets.set(asset, (e = { pipeline: { kind: "gated", reason: "NoDataReceived" }, sink: undefined, since: this.now(), rec: { twoSidedMs: 0, oneSidedMs: 0, emptyMs: 0, gatedMs: {} } }));
    return e;
  }

  private account(e: AssetClock, at: number): void {
    const ms = Math.max(0, at - e.since);
    e.since = at;
    if (ms === 0) return;
    if (e.sink !== undefined) e.rec.gatedMs[e.sink] = (e.rec.gatedMs[e.sink] ?? 0) + ms;
    else if (e.pipeline.kind === "two") e.rec.twoSidedMs += ms;
    else if (e.pipeline.kind === "one") e.rec.oneSidedMs += ms;
    else if (e.pipeline.kind === "empty") e.rec.emptyMs += ms;
    else e.rec.gatedMs[e.pipeline.reason] = (e.rec.gatedMs[e.pipeline.reason] ?? 0) + ms;
  }

  /** Register an asset at the start (its clock runs from now). */
  track(asset: string): void {
    this.entry(asset);
  }

  intent(i: QuoteIntent): void {
    const e = this.entry(i.asset);
    this.account(e, this.now());
    const b = i.bids.length > 0;
    const a = i.asks.length > 0;
    e.pipeline = b && a ? { kind: "two" } : b || a ? { kind: "one" } : i.reason ? { kind: "gated", reason: i.reason.kind } : { kind: "empty" };
  }

  sinkGate(asset: string, reason: string | undefined): void {
    const e = this.entry(asset);
    this.account(e, this.now());
    e.sink = reason;
  }

  snapshot(): Record<string, QuotingRecord> {
    const at = this.now();
    const out: Record<string, QuotingRecord> = {};
    for (const [asset, e] of this.assets) {
      this.account(e, at);
      out[asset] = { ...e.rec, gatedMs: { ...e.rec.gatedMs } };
    }
    return out;
  }
}
