// The journal's lines: a header, fills rounded to the asset's tick and lot with position after and
// order age, self-contained markout lines, fills still waiting flushed (incomplete) at shutdown,
// cumulative order and quoting tallies, and a reader that counts bad lines and names where.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Subject } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import { FillJournal, JournalLine, STANDARD_HORIZONS_MS, SignalTracker, configDigest, fillLine, headerLine, journalHorizons, roundTo } from "../../analytics/journal.js";
import { parseJournal } from "../../analytics/load.js";
import { OrderTally, QuotingClock } from "../../analytics/tally.js";
import { decodeWith } from "../../streams/codec.js";
import type { FillEvent, FillMarkouts } from "../../streams/fill.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "qf-journal2-"));
  dirs.push(d);
  return d;
};

const fill = (over: Partial<FillEvent> = {}): FillEvent => ({
  tid: 7, oid: 11, cloid: "0x" + "ab".repeat(16), asset: "ETH", isBuy: true, size: 0.1 + 0.2, price: 2281.3500000000004, time: 5_000,
  fee: 0.00123456789, crossed: false, midAtFill: 2281.4000000000005, placementPrice: 2281.35, midAtPlacement: 2281.6, quotedHalfSpreadBps: 2.123456789, source: "base_ladder",
  ...over,
});

const header = (startTime = 0) =>
  headerLine({ run: { mode: "test", seed: 3, faults: "none", account: "0xabc" }, venue: "paper", config: { b: 1, a: [2] }, startTime, assets: [{ asset: "ETH", szDecimals: 4, maxPositionUsd: 200 }], markoutHorizonsMs: journalHorizons([500]) });

function lines(path: string) {
  return readFileSync(path, "utf8").trim().split("\n").map((l) => {
    const d = decodeWith(JournalLine, JSON.parse(l), "line");
    if (!d.ok) throw d.error;
    return d.value;
  });
}

