// One row of the `npm run bench` table: a figure beside its baseline measured in the same run.
export interface BenchFigure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

export interface BenchRow extends BenchFigure {
  readonly baseline?: BenchFigure;
  /** value / baseline.value (or the inverse, as `ratioLabel` says). */
  readonly ratio?: number;
  readonly ratioLabel?: string;
  readonly goal?: string;
  readonly met?: boolean;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** Render rows as a Markdown table (readable on a terminal and pasteable into the README). */
export function renderTable(rows: readonly BenchRow[]): string {
  const header = "| figure | value | baseline (same run) | ratio | goal | met |";
  const sep = "|---|---:|---|---:|---|---|";
  const lines = rows.map((r) => {
    const base = r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)} ${r.baseline.unit}` : "—";
    const ratio = r.ratio === undefined ? "—" : `${fmt(r.ratio)}${r.ratioLabel ? ` (${r.ratioLabel})` : ""}`;
    const met = r.met === undefined ? "—" : r.met ? "yes" : "no";
    return `| ${r.name} | ${fmt(r.value)} ${r.unit} | ${base} | ${ratio} | ${r.goal ?? "—"} | ${met} |`;
  });
  return [header, sep, ...lines].join("\n");
}
