// Ladder step: an intent comes in (checked, kept as the asset's target), and a dirty asset is
// reconciled — the sink's own gates, the race holds, the diff of what rests against the target
// (diffLadder), the store's registrations, and the batches (planBatches) as submit commands.
import type { CancelByCloidSpec, CancelSpec, ModifySpec, OrderSpec } from "../streams/actions.js";
import { DecodeFailure, decodeWith } from "../streams/codec.js";
import type { QuoteIntent } from "../streams/intent.js";
import { QuoteIntent as QuoteIntentCodec, isPlainQuoteIntent } from "../streams/intent.js";
import { diffLadder, LadderDiffBuffer, levelKey, planBatches } from "./ladderDiff.js";
import type { LadderOrder, LadderTarget, TargetLevel } from "./ladderDiff.js";
import type { BookEvent } from "../streams/market.js";
import { armBeforePlacing } from "./deadManStep.js";
import { displayedAt } from "./marketView.js";
import { diffSize, leverageOf, marginBudget } from "./margin.js";
import { isContested } from "./statusConfirm.js";
import type { PlacementFacts, PlacementRefusal, TrackedOrder } from "./orderStore.js";
import { endAdoptGrace, holdsAdopted } from "./adoptGrace.js";
import { assetConfig, emit, gateFor, gateKey, placementHold, submit, tellExecutorGate, thresholdsOf } from "./sinkState.js";
import type { SinkState } from "./sinkState.js";
import type { Mutable } from "./orderTypes.js";

/** An intent: bad input is named, counted and changes nothing (the previous intent stays in force). */
export function intentStep(s: SinkState, intent: QuoteIntent, now: number): void {
  s.metrics.intents += 1;
  const problems = checkQuoteIntent(intent);
  if (problems.length > 0) {
    s.metrics.badIntents += 1;
    emit(s, { type: "badInput", error: new DecodeFailure(`QuoteIntent for ${String((intent as { asset?: unknown }).asset)} (sink)`, problems), time: now });
    return;
  }
  s.markets.applyIntent(intent);
  const k = intent.reason?.kind;
  if (k === "StaleData" || k === "NoDataReceived") {
    if (!s.staleSince.has(intent.asset)) s.staleSince.set(intent.asset, now);
  } else s.staleSince.delete(intent.asset);
  if (intent.bids.length > 0 || intent.asks.length > 0) endAdoptGrace(s, intent.asset);
  s.dirty.add(intent.asset);
}

/** Reconcile every dirty asset, until none is left (a reconcile may dirty another). */
export function flushDirty(s: SinkState, now: number): void {
  while (s.dirty.size > 0) {
    const assets = s.dirty.drain();
    for (let i = 0; i < assets.length; i++) reconcileAsset(s, assets[i]!, now);
  }
}

