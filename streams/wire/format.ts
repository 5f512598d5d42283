// Wire formatting of numbers (FACTS §6): Python's float_to_wire, float_to_int_for_hashing, and
// price/size rounding to Hyperliquid's rules — prices: at most 5 significant figures and at
// most (6 perps | 8 spot) − szDecimals decimals, integers always allowed; sizes: szDecimals
// decimals. Rounding is done on exact decimals (BigInt mantissa × 10^exponent) taken from the
// float's 15-significant-digit form, so float noise (0.1 + 0.2) never decides a tick.

/** How to round onto the grid. Passive quoting: a bid rounds `down`, an ask rounds `up`. */
export type HlRounding = "nearest" | "down" | "up" | "truncate";

/** The passive rounding for a side: never cross toward the other side of the book. */
export function passiveRounding(isBuy: boolean): HlRounding {
  return isBuy ? "down" : "up";
}

interface Dec {
  /** value = m × 10^e */
  readonly m: bigint;
  readonly e: number;
}

function parseDec(text: string): Dec {
  const match = /^(-?)(\d*)(?:\.(\d*))?(?:e([-+]?\d+))?$/i.exec(text);
  if (!match) throw new RangeError(`not a decimal: ${text}`);
  const [, sign, int = "", frac = "", exp = "0"] = match;
  let digits = (int + frac).replace(/^0+(?=\d)/, "");
  let e = Number(exp) - frac.length;
  // strip trailing zeros so m is minimal
  let z = 0;
  while (digits.length - z > 1 && digits[digits.length - 1 - z] === "0") z++;
  if (z > 0) {
    digits = digits.slice(0, digits.length - z);
    e += z;
  }
  const m = BigInt(digits === "" ? "0" : digits);
  return { m: sign === "-" ? -m : m, e: m === 0n ? 0 : e };
}

function toDec(x: number): Dec {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  return parseDec(x.toPrecision(15));
}

const POW10: bigint[] = Array.from({ length: 40 }, (_, i) => 10n ** BigInt(i));
const pow10 = (n: number): bigint => POW10[n] ?? 10n ** BigInt(n);

/** Round d onto multiples of 10^t. */
function roundTo(d: Dec, t: number, mode: HlRounding): Dec {
  if (d.e >= t) return d;
  const div = pow10(t - d.e);
  let q = d.m / div;
  const r = d.m % div;
  if (r !== 0n) {
    switch (mode) {
      case "truncate":
        break;
      case "down":
        if (r < 0n) q -= 1n;
        break;
      case "up":
        if (r > 0n) q += 1n;
        break;
      case "nearest": {
        const twice = (r < 0n ? -r : r) * 2n;
        if (twice >= div) q += d.m < 0n ? -1n : 1n;
        break;
      }
    }
  }
  return { m: q, e: q === 0n ? 0 : t };
}

function maxPriceDecimals(szDecimals: number, isSpot: boolean): number {
  return Math.max((isSpot ? 8 : 6) - szDecimals, 0);
}

// The formatters' own path: a float's 15-significant-digit form fits a safe integer mantissa
// (|m| < 10^15 < 2^53), so the rounding runs on doubles and stays exact: m / 10^k truncated is the
// integer quotient while (n + 1) · 10^k < 2^53, and for k > 22 (10^k inexact) |m| < 10^k makes the
// quotient 0 and the remainder m. Property-tested equal to the bigint path (test/wire/formatFast.spec.ts).

interface NumDec {
  /** value = m × 10^e, m a safe integer with at most 15 digits */
  readonly m: number;
  readonly e: number;
}

const DEC_RE = /^(-?)(\d*)(?:\.(\d*))?(?:e([-+]?\d+))?$/i;

function toNumDec(x: number): NumDec {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  const text = x.toPrecision(15);
  const match = DEC_RE.exec(text);
  if (!match) throw new RangeError(`not a decimal: ${text}`);
  const int = match[2] ?? "";
  const frac = match[3] ?? "";
  // trailing zeros off the text first: at most 15 significant digits remain, an exact safe integer
  const digits = int + frac;
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 48) end--;
  const m = end === 0 ? 0 : Number(digits.slice(0, end));
  if (m === 0) return { m: 0, e: 0 };
  const e = Number(match[4] ?? "0") - frac.length + (digits.length - end);
  return { m: match[1] === "-" ? -m : m, e };
}

function roundNumTo(d: NumDec, t: number, mode: HlRounding): NumDec {
  if (d.e >= t) return d;
  const k = t - d.e;
  // beyond 10^22 the power is inexact (or Infinity), but |m| < 10^15 < 10^k: quotient 0, remainder m
  const div = k > 22 ? Infinity : 10 ** k;
  let q = k > 22 ? 0 : Math.trunc(d.m / div);
  const r = k > 22 ? d.m : d.m - q * div;
  if (r !== 0) {
    switch (mode) {
      case "truncate":
        break;
      case "down":
        if (r < 0) q -= 1;
        break;
      case "up":
        if (r > 0) q += 1;
        break;
      case "nearest":
        if (Math.abs(r) * 2 >= div) q += d.m < 0 ? -1 : 1;
        break;
    }
  }
  return q === 0 ? { m: 0, e: 0 } : { m: q, e: t };
}

