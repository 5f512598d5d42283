// HIP-3 on the paper venue: a builder-deployed dex `xyz` after the main dex — its listing
// (perpDexs, meta {dex}), asset ids, per-dex account answers, fee scale, growth-mode credit,
// open-interest cap, isolated-only margin and the deployer's halt.
import { describe, expect, it } from "vitest";
import { PaperExchange, SIM_HIP3_TEXT, replayMarket, simHip3FeeMultiplier, simInfo, simParseHalt, simParsePerpDexSpec, simReplayScheduler, type SimPerpDexSpec, type SimUserEvent } from "../../sim/index.js";
import { perpAssetId } from "../../streams/market.js";
import { ALICE, BOB, T0, book, order } from "./helpers.js";

function venue(dex: Partial<SimPerpDexSpec> = {}) {
  const books = Array.from({ length: 60 }, (_, i) => [
    book(T0 + i * 1_000, [[100_000, 1]], [[100_010, 1]]),
    book(T0 + i * 1_000, [[2_600, 5]], [[2_601, 5]], "xyz:GOLD"),
  ]).flat();
  const scheduler = simReplayScheduler(T0);
  const ex = new PaperExchange({
    market: { ...replayMarket({ books }, { inferTakers: false }), assets: [{ name: "BTC", szDecimals: 5 }, { name: "xyz:GOLD", szDecimals: 3 }] },
    scheduler,
    seed: 1,
    perpDexs: [{ name: "xyz", ...dex }],
  });
  const events: SimUserEvent[] = [];
  ex.user$.subscribe((e) => events.push(e));
  ex.start();
  return { ex, scheduler, events, run: (ms: number) => { scheduler.maxFrames = scheduler.now() + ms; scheduler.flush(); } };
}

const body = (a: ReturnType<typeof simInfo>) => (a.ok ? a.body : a.detail);

