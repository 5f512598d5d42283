// Fill step: one (deduped) venue fill. The race guard's classification (streams/raceGuard.ts:
// matched / race / unmatched, and what a race pulls) is read against the order record as the fill
// arrives; then every consumer runs, in FILL_CONSUMER_KEYS order (the order record first: the
// others read it); then the race's consequences — the side held empty, the pull, the reconcile
// request. A cancel answered AlreadyFilled is watched here: its fill is owed within
// raceGuard.alreadyFilledTimeoutMs, or a reconcile is asked.
import type { GuardedFill, ReconcileReason } from "../streams/execution.js";
import type { VenueFill } from "../streams/fill.js";
import { classifyFill } from "../streams/raceGuard.js";
import { requestSync } from "./accountSync.js";
import type { FillConsumers } from "./fills.js";
import { fanOutFill } from "./fills.js";
import { displayedAt } from "./marketView.js";
import { checkMaxLoss, checkMaxPosition } from "./riskChecks.js";
import { askStatus, assetConfig, command, emit, markOf, touch } from "./sinkState.js";
import type { SinkState } from "./sinkState.js";
import { pnlFillSeen } from "./pnlCorrection.js";
import { driftFillInside } from "./driftWatch.js";

export function fillStep(s: SinkState, fill: VenueFill, now: number): void {
  const c = classifyFill(fill, s.store, s.markets.mid(fill.asset));
  if (!c.ctx) {
    applyFill(s, { kind: "fill", fill: c.fill, flag: "unmatched", cloid: fill.cloid, stateBefore: null }, now);
    reconcileRequest(s, "unmatched", fill.asset, fill.cloid, now);
    return;
  }
  const ctx = c.ctx;
  const eps = s.config.raceGuard?.sizeEpsilon ?? 1e-9;
  const w = s.watches.get(ctx.cloid);
  if (w) {
    w.remaining -= fill.size;
    if (w.remaining <= eps) s.watches.delete(ctx.cloid);
  }
  applyFill(s, { kind: "fill", fill: c.fill, flag: c.flag, cloid: ctx.cloid, stateBefore: ctx.state }, now);
  if (c.flag !== "race") return;
  if (c.pull.length > 0) {
    s.metrics.pulls += 1;
    hold(s, fill.asset, fill.isBuy, now);
    emit(s, { type: "race", race: { kind: "pull", asset: fill.asset, isBuy: fill.isBuy, cloids: c.pull, tid: fill.tid, time: now }, time: now });
  }
  reconcileRequest(s, "race", fill.asset, ctx.cloid, now);
}

/** A cancel was answered AlreadyFilled with `remainingSz` still to fill: wait for it. */
export function watchAlreadyFilled(s: SinkState, cloid: string, asset: string, remainingSz: number, now: number): void {
  const eps = s.config.raceGuard?.sizeEpsilon ?? 1e-9;
  if (remainingSz <= eps) {
    s.watches.delete(cloid);
    return;
  }
  const timeoutMs = s.config.raceGuard?.alreadyFilledTimeoutMs ?? 5000;
  s.watches.set(cloid, { asset, remaining: remainingSz, deadline: now + timeoutMs });
  command(s, { kind: "wake", key: `watch:${cloid}`, delayMs: timeoutMs });
}

/** A watch's timer: if the fill is still owed, ask reconciliation (and orderStatus) to resolve it. */
export function watchDue(s: SinkState, cloid: string, now: number): void {
  const w = s.watches.get(cloid);
  if (!w || w.deadline > now) return;
  s.watches.delete(cloid);
  reconcileRequest(s, "alreadyFilledTimeout", w.asset, cloid, now);
}

function reconcileRequest(s: SinkState, reason: ReconcileReason, asset: string, cloid: string | null, now: number): void {
  emit(s, { type: "race", race: { kind: "reconcileRequest", reason, asset, cloid, time: now }, time: now });
  if (reason === "alreadyFilledTimeout" && cloid !== null) askStatus(s, cloid, now);
  requestSync(s, reason, now);
}

