// Inline SVG charts for the report: round axis ticks (1-2-5 steps), an HTML legend under each
// chart, a labelled zero line, confidence bands, markers. No scripts, no external assets.

export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Round ticks covering [lo, hi]: steps of 1, 2 or 5 × 10^k, about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): { ticks: number[]; lo: number; hi: number; step: number } {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { ticks: [0, 1], lo: 0, hi: 1, step: 1 };
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= d;
    hi += d;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
  const a = Math.floor(lo / step + 1e-9) * step;
  const b = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = a; v <= b + step * 1e-6; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return { ticks, lo: a, hi: b, step };
}

/** A tick label with just the decimals the step needs. */
export function tickLabel(v: number, step: number): string {
  const decimals = Math.max(0, Math.min(8, -Math.floor(Math.log10(step) + 1e-9)));
  const a = Math.abs(v);
  if (a >= 1e6 && step >= 1e5) return `${Number((v / 1e6).toPrecision(6))}M`;
  if (a >= 1e4 && step >= 1e3) return `${Number((v / 1e3).toPrecision(6))}k`;
  return v.toFixed(decimals);
}

export interface LineSeries {
  readonly name: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
  readonly dash?: string;
  readonly width?: number;
  /** Draw a dot at each point. */
  readonly dots?: boolean;
  /** A band (e.g. a 95% CI): [x, low, high]. */
  readonly band?: readonly (readonly [number, number, number])[];
}

export interface Marker {
  readonly x: number;
  readonly y: number;
  readonly shape: "up" | "down";
  readonly color: string;
}

export interface XAxis {
  /** Map a data x to the axis' linear coordinate (identity, or √ for horizons). */
  readonly transform?: (x: number) => number;
  /** Fixed tick positions (data units); default round ticks. */
  readonly ticks?: readonly number[];
  readonly label: (x: number, step: number) => string;
  readonly title: string;
}

export interface ChartOptions {
  readonly title: string;
  readonly unit: string;
  readonly x: XAxis;
  readonly markers?: readonly Marker[];
  /** Extra legend entries (e.g. marker meanings). */
  readonly legendExtra?: readonly { readonly name: string; readonly color: string; readonly symbol?: string }[];
  readonly height?: number;
  /** The x range to show (e.g. the whole session), when wider than the data's. */
  readonly xDomain?: readonly [number, number];
  /** Keep 0 in the y range (PnL, markouts). Default true. */
  readonly includeZero?: boolean;
}

const W = 860;

function legend(entries: readonly { name: string; color: string; symbol?: string; dash?: string }[]): string {
  if (entries.length === 0) return "";
  return `<div class="legend">${entries
    .map((e) => `<span class="key"><i style="color:${e.color}">${e.symbol ?? (e.dash ? "┅" : "━")}</i>${esc(e.name)}</span>`)
    .join("")}</div>`;
}

function empty(title: string, what = "no data"): string {
  return `<figure><figcaption>${esc(title)}</figcaption><p class="empty">${esc(what)}</p></figure>`;
}

