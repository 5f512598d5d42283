// The replay report: a summary table for the terminal and one self-contained HTML file (inline
// SVG, no scripts, no external assets) that opens in a browser without a server.

export interface ReportSample {
  /** Service clock (exchange ms in a replay). */
  readonly time: number;
  readonly assets: Readonly<Record<string, { readonly pnl: number; readonly position: number; readonly mid: number | undefined }>>;
  /** Remaining share (0..1) of each rate-limit budget. */
  readonly quota: Readonly<Record<string, number>>;
}

export interface ReportMarkout {
  readonly asset: string;
  readonly source: string;
  readonly horizonMs: number;
  readonly markoutBps: number | null;
}

export interface ReportData {
  readonly title: string;
  readonly recording: string;
  /** Service-clock span covered. */
  readonly startTime: number;
  readonly endTime: number;
  /** Wall time the run took. */
  readonly wallMs: number;
  readonly events: number;
  readonly assets: readonly string[];
  readonly samples: readonly ReportSample[];
  readonly markouts: readonly ReportMarkout[];
  /** Milliseconds closed, per asset and reason. */
  readonly gatedMs: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly perAsset: Readonly<Record<string, { readonly fills: number; readonly volumeUsd: number; readonly fees: number; readonly pnl: number; readonly position: number; readonly fillsBySource: Readonly<Record<string, number>> }>>;
  /** Order actions by kind (placed, modified, cancelled, rejected). */
  readonly orders: Readonly<Record<string, number>>;
  readonly journalPath: string | undefined;
  /** Components that did not run (stated, not hidden). */
  readonly notes: readonly string[];
}

// ---------- aggregation ------------------------------------------------------------------------

export interface MarkoutCurvePoint {
  readonly horizonMs: number;
  readonly meanBps: number;
  readonly n: number;
}

/** Mean markout per horizon, for every source and for all fills ("all"). */
export function markoutCurves(markouts: readonly ReportMarkout[]): Record<string, MarkoutCurvePoint[]> {
  const acc = new Map<string, Map<number, { sum: number; n: number }>>();
  const add = (key: string, h: number, v: number) => {
    let byH = acc.get(key);
    if (!byH) acc.set(key, (byH = new Map()));
    const e = byH.get(h) ?? { sum: 0, n: 0 };
    e.sum += v;
    e.n += 1;
    byH.set(h, e);
  };
  for (const m of markouts) {
    if (m.markoutBps === null) continue;
    add("all", m.horizonMs, m.markoutBps);
    add(m.source, m.horizonMs, m.markoutBps);
  }
  const out: Record<string, MarkoutCurvePoint[]> = {};
  for (const [key, byH] of acc) {
    out[key] = [...byH.entries()].sort((a, b) => a[0] - b[0]).map(([horizonMs, e]) => ({ horizonMs, meanBps: e.sum / e.n, n: e.n }));
  }
  return out;
}

// ---------- terminal summary -------------------------------------------------------------------

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")).join("\n");
}

export function summaryTable(d: ReportData): string {
  const rows: string[][] = [["asset", "fills", "volume $", "fees $", "position", "PnL $", "gated s"]];
  for (const a of d.assets) {
    const p = d.perAsset[a];
    const gated = Object.values(d.gatedMs[a] ?? {}).reduce((s, x) => s + x, 0) / 1000;
    rows.push([a, String(p?.fills ?? 0), (p?.volumeUsd ?? 0).toFixed(0), (p?.fees ?? 0).toFixed(2), (p?.position ?? 0).toPrecision(3), (p?.pnl ?? 0).toFixed(2), gated.toFixed(1)]);
  }
  const curves = markoutCurves(d.markouts)["all"] ?? [];
  const lines = [
    `${d.title} — ${d.recording}`,
    `${((d.endTime - d.startTime) / 60_000).toFixed(1)} min of market in ${(d.wallMs / 1000).toFixed(1)} s wall, ${d.events} events`,
    "",
    table(rows),
    "",
    `orders: ${Object.entries(d.orders).map(([k, v]) => `${k} ${v}`).join(", ") || "none"}`,
    `markout (all fills): ${curves.map((c) => `${c.horizonMs} ms ${c.meanBps.toFixed(2)} bps (n=${c.n})`).join(", ") || "no fills"}`,
  ];
  for (const n of d.notes) lines.push(`note: ${n}`);
  return lines.join("\n");
}

