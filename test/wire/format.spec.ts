// Price/size formatting (FACTS §6): NK reference vectors, Python float_to_wire behaviour, and
// properties — idempotent, never more precision than allowed, passive side never crosses.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { floatToWire, formatPrice, formatSize, isValidHlPrice, isValidHlSize, passiveRounding, type HlRounding } from "../../streams/index.js";

describe("floatToWire (Python float_to_wire)", () => {
  const cases: Array<[number, string]> = [
    [1670.1, "1670.1"], [0.0147, "0.0147"], [100, "100"], [100.0, "100"], [103, "103"], [1891.4, "1891.4"], [0.02, "0.02"],
    [1e-8, "0.00000001"], [123456.0, "123456"], [0.1 + 0.2, "0.3"], [29792.0, "29792"], [0.0, "0"], [1.5e-5, "0.000015"],
    [1e21, "1000000000000000000000"], [-0.0, "0"], [-12.5, "-12.5"],
  ];
  for (const [x, s] of cases) it(`${x} → ${s}`, () => expect(floatToWire(x)).toBe(s));
  it("throws when 8 decimals would round", () => {
    expect(() => floatToWire(1e-9)).toThrow(/rounding/);
    expect(() => floatToWire(Number.NaN)).toThrow(RangeError);
  });
});

describe("formatPrice / formatSize — NK reference vectors (truncation)", () => {
  const px: Array<[number, number, boolean, string]> = [
    [1234567, 0, false, "1234567"], [12345.6, 0, false, "12345"], [0.00123456, 0, false, "0.001234"], [0.1234567, 0, false, "0.12345"],
    [123.456, 5, false, "123.4"], [0.000123456, 0, true, "0.00012345"], [0.0001234, 3, true, "0.00012"], [1.1, 0, false, "1.1"],
    [0.123, 0, false, "0.123"], [-123.456, 0, false, "-123.45"],
  ];
  for (const [x, szd, spot, s] of px) it(`formatPrice(${x}, ${szd}${spot ? ", spot" : ""}) = ${s}`, () => expect(formatPrice(x, szd, spot, "truncate")).toBe(s));
  const sz: Array<[number, number, string]> = [[123.456789, 2, "123.45"], [1.0, 4, "1"], [0.123, 3, "0.123"], [-10.5, 1, "-10.5"]];
  for (const [x, szd, s] of sz) it(`formatSize(${x}, ${szd}) = ${s}`, () => expect(formatSize(x, szd, "truncate")).toBe(s));
  it("throws when the result would be 0", () => {
    expect(() => formatPrice(0.0000001, 0, false, "truncate")).toThrow(RangeError);
    expect(() => formatSize(0.0000001, 0, "truncate")).toThrow(RangeError);
  });
  it("reference minima are valid", () => {
    for (const [szd, p, s] of [[0, "0.0001", "1"], [1, "0.00001", "0.1"], [2, "0.01", "0.01"], [5, "1", "0.00001"]] as const) {
      expect(isValidHlPrice(p, szd)).toBe(true);
      expect(isValidHlSize(s, szd)).toBe(true);
    }
  });
});

describe("passive rounding", () => {
  it("rounds a bid down and an ask up onto the BTC grid", () => {
    expect(formatPrice(100123.7, 5, false, passiveRounding(true))).toBe("100123");
    expect(formatPrice(100123.2, 5, false, passiveRounding(false))).toBe("100124");
    expect(formatPrice(12345.67, 5, false, "down")).toBe("12345");
    expect(formatPrice(12345.67, 5, false, "up")).toBe("12346");
    expect(formatPrice(9.99996, 4, false, "up")).toBe("10");
  });
  it("does not let float noise decide the tick", () => {
    expect(formatPrice(0.1 + 0.2, 0, false, "up")).toBe("0.3");
    expect(formatSize(0.1 + 0.2, 2, "down")).toBe("0.3");
  });
});

describe("properties", () => {
  const modes: HlRounding[] = ["nearest", "down", "up", "truncate"];
  const price = fc.oneof(
    fc.double({ min: 1e-6, max: 1e7, noNaN: true }),
    fc.integer({ min: 1, max: 10_000_000 }).map((n) => n / 100),
    fc.integer({ min: 1, max: 99_999 }).chain((m) => fc.integer({ min: -8, max: 3 }).map((e) => m * 10 ** e)),
  );
  const arb = fc.record({ px: price, szDecimals: fc.integer({ min: 0, max: 5 }), isSpot: fc.boolean(), mode: fc.constantFrom(...modes) });
  const tryFormat = (f: () => string): string | undefined => {
    try {
      return f();
    } catch (e) {
      expect(e).toBeInstanceOf(RangeError); // only "rounds to 0"
      return undefined;
    }
  };

  it("is idempotent and never more precise than allowed", () => {
    fc.assert(
      fc.property(arb, ({ px, szDecimals, isSpot, mode }) => {
        const s = tryFormat(() => formatPrice(px, szDecimals, isSpot, mode));
        if (s === undefined) return;
        expect(isValidHlPrice(s, szDecimals, isSpot)).toBe(true);
        expect(formatPrice(Number(s), szDecimals, isSpot, mode)).toBe(s);
        for (const m of modes) expect(formatPrice(Number(s), szDecimals, isSpot, m)).toBe(s);
      }),
      { numRuns: 3000 },
    );
  });

  it("a bid never rounds up and an ask never rounds down (beyond float noise)", () => {
    fc.assert(
      fc.property(arb, fc.boolean(), ({ px, szDecimals, isSpot }, isBuy) => {
        const s = tryFormat(() => formatPrice(px, szDecimals, isSpot, passiveRounding(isBuy)));
        if (s === undefined) return;
        const tol = Math.abs(px) * 1e-14;
        if (isBuy) expect(Number(s)).toBeLessThanOrEqual(px + tol);
        else expect(Number(s)).toBeGreaterThanOrEqual(px - tol);
      }),
      { numRuns: 3000 },
    );
  });

  it("nearest stays within half a tick, and the passive price is the closest valid one on its side", () => {
    fc.assert(
      fc.property(arb, ({ px, szDecimals, isSpot }) => {
        const down = tryFormat(() => formatPrice(px, szDecimals, isSpot, "down"));
        const up = tryFormat(() => formatPrice(px, szDecimals, isSpot, "up"));
        const near = tryFormat(() => formatPrice(px, szDecimals, isSpot, "nearest"));
        if (down === undefined || up === undefined || near === undefined) return;
        expect([down, up]).toContain(near);
        expect(Number(down)).toBeLessThanOrEqual(Number(up));
      }),
      { numRuns: 2000 },
    );
  });

  it("sizes: idempotent, at most szDecimals decimals, down never exceeds the request", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 8 }), (sz, szd) => {
        const s = tryFormat(() => formatSize(sz, szd, "down"));
        if (s === undefined) return;
        expect(isValidHlSize(s, szd)).toBe(true);
        expect(formatSize(Number(s), szd, "down")).toBe(s);
        expect(Number(s)).toBeLessThanOrEqual(sz + sz * 1e-14);
      }),
      { numRuns: 3000 },
    );
  });
});
