// l2Book aggregation by significant figures (DOC-INFO: `nSigFigs` 2–5 or null = full precision;
// `mantissa` 1, 2 or 5, only with nSigFigs 5). Bids bucket down, asks up, so an aggregated level
// never claims a better price than the orders inside it; sizes and order counts add up.
import type { BookEvent, BookLevel } from "../streams/market.js";

export type SimAggregation = { readonly nSigFigs?: number | null; readonly mantissa?: number | null };

/** The refusal detail for an aggregation the venue does not offer, or undefined when valid. */
export function simAggregationProblem(a: SimAggregation): string | undefined {
  const n = a.nSigFigs ?? null;
  const m = a.mantissa ?? null;
  if (n !== null && ![2, 3, 4, 5].includes(n)) return `invalid value: integer \`${n}\`, expected nSigFigs in 2..=5 or null`;
  if (m !== null && (n !== 5 || ![1, 2, 5].includes(m))) return `invalid value: integer \`${m}\`, expected mantissa 1, 2 or 5 with nSigFigs 5`;
  return undefined;
}

function decimalsOf(step: number): number {
  return step >= 1 ? 0 : Math.min(12, Math.ceil(-Math.log10(step) - 1e-9));
}

function bucket(levels: readonly BookLevel[], nSigFigs: number, mantissa: number, down: boolean, maxLevels: number): BookLevel[] {
  const out: BookLevel[] = [];
  for (const l of levels) {
    if (!(l.px > 0)) continue;
    const exp = Math.floor(Math.log10(l.px));
    const step = Math.pow(10, exp - nSigFigs + 1) * mantissa;
    const k = down ? Math.floor(l.px / step + 1e-9) : Math.ceil(l.px / step - 1e-9);
    const px = Number((k * step).toFixed(decimalsOf(step)));
    const last = out[out.length - 1];
    if (last && last.px === px) out[out.length - 1] = { px, sz: Math.round((last.sz + l.sz) * 1e10) / 1e10, n: last.n + l.n };
    else {
      if (out.length >= maxLevels) break;
      out.push({ px, sz: l.sz, n: l.n });
    }
  }
  return out;
}

/** The book as the venue publishes it for this aggregation, at most `maxLevels` (20) per side. */
export function simAggregateBook(b: BookEvent, a: SimAggregation, maxLevels = 20): BookEvent {
  const n = a.nSigFigs ?? null;
  if (n === null) return b.bids.length <= maxLevels && b.asks.length <= maxLevels ? b : { ...b, bids: b.bids.slice(0, maxLevels), asks: b.asks.slice(0, maxLevels) };
  const m = a.mantissa ?? 1;
  return { ...b, bids: bucket(b.bids, n, m, true, maxLevels), asks: bucket(b.asks, n, m, false, maxLevels) };
}