/** A line chart as an inline <svg> with round ticks on both axes and a legend under it. */
export function lineChart(o: ChartOptions, series: readonly LineSeries[]): string {
  const H = o.height ?? 260;
  const L = 72;
  const R = 36;
  const T = 14;
  const B = 44;
  const tx = o.x.transform ?? ((x: number) => x);
  const pts = series.flatMap((s) => s.points);
  if (pts.length === 0 && (o.markers ?? []).length === 0) return empty(o.title);
  const xs = [...pts.map((p) => p[0]), ...(o.markers ?? []).map((m) => m.x)];
  const ys = [...pts.map((p) => p[1]), ...series.flatMap((s) => (s.band ?? []).flatMap((b) => [b[1], b[2]])), ...(o.markers ?? []).map((m) => m.y)];
  if (o.includeZero ?? true) ys.push(0);
  const yt = niceTicks(Math.min(...ys), Math.max(...ys), 5);
  let xTicks: number[];
  let x0: number;
  let x1: number;
  let xStep: number;
  if (o.x.ticks) {
    xTicks = [...o.x.ticks];
    x0 = Math.min(...xTicks, ...xs);
    x1 = Math.max(...xTicks.filter((t) => t <= Math.max(...xs)), ...xs);
    xTicks = xTicks.filter((t) => t >= x0 && t <= x1);
    xStep = 1;
  } else {
    // The x domain is the data's (time does not pad to a round end); the ticks inside it are round.
    x0 = Math.min(...xs, ...(o.xDomain ? [o.xDomain[0]] : []));
    x1 = Math.max(...xs, ...(o.xDomain ? [o.xDomain[1]] : []));
    const xt = niceTicks(x0, x1, 6);
    xTicks = xt.ticks.filter((t) => t >= x0 - xt.step * 1e-6 && t <= x1 + xt.step * 1e-6);
    xStep = xt.step;
  }
  const [u0, u1] = [tx(x0), tx(x1) === tx(x0) ? tx(x0) + 1 : tx(x1)];
  const sx = (x: number) => L + ((tx(x) - u0) / (u1 - u0)) * (W - L - R);
  const sy = (y: number) => T + (1 - (y - yt.lo) / (yt.hi - yt.lo)) * (H - T - B);
  const f1 = (v: number) => v.toFixed(1);
  const grid = yt.ticks
    .map((v) => `<line x1="${L}" x2="${W - R}" y1="${f1(sy(v))}" y2="${f1(sy(v))}" stroke="${v === 0 ? "#888" : "#e6e6e6"}"${v === 0 ? ' stroke-width="1.2"' : ""}/><text x="${L - 6}" y="${f1(sy(v) + 4)}" text-anchor="end" class="tick">${esc(tickLabel(v, yt.step))}</text>`)
    .join("");
  const xg = xTicks
    .map((v) => `<line x1="${f1(sx(v))}" x2="${f1(sx(v))}" y1="${T}" y2="${H - B}" stroke="#f0f0f0"/><text x="${f1(sx(v))}" y="${H - B + 16}" text-anchor="middle" class="tick">${esc(o.x.label(v, xStep))}</text>`)
    .join("");
  const bands = series
    .filter((s) => s.band && s.band.length > 1)
    .map((s) => {
      const b = s.band!;
      const up = b.map((p) => `${f1(sx(p[0]))},${f1(sy(p[2]))}`);
      const down = [...b].reverse().map((p) => `${f1(sx(p[0]))},${f1(sy(p[1]))}`);
      return `<polygon points="${[...up, ...down].join(" ")}" fill="${s.color}" fill-opacity="0.13" stroke="none"/>`;
    })
    .join("");
  const lines = series
    .map((s) => {
      const d = s.points.map((p, j) => `${j === 0 ? "M" : "L"}${f1(sx(p[0]))},${f1(sy(p[1]))}`).join("");
      const dots = s.dots ? s.points.map((p) => `<circle cx="${f1(sx(p[0]))}" cy="${f1(sy(p[1]))}" r="2.6" fill="${s.color}"/>`).join("") : "";
      return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1.6}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""} stroke-linejoin="round"/>${dots}`;
    })
    .join("");
  const markers = (o.markers ?? [])
    .map((m) => {
      const x = sx(m.x);
      const y = sy(m.y);
      const p = m.shape === "up" ? `${f1(x)},${f1(y - 4)} ${f1(x - 3.5)},${f1(y + 3)} ${f1(x + 3.5)},${f1(y + 3)}` : `${f1(x)},${f1(y + 4)} ${f1(x - 3.5)},${f1(y - 3)} ${f1(x + 3.5)},${f1(y - 3)}`;
      return `<polygon points="${p}" fill="${m.color}" fill-opacity="0.75"/>`;
    })
    .join("");
  const axes = `<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="#333"/><line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#333"/><text x="${(L + W - R) / 2}" y="${H - 8}" text-anchor="middle" class="axis">${esc(o.x.title)}</text>`;
  const keys = [...series.map((s) => ({ name: s.name, color: s.color, ...(s.dash ? { dash: s.dash } : {}) })), ...(o.legendExtra ?? [])];
  return `<figure><figcaption>${esc(o.title)} <small>(${esc(o.unit)})</small></figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(o.title)}">${xg}${grid}${bands}${lines}${markers}${axes}</svg>${legend(keys)}</figure>`;
}

export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly color: string;
  /** Text after the bar (default the value and unit). */
  readonly text?: string;
}

