// Margin before sending: resting orders consume margin, leverage differs per asset, and an
// "Insufficient margin" reject surfaces only at placement (after the request's weight and address
// budget are spent). A placement is checked against what the account has left first.
//
//   need(order)  = px × sz / leverage(asset)
//   used         = Σ positions |szi| × mark / leverage + Σ resting orders remaining × px / leverage
//   available    = accountValue × (1 − bufferPct / 100) − used − what this reconcile already placed
//
// accountValue is the last adopted snapshot's (venue truth); before one, nothing is checked (the
// start holds placements anyway). An approximation of Hyperliquid's rule (which nets an order
// against the position it reduces): conservative, it may hold an order the venue would take.
//
// Shrink or hold: when the asset's size decimals are known (margin.szDecimals; the service fills
// them from meta), an order that does not fit whole is shrunk to what fits, rounded down to the
// size step, as long as its notional stays ≥ margin.minNotionalUsd (default 10, Hyperliquid's
// minimum order value); otherwise it is held. A modify is checked the same way, against what the
// account has left plus the margin its order frees (the old leg is replaced); a shrunk modify that
// would leave the order as it is (same price, size within skipSizePct) is not sent (held).
import type { OrderSpec } from "../streams/actions.js";
import { requestSync } from "./accountSync.js";
import { emit, markOf } from "./sinkState.js";
import type { SinkState } from "./sinkState.js";

/** Hyperliquid's default leverage for an asset with no leverage set (cross, min(20, maxLeverage)). */
export const DEFAULT_LEVERAGE = 20;

export function leverageOf(s: SinkState, asset: string): number {
  const m = s.config.margin;
  const v = m?.leverage?.get(asset) ?? m?.defaultLeverage ?? DEFAULT_LEVERAGE;
  return v >= 1 ? v : 1;
}

/** Initial margin the account's positions and resting orders use (USD). */
export function marginUsed(s: SinkState): number {
  let used = 0;
  for (const asset of s.positions.assets()) used += (Math.abs(s.positions.position(asset)) * markOf(s, asset, 0)) / leverageOf(s, asset);
  // every open order, in the store's order (live(): no array per call, no terminal record kept for retention)
  for (const o of s.store.live()) {
    // a modify in flight: either leg may be live, count the larger
    const pm = o.pendingModify;
    const need = Math.max(s.store.remaining(o) * o.px, pm ? pm.spec.sz * pm.spec.px : 0);
    used += need / leverageOf(s, o.asset);
  }
  return used;
}

/** What the account has left for new placements (USD), or undefined before the first snapshot or without the check. */
export function marginAvailable(s: SinkState): number | undefined {
  if (s.config.margin === undefined || s.accountValue === undefined) return undefined;
  const buffer = (s.config.margin.bufferPct ?? 5) / 100;
  return s.accountValue * (1 - buffer) - marginUsed(s);
}

/**
 * A margin budget for one reconcile: `fit(spec, freed)` is the size to send — `spec.sz` while it
 * fits, a smaller one when it can be shrunk (see the header), null when it is held — and books the
 * need. `freed` is the margin (USD) the order being replaced gives back (a modify's old leg).
 * Held placements/modifies are counted in `metrics.marginHeld`; the caller counts the shrunk ones it sends (`metrics.marginShrunk`).
 */
export function marginBudget(s: SinkState): { fit(spec: OrderSpec, freed?: number): number | null } {
  // computed at the first fit, not here: most reconciles place and modify nothing, and the caller
  // changes nothing marginAvailable reads before its first fit
  let left: number | undefined | null = null;
  const m = s.config.margin;
  return {
    fit(spec, freed = 0) {
      if (left === null) left = marginAvailable(s);
      if (left === undefined) return spec.sz;
      const lev = leverageOf(s, spec.asset);
      const room = left + freed;
      const need = (spec.px * spec.sz) / lev;
      if (need <= room) {
        left = room - need;
        return spec.sz;
      }
      const dec = m?.szDecimals?.get(spec.asset);
      if (dec !== undefined && room > 0) {
        const step = 10 ** -dec;
        const sz = Number((Math.floor(((room * lev) / spec.px) * 10 ** dec * (1 + 1e-12)) * step).toFixed(dec));
        if (sz > 0 && sz * spec.px >= (m?.minNotionalUsd ?? 10) && (sz * spec.px) / lev <= room) {
          left = room - (sz * spec.px) / lev;
          return sz;
        }
      }
      s.metrics.marginHeld += 1;
      return null;
    },
  };
}

/**
 * The venue refused or cancelled an order for margin (PerpMargin, perpMarginRejected,
 * marginCanceled): our view of the account is wrong. An account sync at once (not after the
 * event-sync gap: the next placements are checked against its value), counted by reason.
 */
export function marginRejected(s: SinkState, asset: string | null, reason: string, now: number): void {
  s.metrics.marginRejectSyncs += 1;
  emit(s, { type: "marginReject", asset, reason, time: now });
  requestSync(s, `margin:${reason}`, now, false, true);
}

/** Whether a venue code or orderUpdates status says "margin". */
export function isMarginReason(codeOrStatus: string): boolean {
  return /margin/i.test(codeOrStatus);
}

/**
 * The size the diff should see for an order: the level's asked size when the margin check shrank
 * it (so the shrunk order is not cancelled and placed again, shrunk again, at every reconcile),
 * else `sz`.
 */
export function diffSize(s: SinkState, cloid: string, sz: number): number {
  return s.shrunkFrom.get(cloid) ?? sz;
}

/** Housekeeping: forget shrunk orders that ended. */
export function pruneShrunk(s: SinkState): void {
  for (const c of s.shrunkFrom.keys()) {
    const o = s.store.get(c);
    if (!o || o.state === "filled" || o.state === "cancelled" || o.state === "rejected") s.shrunkFrom.delete(c);
  }
}
