// The tearsheet as a terminal summary and as one self-contained HTML file (inline SVG and CSS, no
// scripts, no external assets, no machine paths) that opens in a browser without a server.
import { barChart, esc, lineChart, stackedBars, type Bar, type LineSeries, type Marker, type StackRow } from "./charts.js";
import type { Curve, Tearsheet } from "./tearsheet.js";

/** Kept for the package's public API: a tearsheet is what the report renders. */
export type ReportData = Tearsheet;

// One colour per asset, everywhere (no green or red: those mean buy and sell).
const ASSET_COLORS = ["#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];
const SOURCE_COLORS: Record<string, string> = { base_ladder: "#1f77b4", spike_defense: "#d62728", recovery: "#2ca02c", unmatched: "#7f7f7f" };
const BUCKET_COLORS = ["#4477aa", "#228833", "#ee6677", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb"];
const STATE_COLORS: Record<string, string> = { "two-sided": "#2ca02c", "one-sided": "#98df8a", empty: "#c7c7c7" };
const GATE_COLORS = ["#d62728", "#ff9896", "#9467bd", "#c5b0d5", "#8c564b", "#c49c94", "#e377c2", "#7f7f7f"];
const BUY = "#2ca02c";
const SELL = "#d62728";

export function assetColor(assets: readonly string[], asset: string): string {
  const i = assets.indexOf(asset);
  return ASSET_COLORS[(i < 0 ? assets.length : i) % ASSET_COLORS.length]!;
}

const usd = (v: number | null | undefined, d = 2) => (v === null || v === undefined ? "–" : v.toFixed(d));
const pct = (v: number | null | undefined, d = 1) => (v === null || v === undefined ? "–" : `${v.toFixed(d)}%`);
const num = (v: number | null | undefined, d = 2) => (v === null || v === undefined ? "–" : v.toFixed(d));
const horizonText = (h: number) => (h >= 1000 ? `${h / 1000} s` : `${h} ms`);

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")).join("\n");
}

/** The terminal summary (replay and `quoteflow report` print the same). */
export function summaryTable(d: Tearsheet): string {
  const rows: string[][] = [["asset", "fills", "volume $", "fees $", "position", "PnL $", "uptime 2-sided", "max DD $"]];
  for (const a of d.assets) {
    const p = d.perAsset[a]!;
    rows.push([a, String(p.fills), p.volumeUsd.toFixed(0), p.feesUsd.toFixed(2), p.position.toPrecision(3), p.pnlUsd.toFixed(2), pct(p.quoting?.twoSidedPct), p.drawdown.maxUsd.toFixed(2)]);
  }
  const t = d.totals;
  const dec = t.pnl;
  const all = d.markouts.curves.all;
  const o = t.orders;
  const lines = [
    `${d.title} — ${d.file}`,
    `${d.run.mode ?? "?"} on ${d.run.venue ?? "?"}, ${d.run.minutes.toFixed(1)} min from ${new Date(d.run.startTime).toISOString()}; quoteflow ${d.run.version ?? "?"}, config ${d.run.configDigest ?? "?"}, seed ${String(d.run.seed ?? "–")}, faults ${d.run.faults ?? "–"}`,
    "",
    table(rows),
    "",
    `PnL $${dec.totalUsd.toFixed(2)} = spread capture ${dec.spreadCaptureUsd.toFixed(2)} + adverse selection (${d.adverseHorizonMs === null ? "–" : horizonText(d.adverseHorizonMs)}) ${dec.adverseSelectionUsd.toFixed(2)} + inventory ${dec.inventoryUsd.toFixed(2)} + fees ${dec.feesUsd.toFixed(2)} + funding ${dec.fundingUsd.toFixed(2)}`,
    `orders: placed ${o.placed}, modified ${o.modified}, cancelled ${o.cancelled}, rejected ${o.rejected}, failed ${o.failed}, refused ${o.refused}; fill ratio ${num(o.fillRatio, 3)}, order-to-trade ${num(o.orderToTrade, 1)}, cancel ratio ${num(o.cancelRatio, 3)}`,
    `markout (all fills): ${all.map((c) => `${horizonText(c.horizonMs)} ${c.meanBps.toFixed(2)} bps (n=${c.n})`).join(", ") || "no fills"}`,
  ];
  for (const n of d.notes) lines.push(`note: ${n}`);
  return lines.join("\n");
}

// ---------- charts -----------------------------------------------------------------------------

function timeAxis(t0: number, spanMs: number) {
  const inHours = spanMs > 3 * 3_600_000;
  const unit = inHours ? 3_600_000 : spanMs > 3 * 60_000 ? 60_000 : 1000;
  const name = inHours ? "h" : unit === 60_000 ? "min" : "s";
  return {
    toX: (t: number) => (t - t0) / unit,
    axis: { label: (x: number, step: number) => `${Number(x.toFixed(Math.max(0, -Math.floor(Math.log10(step) + 1e-9))))}`, title: `time since start (${name})` },
  };
}

// √-spaced horizon axis: 250 ms and 60 s both readable, and the spacing is true to the horizon.
const HORIZON_TICKS = [0, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000];
const horizonAxis = { transform: (x: number) => Math.sqrt(Math.max(0, x)), ticks: HORIZON_TICKS, label: (x: number) => (x === 0 ? "0" : `${x / 1000} s`), title: "horizon after the fill (√ scale)" };

function curveSeries(name: string, color: string, c: Curve, extra: Partial<LineSeries> = {}): LineSeries {
  return {
    name: `${name} (n=${c[0]?.n ?? 0})`,
    color,
    dots: true,
    points: c.map((p) => [p.horizonMs, p.meanBps] as const),
    band: c.filter((p) => p.ciLowBps !== null && p.ciHighBps !== null).map((p) => [p.horizonMs, p.ciLowBps!, p.ciHighBps!] as const),
    ...extra,
  };
}

function markoutChart(title: string, series: readonly LineSeries[], note = "mean bps with 95% CI; + = the market moved our way"): string {
  return lineChart({ title, unit: note, x: horizonAxis, height: 240 }, series);
}

// ---------- HTML -------------------------------------------------------------------------------

function kv(rows: readonly (readonly [string, string])[]): string {
  return `<table class="kv"><tbody>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join("")}</tbody></table>`;
}

function grid(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return `<div class="scroll"><table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")}</tbody></table></div>`;
}

export function renderHtmlReport(d: Tearsheet): string {
  const color = (a: string) => assetColor(d.assets, a);
  const t0 = d.run.startTime;
  const { toX, axis: timeX } = timeAxis(t0, d.run.endTime - t0);
  // Every time chart spans the whole session.
  const axis = timeX;
  const session = [toX(d.run.startTime), toX(d.run.endTime)] as const;
  const swatch = (a: string) => `<i class="sw" style="background:${color(a)}"></i>${esc(a)}`;

  // Run header (reproducibility).
  const r = d.run;
  const header = kv([
    ["journal", `<code>${esc(d.file)}</code>`],
    ["mode · venue", `${esc(r.mode ?? "unknown")} · ${esc(r.venue ?? "unknown")}`],
    ["account", r.account ? `<code>${esc(r.account)}</code>` : "–"],
    ["quoteflow version", esc(r.version ?? "unknown")],
    ["config digest", r.configDigest ? `<code>${esc(r.configDigest)}</code>` : "–"],
    ["seed · faults", `${esc(String(r.seed ?? "–"))} · ${esc(r.faults ?? "–")}`],
    ["recording", r.recording ? `<code>${esc(r.recording)}</code>` : "–"],
    ["start → end", `${new Date(r.startTime).toISOString()} → ${new Date(r.endTime).toISOString()} (${r.minutes.toFixed(1)} min)`],
    ["journal lines", `${r.journalLines}${r.badLines ? ` (${r.badLines} bad, skipped)` : ""}; format ${r.format ?? "1"}; ${r.complete ? "closed by a summary line" : "<b>no summary line</b>"}`],
  ]);

  // Summary per asset.
  const summaryRows = d.assets.map((a) => {
    const p = d.perAsset[a]!;
    const sources = Object.entries(p.fillsBySource).map(([k, v]) => `${k} ${v}`).join(", ");
    return `<tr><td>${esc(a)}</td><td>${p.fills}</td><td>${esc(sources)}</td><td>${p.volumeUsd.toFixed(0)}</td><td>${p.feesUsd.toFixed(2)}</td><td>${p.position.toPrecision(3)}</td><td>${p.pnlUsd.toFixed(2)}</td><td>${p.drawdown.maxUsd.toFixed(2)}</td></tr>`;
  });
  const summary = `<div class="scroll"><table><thead><tr><th>asset</th><th>fills</th><th>by source</th><th>volume $</th><th>fees $</th><th>position</th><th>PnL $</th><th>max DD $</th></tr></thead><tbody>${summaryRows.join("")}</tbody></table></div>`;

  // PnL decomposition.
  const terms: [string, keyof Tearsheet["totals"]["pnl"]][] = [
    ["spread capture", "spreadCaptureUsd"],
    [`adverse selection (${d.adverseHorizonMs === null ? "–" : horizonText(d.adverseHorizonMs)})`, "adverseSelectionUsd"],
    ["inventory (mark-to-market)", "inventoryUsd"],
    ["fees / rebates", "feesUsd"],
    ["funding", "fundingUsd"],
    ["total", "totalUsd"],
  ];
  const decompTable = grid(
    ["term", ...d.assets, "all"],
    terms.map(([label, k]) => [esc(label), ...d.assets.map((a) => usd(d.perAsset[a]!.pnl[k])), `<b>${usd(d.totals.pnl[k])}</b>`]),
  );
  const decompBars: Bar[] = d.assets.flatMap((a) => terms.slice(0, 5).map(([label, k]) => ({ label: `${a} · ${label}`, value: d.perAsset[a]!.pnl[k], color: color(a) })));
  const decomp = barChart("PnL decomposition by asset", decompBars, "USD", d.assets.map((a) => ({ name: a, color: color(a) })));

  const pnlSeries: LineSeries[] = d.assets.map((a) => ({ name: a, color: color(a), points: (d.series.byAsset[a] ?? []).map((p) => [toX(p.time), p.pnl] as const) }));
  const totalPts = new Map<number, number>();
  for (const a of d.assets) for (const p of d.series.byAsset[a] ?? []) totalPts.set(p.time, (totalPts.get(p.time) ?? 0) + p.pnl);
  if (d.assets.length > 1) pnlSeries.push({ name: "total", color: "#222", width: 2.2, dash: "6,3", points: [...totalPts.entries()].sort((x, y) => x[0] - y[0]).map(([t, v]) => [toX(t), v] as const) });
  const pnl = lineChart({ title: "PnL by asset", unit: "USD, net of fees, marked to mid", x: axis, xDomain: session }, pnlSeries);

  const inventory = lineChart(
    { title: "Inventory (position × mid)", unit: "USD", x: axis, xDomain: session },
    d.assets.map((a) => ({ name: a, color: color(a), points: (d.series.byAsset[a] ?? []).map((p) => [toX(p.time), p.position * (p.mid ?? 0)] as const) })),
  );
  const invHist = barChart(
    "Inventory distribution (time-weighted, between fills; empty bins left out)",
    d.assets.flatMap((a) => d.perAsset[a]!.inventory.histogram.filter((b) => b.pct > 0).map((b) => ({ label: `${a} · ${b.loUsd.toFixed(0)} … ${b.hiUsd.toFixed(0)} $`, value: b.pct, color: color(a) }))),
    "% of session",
    d.assets.map((a) => ({ name: a, color: color(a) })),
  );
  const invTable = grid(
    ["asset", "limit $", "time at limit", "max |inventory| $", "mean |inventory| $", "buys", "sells", "buy volume $", "sell volume $"],
    d.assets.map((a) => {
      const p = d.perAsset[a]!;
      return [swatch(a), usd(p.inventory.limitUsd, 0), pct(p.inventory.timeAtLimitPct, 2), usd(p.inventory.maxAbsUsd), usd(p.inventory.meanAbsUsd), String(p.buys), String(p.sells), usd(p.buyVolumeUsd, 0), usd(p.sellVolumeUsd, 0)];
    }),
  );

  // Price with fills, one chart per asset (price scales differ).
  const prices = d.assets
    .map((a) => {
      const fills = d.series.fills[a] ?? [];
      // The sampled mids and each fill's mid at fill, in time order: a denser line where we traded.
      const mids = [...(d.series.byAsset[a] ?? []).filter((p) => p.mid !== null).map((p) => [p.time, p.mid!] as const), ...fills.map((f) => [f.time, f.midAtFill] as const)]
        .sort((x, y) => x[0] - y[0])
        .map(([t, m]) => [toX(t), m] as const);
      const markers: Marker[] = fills.map((f) => ({ x: toX(f.time), y: f.price, shape: f.side === "buy" ? "up" : "down", color: f.side === "buy" ? BUY : SELL }));
      return lineChart(
        { title: `${a} mid and fills`, unit: "USD", x: axis, xDomain: session, markers, includeZero: false, legendExtra: [{ name: `buy (${fills.filter((f) => f.side === "buy").length})`, color: BUY, symbol: "▲" }, { name: `sell (${fills.filter((f) => f.side === "sell").length})`, color: SELL, symbol: "▼" }] },
        [{ name: `${a} mid`, color: color(a), points: mids }],
      );
    })
    .join("");

  // Orders and quoting.
  const ordersRows = [...d.assets, "all"].map((a) => {
    const o = a === "all" ? d.totals.orders : d.perAsset[a]!.orders;
    const fills = a === "all" ? d.totals.fills : d.perAsset[a]!.fills;
    return [a === "all" ? "<b>all</b>" : swatch(a), String(o.placed), String(o.modified), String(o.cancelled), String(o.rejected), String(o.failed), String(o.refused), String(fills), num(o.fillRatio, 3), num(o.orderToTrade, 1), num(o.cancelRatio, 3)];
  });
  const ordersTable = grid(["asset", "placed", "modified", "cancelled", "rejected", "failed", "refused", "fills", "fill ratio", "order-to-trade", "cancel ratio"], ordersRows);
  const reasons = d.assets.flatMap((a) => Object.entries(d.perAsset[a]!.orders.rejectReasons).map(([k, v]) => ({ label: `${a} · ${k}`, value: v, color: color(a), text: String(v) })));
  const rejects = barChart("Rejects by reason", reasons, "orders", d.assets.map((a) => ({ name: a, color: color(a) })));

  const gateNames = [...new Set(d.assets.flatMap((a) => Object.keys(d.perAsset[a]!.quoting?.gatedPct ?? {})))].sort();
  const gateColor = (g: string) => GATE_COLORS[gateNames.indexOf(g) % GATE_COLORS.length]!;
  const uptimeRows: StackRow[] = d.assets.flatMap((a) => {
    const q = d.perAsset[a]!.quoting;
    if (!q) return [];
    return [
      {
        label: a,
        parts: [
          { name: "two-sided", value: q.twoSidedPct, color: STATE_COLORS["two-sided"]! },
          { name: "one-sided", value: q.oneSidedPct, color: STATE_COLORS["one-sided"]! },
          { name: "empty ladder", value: q.emptyPct, color: STATE_COLORS["empty"]! },
          ...Object.entries(q.gatedPct).map(([g, v]) => ({ name: `gated: ${g}`, value: v, color: gateColor(g) })),
        ].filter((p) => p.value > 0),
      },
    ];
  });
  const uptime = stackedBars("Quote uptime", uptimeRows, "% of the session");
  const gatedBars: Bar[] = d.assets.flatMap((a) => {
    const q = d.perAsset[a]!.quoting;
    return Object.entries(q?.gatedMs ?? {}).map(([g, ms]) => ({ label: `${a} · ${g}`, value: ms / 1000, color: color(a) }));
  });
  const gated = barChart("Time spent gated, by asset and reason", gatedBars, "s", d.assets.map((a) => ({ name: a, color: color(a) })));

  // Spreads, queue, order age.
  const spreads = grid(
    ["asset", "quoted half-spread bps", "realised at fill bps", `kept after ${d.adverseHorizonMs === null ? "–" : horizonText(d.adverseHorizonMs)} bps`],
    d.assets.map((a) => {
      const p = d.perAsset[a]!;
      return [swatch(a), num(p.spreads.quotedHalfSpreadBps), num(p.spreads.realisedHalfSpreadBps), num(p.spreads.realisedAfterBps)];
    }),
  );
  const queue = grid(
    ["asset", "queue ahead median", "p90", "max", "order age median ms", "p90 ms", "n"],
    d.assets.map((a) => {
      const p = d.perAsset[a]!;
      const q = p.queueAhead;
      const g = p.orderAgeMs;
      return [swatch(a), num(q?.median, 4), num(q?.p90, 4), num(q?.max, 4), num(g?.median, 0), num(g?.p90, 0), String(q?.n ?? g?.n ?? 0)];
    }),
  );
  const withState = d.assets.filter((a) => d.perAsset[a]!.venueState !== null);
  const venueState = withState.length
    ? grid(
        ["asset", "fills with state", "funding rate (mean)", "open interest (median)", "mark − mid bps", "oracle − mid bps"],
        withState.map((a) => {
          const v = d.perAsset[a]!.venueState!;
          return [swatch(a), String(v.n), v.fundingRateMean === null ? "–" : v.fundingRateMean.toExponential(2), num(v.openInterestMedian, 1), num(v.markVsMidBps), num(v.oracleVsMidBps)];
        }),
      )
    : `<p class="empty">No exchange state at fill in this journal (the venue pushed no activeAssetCtx).</p>`;

  // Markouts.
  const c = d.markouts.curves;
  const bySourceSeries: LineSeries[] = [
    curveSeries("all", "#999", c.all, { width: 5, dots: false }),
    ...Object.entries(c.bySource).map(([s, cv]) => curveSeries(s, SOURCE_COLORS[s] ?? "#333", cv, { dash: "5,3", band: [] })),
  ];
  const markoutBySource = markoutChart("Markout by horizon and generation source", bySourceSeries, "mean bps, 95% CI on all; + = the market moved our way");
  const markoutByAsset = markoutChart("Markout by horizon and asset", d.assets.map((a) => curveSeries(a, color(a), c.byAsset[a] ?? [])));
  const vw = markoutChart(
    "Markout, simple vs volume-weighted (all fills)",
    [curveSeries("simple mean", "#555", c.all), { name: "volume-weighted", color: "#e377c2", dots: true, dash: "4,3", points: c.all.map((p) => [p.horizonMs, p.volumeWeightedBps] as const) }],
    "bps",
  );
  const bySignal = Object.entries(c.bySignal)
    .map(([k, groups]) => markoutChart(`Markout by signal: ${k}`, Object.entries(groups).map(([b, cv], i) => curveSeries(b, BUCKET_COLORS[i % BUCKET_COLORS.length]!, cv)), "mean bps with 95% CI; numeric signals in terciles of the fills, others by value"))
    .join("");
  const curveTable = grid(
    ["horizon", "n", "mean bps", "95% CI bps", "volume-weighted bps", ...d.assets.map((a) => `${a} mean (n)`)],
    c.all.map((p) => [
      horizonText(p.horizonMs),
      String(p.n),
      p.meanBps.toFixed(2),
      p.ciLowBps === null ? "–" : `${p.ciLowBps.toFixed(2)} … ${p.ciHighBps!.toFixed(2)}`,
      p.volumeWeightedBps.toFixed(2),
      ...d.assets.map((a) => {
        const q = (c.byAsset[a] ?? []).find((x) => x.horizonMs === p.horizonMs);
        return q ? `${q.meanBps.toFixed(2)} (${q.n})` : "–";
      }),
    ]),
  );

  const budgets = Object.keys(d.series.quota);
  const quota = lineChart(
    { title: "Quota headroom", unit: "% of budget remaining", x: axis, xDomain: session },
    budgets.map((b, i) => ({ name: b, color: ["#555", "#bcbd22", "#17becf"][i % 3]!, points: (d.series.quota[b] ?? []).map(([t, v]) => [toX(t), v * 100] as const) })),
  );
  const notes = d.notes.map((n) => `<li>${esc(n)}</li>`).join("");
  const o = d.totals.orders;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(d.title)}</title>
<style>
${REPORT_CSS}</style>
</head><body>
<h1>${esc(d.title)}</h1>
${header}
<h2>Summary</h2>
<p class="big">PnL $${usd(d.totals.pnlUsd)} · max drawdown $${usd(d.totals.drawdown.maxUsd)} · ${d.totals.fills} fills · $${d.totals.volumeUsd.toFixed(0)} volume · fill ratio ${num(o.fillRatio, 3)}</p>
${summary}
${notes ? `<p>Notes:</p><ul>${notes}</ul>` : ""}
<h2>PnL</h2>
${decompTable}
<p><small>Spread capture = Σ side·size·(mid at fill − price); adverse selection = Σ side·size·(mid at +${d.adverseHorizonMs === null ? "H" : horizonText(d.adverseHorizonMs)} − mid at fill); inventory = Σ side·size·(final mid − mid at +H); the terms sum to the total (residual ${d.totals.decompositionResidualUsd.toExponential(1)} $). The service's own figure in the journal: ${d.totals.journalPnlUsd === null ? "–" : `$${usd(d.totals.journalPnlUsd)}`}.</small></p>
${decomp}${pnl}
<h2>Inventory</h2>${inventory}${invTable}${invHist}
<h2>Prices and fills</h2>${prices}
<h2>Orders</h2>${ordersTable}${rejects}
<h2>Quoting</h2>${uptime}${gated}
<h2>Spreads and queue</h2>${spreads}<p><small>Queue ahead: the displayed size (coins) at the fill price on our side in the last book before the fill (an estimate). Order age: fill time − the CLOID's first placement.</small></p>${queue}<h3>Exchange state at fill</h3>${venueState}
<h2>Markouts</h2>
<p><small>${d.markouts.fills} fills with a markout line; ${d.markouts.incompleteHorizons} horizon(s) left out as incomplete (no mid after them before the run stopped or went stale); ${d.markouts.flushedAtShutdown} flushed at shutdown.</small></p>
${curveTable}${markoutBySource}${markoutByAsset}${vw}${bySignal}
<h2>Quota</h2>${quota}
</body></html>
`;
}

/** The report page's stylesheet (also what the browser spec renders single charts with). */
export const REPORT_CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:900px;padding:0 12px;color:#222}
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}td,th{border:1px solid #ccc;padding:3px 7px;text-align:right;white-space:nowrap}th{white-space:normal;vertical-align:bottom}
td:first-child,th:first-child{text-align:left}table.kv th{text-align:left;background:#f6f6f6;font-weight:600}table.kv td{text-align:left;white-space:normal;word-break:break-all}
.scroll{max-width:100%;overflow-x:auto}
figure{margin:18px 0}figcaption{font-weight:600;margin-bottom:4px}small{font-weight:400;color:#666}.empty{color:#888}
svg{max-width:100%;height:auto;display:block}svg text{font-family:system-ui,sans-serif}svg .tick{font-size:11px;fill:#444}svg .axis{font-size:12px;fill:#333}svg .label{font-size:12px;fill:#222}svg .inbar{font-size:11px;fill:#fff}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12px;margin:2px 0 0 72px}.key i{font-style:normal;margin-right:4px}
.sw{display:inline-block;width:10px;height:10px;margin-right:5px;border-radius:2px;vertical-align:baseline}
.big{font-size:18px;font-weight:600}ul{margin:4px 0}
`;
