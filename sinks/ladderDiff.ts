// Ladder reconciliation: the fewest actions that turn the orders we have into the ladder we want.
// Pure functions; the sink feeds them the OrderStore's view and turns the diff into batches.
//
// Per side, in three passes over (target level, live order) pairs, closest price first:
//   1. unchanged — price within `skipPriceBps` and size within `skipSizePct`: keep, no action;
//   2. queue-aware keep — the order's expected value at its queue position beats the
//      replacement's (see `queueValue`): keep, no action;
//   3. modify — price within `modifyPriceBps` and size within `modifySizePct` (needs an OID);
// then every target left is placed and every live order left is cancelled.
//
// Pending orders get no action: pending-new and pending-modify hold their level (no second order is
// placed for it until they settle), pending-cancel and cancel-raced are on their way out and hold
// nothing. So re-running the diff while actions are in flight never duplicates them, and one intent
// level never has two live orders.
import type { ActionBatch, CancelByCloidSpec, CancelSpec, ModifySpec, OrderSpec } from "../streams/actions.js";
import type { OrderState } from "../streams/execution.js";
import type { GenerationSource, QuoteIntent } from "../streams/intent.js";
import type { LevelKey } from "./orderStore.js";

export interface LadderThresholds {
  /** Keep when the price is within this many bps of the target (default 20)… */
  readonly skipPriceBps: number;
  /** …and the size within this percentage (default 10). */
  readonly skipSizePct: number;
  /** Modify when the price moves at most this many bps (default 50)… */
  readonly modifyPriceBps: number;
  /** …and the size at most this percentage (default 50); otherwise cancel + place. */
  readonly modifySizePct: number;
  /**
   * Optional volatility scaling: both bps thresholds are multiplied by
   * clamp(volBps / refVolBps, 1, maxScale) when the target carries `volBps`.
   */
  readonly volatility?: { readonly refVolBps: number; readonly maxScale?: number };
  /** Optional queue-aware keeping (see `queueValue`). */
  readonly queue?: {
    /** Size expected to trade at one price level over the horizon we care about (coins). */
    readonly turnover: number;
    /** Required advantage of keeping, as a fraction (default 0.1 = keep only if ≥ 10% better). */
    readonly hysteresis?: number;
  };
}

export const DEFAULT_LADDER_THRESHOLDS: LadderThresholds = {
  skipPriceBps: 20,
  skipSizePct: 10,
  modifyPriceBps: 50,
  modifySizePct: 50,
};

/** One of our orders as the diff sees it. `sz` is what may still fill (remaining of the current leg). */
export interface LadderOrder {
  readonly cloid: string;
  readonly oid: number | null;
  readonly isBuy: boolean;
  readonly px: number;
  readonly sz: number;
  readonly state: OrderState;
  readonly level: LevelKey | null;
  /** Estimated size ahead of us at our price (for queue-aware keeping); unknown → no queue rule. */
  readonly queueAhead?: number;
}

export interface TargetLevel {
  readonly key: LevelKey;
  readonly isBuy: boolean;
  readonly px: number;
  readonly sz: number;
  readonly source: GenerationSource;
  /** Size displayed at this price now (the queue a new order would join); default 0. */
  readonly queueAhead?: number;
}

export interface LadderTarget {
  readonly levels: readonly TargetLevel[];
  /** Fair/mid price, needed for queue-aware keeping. */
  readonly mid?: number;
  /** Current volatility in bps, for threshold scaling. */
  readonly volBps?: number;
}

export interface LadderDiff {
  /** Orders left alone, with the level they now serve (it may differ from their old label). */
  readonly keep: readonly { readonly cloid: string; readonly level: LevelKey; readonly reason: "unchanged" | "queue" }[];
  readonly cancel: readonly { readonly cloid: string; readonly oid: number | null }[];
  readonly modify: readonly { readonly cloid: string; readonly oid: number; readonly target: TargetLevel }[];
  readonly place: readonly TargetLevel[];
  /** Levels held by a pending order: nothing done for them this time. */
  readonly waiting: readonly LevelKey[];
}