describe("journal lines", () => {
  it("rounds prices to the asset's tick and sizes to its lot: no 2281.3500000000004", () => {
    expect(roundTo(2281.3500000000004, 2)).toBe(2281.35);
    expect(roundTo(0.1 + 0.2, 4)).toBe(0.3);
    expect(roundTo(-0.00001, 4)).toBe(0);
    const snap = new SignalTracker().snapshot(fill(), [], 1.23456789);
    const l = fillLine(fill(), "matched", snap, { szDecimals: 4, positionAfter: 0.1 + 0.2, placedAt: 3_600 });
    const text = JSON.stringify(l);
    expect(text).not.toMatch(/\d\.\d*0000000\d/);
    expect(l.price).toBe(2281.35);
    expect(l.size).toBe(0.3);
    expect(l.midAtFill).toBe(2281.4);
    expect(l.fee).toBe(0.001235);
    expect(l.quotedHalfSpreadBps).toBe(2.1235);
    expect(l.positionAfter).toBe(0.3);
    expect(l.orderAgeMs).toBe(1_400);
    expect(l.signals.volatilityBps).toBe(1.2346);
    expect(decodeWith(JournalLine, JSON.parse(text), "fill").ok).toBe(true);
  });

  it("an unknown order has a null order age; strategy signals join the snapshot without overwriting it", () => {
    const snap = new SignalTracker().snapshot(fill(), [], undefined);
    const l = fillLine(fill(), "unmatched", snap, { szDecimals: 4, placedAt: undefined, strategySignals: { regime: "calm", reservation: 1.5, source: "evil" } });
    expect(l.orderAgeMs).toBeNull();
    expect((l.signals as Record<string, unknown>)["regime"]).toBe("calm");
    expect((l.signals as Record<string, unknown>)["reservation"]).toBe(1.5);
    expect(l.signals.source).toBe("base_ladder");
  });

  it("the header names version, mode, venue, account, config digest, seed, faults and start; the digest ignores key order", () => {
    const h = header(1_700_000_000_000);
    expect(h).toMatchObject({ type: "header", format: 2, mode: "test", venue: "paper", account: "0xabc", seed: 3, faults: "none", startTime: 1_700_000_000_000, startIso: "2023-11-14T22:13:20.000Z" });
    expect(h.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(h.assets).toEqual([{ asset: "ETH", szDecimals: 4, priceDecimals: 2, maxPositionUsd: 200 }]);
    expect(configDigest({ b: 1, a: [2] })).toBe(configDigest({ a: [2], b: 1 }));
    expect(configDigest({ a: [2], b: 1 })).not.toBe(configDigest({ a: [3], b: 1 }));
    expect(journalHorizons([500, 750])).toEqual([...new Set([...STANDARD_HORIZONS_MS, 750])].sort((a, b) => a - b));
  });
});

describe("FillJournal", () => {
  it("writes self-contained markout lines, and at shutdown flushes the fills still waiting, marked incomplete", async () => {
    let now = 0;
    const j = new FillJournal(tmp(), "t");
    j.open(header(), () => now);
    const mids$ = new Subject<{ asset: string; time: number; mid: number }>();
    j.watch({ mids$ }, () => undefined);
    const a = fill({ tid: 1, time: 1_000 });
    const b = fill({ tid: 2, time: 50_000, isBuy: false, price: 2300, midAtFill: 2300.05, midAtPlacement: 2300.1 });
    mids$.next({ asset: "ETH", time: 900, mid: 2281.4 });
    j.fill(a, "matched", new SignalTracker().snapshot(a, [], 1));
    const done: FillMarkouts = { fill: a, complete: true, horizons: [{ horizonMs: 500, mid: 2281.5500000000003, markoutBps: 0.8765432, adverseBps: -0.2, complete: true }] };
    j.markout(done);
    j.fill(b, "matched", new SignalTracker().snapshot(b, [], 1));
    mids$.next({ asset: "ETH", time: 50_400, mid: 2299 });
    mids$.next({ asset: "ETH", time: 51_500, mid: 2298 });
    now = 52_000;
    j.finish({ ETH: { mid: 2298, position: 0, pnl: 1, realized: 0, fees: 0, volumeUsd: 10, fills: 2 } }, { ip: 0.9 });
    j.markout({ ...done, fill: b }); // after finish: already flushed, not written twice
    await j.close();
    const ls = lines(j.path);
    expect(ls.map((l) => l.type)).toEqual(["header", "fill", "markout", "fill", "markout", "summary"]);
    const m1 = ls[2]!;
    expect(m1).toMatchObject({ type: "markout", tid: 1, time: 1_000, side: "buy", price: 2281.35, size: 0.3, midAtFill: 2281.4, complete: true });
    if (m1.type === "markout") expect(m1.horizons[0]!.mid).toBe(2281.55);
    const m2 = ls[4]!;
    expect(m2.type).toBe("markout");
    if (m2.type !== "markout") return;
    expect(m2).toMatchObject({ tid: 2, side: "sell", complete: false, incomplete: "shutdown" });
    const byH = new Map(m2.horizons.map((h) => [h.horizonMs, h]));
    // The mid of a horizon is the latest at or before fill time + horizon; it is known once a later
    // mid came (0 ms … 1 s here), provisional after the newest mid (2 s and beyond).
    expect(byH.get(0)).toMatchObject({ mid: 2281.4, complete: true });
    expect(byH.get(250)).toMatchObject({ mid: 2281.4, complete: true });
    expect(byH.get(500)).toMatchObject({ mid: 2299, complete: true });
    expect(byH.get(1_000)).toMatchObject({ mid: 2299, complete: true });
    expect(byH.get(2_000)).toMatchObject({ mid: 2298, complete: false });
    expect(byH.get(60_000)).toMatchObject({ mid: 2298, complete: false });
    expect(byH.get(500)!.markoutBps).toBeCloseTo(((2300 - 2299) / 2300) * 1e4, 3);
    expect(ls[5]).toMatchObject({ type: "summary", time: 52_000, flushedMarkouts: 1, lines: 6 });
  });

  it("puts the venue's latest asset context into each fill line and journals funding payments, when the venue has them", async () => {
    const j = new FillJournal(tmp(), "ctx");
    j.open(header(), () => 0);
    const ctx$ = new Subject<{ asset: string; openInterest: number; fundingRate: number; markPx: number; oraclePx: number }>();
    const fundings$ = new Subject<{ asset: string; time: number; usdc: number; szi: number; fundingRate: number }>();
    j.watch({ assetCtx$: ctx$, fundings$ }, () => undefined);
    j.fill(fill({ tid: 1 }), "matched", new SignalTracker().snapshot(fill(), [], 1));
    ctx$.next({ asset: "ETH", openInterest: 1_234.5, fundingRate: 0.0000125, markPx: 2281.3, oraclePx: 2281.1 });
    j.fill(fill({ tid: 2 }), "matched", new SignalTracker().snapshot(fill(), [], 1));
    fundings$.next({ asset: "ETH", time: 3_600_000, usdc: -0.0123456789, szi: 0.3, fundingRate: 0.0000125 });
    await j.close();
    const ls = lines(j.path);
    const fills = ls.filter((l) => l.type === "fill");
    expect("ctx" in fills[0]!).toBe(false);
    expect(fills[1]).toMatchObject({ ctx: { openInterest: 1_234.5, fundingRate: 0.0000125, markPx: 2281.3, oraclePx: 2281.1 } });
    expect(ls[ls.length - 1]).toEqual({ type: "funding", asset: "ETH", time: 3_600_000, usdc: -0.012346, szi: 0.3, fundingRate: 0.0000125 });
  });

  it("tallies orders by kind and rejects by reason from the sink's execution events", () => {
    const t = new OrderTally();
    const place = { type: "order" as const, orders: [{ asset: "BTC" }, { asset: "BTC" }, { asset: "ETH" }] };
    t.observe({ kind: "sent", batch: place });
    t.observe({ kind: "result", batch: place, result: { ok: true, statuses: [{ kind: "resting" }, { kind: "rejected", code: "BadAloPx" }, { kind: "rejected", code: "PerpMargin" }] } });
    const mod = { type: "batchModify" as const, modifies: [{ order: { asset: "BTC" } }] };
    t.observe({ kind: "sent", batch: mod });
    t.observe({ kind: "result", batch: mod, result: { ok: false, code: "RateLimited" } });
    const cancel = { type: "cancelByCloid" as const, cancels: [{ asset: "ETH" }] };
    t.observe({ kind: "sent", batch: cancel });
    t.observe({ kind: "failed", batch: cancel });
    t.observe({ kind: "refused", batch: place });
    t.observe({ kind: "status" });
    expect(t.snapshot()).toEqual({
      BTC: { placed: 2, modified: 1, cancelled: 0, rejected: 2, failed: 0, refused: 2, rejectReasons: { BadAloPx: 1, RateLimited: 1 } },
      ETH: { placed: 1, modified: 0, cancelled: 1, rejected: 1, failed: 1, refused: 1, rejectReasons: { PerpMargin: 1 } },
    });
  });

  it("clocks quoting time two-sided, one-sided, empty and gated by reason; the sink's gates override", () => {
    let now = 0;
    const q = new QuotingClock(() => now);
    q.track("BTC");
    const lvl = { px: 1, sz: 1, source: "base_ladder" as const };
    now = 1_000;
    q.intent({ asset: "BTC", time: now, bids: [lvl], asks: [lvl] });
    now = 4_000;
    q.intent({ asset: "BTC", time: now, bids: [lvl], asks: [] });
    now = 5_000;
    q.intent({ asset: "BTC", time: now, bids: [], asks: [], reason: { kind: "StaleData", ageMs: 10_000, thresholdMs: 10_000 } });
    now = 7_000;
    q.intent({ asset: "BTC", time: now, bids: [lvl], asks: [lvl] });
    q.sinkGate("BTC", "KillSwitch");
    now = 7_500;
    q.sinkGate("BTC", undefined);
    now = 8_000;
    q.intent({ asset: "BTC", time: now, bids: [], asks: [] });
    now = 9_000;
    expect(q.snapshot()).toEqual({ BTC: { twoSidedMs: 3_500, oneSidedMs: 1_000, emptyMs: 1_000, gatedMs: { NoDataReceived: 1_000, StaleData: 2_000, KillSwitch: 500 } } });
    // A replay's market ended: the wait for markouts and the shutdown add no quoting time.
    q.freeze();
    now = 70_000;
    q.intent({ asset: "BTC", time: now, bids: [], asks: [], reason: { kind: "StaleData", ageMs: 10_000, thresholdMs: 10_000 } });
    now = 80_000;
    expect(q.snapshot()["BTC"]).toEqual({ twoSidedMs: 3_500, oneSidedMs: 1_000, emptyMs: 1_000, gatedMs: { NoDataReceived: 1_000, StaleData: 2_000, KillSwitch: 500 } });
  });
});

describe("reading a journal back", () => {
  it("counts a bad line, names its file and line, and keeps every good one", () => {
    const good = JSON.stringify(fillLine(fill(), "matched", new SignalTracker().snapshot(fill(), [], 1), { szDecimals: 4 }));
    const text = [JSON.stringify(header()), good, "{not json", JSON.stringify({ type: "fill", tid: "x" }), good.replace('"tid":7', '"tid":8'), ""].join("\n");
    const j = parseJournal(text, "data/analytics/x.jsonl");
    expect(j.header?.mode).toBe("test");
    expect(j.fills.map((f) => f.tid)).toEqual([7, 8]);
    expect(j.badLines.map((b) => b.line)).toEqual([3, 4]);
    expect(j.badLines[0]!.error).toContain("data/analytics/x.jsonl:3: not JSON");
    expect(j.badLines[1]!.error).toContain("data/analytics/x.jsonl:4");
    expect(j.lines).toBe(5);
  });
});
