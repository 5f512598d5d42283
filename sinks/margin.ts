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
import type { OrderSpec } from "../streams/actions.js";
import { markOf } from "./sinkState.js";
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
  for (const o of s.store.open()) used += (s.store.remaining(o) * o.px) / leverageOf(s, o.asset);
  return used;
}

/** What the account has left for new placements (USD), or undefined before the first snapshot or without the check. */
export function marginAvailable(s: SinkState): number | undefined {
  if (s.config.margin === undefined || s.accountValue === undefined) return undefined;
  const buffer = (s.config.margin.bufferPct ?? 5) / 100;
  return s.accountValue * (1 - buffer) - marginUsed(s);
}

/**
 * A margin budget for one reconcile: `allows(spec)` is true (and books the order's need) while it
 * fits; a held placement is counted in `metrics.marginHeld`.
 */
export function marginBudget(s: SinkState): (spec: OrderSpec) => boolean {
  let left = marginAvailable(s);
  return (spec) => {
    if (left === undefined) return true;
    const need = (spec.px * spec.sz) / leverageOf(s, spec.asset);
    if (need <= left) {
      left -= need;
      return true;
    }
    s.metrics.marginHeld += 1;
    return false;
  };
}
