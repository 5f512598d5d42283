// The tearsheet's arithmetic: the PnL decomposition sums to the total and the total is the
// execution sink's own average-cost PnL (property-tested over random fill sequences); markout
// curves carry n, a 95% CI and a volume-weighted mean; markouts group by any signal key.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { headerLine, type JournalFillLine, type JournalLine, type JournalMarkoutLine } from "../../analytics/journal.js";
import { parseJournal } from "../../analytics/load.js";
import { tearsheet } from "../../analytics/tearsheet.js";
import { PnlBook } from "../../sinks/position.js";

const header = headerLine({ run: { mode: "test" }, venue: "paper", config: {}, startTime: 0, assets: [{ asset: "X", szDecimals: 2, maxPositionUsd: 1_000 }], markoutHorizonsMs: [0, 1_000, 10_000] });

function fillAt(i: number, f: { buy: boolean; size: number; price: number; mid: number; fee: number }, signals: Record<string, unknown> = {}): JournalFillLine {
  return {
    type: "fill", tid: i, asset: "X", time: 1_000 * (i + 1), side: f.buy ? "buy" : "sell", price: f.price, size: f.size, fee: f.fee, oid: i, cloid: null, flag: "matched",
    midAtFill: f.mid, quotedHalfSpreadBps: 2,
    signals: { bookImbalance: null, tradeFlowImbalance: null, spreadBps: null, volatilityBps: null, closedGates: [], queueAheadEstimate: null, source: "base_ladder", midAtPlacement: f.mid, ...signals },
  } as JournalFillLine;
}

function markoutAt(f: JournalFillLine, mids: readonly (number | null)[]): JournalMarkoutLine {
  const s = f.side === "buy" ? 1 : -1;
  return {
    type: "markout", tid: f.tid, asset: f.asset, source: "base_ladder", complete: mids.every((m) => m !== null), time: f.time, side: f.side, price: f.price, size: f.size,
    horizons: [0, 1_000, 10_000].map((h, k) => {
      const mid = mids[k] ?? null;
      return { horizonMs: h, mid, markoutBps: mid === null ? null : (s * (mid - f.price)) / f.price * 1e4, adverseBps: null, complete: mid !== null };
    }),
  };
}

const text = (lines: readonly JournalLine[]) => lines.map((l) => JSON.stringify(l)).join("\n");

const arbFill = fc.record({
  buy: fc.boolean(),
  size: fc.integer({ min: 1, max: 500 }).map((n) => n / 100),
  price: fc.integer({ min: 9_000, max: 11_000 }).map((n) => n / 100),
  edge: fc.integer({ min: -20, max: 20 }).map((n) => n / 100),
  fee: fc.integer({ min: -50, max: 500 }).map((n) => n / 1e4),
  m10: fc.option(fc.integer({ min: -300, max: 300 }).map((n) => n / 100), { nil: null }),
});

describe("PnL decomposition", () => {
  it("spread capture + adverse selection + inventory + fees + funding = total = the sink's own average-cost PnL", () => {
    fc.assert(
      fc.property(fc.array(arbFill, { minLength: 1, maxLength: 40 }), fc.integer({ min: 9_000, max: 11_000 }), fc.integer({ min: -100, max: 100 }), (fills, markCents, fundingCents) => {
        const mark = markCents / 100;
        const book = new PnlBook();
        const lines: JournalLine[] = [header];
        fills.forEach((f, i) => {
          const mid = f.price + (f.buy ? f.edge : -f.edge);
          const l = fillAt(i, { ...f, mid });
          lines.push(l, markoutAt(l, [mid, mid, f.m10 === null ? null : mid + f.m10]));
          book.applyFill({ tid: i, oid: i, cloid: null, asset: "X", isBuy: f.buy, size: f.size, price: f.price, time: l.time, fee: f.fee, crossed: false });
        });
        lines.push({ type: "funding", asset: "X", time: 99_000, usdc: fundingCents / 100, szi: 0, fundingRate: 0.0001 });
        lines.push({ type: "summary", time: 100_000, assets: { X: { mid: mark, position: 0, pnl: 0, realized: 0, fees: 0, volumeUsd: 0, fills: fills.length } }, quota: {}, orders: {}, quoting: {} });
        const ts = tearsheet(parseJournal(text(lines), "t.jsonl"));
        const d = ts.perAsset["X"]!.pnl;
        const terms = d.spreadCaptureUsd + d.adverseSelectionUsd + d.inventoryUsd + d.feesUsd + d.fundingUsd;
        expect(Math.abs(terms - d.totalUsd)).toBeLessThan(1e-5);
        expect(Math.abs(ts.totals.decompositionResidualUsd)).toBeLessThan(1e-5);
        expect(d.totalUsd).toBeCloseTo(book.total("X", mark) + fundingCents / 100, 5);
        expect(d.feesUsd).toBeCloseTo(-fills.reduce((a, f) => a + f.fee, 0), 6);
        expect(ts.adverseHorizonMs).toBe(10_000);
      }),
      { numRuns: 200 },
    );
  });

  it("states the inputs it lacks instead of inventing them", () => {
    const ts = tearsheet(parseJournal(text([fillAt(0, { buy: true, size: 1, price: 100, mid: 100.1, fee: 0.01 })]), "old.jsonl"));
    expect(ts.notes.join("\n")).toMatch(/no header line/);
    expect(ts.notes.join("\n")).toMatch(/no summary line/);
    expect(ts.notes.join("\n")).toMatch(/no funding lines/);
    expect(ts.run.mode).toBeNull();
    // The mark falls back to the last fill's mid: +0.1 spread capture, −0.01 fee.
    expect(ts.totals.pnl.totalUsd).toBeCloseTo(0.09, 9);
    expect(ts.totals.pnl.spreadCaptureUsd).toBeCloseTo(0.1, 9);
  });
});

