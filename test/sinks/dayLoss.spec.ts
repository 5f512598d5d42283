import { describe, expect, it } from "vitest";
import { PnlBook } from "../../sinks/position.js";
import { dayBaselineOf, utcDayStart } from "../../app/fillRecovery.js";
import type { VenueFill } from "../../streams/fill.js";

const vf = (tid: number, time: number, closedPnl: number | undefined, fee: number, asset = "BTC"): VenueFill => ({ tid, oid: tid, cloid: null, asset, isBuy: true, size: 1, price: 100, time, fee, crossed: false, ...(closedPnl !== undefined ? { closedPnl } : {}) });

describe("the loss limit from venue truth", () => {
  it("sums the day's closed PnL and fees before the start, per asset, from 00:00 UTC", () => {
    const day = utcDayStart(Date.UTC(2026, 11, 2, 13, 5));
    expect(day).toBe(Date.UTC(2026, 11, 2));
    const start = day + 5 * 3_600_000;
    const fills = [vf(1, day - 1, -50, 1), vf(2, day, -30, 0.5), vf(3, day + 1000, 10, 0.25, "ETH"), vf(4, day + 2000, undefined, 0.1), vf(5, start, -99, 9)];
    expect(dayBaselineOf(fills, day, start)).toEqual({ BTC: { closedPnl: -30, fees: 0.6, fills: 2 }, ETH: { closedPnl: 10, fees: 0.25, fills: 1 } });
  });

  it("dayTotal counts the baseline and this session; total (the session's, for the journal) does not", () => {
    const pnl = new PnlBook();
    pnl.adoptDayBaseline("BTC", -80, 5);
    pnl.applyFill(vf(1, 0, undefined, 1));
    expect(pnl.total("BTC", 90)).toBeCloseTo(-1 + 1 * (90 - 100));
    expect(pnl.dayTotal("BTC", 90)).toBeCloseTo(-85 - 1 - 10);
    expect(pnl.assets()).toEqual(["BTC"]);
    pnl.adoptDayBaseline("BTC", Number.NaN, 0); // ignored
    expect(pnl.dayBaseline("BTC")).toEqual({ closedPnl: -80, fees: 5 });
  });
});
