// Queue position of a resting order, in the spirit of hftbacktest's ProbQueueModel:
// queue ahead starts at the displayed size of the level; trades at the level eat it; a drop
// in displayed size that trades do not explain is a cancel, and the share of it that was ahead
// of us is f(back) / (f(front) + f(back)) — cancels are more likely behind a long back queue.

/** f in the share above: x^n ("power", hftbacktest's PowerProbQueueFunc; n = 3 by default) or ln(1 + x). */
export type SimQueueFunction = { readonly kind: "power"; readonly n: number } | { readonly kind: "log" };

export const SIM_DEFAULT_QUEUE: SimQueueFunction = { kind: "power", n: 3 };

function f(fn: SimQueueFunction, x: number): number {
  return fn.kind === "power" ? Math.pow(Math.max(x, 0), fn.n) : Math.log1p(Math.max(x, 0));
}

/** Probability weight that a cancel at the level happened behind us (hftbacktest's `prob`). */
export function simBehindShare(front: number, back: number, fn: SimQueueFunction = SIM_DEFAULT_QUEUE): number {
  const fb = f(fn, back);
  const ff = f(fn, front);
  const p = fb / (fb + ff);
  return Number.isFinite(p) ? p : 1;
}

/**
 * New queue-ahead after the displayed size at our price went from `prevQty` to `newQty`, given
 * `tradedQty` already traded at the level since the previous snapshot (already taken off `front`).
 * The expected-value form of hftbacktest's ProbQueueModel::depth — deterministic, no draw.
 */
export function simQueueAfterDepthChange(
  front: number,
  prevQty: number,
  newQty: number,
  tradedQty: number,
  fn: SimQueueFunction = SIM_DEFAULT_QUEUE,
): number {
  const chg = prevQty - newQty - tradedQty;
  if (chg < 0) return Math.max(0, Math.min(front, newQty));
  const back = prevQty - front;
  const prob = simBehindShare(front, back, fn);
  const est = front - (1 - prob) * chg + Math.min(back - prob * chg, 0);
  return Math.max(0, Math.min(est, newQty));
}

/**
 * The queue model as an interface a researcher implements: the new queue-ahead of a resting
 * order after its level's displayed size changed (trades at the level already taken off).
 */
export interface SimQueueModel {
  afterDepthChange(ahead: number, prevQty: number, newQty: number, tradedQty: number): number;
}

/** The default: hftbacktest's ProbQueueModel in expected-value form, with `f` = SimQueueFunction. */
export class SimProbQueue implements SimQueueModel {
  constructor(readonly fn: SimQueueFunction = SIM_DEFAULT_QUEUE) {}

  afterDepthChange(ahead: number, prevQty: number, newQty: number, tradedQty: number): number {
    return simQueueAfterDepthChange(ahead, prevQty, newQty, tradedQty, this.fn);
  }
}

/** A queue option as given: a function shape (`{kind: "power", n}`) or a model object. */
export function simQueueModel(q: SimQueueFunction | SimQueueModel | undefined): SimQueueModel {
  if (q === undefined) return new SimProbQueue();
  return "afterDepthChange" in q ? q : new SimProbQueue(q);
}