describe("exchange state at fill", () => {
  it("summarises the ctx of the fill lines that carry one, and says so when none does", () => {
    const a = { ...fillAt(0, { buy: true, size: 1, price: 100, mid: 100, fee: 0 }), ctx: { openInterest: 10, fundingRate: 0.0001, markPx: 100.01, oraclePx: 99.99 } };
    const b = { ...fillAt(1, { buy: false, size: 1, price: 100, mid: 100, fee: 0 }), ctx: { openInterest: 30, fundingRate: 0.0003, markPx: 100.03 } };
    const c = fillAt(2, { buy: true, size: 1, price: 100, mid: 100, fee: 0 });
    const ts = tearsheet(parseJournal(text([header, a, b, c]), "t.jsonl"));
    const v = ts.perAsset["X"]!.venueState!;
    expect(v.n).toBe(2);
    expect(v.fundingRateMean).toBeCloseTo(0.0002, 9);
    expect(v.openInterestMedian).toBe(20);
    expect(v.markVsMidBps).toBeCloseTo(2, 6);
    expect(v.oracleVsMidBps).toBeCloseTo(-1, 6);
    expect(ts.notes.join("\n")).not.toMatch(/no exchange state/);
    expect(tearsheet(parseJournal(text([header, c]), "t.jsonl")).notes.join("\n")).toMatch(/no exchange state at fill/);
  });
});

describe("markout curves", () => {
  const fills = [
    fillAt(0, { buy: true, size: 1, price: 100, mid: 100, fee: 0 }, { regime: "calm", alpha: 0.1 }),
    fillAt(1, { buy: true, size: 3, price: 100, mid: 100, fee: 0 }, { regime: "calm", alpha: 0.5 }),
    fillAt(2, { buy: false, size: 1, price: 100, mid: 100, fee: 0 }, { regime: "wild", alpha: 0.9 }),
  ];
  const moves = [[100, 100.01, 100.02], [100, 100.03, null], [100, 100.02, 99.99]] as const;
  const lines: JournalLine[] = [header, ...fills.flatMap((f, i) => [f, markoutAt(f, moves[i]!)])];
  const ts = tearsheet(parseJournal(text(lines), "t.jsonl"));

  it("gives n, the mean, a 95% CI and the volume-weighted mean per horizon, leaving incomplete horizons out", () => {
    const at1s = ts.markouts.curves.all.find((p) => p.horizonMs === 1_000)!;
    const v = [1, 3, -2]; // bps: +0.01, +0.03, −0.02 on 100
    const m = v.reduce((a, b) => a + b, 0) / 3;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / 2);
    expect(at1s.n).toBe(3);
    expect(at1s.meanBps).toBeCloseTo(m, 5);
    expect(at1s.ciLowBps!).toBeCloseTo(m - (1.96 * sd) / Math.sqrt(3), 5);
    expect(at1s.ciHighBps!).toBeCloseTo(m + (1.96 * sd) / Math.sqrt(3), 5);
    expect(at1s.volumeWeightedBps).toBeCloseTo((1 * 1 + 3 * 3 + -2 * 1) / 5, 5);
    expect(ts.markouts.curves.all.find((p) => p.horizonMs === 10_000)!.n).toBe(2);
    expect(ts.markouts.incompleteHorizons).toBe(1);
  });

  it("groups by every key under a fill's signals: strings by value, numbers in terciles", () => {
    const regime = ts.markouts.curves.bySignal["regime"]!;
    expect(Object.keys(regime)).toEqual(["calm", "wild"]);
    expect(regime["calm"]!.find((p) => p.horizonMs === 1_000)!.n).toBe(2);
    const alpha = ts.markouts.curves.bySignal["alpha"]!;
    expect(Object.keys(alpha).map((k) => k.split(" ")[0])).toEqual(["low", "mid", "high"]);
    expect(ts.markouts.curves.bySignal["gatedAtFill"]).toBeDefined();
    expect(ts.markouts.curves.bySignal["source"]).toBeUndefined();
    expect(Object.keys(ts.markouts.curves.bySource)).toEqual(["base_ladder"]);
  });
});