// ---------- SVG --------------------------------------------------------------------------------

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 0.01 || v === 0 ? v.toFixed(2) : v.toExponential(1);
}

interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

/** A line chart as an inline <svg>; x labels formatted by `xLabel`. */
export function lineChart(title: string, series: readonly Series[], xLabel: (x: number) => string, yUnit: string, xTicksAt?: readonly number[]): string {
  const W = 760;
  const H = 240;
  const L = 64;
  const R = 16;
  const T = 28;
  const B = 36;
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return `<figure><figcaption>${esc(title)}</figcaption><p class="empty">no data</p></figure>`;
  let [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  let [y0, y1] = [Math.min(0, ...all.map((p) => p[1])), Math.max(0, ...all.map((p) => p[1]))];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) y1 = y0 + 1;
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const sx = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const sy = (y: number) => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  const paths = series
    .map((s, i) => {
      const d = s.points.map((p, j) => `${j === 0 ? "M" : "L"}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join("");
      const dots = s.points.length <= 12 ? s.points.map((p) => `<circle cx="${sx(p[0]).toFixed(1)}" cy="${sy(p[1]).toFixed(1)}" r="3" fill="${COLORS[i % COLORS.length]}"/>`).join("") : "";
      return `<path d="${d}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5"/>${dots}`;
    })
    .join("");
  const legend = series
    .map((s, i) => `<text x="${L + 8 + i * 150}" y="18" fill="${COLORS[i % COLORS.length]}" font-size="12">■ ${esc(s.name)}</text>`)
    .join("");
  const yTicks = [y0 + pad, (y0 + y1) / 2, y1 - pad]
    .map((v) => `<text x="${L - 6}" y="${sy(v) + 4}" text-anchor="end" font-size="11">${fmt(v)}</text><line x1="${L}" x2="${W - R}" y1="${sy(v)}" y2="${sy(v)}" stroke="#eee"/>`)
    .join("");
  const xTicks = (xTicksAt ?? [x0, (x0 + x1) / 2, x1]).map((v) => `<text x="${sx(v)}" y="${H - 14}" text-anchor="middle" font-size="11">${esc(xLabel(v))}</text>`).join("");
  const zero = y0 < 0 && y1 > 0 ? `<line x1="${L}" x2="${W - R}" y1="${sy(0)}" y2="${sy(0)}" stroke="#999" stroke-dasharray="3,3"/>` : "";
  return `<figure><figcaption>${esc(title)} <small>(${esc(yUnit)})</small></figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">${yTicks}${zero}${paths}${xTicks}${legend}<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="#333"/></svg></figure>`;
}

/** A horizontal bar chart (one bar per label). */
export function barChart(title: string, bars: readonly { readonly label: string; readonly value: number }[], unit: string): string {
  if (bars.length === 0) return `<figure><figcaption>${esc(title)}</figcaption><p class="empty">none</p></figure>`;
  const W = 760;
  const rowH = 22;
  const L = 220;
  const H = bars.length * rowH + 10;
  const max = Math.max(...bars.map((b) => b.value), 1e-9);
  const rows = bars
    .map((b, i) => {
      const w = (b.value / max) * (W - L - 90);
      const y = 5 + i * rowH;
      return `<text x="${L - 6}" y="${y + 14}" text-anchor="end" font-size="12">${esc(b.label)}</text><rect x="${L}" y="${y + 3}" width="${w.toFixed(1)}" height="14" fill="${COLORS[i % COLORS.length]}"/><text x="${L + w + 6}" y="${y + 14}" font-size="12">${fmt(b.value)} ${esc(unit)}</text>`;
    })
    .join("");
  return `<figure><figcaption>${esc(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">${rows}</svg></figure>`;
}

// ---------- HTML -------------------------------------------------------------------------------

export function renderHtmlReport(d: ReportData): string {
  const t0 = d.startTime;
  const minutes = (x: number) => `${((x - t0) / 60_000).toFixed(1)} min`;
  const pnl = lineChart(
    "PnL by asset",
    d.assets.map((a) => ({ name: a, points: d.samples.map((s) => [s.time, s.assets[a]?.pnl ?? 0] as const) })),
    minutes,
    "USD, net of fees, marked to mid",
  );
  const inventory = lineChart(
    "Inventory (position × mid)",
    d.assets.map((a) => ({ name: a, points: d.samples.map((s) => [s.time, (s.assets[a]?.position ?? 0) * (s.assets[a]?.mid ?? 0)] as const) })),
    minutes,
    "USD",
  );
  const curves = markoutCurves(d.markouts);
  // Horizons are spaced evenly (500 ms, 2 s, 10 s would crowd on a linear axis).
  const horizons = [...new Set(d.markouts.map((m) => m.horizonMs))].sort((a, b) => a - b);
  const at = (h: number) => horizons.indexOf(h);
  const horizonLabel = (i: number) => {
    const h = horizons[Math.round(i)] ?? 0;
    return h >= 1000 ? `${h / 1000} s` : `${h} ms`;
  };
  const ticks = horizons.map((_, i) => i);
  const markoutBySource = lineChart(
    "Markout by horizon and generation source",
    Object.entries(curves).map(([name, pts]) => ({ name: `${name} (n=${pts[0]?.n ?? 0})`, points: pts.map((p) => [at(p.horizonMs), p.meanBps] as const) })),
    horizonLabel,
    "mean bps, positive = the market moved our way",
    ticks,
  );
  const markoutByAsset = lineChart(
    "Markout by horizon and asset",
    d.assets.map((a) => {
      const c = markoutCurves(d.markouts.filter((m) => m.asset === a))["all"] ?? [];
      return { name: a, points: c.map((p) => [at(p.horizonMs), p.meanBps] as const) };
    }),
    horizonLabel,
    "mean bps",
    ticks,
  );
  const gated = barChart(
    "Time spent gated, by asset and reason",
    d.assets.flatMap((a) => Object.entries(d.gatedMs[a] ?? {}).map(([reason, ms]) => ({ label: `${a} · ${reason}`, value: ms / 1000 }))),
    "s",
  );
  const budgets = [...new Set(d.samples.flatMap((s) => Object.keys(s.quota)))];
  const quota = lineChart(
    "Quota headroom",
    budgets.map((b) => ({ name: b, points: d.samples.filter((s) => s.quota[b] !== undefined).map((s) => [s.time, s.quota[b]! * 100] as const) })),
    minutes,
    "% of budget remaining",
  );
  const rows = d.assets
    .map((a) => {
      const p = d.perAsset[a];
      const sources = Object.entries(p?.fillsBySource ?? {}).map(([k, v]) => `${k} ${v}`).join(", ");
      return `<tr><td>${esc(a)}</td><td>${p?.fills ?? 0}</td><td>${esc(sources)}</td><td>${(p?.volumeUsd ?? 0).toFixed(0)}</td><td>${(p?.fees ?? 0).toFixed(2)}</td><td>${(p?.position ?? 0).toPrecision(3)}</td><td>${(p?.pnl ?? 0).toFixed(2)}</td></tr>`;
    })
    .join("");
  const orders = Object.entries(d.orders).map(([k, v]) => `<li>${esc(k)}: ${v}</li>`).join("");
  const notes = d.notes.map((n) => `<li>${esc(n)}</li>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(d.title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px auto;max-width:820px;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}figure{margin:24px 0}figcaption{font-weight:600;margin-bottom:4px}.empty{color:#888}small{font-weight:400;color:#666}</style>
</head><body>
<h1>${esc(d.title)}</h1>
<p>Recording: <code>${esc(d.recording)}</code>. ${((d.endTime - d.startTime) / 60_000).toFixed(1)} min of market (${new Date(d.startTime).toISOString()} → ${new Date(d.endTime).toISOString()}) replayed in ${(d.wallMs / 1000).toFixed(1)} s wall, ${d.events} events.${d.journalPath ? ` Fill journal: <code>${esc(d.journalPath)}</code>.` : ""}</p>
<h2>Summary</h2>
<table><thead><tr><th>asset</th><th>fills</th><th>by source</th><th>volume $</th><th>fees $</th><th>position</th><th>PnL $</th></tr></thead><tbody>${rows}</tbody></table>
<p>Orders:</p><ul>${orders || "<li>none</li>"}</ul>
${notes ? `<p>Notes:</p><ul>${notes}</ul>` : ""}
<h2>PnL</h2>${pnl}
<h2>Inventory</h2>${inventory}
<h2>Markouts</h2>${markoutBySource}${markoutByAsset}
<h2>Gating</h2>${gated}
<h2>Quota</h2>${quota}
</body></html>
`;
}