/** The target ladder of an intent: level keys "bid:i" / "ask:i", best first. */
export function targetFromIntent(intent: QuoteIntent, extra: { mid?: number; volBps?: number } = {}): LadderTarget {
  const levels: TargetLevel[] = [];
  intent.bids.forEach((l, i) => levels.push({ key: `bid:${i}`, isBuy: true, px: l.px, sz: l.sz, source: l.source }));
  intent.asks.forEach((l, i) => levels.push({ key: `ask:${i}`, isBuy: false, px: l.px, sz: l.sz, source: l.source }));
  return { levels, ...(extra.mid !== undefined ? { mid: extra.mid } : {}), ...(extra.volBps !== undefined ? { volBps: extra.volBps } : {}) };
}

export function priceDiffBps(a: number, b: number): number {
  return (Math.abs(a - b) / b) * 1e4;
}

export function sizeDiffPct(current: number, target: number): number {
  return (Math.abs(current - target) / target) * 100;
}

/**
 * Expected value (bps of notional, per unit size) of a passive order over the horizon:
 *
 *   edge   = (mid − px)/mid·1e4 for a bid, (px − mid)/mid·1e4 for an ask   (what a fill earns vs mid)
 *   P(fill) = min(1, turnover / (queueAhead + sz))                        (our share of the flow
 *             that reaches the level, assuming FIFO and `turnover` traded there over the horizon)
 *   value  = P(fill) × edge
 *
 * Adverse selection is ignored (it hits both the kept and the replacement order alike, roughly),
 * as is the chance the level is never reached. This is deliberately simple: it only decides
 * between two orders at nearby prices, where the queue dominates the difference.
 */
export function queueValue(isBuy: boolean, px: number, sz: number, queueAhead: number, mid: number, turnover: number): number {
  const edge = ((isBuy ? mid - px : px - mid) / mid) * 1e4;
  const pFill = Math.min(1, turnover / Math.max(queueAhead + sz, Number.MIN_VALUE));
  return pFill * edge;
}

function isLive(state: OrderState): boolean {
  return state === "resting" || state === "partially-filled";
}

function holdsLevel(state: OrderState): boolean {
  return state === "pending-new" || state === "pending-modify";
}

