// A market maker's tearsheet from a journal alone: PnL decomposed (spread capture, adverse
// selection, inventory, fees, funding — summing to the total), drawdown, order statistics,
// quote uptime, inventory, spreads, queue ahead, and markout curves with confidence intervals by
// asset, generation source and any signal. Pure: a LoadedJournal in, a JSON-able object out.
import type { JournalFillLine, JournalSampleLine, OrderTallyRecord, QuotingRecord } from "./journal.js";
import type { LoadedJournal } from "./load.js";

export interface CurvePoint {
  readonly horizonMs: number;
  readonly n: number;
  readonly meanBps: number;
  /** 95% confidence interval of the mean (normal approximation, ±1.96 s/√n); null for n < 2. */
  readonly ciLowBps: number | null;
  readonly ciHighBps: number | null;
  /** Mean weighted by the fill's notional (USD). */
  readonly volumeWeightedBps: number;
}

export type Curve = readonly CurvePoint[];

export interface PnlDecomposition {
  /** Σ side × size × (mid at fill − price): the edge captured against the mid when filled. */
  readonly spreadCaptureUsd: number;
  /** Σ side × size × (mid at +H − mid at fill): how the market moved against (−) or with (+) the fill within H. */
  readonly adverseSelectionUsd: number;
  /** Σ side × size × (final mark − mid at +H): the inventory held after H, marked to the final mid. */
  readonly inventoryUsd: number;
  /** −Σ fee (a rebate is positive). */
  readonly feesUsd: number;
  /** Σ funding payments (received +, paid −). */
  readonly fundingUsd: number;
  readonly totalUsd: number;
}

export interface AssetFigures {
  readonly fills: number;
  readonly fillsBySource: Readonly<Record<string, number>>;
  readonly buys: number;
  readonly sells: number;
  readonly buyVolumeUsd: number;
  readonly sellVolumeUsd: number;
  readonly volumeUsd: number;
  readonly feesUsd: number;
  /** Position from the fills (coins) and the final mark it is valued at. */
  readonly position: number;
  readonly mark: number | null;
  readonly pnlUsd: number;
  readonly pnl: PnlDecomposition;
  /** The PnL the service itself reported in the journal's last sample/summary (for cross-checking), if any. */
  readonly journalPnlUsd: number | null;
  readonly drawdown: Drawdown;
  readonly orders: OrderTallyRecord & { readonly fillRatio: number | null; readonly orderToTrade: number | null; readonly cancelRatio: number | null };
  readonly quoting: QuotingShare | null;
  readonly inventory: InventoryFigures;
  readonly spreads: SpreadFigures;
  readonly queueAhead: Distribution | null;
  readonly orderAgeMs: Distribution | null;
  /** The exchange's state at fill (`ctx` of the fill lines), where the venue provided it. */
  readonly venueState: VenueStateFigures | null;
}

export interface VenueStateFigures {
  /** Fills whose line carries a `ctx`. */
  readonly n: number;
  readonly fundingRateMean: number | null;
  readonly openInterestMedian: number | null;
  /** Mean (mark − mid at fill) / mid, and the same for the oracle price (bps). */
  readonly markVsMidBps: number | null;
  readonly oracleVsMidBps: number | null;
}

export interface Drawdown {
  readonly maxUsd: number;
  readonly peakTime: number | null;
  readonly troughTime: number | null;
}

export interface QuotingShare {
  readonly totalMs: number;
  readonly twoSidedPct: number;
  readonly oneSidedPct: number;
  readonly emptyPct: number;
  readonly gatedPct: Readonly<Record<string, number>>;
  readonly twoSidedMs: number;
  readonly oneSidedMs: number;
  readonly emptyMs: number;
  readonly gatedMs: Readonly<Record<string, number>>;
}

export interface InventoryFigures {
  readonly limitUsd: number | null;
  /** Share of the session (time-weighted between fills) with |position × mid| ≥ the limit. */
  readonly timeAtLimitPct: number | null;
  readonly maxAbsUsd: number;
  readonly meanAbsUsd: number;
  /** Time-weighted histogram of position × mid (USD). */
  readonly histogram: readonly { readonly loUsd: number; readonly hiUsd: number; readonly pct: number }[];
}

export interface SpreadFigures {
  /** Mean quoted half-spread of the filled orders (bps). */
  readonly quotedHalfSpreadBps: number | null;
  /** Mean edge at fill: side × (mid at fill − price) / mid (bps). */
  readonly realisedHalfSpreadBps: number | null;
  /** Mean markout at the adverse-selection horizon (bps): what was kept of the edge. */
  readonly realisedAfterBps: number | null;
}

