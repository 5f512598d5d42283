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
import type { Mutable } from "./orderTypes.js";

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
  intent.bids.forEach((l, i) => levels.push({ key: levelKey(true, i), isBuy: true, px: l.px, sz: l.sz, source: l.source }));
  intent.asks.forEach((l, i) => levels.push({ key: levelKey(false, i), isBuy: false, px: l.px, sz: l.sz, source: l.source }));
  return { levels, ...(extra.mid !== undefined ? { mid: extra.mid } : {}), ...(extra.volBps !== undefined ? { volBps: extra.volBps } : {}) };
}

const BID_KEYS: LevelKey[] = [];
const ASK_KEYS: LevelKey[] = [];

/** "bid:i" / "ask:i", built once per index (not a fresh string per level per reconcile). */
export function levelKey(isBuy: boolean, i: number): LevelKey {
  const keys = isBuy ? BID_KEYS : ASK_KEYS;
  return keys[i] ?? (keys[i] = `${isBuy ? "bid" : "ask"}:${i}`);
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
  into?: LadderDiffBuffer,
): LadderDiff {
  const diff: DiffOut = into ?? { keep: [], cancel: [], modify: [], place: [], waiting: [] };
  const scale = volatilityScale(thresholds, target.volBps);
  const q = thresholds.queue;
  const mid = target.mid;
  const levels = target.levels;
  const w = scratch(levels.length, current.length);
  const r = w.rules;
  r.skipBps = thresholds.skipPriceBps * scale;
  r.modBps = thresholds.modifyPriceBps * scale;
  r.skipSizePct = thresholds.skipSizePct;
  r.modifySizePct = thresholds.modifySizePct;
  r.mid = mid ?? 0;
  r.turnover = q?.turnover ?? 0;
  r.hyst = 1 + (q?.hysteresis ?? 0.1);
  w.nKeep = w.nCancel = w.nModify = w.nPlace = w.nWaiting = 0;
  for (let side = 0; side < 2; side++) {
    const isBuy = side === 0;
    // this side's free levels (a level held by a pending order waits) and live orders, by index
    w.nT = 0;
    for (let i = 0; i < levels.length; i++) {
      const t = levels[i]!;
      if (t.isBuy !== isBuy) continue;
      if (heldBy(current, t.key)) diff.waiting[w.nWaiting++] = t.key;
      else w.tIdx[w.nT++] = i;
    }
    w.nO = 0;
    for (let i = 0; i < current.length; i++) {
      const o = current[i]!;
      if (o.isBuy === isBuy && isLive(o.state)) w.oIdx[w.nO++] = i;
    }
    match(w, levels, current, r, UNCHANGED, diff, into);
    if (q && mid !== undefined && mid > 0) match(w, levels, current, r, QUEUE, diff, into);
    match(w, levels, current, r, MODIFY, diff, into);
    for (let k = 0; k < w.nT; k++) if (w.tUsed[w.tIdx[k]!] === 0) diff.place[w.nPlace++] = levels[w.tIdx[k]!]!;
    for (let k = 0; k < w.nO; k++) {
      const o = current[w.oIdx[k]!]!;
      if (w.oUsed[w.oIdx[k]!] !== 0) continue;
      const n = w.nCancel++;
      if (into) {
        const c = into.cancelPool[n] ?? (into.cancelPool[n] = { cloid: "", oid: null });
        c.cloid = o.cloid;
        c.oid = o.oid;
        diff.cancel[n] = c;
      } else diff.cancel[n] = { cloid: o.cloid, oid: o.oid };
    }
  }
  // a buffer's lists may be longer from its last use (a fresh answer's are as long already)
  if (diff.keep.length !== w.nKeep) diff.keep.length = w.nKeep; // set when it changes: a length store is a runtime call
  if (diff.cancel.length !== w.nCancel) diff.cancel.length = w.nCancel;
  if (diff.modify.length !== w.nModify) diff.modify.length = w.nModify;
  if (diff.place.length !== w.nPlace) diff.place.length = w.nPlace;
  if (diff.waiting.length !== w.nWaiting) diff.waiting.length = w.nWaiting;
  return diff;
}

type Keep = Mutable<LadderDiff["keep"][number]>;
type Cancel = Mutable<LadderDiff["cancel"][number]>;
type Modify = Mutable<LadderDiff["modify"][number]>;

/**
 * An answer for diffLadder to write into again and again (the sink's reconcile, on every intent:
 * fresh lists and entries per diff were ~3% of a soak's allocation). The next diff into it
 * overwrites its lists and their entries, so it suits only a caller done with one answer before it
 * asks the next; plain diffLadder answers are fresh.
 */