/** A race acquired exposure: that side stays empty (orders placed meanwhile included) until the position is reconciled and pullHoldMs passed. */
function hold(s: SinkState, asset: string, isBuy: boolean, now: number): void {
  const pullHold = s.config.pullHoldMs ?? 2000;
  const h = s.holds.get(asset) ?? { bidUntil: 0, askUntil: 0, bidSync: 0, askSync: 0 };
  if (isBuy) {
    h.bidUntil = now + pullHold;
    h.bidSync = s.sync.done + 1;
  } else {
    h.askUntil = now + pullHold;
    h.askSync = s.sync.done + 1;
  }
  s.holds.set(asset, h);
  s.dirty.add(asset);
}

function applyFill(s: SinkState, g: GuardedFill, now: number): void {
  const order = g.cloid !== null ? s.store.get(g.cloid) : undefined;
  const queueAhead = queueAheadAtFill(s, g);
  const consumers = {
    orders: (f) => touch(s, s.store.applyFill(f.fill, now).order),
    position: (f) => {
      if (!s.positions.applyFill(f.fill)) {
        s.metrics.fillsSkippedByPosition += 1;
        driftFillInside(s, f.fill.asset, f.fill.isBuy ? f.fill.size : -f.fill.size, now);
        return;
      }
      const asset = f.fill.asset;
      const moved = (s.moveSinceSync.get(asset) ?? 0) + f.fill.size;
      s.moveSinceSync.set(asset, moved);
      const maxUsd = assetConfig(s, asset).maxPositionUsd;
      const mid = markOf(s, asset, f.fill.price);
      if (maxUsd !== undefined) {
        const pct = s.config.reconcile?.positionChangePct ?? 5;
        if (moved * mid > (maxUsd * pct) / 100) {
          s.moveSinceSync.set(asset, 0);
          requestSync(s, "positionChange", now);
        }
        checkMaxPosition(s, asset, now);
      }
    },
    pnl: (f) => {
      pnlFillSeen(s, f.fill.asset, f.fill.time);
      s.pnl.applyFill(f.fill);
      checkMaxLoss(s, f.fill.asset, now);
    },
    markouts: (f) => emit(s, { type: "markoutInput", fill: f.fill, time: now }),
    metrics: (f) => {
      s.metrics.fills += 1;
      if (f.flag === "race") s.metrics.raceFills += 1;
      if (f.flag === "unmatched") s.metrics.unmatchedFills += 1;
      s.metrics.volumeUsd += f.fill.size * f.fill.price;
    },
    quota: (f) => {
      const usd = f.fill.size * f.fill.price * (s.config.addressCredit?.(f.fill.asset) ?? 1);
      if (usd > 0 && Number.isFinite(usd)) command(s, { kind: "volume", usd });
    },
  } satisfies FillConsumers;
  fanOutFill(consumers, g);
  if (g.flag === "race") hold(s, g.fill.asset, g.fill.isBuy, now);
  const positionAfter = s.positions.position(g.fill.asset);
  emit(s, { type: "fill", ...g, positionAfter, orderAgeMs: order ? g.fill.time - order.placedAt : null, queueAhead, time: now });
  if (g.flag === "race") emit(s, { type: "race", race: { kind: "race", fill: g, time: now }, time: now });
  if (g.flag === "unmatched") emit(s, { type: "race", race: { kind: "unmatched", fill: g, time: now }, time: now });
  emit(s, { type: "position", asset: g.fill.asset, position: positionAfter, cause: "fill", time: now });
}

/** The queue-aware estimate of the size ahead of the order at the fill (null without books). */
function queueAheadAtFill(s: SinkState, g: GuardedFill): number | null {
  if (g.cloid === null) return null;
  const atJoin = s.queueAtJoin.get(g.cloid);
  if (atJoin === undefined) return null;
  const book = s.markets.view(g.fill.asset).book;
  if (!book) return atJoin;
  return Math.max(0, Math.min(atJoin, displayedAt(book, g.fill.isBuy, g.fill.price)));
}