describe("HIP-3 dexes on the paper venue", () => {
  it("lists xyz after the main dex: perpDexs [null, xyz], meta {dex} with dex:COIN names and ids 100000 + 1×10000 + i", () => {
    const { ex, run } = venue({ growthMode: true, deployerFeeScale: 0.5, oiCapUsd: 50_000 });
    run(10);
    expect(ex.assetMeta("xyz:GOLD")?.id).toBe(110_000);
    expect(perpAssetId(1, 0)).toBe(110_000);
    expect(ex.assetById(110_000)?.name).toBe("xyz:GOLD");
    const dexs = body(simInfo(ex, { type: "perpDexs" })) as unknown[];
    expect(dexs[0]).toBeNull();
    expect(dexs[1]).toMatchObject({ name: "xyz", deployerFeeScale: "0.5", assetToStreamingOiCap: [["xyz:GOLD", "50000"]] });
    const meta = body(simInfo(ex, { type: "meta", dex: "xyz" })) as { universe: { name: string; growthMode?: string }[] };
    expect(meta.universe).toEqual([expect.objectContaining({ name: "xyz:GOLD", growthMode: "enabled" })]);
    const main = body(simInfo(ex, { type: "meta" })) as { universe: { name: string }[] };
    expect(main.universe.some((a) => a.name === "xyz:GOLD")).toBe(false);
    expect(main.universe[0]!.name).toBe("BTC");
    expect(Object.keys(body(simInfo(ex, { type: "allMids", dex: "xyz" })) as object)).toEqual(["xyz:GOLD"]);
    ex.stop();
  });

  it("answers clearinghouseState and openOrders per dex: GOLD on xyz's, BTC on the main dex's, never mixed", () => {
    const { ex, run } = venue();
    ex.submit(ALICE, { type: "order", orders: [order(2_599, 1, true, "Alo", 1, "xyz:GOLD"), order(99_990, 0.001, true, "Alo", 2)] }, () => undefined);
    run(100);
    const coins = (a: ReturnType<typeof simInfo>) => (body(a) as { coin: string }[]).map((o) => o.coin);
    expect(coins(simInfo(ex, { type: "openOrders", user: ALICE, dex: "xyz" }))).toEqual(["xyz:GOLD"]);
    expect(coins(simInfo(ex, { type: "openOrders", user: ALICE }))).toEqual(["BTC"]);
    expect(coins(simInfo(ex, { type: "frontendOpenOrders", user: ALICE, dex: "xyz" }))).toEqual(["xyz:GOLD"]);
    ex.submit(ALICE, { type: "order", orders: [order(2_601, 1, true, "Ioc", 3, "xyz:GOLD")] }, () => undefined);
    run(100);
    const positions = (dex?: string) => (body(simInfo(ex, { type: "clearinghouseState", user: ALICE, ...(dex ? { dex } : {}) })) as { assetPositions: { position: { coin: string } }[] }).assetPositions.map((p) => p.position.coin);
    expect(positions("xyz")).toEqual(["xyz:GOLD"]);
    expect(positions()).toEqual([]);
    ex.stop();
  });

  it("scales fees by scaleIfHip3 × growth mode, and growth mode credits 0.1 address request per USDC traded", () => {
    expect([simHip3FeeMultiplier(0.5), simHip3FeeMultiplier(1), simHip3FeeMultiplier(2)]).toEqual([1.5, 2, 4]);
    const plain = venue({ deployerFeeScale: 0.5 });
    const growth = venue({ deployerFeeScale: 0.5, growthMode: true });
    for (const v of [plain, growth]) {
      v.ex.submit(ALICE, { type: "order", orders: [order(2_601, 2, true, "Ioc", 1, "xyz:GOLD")] }, () => undefined);
      v.ex.submit(ALICE, { type: "order", orders: [order(100_010, 0.01, true, "Ioc", 2)] }, () => undefined);
      v.run(100);
    }
    const fee = (v: typeof plain, asset: string) => v.ex.account(ALICE).fills.find((f) => f.fill.asset === asset)!.fill.fee;
    expect(fee(plain, "xyz:GOLD")).toBeCloseTo(2 * 2_601 * 0.00045 * 1.5, 9);
    expect(fee(growth, "xyz:GOLD")).toBeCloseTo(2 * 2_601 * 0.00045 * 1.5 * 0.1, 9);
    expect(fee(growth, "BTC")).toBeCloseTo(0.01 * 100_010 * 0.00045, 9);
    // address budget: 1 per USDC on BTC, 0.1 per USDC on a growth-mode GOLD
    expect(plain.ex.rateLimit(ALICE).cumVlm).toBeCloseTo(2 * 2_601 + 1_000.1, 6);
    expect(growth.ex.rateLimit(ALICE).cumVlm).toBeCloseTo(0.1 * 2 * 2_601 + 1_000.1, 6);
    expect(growth.ex.rateLimit(ALICE).nRequestsCap).toBe(10_000 + Math.floor(0.1 * 2 * 2_601 + 1_000.1));
    plain.ex.stop();
    growth.ex.stop();
  });

  it("refuses an order past the dex's open-interest cap (reduce-only still goes), and cross margin on an isolated-only dex", () => {
    const { ex, run } = venue({ oiCapUsd: 5_000, onlyIsolated: true });
    const answers: unknown[] = [];
    ex.submit(ALICE, { type: "order", orders: [order(2_601, 1, true, "Ioc", 1, "xyz:GOLD")] }, (r) => answers.push(r.result));
    run(100);
    ex.submit(BOB, { type: "order", orders: [order(2_601, 1, true, "Ioc", 2, "xyz:GOLD")] }, (r) => answers.push(r.result));
    run(100);
    ex.submit(ALICE, { type: "order", orders: [{ ...order(2_600, 1, false, "Ioc", 3, "xyz:GOLD"), reduceOnly: true }] }, (r) => answers.push(r.result));
    run(100);
    expect(answers[0]).toMatchObject({ ok: true, statuses: [{ kind: "filled" }] });
    expect(answers[1]).toMatchObject({ ok: true, statuses: [{ kind: "rejected", code: "OpenInterestCap", error: `${SIM_HIP3_TEXT.oiCap} asset=110000` }] });
    expect(answers[2]).toMatchObject({ ok: true, statuses: [{ kind: "filled" }] });
    expect(ex.setLeverage(ALICE, "xyz:GOLD", true, 5)).toBe(`${SIM_HIP3_TEXT.onlyIsolated} asset=110000`);
    expect(ex.setLeverage(ALICE, "xyz:GOLD", false, 5)).toBeUndefined();
    expect(ex.setLeverage(ALICE, "BTC", true, 5)).toBeUndefined();
    ex.stop();
  });

  it("a deployer halt cancels every order on the asset, settles positions at the mark, refuses new orders, and leaves BTC alone", () => {
    const { ex, run, events } = venue();
    ex.submit(ALICE, { type: "order", orders: [order(2_601, 1, true, "Ioc", 1, "xyz:GOLD"), order(2_590, 1, true, "Alo", 2, "xyz:GOLD"), order(99_990, 0.001, true, "Alo", 3)] }, () => undefined);
    run(100);
    expect(ex.positions(ALICE).map((p) => p.asset)).toEqual(["xyz:GOLD"]);
    expect(ex.haltAsset("BTC")).toBe(false);
    expect(ex.haltAsset("xyz:GOLD")).toBe(true);
    expect(ex.haltAsset("xyz:GOLD")).toBe(false);
    run(100);
    expect(ex.openOrders(ALICE).map((o) => o.asset)).toEqual(["BTC"]);
    expect(ex.positions(ALICE)).toEqual([]);
    const settle = ex.account(ALICE).fills.at(-1)!.fill;
    expect(settle).toMatchObject({ asset: "xyz:GOLD", isBuy: false, size: 1, price: 2_600.5, fee: 0, cloid: null });
    expect(events.some((e) => e.kind === "nonUserCancel" && e.asset === "xyz:GOLD")).toBe(true);
    const answers: unknown[] = [];
    ex.submit(ALICE, { type: "order", orders: [order(2_590, 1, true, "Alo", 4, "xyz:GOLD"), order(99_980, 0.001, true, "Alo", 5)] }, (r) => answers.push(r.result));
    run(100);
    expect(answers[0]).toMatchObject({ ok: true, statuses: [{ kind: "rejected", error: `${SIM_HIP3_TEXT.halted} asset=110000` }, { kind: "resting" }] });
    expect(ex.hip3.halts).toEqual([{ asset: "xyz:GOLD", dex: "xyz", time: expect.any(Number) }]);
    ex.stop();
  });

  it("parses --dex and --halt, naming what is wrong", () => {
    expect(simParsePerpDexSpec("xyz:growth,feeScale=0.5,oiCap=250000,isolated")).toEqual({ name: "xyz", growthMode: true, deployerFeeScale: 0.5, oiCapUsd: 250_000, onlyIsolated: true });
    expect(simParsePerpDexSpec("abc")).toEqual({ name: "abc" });
    expect(() => simParsePerpDexSpec("XYZ")).toThrow(/lower-case dex name/);
    expect(() => simParsePerpDexSpec("xyz:feeScale=big")).toThrow(/feeScale expects a number/);
    expect(simParseHalt("xyz:GOLD@60")).toEqual({ asset: "xyz:GOLD", afterMs: 60_000 });
    expect(() => simParseHalt("GOLD@60")).toThrow(/expected <dex>:<COIN>@<seconds>/);
    expect(() => new PaperExchange({ market: replayMarket({ books: [book(T0, [[1, 1]], [[2, 1]])] }), perpDexs: [{ name: "abc" }] })).toThrow(/dex "abc" has knobs but no asset/);
  });
});