export class LadderDiffBuffer implements LadderDiff {
  readonly keep: Keep[] = [];
  readonly cancel: Cancel[] = [];
  readonly modify: Modify[] = [];
  readonly place: TargetLevel[] = [];
  readonly waiting: LevelKey[] = [];
  /** The entries, kept when a shorter answer shortens the lists. */
  readonly keepPool: Keep[] = [];
  readonly cancelPool: Cancel[] = [];
  readonly modifyPool: Modify[] = [];
}

// The three passes of the header, in order: 1. unchanged, 2. queue-aware keep, 3. modify.
const UNCHANGED = 0;
const QUEUE = 1;
const MODIFY = 2;
type Pass = typeof UNCHANGED | typeof QUEUE | typeof MODIFY;

/** A LadderDiff being built. */
type DiffOut = { -readonly [K in keyof LadderDiff]: LadderDiff[K][number][] };

interface MatchRules {
  skipBps: number;
  modBps: number;
  skipSizePct: number;
  modifySizePct: number;
  mid: number;
  turnover: number;
  hyst: number;
}

/**
 * The diff's working memory, reused by every call (the diff runs on every reconcile: per-call
 * filtered arrays, Sets, closures and candidate-pair objects were ~11% of a soak's allocation).
 * Levels and orders are named by their index in the caller's arrays; a candidate pair is its
 * entry in the parallel `pair*` arrays. The diff is synchronous and calls nothing that could
 * re-enter it, so one set of buffers serves every caller.
 */
interface Scratch {
  tIdx: number[];
  oIdx: number[];
  nT: number;
  nO: number;
  tUsed: Uint8Array;
  oUsed: Uint8Array;
  pairT: number[];
  pairO: number[];
  pairD: number[];
  pairS: number[];
  /** Candidate pairs sorted (indices into the pair arrays), when a distance is not finite. */
  order: number[];
  /** This call's thresholds, scaled. */
  rules: MatchRules;
  /** Entries written so far into the answer's lists. */
  nKeep: number;
  nCancel: number;
  nModify: number;
  nPlace: number;
  nWaiting: number;
}

const SCRATCH: Scratch = { tIdx: [], oIdx: [], nT: 0, nO: 0, tUsed: new Uint8Array(16), oUsed: new Uint8Array(16), pairT: [], pairO: [], pairD: [], pairS: [], order: [],
  rules: { skipBps: 0, modBps: 0, skipSizePct: 0, modifySizePct: 0, mid: 0, turnover: 0, hyst: 0 },
  nKeep: 0, nCancel: 0, nModify: 0, nPlace: 0, nWaiting: 0,
};

function scratch(levels: number, orders: number): Scratch {
  const w = SCRATCH;
  if (w.tUsed.length < levels) w.tUsed = new Uint8Array(levels * 2);
  else w.tUsed.fill(0, 0, levels);
  if (w.oUsed.length < orders) w.oUsed = new Uint8Array(orders * 2);
  else w.oUsed.fill(0, 0, orders);
  return w;
}

/** The stable sort's comparator: closest price first, then closest size. */
function byDistance(a: number, b: number): number {
  const w = SCRATCH;
  return w.pairD[a]! - w.pairD[b]! || w.pairS[a]! - w.pairS[b]!;
}

/**
 * One pass: every (free level, free order) pair the pass accepts, found level by level and order
 * by order, then matched closest first (`byDistance`, equal pairs in the order found) — each level
 * and order at most once.
 */