export interface Distribution {
  readonly n: number;
  readonly mean: number;
  readonly median: number;
  readonly p90: number;
  readonly max: number;
}

export interface SeriesPoint {
  readonly time: number;
  readonly pnl: number;
  readonly position: number;
  readonly mid: number | null;
}

export interface FillPoint {
  readonly time: number;
  readonly price: number;
  readonly side: "buy" | "sell";
  readonly size: number;
  readonly source: string;
  readonly midAtFill: number;
}

export interface Tearsheet {
  readonly title: string;
  readonly file: string;
  readonly run: {
    readonly format: number | null;
    readonly version: string | null;
    readonly mode: string | null;
    readonly venue: string | null;
    readonly account: string | null;
    readonly configDigest: string | null;
    readonly seed: number | string | null;
    readonly faults: string | null;
    readonly recording: string | null;
    readonly startTime: number;
    readonly endTime: number;
    readonly minutes: number;
    readonly journalLines: number;
    readonly badLines: number;
    /** true when the journal ends with a summary line (the run stopped cleanly). */
    readonly complete: boolean;
  };
  readonly assets: readonly string[];
  readonly totals: {
    readonly fills: number;
    readonly volumeUsd: number;
    readonly pnlUsd: number;
    readonly pnl: PnlDecomposition;
    /** Σ terms − total (float rounding only; the report fails a check beyond a cent). */
    readonly decompositionResidualUsd: number;
    readonly journalPnlUsd: number | null;
    readonly drawdown: Drawdown;
    readonly orders: OrderTallyRecord & { readonly fillRatio: number | null; readonly orderToTrade: number | null; readonly cancelRatio: number | null };
  };
  readonly perAsset: Readonly<Record<string, AssetFigures>>;
  readonly adverseHorizonMs: number | null;
  readonly markouts: {
    readonly horizonsMs: readonly number[];
    readonly fills: number;
    /** Horizons left out of the curves because no mid after them was seen (stale or the run stopped). */
    readonly incompleteHorizons: number;
    readonly flushedAtShutdown: number;
    readonly curves: {
      readonly all: Curve;
      readonly byAsset: Readonly<Record<string, Curve>>;
      readonly bySource: Readonly<Record<string, Curve>>;
      /** signal key → bucket → curve (numeric signals in terciles, others by value). */
      readonly bySignal: Readonly<Record<string, Readonly<Record<string, Curve>>>>;
    };
  };
  readonly series: {
    readonly byAsset: Readonly<Record<string, readonly SeriesPoint[]>>;
    readonly quota: Readonly<Record<string, readonly (readonly [number, number])[]>>;
    readonly fills: Readonly<Record<string, readonly FillPoint[]>>;
  };
  readonly notes: readonly string[];
}

// ---------- statistics -------------------------------------------------------------------------

const r6 = (v: number) => Math.round(v * 1e6) / 1e6;

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function distribution(values: readonly number[]): Distribution | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, mean: r6(s.reduce((a, b) => a + b, 0) / s.length), median: r6(quantile(s, 0.5)), p90: r6(quantile(s, 0.9)), max: r6(s[s.length - 1]!) };
}

const mean = (v: readonly number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);

interface MarkoutObs {
  readonly bps: number;
  readonly weight: number;
}

