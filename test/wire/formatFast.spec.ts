// The formatters' double-precision path (streams/wire/format.ts) against the bigint path it
// replaced, kept here verbatim as the oracle: same string, or the same RangeError, for every price
// and size — ticks, decade carries, tiny and huge values, negatives, every rounding mode.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { formatPrice, formatSize, type HlRounding } from "../../streams/wire/format.js";


function outcome(f: () => string): string {
  try {
    return f();
  } catch (e) {
    return `throws ${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

const MODES: HlRounding[] = ["nearest", "down", "up", "truncate"];
const mode = fc.constantFrom(...MODES);
const value = fc.oneof(
  fc.double({ min: 1e-9, max: 1e9, noNaN: true }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: 1, max: 10_000_000 }).map((n) => n / 100),
  // on and next to the 5-significant-figure grid and decade boundaries
  fc.tuple(fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: -12, max: 8 }), fc.constantFrom(0, 1e-12, -1e-12, 0.5)).map(([m, e, eps]) => (m + eps) * 10 ** e),
  fc.constantFrom(0.1 + 0.2, 9.99995, 99999.5, 99999.49999, 1e15, 1.23456789012345e20, 9.99999999999999e20, 1e21, 5e-324, -0, 0, 2 ** 53, 123456.789),
);
const signed = fc.tuple(value, fc.boolean()).map(([v, neg]) => (neg ? -v : v));

describe("formatPrice / formatSize on doubles ≡ the bigint path", () => {
  it("formatPrice: the same string or the same error", () => {
    fc.assert(
      fc.property(signed, fc.integer({ min: 0, max: 10 }), fc.boolean(), mode, (px, szDecimals, isSpot, m) => {
        expect(outcome(() => formatPrice(px, szDecimals, isSpot, m))).toBe(outcome(() => oldFormatPrice(px, szDecimals, isSpot, m)));
      }),
      { numRuns: 20_000 },
    );
  });

  it("formatSize: the same string or the same error", () => {
    fc.assert(
      fc.property(signed, fc.integer({ min: 0, max: 10 }), mode, (sz, szDecimals, m) => {
        expect(outcome(() => formatSize(sz, szDecimals, m))).toBe(outcome(() => oldFormatSize(sz, szDecimals, m)));
      }),
      { numRuns: 20_000 },
    );
  });

  it("non-finite input throws the same RangeError", () => {
    for (const x of [NaN, Infinity, -Infinity]) {
      expect(outcome(() => formatPrice(x, 2))).toBe(outcome(() => oldFormatPrice(x, 2)));
      expect(outcome(() => formatSize(x, 2))).toBe(outcome(() => oldFormatSize(x, 2)));
    }
  });
});

// ---- the bigint path as it was (streams/wire/format.ts before the double-precision path) ----

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

function decToString(d: Dec): string {
  if (d.m === 0n) return "0";
  const neg = d.m < 0n;
  const digits = (neg ? -d.m : d.m).toString();
  let out: string;
  if (d.e >= 0) out = digits + "0".repeat(d.e);
  else {
    const k = -d.e;
    out = digits.length > k ? digits.slice(0, digits.length - k) + "." + digits.slice(digits.length - k) : "0." + "0".repeat(k - digits.length) + digits;
    out = out.replace(/\.?0+$/, "");
  }
  return neg ? "-" + out : out;
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

/** floor(log10(|d|)) for d ≠ 0. */
function magnitude(d: Dec): number {
  const digits = (d.m < 0n ? -d.m : d.m).toString().length;
  return digits - 1 + d.e;
}

function maxPriceDecimals(szDecimals: number, isSpot: boolean): number {
  return Math.max((isSpot ? 8 : 6) - szDecimals, 0);
}

/** Exponent of the price grid around `d`: 5 significant figures, capped decimals, integers always allowed. */
function priceTickExp(d: Dec, szDecimals: number, isSpot: boolean): number {
  const t = Math.max(magnitude(d) - 4, -maxPriceDecimals(szDecimals, isSpot));
  return Math.min(t, 0);
}

/**
 * (old) A price on Hyperliquid's grid as its wire string. `mode` defaults to `nearest`; quote with
 * `passiveRounding(isBuy)` so a bid never rounds up into the ask. Throws RangeError if the
 * result would be 0 or the input is not finite.
 */
function oldFormatPrice(px: number, szDecimals: number, isSpot = false, mode: HlRounding = "nearest"): string {
  const d = toDec(px);
  if (d.m === 0n) throw new RangeError(`price ${px} rounds to 0`);
  let r = roundTo(d, priceTickExp(d, szDecimals, isSpot), mode);
  // Rounding up can carry into the next decade, whose grid is coarser: round once more there.
  if (r.m !== 0n) r = roundTo(r, priceTickExp(r, szDecimals, isSpot), mode);
  if (r.m === 0n) throw new RangeError(`price ${px} rounds to 0 with szDecimals ${szDecimals}`);
  return decToString(r);
}

/** A size rounded to `szDecimals` decimals (default `down`: never more than asked). Throws if it rounds to 0. */
function oldFormatSize(sz: number, szDecimals: number, mode: HlRounding = "down"): string {
  const d = toDec(sz);
  const r = roundTo(d, -szDecimals, mode);
  if (r.m === 0n) throw new RangeError(`size ${sz} rounds to 0 with szDecimals ${szDecimals}`);
  return decToString(r);
}

