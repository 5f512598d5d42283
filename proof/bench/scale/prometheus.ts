// Just enough of the Prometheus text format to read a scrape of the client's /metrics: the sum of
// a metric's series, its series by one label, and a quantile of a histogram between two scrapes.

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

function samples(text: string, name: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || !line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    const value = m[4] === "+Inf" ? Infinity : Number(m[4]);
    if (Number.isFinite(value)) out.push({ name, labels, value });
  }
  return out;
}

/** Sum of every series of `name`. */
export function metricSum(text: string, name: string): number {
  return samples(text, name).reduce((s, x) => s + x.value, 0);
}

/** Series of `name` summed by the value of `label`. */
export function metricByLabel(text: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples(text, name)) {
    const k = s.labels[label] ?? "";
    out[k] = (out[k] ?? 0) + s.value;
  }
  return out;
}

/**
 * The `q` quantile of histogram `name` (all series summed) over what was observed between two
 * scrapes, as the upper bound of the bucket it falls in (Infinity past the last finite bucket;
 * NaN when nothing was observed).
 */
export function histogramQuantile(before: string, after: string, name: string, q: number): number {
  const buckets = (text: string) => {
    const by = new Map<number, number>();
    for (const s of samples(text, `${name}_bucket`)) {
      const le = s.labels["le"] === "+Inf" ? Infinity : Number(s.labels["le"]);
      by.set(le, (by.get(le) ?? 0) + s.value);
    }
    return by;
  };
  const b0 = buckets(before);
  const b1 = buckets(after);
  const les = [...b1.keys()].sort((a, b) => a - b);
  const count = (le: number) => (b1.get(le) ?? 0) - (b0.get(le) ?? 0);
  const total = metricSum(after, `${name}_count`) - metricSum(before, `${name}_count`);
  if (total <= 0) return NaN;
  for (const le of les) if (count(le) >= q * total) return le;
  return Infinity;
}
