// One market view per asset: what the core knows of the market it quotes — the latest mid (and,
// before any mid arrives, the intent's own), the volatility that scales the ladder thresholds, the
// traded venue's latest book (queue-aware keeping) and the latest intent. Pure data with small
// update rules; no streams.
import type { QuoteIntent } from "../streams/intent.js";
import type { BookEvent, MidEvent } from "../streams/market.js";

export interface MarketView {
  /** Latest mid from the mid stream. */
  mid: number | undefined;
  /** The intent's best bid/ask midpoint, kept only until a real mid arrives. */
  intentMid: number | undefined;
  /** EWMA of |log return| per mid update, in bps. */
  volBps: number | undefined;
  book: BookEvent | undefined;
  intent: QuoteIntent | undefined;
}

export class MarketViews {
  readonly #views = new Map<string, MarketView>();
  readonly #alpha: number;
  /** assetsWithIntent's answer, until an asset gets its first intent (null: to be rebuilt). */
  #withIntent: readonly string[] | null = null;

  /** @param volatilitySpan span (in mid updates) of the volatility EWMA. */
  constructor(volatilitySpan: number) {
    this.#alpha = 2 / (volatilitySpan + 1);
  }

  view(asset: string): MarketView {
    let v = this.#views.get(asset);
    if (!v) this.#views.set(asset, (v = { mid: undefined, intentMid: undefined, volBps: undefined, book: undefined, intent: undefined }));
    return v;
  }

  /** The mark: the latest mid, else the intent's, else undefined. */
  mid(asset: string): number | undefined {
    const v = this.#views.get(asset);
    return v ? (v.mid ?? v.intentMid) : undefined;
  }

  /** A mid update: ignored unless positive and finite; moves the volatility EWMA. */
  applyMid(m: MidEvent): void {
    if (!(m.mid > 0) || !Number.isFinite(m.mid)) return;
    const v = this.view(m.asset);
    if (v.mid !== undefined) {
      const r = Math.abs(Math.log(m.mid / v.mid)) * 1e4;
      v.volBps = v.volBps === undefined ? r : v.volBps + this.#alpha * (r - v.volBps);
    }
    v.mid = m.mid;
  }

  applyBook(b: BookEvent): void {
    this.view(b.asset).book = b;
  }

  /** A (valid) intent: kept as the asset's target; its midpoint stands in for the mid until one arrives. */
  applyIntent(intent: QuoteIntent): void {
    const v = this.view(intent.asset);
    if (v.intent === undefined) this.#withIntent = null;
    v.intent = intent;
    if (v.mid === undefined) {
      const b = intent.bids[0];
      const a = intent.asks[0];
      if (b && a) v.intentMid = (b.px + a.px) / 2;
    }
  }

  /** Assets with an intent, in the order their views were made (asked on every tick: kept, not rebuilt). */
  assetsWithIntent(): readonly string[] {
    if (this.#withIntent === null) {
      const out: string[] = [];
      for (const [asset, v] of this.#views) if (v.intent) out.push(asset);
      this.#withIntent = out;
    }
    return this.#withIntent;
  }

  hasIntent(asset: string): boolean {
    return this.#views.get(asset)?.intent !== undefined;
  }
}

/** Size the book shows at exactly `px` on our side (0 when the level is absent). */
export function displayedAt(book: BookEvent, isBuy: boolean, px: number): number {
  const side = isBuy ? book.bids : book.asks;
  let sz = 0;
  for (const l of side) if (Math.abs(l.px - px) <= 1e-9 * px) sz += l.sz;
  return sz;
}