/** One asset: what should rest (the intent unless a gate closes it) against what does. */
export function reconcileAsset(s: SinkState, asset: string, now: number): void {
  if (now !== s.reconcileInstant) {
    s.reconcileInstant = now;
    s.reconcilesThisInstant = 0;
  }
  const limit = s.config.maxReconcilesPerInstant ?? 5000;
  if (++s.reconcilesThisInstant > limit) {
    throw new Error(`runaway loop: more than ${limit} ladder reconciliations at time ${now} (last asset ${asset})`);
  }
  const gate = gateFor(s, asset, now);
  const hold = gate ? null : placementHold(s, asset, now);
  const shownGate = gate ?? hold;
  const shown = gateKey(shownGate);
  if ((s.gateShown.get(asset) ?? "") !== shown) {
    s.gateShown.set(asset, shown);
    emit(s, { type: "gate", asset, reason: shownGate, time: now });
  }
  const market = s.markets.view(asset);
  const intent = market.intent;
  // closed: the sink's own gate, or a pipeline gate's empty intent with its reason
  const closedBy = gate ?? (intent?.reason && intent.bids.length === 0 && intent.asks.length === 0 ? intent.reason : null);
  tellExecutorGate(s, asset, closedBy);
  // adopted leftovers wait out a fresh pipeline's NoDataReceived for a short grace (adoptGrace.ts)
  if (!gate && closedBy?.kind === "NoDataReceived" && holdsAdopted(s, asset, now)) return;
  const thresholds = thresholdsOf(s, asset);
  const book = thresholds.queue ? market.book : undefined;
  // the intent's levels (targetFromIntent's), less a side held after a race, with the queue a
  // new order would join when keeping is queue-aware
  let nLevels = 0;
  if (!gate && intent) {
    const sideHold = s.holds.get(asset);
    if (!sideHold || sideHold.bidUntil === 0) nLevels = addLevels(nLevels, intent.bids, true, book);
    if (!sideHold || sideHold.askUntil === 0) nLevels = addLevels(nLevels, intent.asks, false, book);
  }
  const targetLevels = TARGET;
  // set only when it changes: an array length store is a runtime call (~1% of a soak in all)
  if (targetLevels.length !== nLevels) targetLevels.length = nLevels;
  const current = CURRENT;
  const orderPool = book ? QUEUED_ORDERS : ORDERS;
  let nCurrent = 0;
  const open = OPEN;
  s.store.openInto(asset, open);
  for (let i = 0; i < open.length; i++) {
    const o = open[i]!;
    const c = orderPool[nCurrent] ?? (orderPool[nCurrent] = blankOrder(book !== undefined));
    const px = o.pendingModify ? o.pendingModify.spec.px : o.px;
    const sz = diffSize(s, o.cloid, o.pendingModify ? o.pendingModify.spec.sz : s.store.remaining(o));
    c.cloid = o.cloid;
    c.oid = o.oid;
    c.isBuy = o.isBuy;
    c.px = px;
    c.sz = sz;
    c.state = o.state;
    c.level = o.pendingModify ? o.pendingModify.facts.level : o.level;
    // FIFO: what was ahead when we joined only shrinks, and can never exceed what the book
    // shows at our price now minus ourselves
    if (book) c.queueAhead = Math.max(0, Math.min(s.queueAtJoin.get(o.cloid) ?? Infinity, displayedAt(book, o.isBuy, px) - sz));
    current[nCurrent++] = c;
  }
  if (current.length !== nCurrent) current.length = nCurrent;
  const mid = s.markets.mid(asset);
  const volBps = market.volBps;
  const full = diffLadder(current, ladderTarget(targetLevels, mid, volBps), thresholds, DIFF);
  // while placements are held back, a modify becomes a cancel (its old price is stale) and nothing is placed
  const held = hold ? { ...full, modify: [], place: [], cancel: [...full.cancel, ...full.modify.map((m) => ({ cloid: m.cloid, oid: m.oid }))] } : full;
  // an order whose terminal status is contested holds its level as it is until orderStatus answers
  const diff = s.contested.size > 0 ? { ...held, modify: held.modify.filter((m) => !isContested(s, m.cloid)) } : held;
  for (const k of diff.keep) s.store.relabel(k.cloid, k.level);
  const cancels = CANCELS;
  const cancelsByCloid = CANCELS_BY_CLOID;
  const modifies = MODIFIES;
  const places = PLACES;
  if (cancels.length !== 0) cancels.length = 0;
  if (cancelsByCloid.length !== 0) cancelsByCloid.length = 0;
  if (modifies.length !== 0) modifies.length = 0;
  if (places.length !== 0) places.length = 0;
  for (const c of diff.cancel) {
    if (!s.store.requestCancel(c.cloid, now)) continue;
    if (c.oid !== null) cancels.push({ asset, oid: c.oid });
    else cancelsByCloid.push({ asset, cloid: c.cloid });
  }
  const tif = assetConfig(s, asset).tif ?? "Alo";
  // margin before sending: what the account cannot carry is shrunk or held (made at the first
  // modify or placement: most reconciles send neither)
  let margin: MarginBudget | undefined;
  for (const m of diff.modify) {
    const old = s.store.get(m.cloid);
    const freed = old ? (s.store.remaining(old) * old.px) / leverageOf(s, asset) : 0;
    const sz = (margin ??= marginBudget(s)).fit({ asset, isBuy: m.target.isBuy, px: m.target.px, sz: m.target.sz, tif, reduceOnly: false, cloid: m.cloid }, freed);
    if (sz === null) continue; // held: the order stays as it is
    // a shrunk modify that changes nothing (same price, size within the skip tolerance) is not sent
    if (sz !== m.target.sz && old && old.px === m.target.px && Math.abs(sz - s.store.remaining(old)) <= (thresholds.skipSizePct / 100) * sz) {
      s.metrics.marginHeld += 1;
      continue;
    }
    if (sz !== m.target.sz) {
      s.metrics.marginShrunk += 1;
      s.shrunkFrom.set(m.cloid, m.target.sz);
    } else s.shrunkFrom.delete(m.cloid);
    const spec: OrderSpec = { asset, isBuy: m.target.isBuy, px: m.target.px, sz, tif, reduceOnly: false, cloid: m.cloid };
    const r = s.store.requestModify(m.cloid, spec, placementFacts(m.target, mid, intent), now);
    if (r.ok) {
      modifies.push({ oid: m.oid, order: spec });
      if (book) s.queueAtJoin.set(m.cloid, displayedAt(book, spec.isBuy, spec.px));
    } else refused(s, r.refusal, now);
  }
  for (const t of diff.place) {
    const sz = (margin ??= marginBudget(s)).fit({ asset, isBuy: t.isBuy, px: t.px, sz: t.sz, tif, reduceOnly: false, cloid: "" });
    if (sz === null) continue; // held: tried again at the next reconcile
    const spec: OrderSpec = { asset, isBuy: t.isBuy, px: t.px, sz, tif, reduceOnly: false, cloid: s.cloids.next() };
    if (sz !== t.sz) {
      s.metrics.marginShrunk += 1;
      s.shrunkFrom.set(spec.cloid, t.sz);
    }
    const r = s.store.registerPlacement(spec, placementFacts(t, mid, intent), now);
    if (r.ok) {
      places.push(spec);
      if (book) s.queueAtJoin.set(spec.cloid, displayedAt(book, spec.isBuy, spec.px));
    } else refused(s, r.refusal, now);
  }
  const batches = planBatches({ cancels, cancelsByCloid, modifies, places }, s.config.maxBatchSize !== undefined ? { maxBatchSize: s.config.maxBatchSize } : {});
  // an order about to rest needs the dead-man's switch armed first (deadManStep.ts)
  if (places.length > 0 || modifies.length > 0) armBeforePlacing(s, now);
  for (const b of batches) submit(s, b);
}

