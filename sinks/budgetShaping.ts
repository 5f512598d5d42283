// Budget-shaped quoting: as the address budget's headroom falls, the ladder requotes less — the
// skip tolerances (and the modify limits, so what still changes is modified, one request, rather
// than cancelled and placed, two) widen — before the quota breaker has to stop quoting. Driven by
// the quota throttle's state that flows back into the core (`quota` input). Pure.
//
//   address headroom:  1 ……… 0.5 (below) ………………… 0.1 (floor)
//   threshold scale:   1 ……… 1 ─────── linear ───────▶ maxScale (default 4)
import type { QuotaThrottleState } from "../streams/quota.js";
import type { LadderThresholds } from "./ladderDiff.js";

export interface BudgetShapingOptions {
  /** Shaping starts below this address headroom (default 0.5). */
  readonly below?: number;
  /** …and reaches maxScale at this headroom (default 0.1, the breaker's default). */
  readonly floor?: number;
  /** The widest scale of the tolerances (default 4: 20 bps skip → 80 bps). */
  readonly maxScale?: number;
}

/** The tolerance scale at this quota state: 1 when the address budget is comfortable (or unknown). */
export function budgetScale(quota: QuotaThrottleState | null, options: BudgetShapingOptions = {}): number {
  if (quota === null) return 1;
  const below = options.below ?? 0.5;
  const floor = Math.min(options.floor ?? 0.1, below);
  const max = Math.max(1, options.maxScale ?? 4);
  const h = quota.addressHeadroom;
  if (!(h < below)) return 1;
  if (h <= floor || below === floor) return max;
  return 1 + ((max - 1) * (below - h)) / (below - floor);
}

/** Thresholds widened by `scale` (size tolerances capped at 100%). */
export function shapeThresholds(t: LadderThresholds, scale: number): LadderThresholds {
  if (scale === 1) return t;
  return {
    ...t,
    skipPriceBps: t.skipPriceBps * scale,
    skipSizePct: Math.min(100, t.skipSizePct * scale),
    modifyPriceBps: Math.max(t.modifyPriceBps, t.modifyPriceBps * scale),
    modifySizePct: Math.min(100, Math.max(t.modifySizePct, t.modifySizePct * scale)),
  };
}
