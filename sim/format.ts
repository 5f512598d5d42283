// Number ↔ wire-string helpers the venue needs for its own answers (tick checks, error texts).

/** Decimal string without exponent or trailing zeros: 100 → "100", 0.0147 → "0.0147". */
export function simWireNumber(x: number, maxDecimals = 8): string {
  let s = x.toFixed(maxDecimals);
  if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  return s === "-0" ? "0" : s;
}

/** Book-style price text as Hyperliquid prints levels: always with a fractional part ("42727.0"). */
export function simBookPx(x: number, maxDecimals = 8): string {
  const s = simWireNumber(x, maxDecimals);
  return s.includes(".") ? s : `${s}.0`;
}

function decimalsOf(x: number): number {
  const s = simWireNumber(x, 12);
  const dot = s.indexOf(".");
  return dot < 0 ? 0 : s.length - dot - 1;
}

function sigFigs(x: number): number {
  const digits = simWireNumber(Math.abs(x), 12).replace(".", "").replace(/^0+/, "");
  return digits.replace(/0+$/, "").length;
}

/**
 * DOC-TICK: up to 5 significant figures and at most (6 − szDecimals) decimals for perps
 * (8 for spot); integer prices are always valid.
 */
export function simValidPrice(px: number, szDecimals: number, isSpot = false): boolean {
  if (!(px > 0) || !Number.isFinite(px)) return false;
  if (Number.isInteger(px)) return true;
  const maxDecimals = Math.max((isSpot ? 8 : 6) - szDecimals, 0);
  return decimalsOf(px) <= maxDecimals && sigFigs(px) <= 5;
}

/** Sizes are rounded to szDecimals (DOC-TICK). */
export function simValidSize(sz: number, szDecimals: number): boolean {
  return sz > 0 && Number.isFinite(sz) && decimalsOf(sz) <= szDecimals;
}

// 10 ** d for the decimals a price can have (0…8): exact doubles, looked up instead of a Math.pow
// per price (the synthetic market rounds every level of every book)
const POW10: readonly number[] = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];

/** Round a price to a valid tick (5 significant figures, decimals capped), half away from zero. */
export function simRoundPrice(px: number, szDecimals: number, isSpot = false): number {
  if (!(px > 0)) return px;
  const maxDecimals = Math.max((isSpot ? 8 : 6) - szDecimals, 0);
  const magnitude = Math.floor(Math.log10(px));
  const sigDecimals = Math.max(4 - magnitude, 0);
  const d = Math.min(maxDecimals, sigDecimals);
  const f = POW10[d] ?? 10 ** d;
  return Math.round(px * f) / f;
}

/**
 * `simRoundPrice` for one szDecimals, remembering the power-of-ten band of the last price: inside
 * it (kept 1e-12 clear of both ends, far beyond Math.log10's error) the decimals are the band's,
 * with no log10 per price. The synthetic market rounds every level of every book with one.
 */
export class SimPriceRounder {
  #lo = Number.POSITIVE_INFINITY;
  #hi = Number.NEGATIVE_INFINITY;
  #f = 1;

  constructor(
    readonly szDecimals: number,
    readonly isSpot = false,
  ) {}

  round(px: number): number {
    if (px > this.#lo && px < this.#hi) return Math.round(px * this.#f) / this.#f;
    if (!(px > 0) || !Number.isFinite(px)) return simRoundPrice(px, this.szDecimals, this.isSpot);
    const magnitude = Math.floor(Math.log10(px));
    const d = Math.min(Math.max((this.isSpot ? 8 : 6) - this.szDecimals, 0), Math.max(4 - magnitude, 0));
    this.#f = POW10[d] ?? 10 ** d;
    this.#lo = 10 ** magnitude * (1 + 1e-12);
    this.#hi = 10 ** (magnitude + 1) * (1 - 1e-12);
    return Math.round(px * this.#f) / this.#f;
  }
}

/** The tick at a price under the 5-significant-figure rule. */
export function simTickAt(px: number, szDecimals: number, isSpot = false): number {
  const maxDecimals = Math.max((isSpot ? 8 : 6) - szDecimals, 0);
  const magnitude = Math.floor(Math.log10(Math.max(px, 1e-12)));
  const d = Math.min(maxDecimals, Math.max(4 - magnitude, 0));
  return 10 ** -d;
}

export function simRoundSize(sz: number, szDecimals: number): number {
  const f = 10 ** szDecimals;
  return Math.round(sz * f) / f;
}