/** Horizontal bars (one per label), signed values drawn from a zero line, round ticks. */
export function barChart(title: string, bars: readonly Bar[], unit: string, keys: readonly { name: string; color: string }[] = []): string {
  const legendKeys = keys.map((k) => ({ ...k, symbol: "■" }));
  if (bars.length === 0) return empty(title, "none");
  const rowH = 22;
  const L = 250;
  const T = 6;
  const B = 26;
  const H = T + bars.length * rowH + B;
  const t = niceTicks(Math.min(0, ...bars.map((b) => b.value)), Math.max(0, ...bars.map((b) => b.value)), 4);
  const labels = bars.map((b) => b.text ?? `${tickLabel(b.value, t.step / 100)} ${unit}`);
  // room right of the longest positive bar for its text (12 px labels: ≤ 7 px a character)
  const R = Math.max(110, 12 + 7 * Math.max(0, ...labels.filter((_, i) => bars[i]!.value >= 0).map((l) => l.length)));
  const sx = (v: number) => L + ((v - t.lo) / (t.hi - t.lo || 1)) * (W - L - R);
  const f1 = (v: number) => v.toFixed(1);
  const rows = bars
    .map((b, i) => {
      const y = T + i * rowH;
      const a = sx(Math.min(0, b.value));
      const w = Math.abs(sx(b.value) - sx(0));
      const label = labels[i]!;
      const tx = b.value >= 0 ? sx(b.value) + 5 : sx(0) + 5;
      return `<text x="${L - 8}" y="${y + 15}" text-anchor="end" class="label">${esc(b.label)}</text><rect x="${f1(a)}" y="${y + 4}" width="${f1(Math.max(w, 0.5))}" height="14" fill="${b.color}"/><text x="${f1(tx)}" y="${y + 15}" class="label">${esc(label)}</text>`;
    })
    .join("");
  const ticks = t.ticks
    .map((v) => `<line x1="${f1(sx(v))}" x2="${f1(sx(v))}" y1="${T}" y2="${H - B}" stroke="${v === 0 ? "#888" : "#eee"}"/><text x="${f1(sx(v))}" y="${H - B + 15}" text-anchor="middle" class="tick">${esc(tickLabel(v, t.step))}</text>`)
    .join("");
  return `<figure><figcaption>${esc(title)} <small>(${esc(unit)})</small></figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">${ticks}${rows}</svg>${legend(legendKeys)}</figure>`;
}

export interface StackRow {
  readonly label: string;
  readonly parts: readonly { readonly name: string; readonly value: number; readonly color: string }[];
}

/** 100% stacked horizontal bars (one row per label), with a legend of the parts. */
export function stackedBars(title: string, rows: readonly StackRow[], unit: string): string {
  if (rows.length === 0) return empty(title, "none");
  const rowH = 26;
  const L = 120;
  const R = 24;
  const T = 6;
  const B = 26;
  const H = T + rows.length * rowH + B;
  const sx = (pct: number) => L + (pct / 100) * (W - L - R);
  const f1 = (v: number) => v.toFixed(1);
  const names = new Map<string, string>();
  const body = rows
    .map((r, i) => {
      const y = T + i * rowH;
      const total = r.parts.reduce((a, p) => a + p.value, 0) || 1;
      let acc = 0;
      const segs = r.parts
        .map((p) => {
          names.set(p.name, p.color);
          const pct = (p.value / total) * 100;
          const x = sx(acc);
          acc += pct;
          const w = sx(acc) - x;
          const inner = w > 44 ? `<text x="${f1(x + w / 2)}" y="${y + 17}" text-anchor="middle" class="inbar">${pct.toFixed(pct >= 10 ? 0 : 1)}%</text>` : "";
          return `<rect x="${f1(x)}" y="${y + 4}" width="${f1(Math.max(0, w))}" height="18" fill="${p.color}"><title>${esc(`${p.name}: ${pct.toFixed(2)}%`)}</title></rect>${inner}`;
        })
        .join("");
      return `<text x="${L - 8}" y="${y + 17}" text-anchor="end" class="label">${esc(r.label)}</text>${segs}`;
    })
    .join("");
  const ticks = [0, 25, 50, 75, 100].map((v) => `<text x="${f1(sx(v))}" y="${H - B + 15}" text-anchor="middle" class="tick">${v}%</text>`).join("");
  return `<figure><figcaption>${esc(title)} <small>(${esc(unit)})</small></figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">${body}${ticks}</svg>${legend([...names].map(([name, color]) => ({ name, color, symbol: "■" })))}</figure>`;
}
