// A market maker's tearsheet from a journal alone: PnL decomposed (spread capture, adverse
// selection, inventory, fees, funding — summing to the total), drawdown, order statistics,
// quote uptime, inventory, spreads, queue ahead, and markout curves with confidence intervals by
// asset, generation source and any signal. Pure: a LoadedJournal in, a JSON-able object out.
import type { JournalFillLine, JournalSampleLine, OrderTallyRecord, QuotingRecord } from "./journal.js";
import type { LoadedJournal } from "./load.js";

import type { PnlDecomposition, AssetFigures, VenueStateFigures, Drawdown, QuotingShare, InventoryFigures, SeriesPoint, FillPoint, Tearsheet } from "./tearsheetTypes.js";

import { CurveAcc, distribution, mean, quantile, r6, signalBuckets } from "./tearsheetStats.js";

export type { CurvePoint, Curve, PnlDecomposition, AssetFigures, VenueStateFigures, Drawdown, QuotingShare, InventoryFigures, SpreadFigures, Distribution, SeriesPoint, FillPoint, Tearsheet } from "./tearsheetTypes.js";

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