function match(w: Scratch, levels: readonly TargetLevel[], current: readonly LadderOrder[], r: MatchRules, pass: Pass, diff: DiffOut, pool: LadderDiffBuffer | undefined): void {
  let n = 0;
  let finite = true;
  for (let i = 0; i < w.nT; i++) {
    const ti = w.tIdx[i]!;
    if (w.tUsed[ti] !== 0) continue;
    const t = levels[ti]!;
    for (let j = 0; j < w.nO; j++) {
      const oi = w.oIdx[j]!;
      if (w.oUsed[oi] !== 0) continue;
      const o = current[oi]!;
      const d = priceDiffBps(o.px, t.px);
      if (!accepts(pass, o, t, d, r)) continue;
      const sd = sizeDiffPct(o.sz, t.sz);
      if (!Number.isFinite(d) || !Number.isFinite(sd)) finite = false;
      w.pairT[n] = ti;
      w.pairO[n] = oi;
      w.pairD[n] = d;
      w.pairS[n] = sd;
      n++;
    }
  }
  if (n === 0) return;
  if (!finite) {
    // zero prices or sizes (only the queue pass lets them through) give NaN distances, which
    // the sort reads as "equal" to anything: no longer an order, so only the sort itself says
    // what it makes of them (test/sinks/ladderDiffOracle.spec.ts has a case). Sort, then walk.
    const order = w.order;
    if (order.length !== n) order.length = n;
    for (let p = 0; p < n; p++) order[p] = p;
    order.sort(byDistance);
    for (let k = 0; k < n; k++) take(w, levels, current, pass, order[k]!, diff, pool);
    return;
  }
  // With finite distances the stable sort orders pairs by (price distance, size distance, order
  // found), and the walk takes each pair whose level and order are both still free. That is the
  // smallest free pair, again and again: found by a scan, without sorting (a few rounds over a few
  // dozen pairs at most for a real ladder).
  for (;;) {
    let best = -1;
    for (let p = 0; p < n; p++) {
      if (w.tUsed[w.pairT[p]!] !== 0 || w.oUsed[w.pairO[p]!] !== 0) continue;
      if (best < 0 || w.pairD[p]! < w.pairD[best]! || (w.pairD[p] === w.pairD[best] && w.pairS[p]! < w.pairS[best]!)) best = p;
    }
    if (best < 0) return;
    take(w, levels, current, pass, best, diff, pool);
  }
}

/** Match pair `p` unless its level or its order is taken already. */
function take(w: Scratch, levels: readonly TargetLevel[], current: readonly LadderOrder[], pass: Pass, p: number, diff: DiffOut, pool: LadderDiffBuffer | undefined): void {
  const ti = w.pairT[p]!;
  const oi = w.pairO[p]!;
  if (w.tUsed[ti] !== 0 || w.oUsed[oi] !== 0) return;
  w.tUsed[ti] = 1;
  w.oUsed[oi] = 1;
  const o = current[oi]!;
  const t = levels[ti]!;
  if (pass === MODIFY) {
    const n = w.nModify++;
    if (!pool) diff.modify[n] = { cloid: o.cloid, oid: o.oid as number, target: t };
    else {
      const m = pool.modifyPool[n] ?? (pool.modifyPool[n] = { cloid: "", oid: 0, target: t });
      m.cloid = o.cloid;
      m.oid = o.oid as number;
      m.target = t;
      diff.modify[n] = m;
    }
    return;
  }
  const n = w.nKeep++;
  const reason = pass === UNCHANGED ? "unchanged" : "queue";
  if (!pool) diff.keep[n] = { cloid: o.cloid, level: t.key, reason };
  else {
    const k = pool.keepPool[n] ?? (pool.keepPool[n] = { cloid: "", level: t.key, reason });
    k.cloid = o.cloid;
    k.level = t.key;
    k.reason = reason;
    diff.keep[n] = k;
  }
}

function accepts(pass: Pass, o: LadderOrder, t: TargetLevel, d: number, r: MatchRules): boolean {
  switch (pass) {
    case UNCHANGED:
      return d <= r.skipBps && sizeDiffPct(o.sz, t.sz) <= r.skipSizePct;
    case QUEUE: {
      if (o.queueAhead === undefined || d > r.modBps || sizeDiffPct(o.sz, t.sz) > r.modifySizePct) return false;
      const kept = queueValue(o.isBuy, o.px, o.sz, o.queueAhead, r.mid, r.turnover);
      const fresh = queueValue(t.isBuy, t.px, t.sz, t.queueAhead ?? 0, r.mid, r.turnover);
      return kept > 0 && kept >= fresh * r.hyst;
    }
    case MODIFY:
      return o.oid !== null && d <= r.modBps && sizeDiffPct(o.sz, t.sz) <= r.modifySizePct;
  }
}

/** Whether a pending order (pending-new or pending-modify) holds level `key`. */
function heldBy(current: readonly LadderOrder[], key: LevelKey): boolean {
  for (let i = 0; i < current.length; i++) {
    const o = current[i]!;
    if (o.level === key && holdsLevel(o.state)) return true;
  }
  return false;
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
  const out: ActionBatch[] = [];
  // the usual reconcile: everything kept, nothing to send
  if (actions.cancels.length === 0 && actions.cancelsByCloid.length === 0 && actions.modifies.length === 0 && actions.places.length === 0) return out;
  const max = Math.max(1, Math.floor(options.maxBatchSize ?? 39));
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