function curveOf(byHorizon: ReadonlyMap<number, readonly MarkoutObs[]>, horizons: readonly number[]): Curve {
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

class CurveAcc {
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
function signalBuckets(fills: readonly JournalFillLine[]): Map<string, (v: unknown) => string | undefined> {
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

function fmtNum(x: number): string {
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 1 ? x.toFixed(2) : a === 0 ? "0" : x.toPrecision(2);
}

// ---------- PnL --------------------------------------------------------------------------------

const sideOf = (f: { side: "buy" | "sell" }) => (f.side === "buy" ? 1 : -1);

function drawdownOf(series: readonly { time: number; pnl: number }[]): Drawdown {
  let peak = -Infinity;
  let peakTime: number | null = null;
  let best: Drawdown = { maxUsd: 0, peakTime: null, troughTime: null };
  let candidatePeak: number | null = null;
  for (const p of series) {
    if (p.pnl > peak) {
      peak = p.pnl;
      candidatePeak = p.time;
    }
    const dd = peak - p.pnl;
    if (dd > best.maxUsd) {
      peakTime = candidatePeak;
      best = { maxUsd: r6(dd), peakTime, troughTime: p.time };
    }
  }
  return best;
}

function ratios(o: OrderTallyRecord, fills: number) {
  return {
    ...o,
    fillRatio: o.placed > 0 ? r6(fills / o.placed) : null,
    orderToTrade: fills > 0 ? r6((o.placed + o.modified + o.cancelled) / fills) : null,
    cancelRatio: o.placed > 0 ? r6(o.cancelled / o.placed) : null,
  };
}

function quotingShare(q: QuotingRecord | undefined): QuotingShare | null {
  if (!q) return null;
  const gated = Object.values(q.gatedMs).reduce((a, b) => a + b, 0);
  const total = q.twoSidedMs + q.oneSidedMs + q.emptyMs + gated;
  if (total <= 0) return null;
  const pct = (ms: number) => r6((ms / total) * 100);
  return {
    totalMs: total,
    twoSidedPct: pct(q.twoSidedMs),
    oneSidedPct: pct(q.oneSidedMs),
    emptyPct: pct(q.emptyMs),
    gatedPct: Object.fromEntries(Object.entries(q.gatedMs).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, pct(v)])),
    twoSidedMs: q.twoSidedMs,
    oneSidedMs: q.oneSidedMs,
    emptyMs: q.emptyMs,
    gatedMs: Object.fromEntries(Object.entries(q.gatedMs).sort((a, b) => b[1] - a[1])),
  };
}

const emptyOrders = (): OrderTallyRecord => ({ placed: 0, modified: 0, cancelled: 0, rejected: 0, failed: 0, refused: 0, rejectReasons: {} });

function addOrders(a: OrderTallyRecord, b: OrderTallyRecord): OrderTallyRecord {
  const reasons: Record<string, number> = { ...a.rejectReasons };
  for (const [k, v] of Object.entries(b.rejectReasons)) reasons[k] = (reasons[k] ?? 0) + v;
  return { placed: a.placed + b.placed, modified: a.modified + b.modified, cancelled: a.cancelled + b.cancelled, rejected: a.rejected + b.rejected, failed: a.failed + b.failed, refused: a.refused + b.refused, rejectReasons: reasons };
}

function venueState(fills: readonly JournalFillLine[]): VenueStateFigures | null {
  const withCtx = fills.filter((f) => f.ctx !== undefined);
  if (withCtx.length === 0) return null;
  const pick = (g: (f: JournalFillLine) => number | undefined) => withCtx.flatMap((f) => {
    const v = g(f);
    return v === undefined ? [] : [v];
  });
  const m = (v: number[]) => (v.length ? r6(v.reduce((a, b) => a + b, 0) / v.length) : null);
  const oi = pick((f) => f.ctx?.openInterest).sort((a, b) => a - b);
  return {
    n: withCtx.length,
    fundingRateMean: m(pick((f) => f.ctx?.fundingRate)),
    openInterestMedian: oi.length ? r6(quantile(oi, 0.5)) : null,
    markVsMidBps: m(pick((f) => (f.ctx?.markPx === undefined ? undefined : ((f.ctx.markPx - f.midAtFill) / f.midAtFill) * 1e4))),
    oracleVsMidBps: m(pick((f) => (f.ctx?.oraclePx === undefined ? undefined : ((f.ctx.oraclePx - f.midAtFill) / f.midAtFill) * 1e4))),
  };
}

export interface TearsheetOptions {
  readonly title?: string;
  /** The adverse-selection horizon of the PnL decomposition (default 10 s, or the nearest journaled horizon below it). */
  readonly adverseHorizonMs?: number;
  /** Extra notes (e.g. what the replay saw after the journal closed). */
  readonly notes?: readonly string[];
}

/** Pick the journaled horizon for the PnL decomposition: the largest ≤ the wanted one (10 s). */
function pickHorizon(horizons: readonly number[], wanted: number): number | null {
  const below = horizons.filter((h) => h <= wanted);
  return below.length ? Math.max(...below) : horizons.length ? Math.min(...horizons) : null;
}

export function tearsheet(j: LoadedJournal, options: TearsheetOptions = {}): Tearsheet {
  const notes: string[] = [];
  const h = j.header;
  for (const n of h?.notes ?? []) notes.push(n);
  for (const n of options.notes ?? []) notes.push(n);
  if (!h) notes.push("the journal has no header line (written before journal format 2): run metadata unknown");
  if (j.badLines.length) notes.push(`${j.badLines.length} journal line(s) did not decode and were skipped; first: ${j.badLines[0]!.error}`);
  const last: JournalSampleLine | undefined = j.summary ?? j.samples[j.samples.length - 1];
  if (!j.summary) notes.push("no summary line: the run did not stop cleanly (or is still running); figures up to the last sample");

  const assetSet = new Set<string>([...(h?.assets.map((a) => a.asset) ?? []), ...j.fills.map((f) => f.asset), ...Object.keys(last?.assets ?? {})]);
  const assets = [...assetSet];
  const horizonsFromLines = [...new Set([...j.markouts.values()].flatMap((m) => m.horizons.map((x) => x.horizonMs)))].sort((a, b) => a - b);
  const horizons = h?.markoutHorizonsMs.length ? [...h.markoutHorizonsMs].sort((a, b) => a - b) : horizonsFromLines;
  const H = options.adverseHorizonMs !== undefined ? options.adverseHorizonMs : pickHorizon(horizons, 10_000);

  const times = [...j.fills.map((f) => f.time), ...j.samples.map((s) => s.time), ...(j.summary ? [j.summary.time] : [])];
  const startTime = h?.startTime ?? (times.length ? Math.min(...times) : 0);
  const endTime = Math.max(startTime, ...times);

  // Markouts: per fill, the line's horizons; a fill's own facts from the fill line (the markout line repeats them).
  const fillByKey = new Map<string, JournalFillLine>(j.fills.map((f) => [`${f.asset}:${f.tid}`, f]));
  const buckets = signalBuckets(j.fills);
  const accAll = new CurveAcc();
  const accAsset = new CurveAcc();
  const accSource = new CurveAcc();
  const accSignal = new Map<string, CurveAcc>();
  let incompleteHorizons = 0;
  let flushed = 0;
  const midAtH = new Map<string, number>();
  for (const [key, m] of j.markouts) {
    const f = fillByKey.get(key);
    const price = f?.price ?? m.price;
    const size = f?.size ?? m.size ?? 0;
    if (m.incomplete === "shutdown") flushed++;
    for (const x of m.horizons) {
      if (H !== null && x.horizonMs === H && x.mid !== null) midAtH.set(key, x.mid);
      if (!x.complete || x.markoutBps === null) {
        incompleteHorizons++;
        continue;
      }
      const o = { bps: x.markoutBps, weight: (price ?? 0) * size };
      accAll.add("all", x.horizonMs, o);
      accAsset.add(m.asset, x.horizonMs, o);
      accSource.add(m.source, x.horizonMs, o);
      if (f) {
        const sig = f.signals as Record<string, unknown>;
        for (const [k, bucketOf] of buckets) {
          const b = bucketOf(k === "gatedAtFill" ? f.signals.closedGates.length > 0 : sig[k]);
          if (b === undefined) continue;
          let acc = accSignal.get(k);
          if (!acc) accSignal.set(k, (acc = new CurveAcc()));
          acc.add(b, x.horizonMs, o);
        }
      }
    }
  }

  const perAsset: Record<string, AssetFigures> = {};
  const seriesByAsset: Record<string, SeriesPoint[]> = {};
  const fillSeries: Record<string, FillPoint[]> = {};
  let totalOrders = emptyOrders();
  for (const asset of assets) {
    const fills = j.fills.filter((f) => f.asset === asset);
    const info = h?.assets.find((a) => a.asset === asset);
    const lastA = last?.assets[asset];
    const lastMidFromSamples = [...j.samples, ...(j.summary ? [j.summary] : [])].reverse().find((s) => s.assets[asset]?.mid != null)?.assets[asset]?.mid ?? null;
    const mark = lastA?.mid ?? lastMidFromSamples ?? fills[fills.length - 1]?.midAtFill ?? null;
    let cash = 0;
    let position = 0;
    let spread = 0;
    let adverse = 0;
    let inventory = 0;
    let fees = 0;
    let buys = 0;
    let sells = 0;
    let buyVol = 0;
    let sellVol = 0;
    const bySource: Record<string, number> = {};
    for (const f of fills) {
      const s = sideOf(f);
      const key = `${f.asset}:${f.tid}`;
      const mH = midAtH.get(key) ?? f.midAtFill;
      cash -= s * f.size * f.price;
      position += s * f.size;
      spread += s * f.size * (f.midAtFill - f.price);
      adverse += s * f.size * (mH - f.midAtFill);
      inventory += s * f.size * ((mark ?? mH) - mH);
      fees += f.fee;
      if (s > 0) {
        buys++;
        buyVol += f.size * f.price;
      } else {
        sells++;
        sellVol += f.size * f.price;
      }
      bySource[f.signals.source] = (bySource[f.signals.source] ?? 0) + 1;
    }
    const funding = j.fundings.filter((x) => x.asset === asset).reduce((a, x) => a + x.usdc, 0);
    const total = cash + position * (mark ?? 0) - fees + funding;
    const pnl: PnlDecomposition = {
      spreadCaptureUsd: r6(spread),
      adverseSelectionUsd: r6(adverse),
      inventoryUsd: r6(inventory),
      feesUsd: r6(-fees),
      fundingUsd: r6(funding),
      totalUsd: r6(total),
    };

    // Series: the samples' marks and PnL (the service's own numbers), the fills for the price chart.
    const series: SeriesPoint[] = [...j.samples, ...(j.summary ? [j.summary] : [])]
      .filter((s) => s.assets[asset] !== undefined)
      .map((s) => ({ time: s.time, pnl: s.assets[asset]!.pnl, position: s.assets[asset]!.position, mid: s.assets[asset]!.mid }));
    seriesByAsset[asset] = series;
    fillSeries[asset] = fills.map((f) => ({ time: f.time, price: f.price, side: f.side, size: f.size, source: f.signals.source, midAtFill: f.midAtFill }));

    // Inventory: time-weighted between fills (position after each fill, at its mid), to the end.
    const limit = info?.maxPositionUsd ?? null;
    const segments: { usd: number; ms: number }[] = [];
    let pos = 0;
    for (let i = 0; i < fills.length; i++) {
      const f = fills[i]!;
      pos = f.positionAfter ?? pos + sideOf(f) * f.size;
      const until = fills[i + 1]?.time ?? endTime;
      segments.push({ usd: pos * f.midAtFill, ms: Math.max(0, until - f.time) });
    }
    const firstFill = fills[0]?.time ?? endTime;
    if (firstFill > startTime) segments.unshift({ usd: 0, ms: firstFill - startTime });
    const totalMs = segments.reduce((a, s) => a + s.ms, 0);
    const maxAbs = segments.reduce((a, s) => Math.max(a, Math.abs(s.usd)), 0);
    const span = Math.max(limit ?? 0, maxAbs, 1e-9);
    const edges = [-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1].map((x) => x * span);
    const histogram = edges.slice(0, -1).map((lo, i) => {
      const hi = edges[i + 1]!;
      const ms = segments.filter((s) => (s.usd >= lo && s.usd < hi) || (i === edges.length - 2 && s.usd === hi)).reduce((a, s) => a + s.ms, 0);
      return { loUsd: r6(lo), hiUsd: r6(hi), pct: totalMs > 0 ? r6((ms / totalMs) * 100) : 0 };
    });
    const inv: InventoryFigures = {
      limitUsd: limit,
      timeAtLimitPct: limit !== null && totalMs > 0 ? r6((segments.filter((s) => Math.abs(s.usd) >= limit * 0.999).reduce((a, s) => a + s.ms, 0) / totalMs) * 100) : null,
      maxAbsUsd: r6(maxAbs),
      meanAbsUsd: totalMs > 0 ? r6(segments.reduce((a, s) => a + Math.abs(s.usd) * s.ms, 0) / totalMs) : 0,
      histogram,
    };

    const orders = last?.orders[asset] ?? emptyOrders();
    totalOrders = addOrders(totalOrders, orders);
    const edgeBps = fills.map((f) => (sideOf(f) * (f.midAtFill - f.price)) / f.midAtFill * 1e4);
    const afterBps = H === null ? [] : [...j.markouts.values()].filter((m) => m.asset === asset).flatMap((m) => m.horizons.filter((x) => x.horizonMs === H && x.complete && x.markoutBps !== null).map((x) => x.markoutBps!));
    const q = mean(fills.map((f) => f.quotedHalfSpreadBps));
    const e = mean(edgeBps);
    const a = mean(afterBps);
    perAsset[asset] = {
      fills: fills.length,
      fillsBySource: bySource,
      buys,
      sells,
      buyVolumeUsd: r6(buyVol),
      sellVolumeUsd: r6(sellVol),
      volumeUsd: r6(buyVol + sellVol),
      feesUsd: r6(fees),
      position: r6(position),
      mark,
      pnlUsd: pnl.totalUsd,
      pnl,
      journalPnlUsd: lastA?.pnl ?? null,
      drawdown: drawdownOf(series),
      orders: ratios(orders, fills.length),
      quoting: quotingShare(last?.quoting[asset]),
      inventory: inv,
      spreads: { quotedHalfSpreadBps: q === null ? null : r6(q), realisedHalfSpreadBps: e === null ? null : r6(e), realisedAfterBps: a === null ? null : r6(a) },
      queueAhead: distribution(fills.flatMap((f) => (f.signals.queueAheadEstimate === null ? [] : [f.signals.queueAheadEstimate]))),
      orderAgeMs: distribution(fills.flatMap((f) => (typeof f.orderAgeMs === "number" ? [f.orderAgeMs] : []))),
      venueState: venueState(fills),
    };
  }

  const sum = (k: keyof PnlDecomposition) => r6(assets.reduce((a, x) => a + perAsset[x]!.pnl[k], 0));
  const decomposition: PnlDecomposition = {
    spreadCaptureUsd: sum("spreadCaptureUsd"),
    adverseSelectionUsd: sum("adverseSelectionUsd"),
    inventoryUsd: sum("inventoryUsd"),
    feesUsd: sum("feesUsd"),
    fundingUsd: sum("fundingUsd"),
    totalUsd: sum("totalUsd"),
  };
  const terms = decomposition.spreadCaptureUsd + decomposition.adverseSelectionUsd + decomposition.inventoryUsd + decomposition.feesUsd + decomposition.fundingUsd;
  // Total PnL over time: the assets' sample PnL summed at each sample time.
  const byTime = new Map<number, number>();
  for (const a of assets) for (const p of seriesByAsset[a] ?? []) byTime.set(p.time, (byTime.get(p.time) ?? 0) + p.pnl);
  const totalSeries = [...byTime.entries()].sort((x, y) => x[0] - y[0]).map(([time, pnl]) => ({ time, pnl }));
  const journalPnl = last ? r6(assets.reduce((a, x) => a + (last.assets[x]?.pnl ?? 0), 0)) : null;
  if (j.fundings.length === 0) notes.push("no funding lines in the journal: funding is 0 (the venue's userFundings feed is not journaled in this run)");
  if (j.fills.length > 0 && !j.fills.some((f) => f.ctx !== undefined)) notes.push("no exchange state at fill (open interest, funding rate, mark/oracle price): the venue pushed no activeAssetCtx in this run");
  const quota: Record<string, [number, number][]> = {};
  for (const s of j.samples) for (const [b, v] of Object.entries(s.quota)) (quota[b] ??= []).push([s.time, v]);

  return {
    title: options.title ?? `quoteflow ${h?.mode ?? "run"} report`,
    file: j.file,
    run: {
      format: h?.format ?? null,
      version: h?.version ?? null,
      mode: h?.mode ?? null,
      venue: h?.venue ?? null,
      account: h?.account ?? null,
      configDigest: h?.configDigest ?? null,
      seed: h?.seed ?? null,
      faults: h?.faults ?? null,
      recording: h?.recording ?? null,
      startTime,
      endTime,
      minutes: r6((endTime - startTime) / 60_000),
      journalLines: j.lines,
      badLines: j.badLines.length,
      complete: j.summary !== undefined,
    },
    assets,
    totals: {
      fills: j.fills.length,
      volumeUsd: r6(assets.reduce((a, x) => a + perAsset[x]!.volumeUsd, 0)),
      pnlUsd: decomposition.totalUsd,
      pnl: decomposition,
      decompositionResidualUsd: r6(terms - decomposition.totalUsd),
      journalPnlUsd: journalPnl,
      drawdown: drawdownOf(totalSeries),
      orders: ratios(totalOrders, j.fills.length),
    },
    perAsset,
    adverseHorizonMs: H,
    markouts: {
      horizonsMs: horizons,
      fills: j.markouts.size,
      incompleteHorizons,
      flushedAtShutdown: flushed,
      curves: {
        all: accAll.curves(horizons)["all"] ?? [],
        byAsset: accAsset.curves(horizons),
        bySource: accSource.curves(horizons),
        bySignal: Object.fromEntries([...accSignal.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([k, acc]) => [k, acc.curves(horizons)])),
      },
    },
    series: { byAsset: seriesByAsset, quota, fills: fillSeries },
    notes,
  };
}