/** What an order placed (or modified) for level `t` remembers of why. */
function placementFacts(t: TargetLevel, mid: number | undefined, intent: QuoteIntent | undefined): PlacementFacts {
  const source = t.source;
  const midAtPlacement = mid ?? t.px;
  const quotedHalfSpreadBps = mid !== undefined ? (Math.abs(t.px - mid) / mid) * 1e4 : 0;
  // the order keeps the strategy's signals of the intent it was placed (or modified) for
  const signals = intent?.signals;
  return signals !== undefined ? { source, midAtPlacement, quotedHalfSpreadBps, level: t.key, signals } : { source, midAtPlacement, quotedHalfSpreadBps, level: t.key };
}

/** One side of an intent as target levels (keys "bid:i" / "ask:i"), written into TARGET from `n`; returns the new count. */
function addLevels(n: number, side: QuoteIntent["bids"], isBuy: boolean, book: BookEvent | undefined): number {
  const pool = book ? QUEUED_LEVELS : LEVELS;
  for (let i = 0; i < side.length; i++) {
    const l = side[i]!;
    const t = pool[n] ?? (pool[n] = blankLevel(book !== undefined));
    t.key = levelKey(isBuy, i);
    t.isBuy = isBuy;
    t.px = l.px;
    t.sz = l.sz;
    t.source = l.source;
    if (book) t.queueAhead = displayedAt(book, isBuy, l.px);
    TARGET[n++] = t;
  }
  return n;
}

/**
 * The reconcile's working lists (the asset's open records, the target levels and our orders as
 * the diff sees them, with their entries; the action lists), reused by every reconcile (built
 * afresh they were ~8% of a soak's allocation). Nothing keeps them past the call:
 * the diff's answer (DIFF, its entries too) is read before the call ends, the specs and
 * placementFacts copy what they need, planBatches sends copies (slices) of the action lists; and
 * nothing a reconcile calls starts another reconcile.
 */