/** The fewest actions turning `current` (one asset's orders) into `target`. Pure. */
export function diffLadder(
  current: readonly LadderOrder[],
  target: LadderTarget,
  thresholds: LadderThresholds = DEFAULT_LADDER_THRESHOLDS,
): LadderDiff {
  const scale = volatilityScale(thresholds, target.volBps);
  const skipBps = thresholds.skipPriceBps * scale;
  const modBps = thresholds.modifyPriceBps * scale;
  const keep: { cloid: string; level: LevelKey; reason: "unchanged" | "queue" }[] = [];
  const cancel: { cloid: string; oid: number | null }[] = [];
  const modify: { cloid: string; oid: number; target: TargetLevel }[] = [];
  const place: TargetLevel[] = [];
  const waiting: LevelKey[] = [];

  const held = new Set<LevelKey>();
  for (const o of current) if (holdsLevel(o.state) && o.level !== null) held.add(o.level);

  for (const isBuy of [true, false]) {
    const targets = target.levels.filter((t) => t.isBuy === isBuy && !isHeld(t, held, waiting));
    const orders = current.filter((o) => o.isBuy === isBuy && isLive(o.state));
    const tUsed = new Set<TargetLevel>();
    const oUsed = new Set<LadderOrder>();

    const match = (accept: (o: LadderOrder, t: TargetLevel, dBps: number) => boolean, onMatch: (o: LadderOrder, t: TargetLevel) => void) => {
      const pairs: { o: LadderOrder; t: TargetLevel; d: number; s: number }[] = [];
      for (const t of targets) {
        if (tUsed.has(t)) continue;
        for (const o of orders) {
          if (oUsed.has(o)) continue;
          const d = priceDiffBps(o.px, t.px);
          if (accept(o, t, d)) pairs.push({ o, t, d, s: sizeDiffPct(o.sz, t.sz) });
        }
      }
      pairs.sort((a, b) => a.d - b.d || a.s - b.s);
      for (const p of pairs) {
        if (tUsed.has(p.t) || oUsed.has(p.o)) continue;
        tUsed.add(p.t);
        oUsed.add(p.o);
        onMatch(p.o, p.t);
      }
    };

    // 1. unchanged
    match(
      (o, t, d) => d <= skipBps && sizeDiffPct(o.sz, t.sz) <= thresholds.skipSizePct,
      (o, t) => keep.push({ cloid: o.cloid, level: t.key, reason: "unchanged" }),
    );
    // 2. queue-aware keep
    const q = thresholds.queue;
    const mid = target.mid;
    if (q && mid !== undefined && mid > 0) {
      const hyst = 1 + (q.hysteresis ?? 0.1);
      match(
        (o, t, d) => {
          if (o.queueAhead === undefined || d > modBps || sizeDiffPct(o.sz, t.sz) > thresholds.modifySizePct) return false;
          const kept = queueValue(o.isBuy, o.px, o.sz, o.queueAhead, mid, q.turnover);
          const fresh = queueValue(t.isBuy, t.px, t.sz, t.queueAhead ?? 0, mid, q.turnover);
          return kept > 0 && kept >= fresh * hyst;
        },
        (o, t) => keep.push({ cloid: o.cloid, level: t.key, reason: "queue" }),
      );
    }
    // 3. modify
    match(
      (o, t, d) => o.oid !== null && d <= modBps && sizeDiffPct(o.sz, t.sz) <= thresholds.modifySizePct,
      (o, t) => modify.push({ cloid: o.cloid, oid: o.oid as number, target: t }),
    );
    for (const t of targets) if (!tUsed.has(t)) place.push(t);
    for (const o of orders) if (!oUsed.has(o)) cancel.push({ cloid: o.cloid, oid: o.oid });
  }
  return { keep, cancel, modify, place, waiting };
}

function isHeld(t: TargetLevel, held: ReadonlySet<LevelKey>, waiting: LevelKey[]): boolean {
  if (!held.has(t.key)) return false;
  waiting.push(t.key);
  return true;
}

function volatilityScale(th: LadderThresholds, volBps: number | undefined): number {
  if (!th.volatility || volBps === undefined || !(th.volatility.refVolBps > 0)) return 1;
  return Math.min(Math.max(volBps / th.volatility.refVolBps, 1), th.volatility.maxScale ?? 4);
}

export interface BatchPlanOptions {
  /** Most elements in one request (default 39: IP weight stays 1 = 1 + floor(39/40)). */
  readonly maxBatchSize?: number;
}

/** Elements of one asset's diff, resolved to venue specs (the sink adds CLOIDs to placements). */
export interface ResolvedActions {
  readonly cancels: readonly CancelSpec[];
  readonly cancelsByCloid: readonly CancelByCloidSpec[];
  readonly modifies: readonly ModifySpec[];
  readonly places: readonly OrderSpec[];
}

/**
 * Batches in send order: cancels first, then modifies, then ALO placements — never mixed in one
 * request (Hyperliquid prioritises cancel and ALO-only batches), each at most `maxBatchSize` long.
 * Non-ALO placements go in batches of their own after the ALO ones.
 */
export function planBatches(actions: ResolvedActions, options: BatchPlanOptions = {}): ActionBatch[] {
  const max = Math.max(1, Math.floor(options.maxBatchSize ?? 39));
  const out: ActionBatch[] = [];
  for (const c of chunks(actions.cancels, max)) out.push({ type: "cancel", cancels: c });
  for (const c of chunks(actions.cancelsByCloid, max)) out.push({ type: "cancelByCloid", cancels: c });
  for (const c of chunks(actions.modifies, max)) out.push({ type: "batchModify", modifies: c });
  const alo = actions.places.filter((p) => p.tif === "Alo");
  const other = actions.places.filter((p) => p.tif !== "Alo");
  for (const c of chunks(alo, max)) out.push({ type: "order", orders: c });
  for (const c of chunks(other, max)) out.push({ type: "order", orders: c });
  return out;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