function numPriceTickExp(d: NumDec, szDecimals: number, isSpot: boolean): number {
  const magnitude = Math.abs(d.m).toString().length - 1 + d.e;
  return Math.min(Math.max(magnitude - 4, -maxPriceDecimals(szDecimals, isSpot)), 0);
}

function numDecToString(d: NumDec): string {
  if (d.m === 0) return "0";
  const digits = Math.abs(d.m).toString();
  let out: string;
  if (d.e >= 0) out = digits + "0".repeat(d.e);
  else {
    const k = -d.e;
    out = digits.length > k ? digits.slice(0, digits.length - k) + "." + digits.slice(digits.length - k) : "0." + "0".repeat(k - digits.length) + digits;
    out = out.replace(/\.?0+$/, "");
  }
  return d.m < 0 ? "-" + out : out;
}

/**
 * A price on Hyperliquid's grid as its wire string. `mode` defaults to `nearest`; quote with
 * `passiveRounding(isBuy)` so a bid never rounds up into the ask. Throws RangeError if the
 * result would be 0 or the input is not finite.
 */
export function formatPrice(px: number, szDecimals: number, isSpot = false, mode: HlRounding = "nearest"): string {
  const d = toNumDec(px);
  if (d.m === 0) throw new RangeError(`price ${px} rounds to 0`);
  let r = roundNumTo(d, numPriceTickExp(d, szDecimals, isSpot), mode);
  // Rounding up can carry into the next decade, whose grid is coarser: round once more there.
  if (r.m !== 0) r = roundNumTo(r, numPriceTickExp(r, szDecimals, isSpot), mode);
  if (r.m === 0) throw new RangeError(`price ${px} rounds to 0 with szDecimals ${szDecimals}`);
  return numDecToString(r);
}

/** A size rounded to `szDecimals` decimals (default `down`: never more than asked). Throws if it rounds to 0. */
export function formatSize(sz: number, szDecimals: number, mode: HlRounding = "down"): string {
  const r = roundNumTo(toNumDec(sz), -szDecimals, mode);
  if (r.m === 0) throw new RangeError(`size ${sz} rounds to 0 with szDecimals ${szDecimals}`);
  return numDecToString(r);
}

/** True when `px` (a wire string) is on the price grid for `szDecimals` (what the venue's Tick check accepts). */
export function isValidHlPrice(px: string, szDecimals: number, isSpot = false): boolean {
  let d: Dec;
  try {
    d = parseDec(px);
  } catch {
    return false;
  }
  if (d.m <= 0n) return false;
  if (d.e >= 0) return true; // integers always allowed
  if (-d.e > maxPriceDecimals(szDecimals, isSpot)) return false;
  const sig = (d.m < 0n ? -d.m : d.m).toString().length;
  return sig <= 5;
}

/** True when `sz` (a wire string) has at most `szDecimals` decimals and is positive. */
export function isValidHlSize(sz: string, szDecimals: number): boolean {
  let d: Dec;
  try {
    d = parseDec(sz);
  } catch {
    return false;
  }
  return d.m > 0n && (d.e >= 0 || -d.e <= szDecimals);
}

/**
 * Python SDK `float_to_wire`: 8 decimals, error if that rounds, trailing zeros stripped, no
 * exponent. `-0` gives "0" (the Python guard never fires; FACTS §6 quirk).
 */
export function floatToWire(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`floatToWire: not a finite number: ${x}`);
  if (Math.abs(x) >= 1e21) return BigInt(x).toString();
  const rounded = x.toFixed(8);
  if (Math.abs(Number(rounded) - x) >= 1e-12) throw new RangeError(`floatToWire causes rounding: ${x}`);
  let s = rounded.replace(/\.?0+$/, "");
  if (s === "-0" || s === "") s = "0";
  return s;
}

function floatToInt(x: number, power: number): bigint {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  const withDecimals = x * 10 ** power;
  if (Math.abs(Math.round(withDecimals) - withDecimals) >= 1e-3) throw new RangeError(`float_to_int causes rounding: ${x}`);
  const d = toDec(x);
  const e = d.e + power;
  return e >= 0 ? d.m * pow10(e) : roundTo({ m: d.m, e }, 0, "nearest").m;
}

/** Python SDK `float_to_int_for_hashing` (8 decimals), exact as a bigint. */
export function floatToIntForHashing(x: number): bigint {
  return floatToInt(x, 8);
}

/** Python SDK `float_to_usd_int` (6 decimals), exact as a bigint. */
export function floatToUsdInt(x: number): bigint {
  return floatToInt(x, 6);
}