const DIFF = new LadderDiffBuffer();
const OPEN: TrackedOrder[] = [];
const TARGET: ScratchLevel[] = [];
const CURRENT: ScratchOrder[] = [];
// entries with and without a queue estimate (queue-aware keeping on, a book known) apart: a
// queueAhead that is sometimes undefined would box every number stored in it
const LEVELS: ScratchLevel[] = [];
const QUEUED_LEVELS: ScratchLevel[] = [];
const ORDERS: ScratchOrder[] = [];
const QUEUED_ORDERS: ScratchOrder[] = [];
const CANCELS: CancelSpec[] = [];
const CANCELS_BY_CLOID: CancelByCloidSpec[] = [];
const MODIFIES: ModifySpec[] = [];
const PLACES: OrderSpec[] = [];

type ScratchLevel = Mutable<TargetLevel>;
type ScratchOrder = Mutable<LadderOrder>;
type MarginBudget = ReturnType<typeof marginBudget>;

function blankLevel(queued: boolean): ScratchLevel {
  return queued ? { key: "bid:0", isBuy: true, px: 0.5, sz: 0.5, source: "base_ladder", queueAhead: 0.5 } : { key: "bid:0", isBuy: true, px: 0.5, sz: 0.5, source: "base_ladder" };
}

function blankOrder(queued: boolean): ScratchOrder {
  return queued
    ? { cloid: "", oid: null, isBuy: true, px: 0.5, sz: 0.5, state: "resting", level: null, queueAhead: 0.5 }
    : { cloid: "", oid: null, isBuy: true, px: 0.5, sz: 0.5, state: "resting", level: null };
}

/** The diff's target, with the mid and the volatility when known. */
function ladderTarget(levels: readonly TargetLevel[], mid: number | undefined, volBps: number | undefined): LadderTarget {
  if (mid === undefined) return volBps === undefined ? { levels } : { levels, volBps };
  return volBps === undefined ? { levels, mid } : { levels, mid, volBps };
}

function refused(s: SinkState, refusal: PlacementRefusal, now: number): void {
  s.metrics.placementsRefused += 1;
  emit(s, { type: "refusal", refusal, time: now });
}

/**
 * What is wrong with an intent, one line per problem (empty when it is usable): its shape (io-ts),
 * then the ladder's own rules — bids strictly descending, asks strictly ascending, best bid below
 * best ask.
 */
export function checkQuoteIntent(intent: unknown): string[] {
  // the guards first: every member of the codec is a plain check with no transformation, so `is`
  // accepts exactly what `decode` does, without decode's context arrays per visited key (≈5% of
  // a soak's allocation), and the plain one accepts only what `is` does, without its closures
  // (most intents); decode only to name the problems of a bad intent
  let i: QuoteIntent;
  if (isPlainQuoteIntent(intent) || QuoteIntentCodec.is(intent)) i = intent;
  else {
    const d = decodeWith(QuoteIntentCodec, intent, "QuoteIntent");
    if (!d.ok) return d.error.problems;
    i = d.value;
  }
  const out: string[] = [];
  // plain loops: every intent passes here (no closure per side per intent)
  for (let k = 0; k < i.bids.length; k++) {
    const l = i.bids[k];
    if (l === undefined) continue; // a hole (forEach's skip; the guard's every() lets one through)
    if (!(l.px > 0)) out.push(`$.bids.${k}.px: expected a positive price, got ${l.px}`);
    if (!(l.sz > 0)) out.push(`$.bids.${k}.sz: expected a positive size, got ${l.sz}`);
    const prev = i.bids[k - 1];
    if (prev && !(l.px < prev.px)) out.push(`$.bids.${k}.px: bids must be strictly descending (${prev.px} then ${l.px})`);
  }
  for (let k = 0; k < i.asks.length; k++) {
    const l = i.asks[k];
    if (l === undefined) continue;
    if (!(l.px > 0)) out.push(`$.asks.${k}.px: expected a positive price, got ${l.px}`);
    if (!(l.sz > 0)) out.push(`$.asks.${k}.sz: expected a positive size, got ${l.sz}`);
    const prev = i.asks[k - 1];
    if (prev && !(l.px > prev.px)) out.push(`$.asks.${k}.px: asks must be strictly ascending (${prev.px} then ${l.px})`);
  }
  const b = i.bids[0];
  const a = i.asks[0];
  if (b && a && !(b.px < a.px)) out.push(`$: crossed ladder, best bid ${b.px} ≥ best ask ${a.px}`);
  return out;
}
