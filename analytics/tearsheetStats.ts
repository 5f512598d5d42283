// The tearsheet's statistics: quantiles and distributions, markout curves with confidence
// intervals and volume weighting, and how a strategy signal's values are bucketed.
import type { JournalFillLine } from "./journal.js";
import type { Curve, CurvePoint, Distribution } from "./tearsheetTypes.js";

export const r6 = (v: number) => Math.round(v * 1e6) / 1e6;

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function distribution(values: readonly number[]): Distribution | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, mean: r6(s.reduce((a, b) => a + b, 0) / s.length), median: r6(quantile(s, 0.5)), p90: r6(quantile(s, 0.9)), max: r6(s[s.length - 1]!) };
}

export const mean = (v: readonly number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);

export interface MarkoutObs {
  readonly bps: number;
  readonly weight: number;
}

export function curveOf(byHorizon: ReadonlyMap<number, readonly MarkoutObs[]>, horizons: readonly number[]): Curve {
  const out: CurvePoint[] = [];
  for (const h of horizons) {
    const obs = byHorizon.get(h) ?? [];
    if (obs.length === 0) continue;
    const n = obs.length;
    const m = obs.reduce((s, o) => s + o.bps, 0) / n;
    const sd = n > 1 ? Math.sqrt(obs.reduce((s, o) => s + (o.bps - m) ** 2, 0) / (n - 1)) : NaN;
    const half = n > 1 ? (1.96 * sd) / Math.sqrt(n) : NaN;
    const w = obs.reduce((s, o) => s + o.weight, 0);
    out.push({
      horizonMs: h,
      n,
      meanBps: r6(m),
      ciLowBps: Number.isFinite(half) ? r6(m - half) : null,
      ciHighBps: Number.isFinite(half) ? r6(m + half) : null,
      volumeWeightedBps: r6(w > 0 ? obs.reduce((s, o) => s + o.bps * o.weight, 0) / w : m),
    });
  }
  return out;
}

export class CurveAcc {
  private readonly groups = new Map<string, Map<number, MarkoutObs[]>>();
  add(group: string, horizonMs: number, o: MarkoutObs): void {
    let g = this.groups.get(group);
    if (!g) this.groups.set(group, (g = new Map()));
    let list = g.get(horizonMs);
    if (!list) g.set(horizonMs, (list = []));
    list.push(o);
  }
  curves(horizons: readonly number[]): Record<string, Curve> {
    const out: Record<string, Curve> = {};
    // Terciles in their natural order (low, mid, high), anything else alphabetically.
    const rank = (k: string) => (k.startsWith("low ") ? 0 : k.startsWith("mid ") ? 1 : k.startsWith("high ") ? 2 : 3);
    for (const [k, g] of [...this.groups.entries()].sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]))) out[k] = curveOf(g, horizons);
    return out;
  }
}

/** Keys under a fill's `signals` that are not signals to group by (already grouped, or placement facts). */
const NOT_SIGNALS = new Set(["source", "midAtPlacement", "closedGates"]);

/** Bucket labels per signal key: numeric values in terciles (by the fills' own quantiles), others by value (top 6). */
export function signalBuckets(fills: readonly JournalFillLine[]): Map<string, (v: unknown) => string | undefined> {
  const values = new Map<string, unknown[]>();
  for (const f of fills) {
    const s = f.signals as Record<string, unknown>;
    for (const [k, v] of Object.entries(s)) {
      if (NOT_SIGNALS.has(k) || v === null || v === undefined) continue;
      if (typeof v !== "number" && typeof v !== "string" && typeof v !== "boolean") continue;
      let l = values.get(k);
      if (!l) values.set(k, (l = []));
      l.push(v);
    }
    // Whether any gate was closed at fill time: a signal of its own.
    let g = values.get("gatedAtFill");
    if (!g) values.set("gatedAtFill", (g = []));
    g.push(f.signals.closedGates.length > 0);
  }
  const out = new Map<string, (v: unknown) => string | undefined>();
  for (const [k, vs] of values) {
    if (vs.every((v) => typeof v === "number")) {
      const s = (vs as number[]).slice().sort((a, b) => a - b);
      const q1 = quantile(s, 1 / 3);
      const q2 = quantile(s, 2 / 3);
      const f = (x: number) => fmtNum(x);
      if (q1 === q2 && s[0] === s[s.length - 1]) {
        out.set(k, (v) => (typeof v === "number" ? `= ${f(v)}` : undefined));
        continue;
      }
      out.set(k, (v) => (typeof v !== "number" ? undefined : v <= q1 ? `low ≤ ${f(q1)}` : v <= q2 ? `mid ≤ ${f(q2)}` : `high > ${f(q2)}`));
    } else {
      const counts = new Map<string, number>();
      for (const v of vs) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
      const top = new Set([...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([v]) => v));
      out.set(k, (v) => (v === null || v === undefined ? undefined : top.has(String(v)) ? String(v) : "other"));
    }
  }
  return out;
}

export function fmtNum(x: number): string {
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 1 ? x.toFixed(2) : a === 0 ? "0" : x.toPrecision(2);
}
