// Funding, leverage and liquidation price, and book aggregation, on virtual time (no sockets):
// hourly funding on positions reaches cash (so PnL includes it), userFunding and the user feed;
// updateLeverage sets the margin a position uses; nSigFigs buckets bids down and asks up.
import { describe, expect, it } from "vitest";
import { PaperExchange, replayMarket, simAggregateBook, simAggregationProblem, simClearinghouseState, simInfo, simReplayScheduler, type SimUserEvent } from "../../sim/index.js";
import { hlSubscriptionIdentity, type HlSubscription } from "../../streams/wire/index.js";
import { ALICE, book, order } from "./helpers.js";

const HOUR = 3_600_000;
const START = 1_700_002_800_000; // 20 min before an hour boundary

describe("funding", () => {
  it("pays every hour on open positions: −szi × mark × rate, into cash, userFunding and the user feed", () => {
    const books = Array.from({ length: 200 }, (_, i) => book(START + i * 60_000, [[100, 50]], [[101, 50]]));
    const scheduler = simReplayScheduler(START);
    const ex = new PaperExchange({ market: replayMarket({ books }, { inferTakers: false }), scheduler, seed: 1, fundingRatePerHour: 0.0001 });
    const events: SimUserEvent[] = [];
    ex.user$.subscribe((e) => events.push(e));
    ex.start();
    scheduler.schedule(() => ex.submit(ALICE, { type: "order", orders: [order(101, 10, true, "Ioc", 1)] }, () => undefined), 1_000);
    scheduler.maxFrames = START + 2 * HOUR + 30 * 60_000;
    scheduler.flush();
    const acct = ex.account(ALICE);
    // two hour boundaries passed with a 10-lot long at mark 100.5: each pays 10 × 100.5 × 0.0001
    expect(acct.fundings.map((f) => [f.time % HOUR, f.usdc, f.szi])).toEqual([
      [0, -0.1005, 10],
      [0, -0.1005, 10],
    ]);
    const fee = acct.feesPaid;
    expect(acct.balance).toBeCloseTo(100_000 - fee - 0.201, 9);
    expect(events.filter((e) => e.kind === "funding")).toHaveLength(2);
    const info = simInfo(ex, { type: "userFunding", user: ALICE, startTime: 0 });
    expect(info.ok && info.body).toMatchObject([{ delta: { type: "funding", coin: "BTC", usdc: "-0.1005", szi: "10", fundingRate: "0.0001", nSamples: null } }, {}]);
    const ch = simClearinghouseState(ex, ALICE) as { assetPositions: { position: { cumFunding: { allTime: string } } }[] };
    expect(ch.assetPositions[0]!.position.cumFunding.allTime).toBe("0.201");
    ex.stop();
  });
});

describe("leverage and liquidation price", () => {
  it("updateLeverage sets the margin a position uses; the liquidation price sits below a long's mark", () => {
    const books = Array.from({ length: 10 }, (_, i) => book(START + i * 1_000, [[100, 50]], [[101, 50]]));
    const scheduler = simReplayScheduler(START);
    const ex = new PaperExchange({ market: replayMarket({ books }, { inferTakers: false }), scheduler, seed: 1, startingBalance: 1_000 });
    ex.start();
    expect(ex.setLeverage(ALICE, "BTC", false, 51)).toBe("Invalid leverage value. asset=0");
    expect(ex.setLeverage(ALICE, "BTC", false, 10)).toBeUndefined();
    scheduler.schedule(() => ex.submit(ALICE, { type: "order", orders: [order(101, 50, true, "Ioc", 1)] }, () => undefined), 1_000);
    scheduler.flush();
    const ch = simClearinghouseState(ex, ALICE) as { assetPositions: { position: Record<string, unknown> }[] };
    const p = ch.assetPositions[0]!.position;
    expect(p).toMatchObject({ szi: "50", leverage: { type: "isolated", value: 10 }, positionValue: "5025", marginUsed: "502.5" });
    // value ≈ 1000 − fee − 25 (bought at 101, mark 100.5); maintenance = 5025 / 100
    const value = ex.accountValueOf(ALICE);
    const expected = 100.5 - (value - 50.25) / 50 / (1 - 1 / 100);
    expect(Number(p["liquidationPx"])).toBeCloseTo(expected, 4);
    expect(Number(p["liquidationPx"])).toBeLessThan(100.5);
  });
});

describe("book aggregation (nSigFigs, mantissa)", () => {
  const b = book(0, [[100_123, 1], [100_090, 2], [99_950, 3]], [[100_131, 1], [100_180, 2]]);
  it("buckets bids down and asks up, summing sizes and order counts", () => {
    expect(simAggregateBook(b, { nSigFigs: 4 })).toMatchObject({
      bids: [{ px: 100_100, sz: 1, n: 1 }, { px: 100_000, sz: 2, n: 1 }, { px: 99_950, sz: 3, n: 1 }], // 99 950 already has 4 significant figures
      asks: [{ px: 100_200, sz: 3, n: 2 }],
    });
    expect(simAggregateBook(b, { nSigFigs: 5, mantissa: 5 }).bids.map((l) => l.px)).toEqual([100_100, 100_050, 99_950]);
    expect(simAggregateBook(b, {})).toBe(b);
  });
  it("refuses what the venue does not offer", () => {
    expect(simAggregationProblem({ nSigFigs: 6 })).toMatch(/nSigFigs/);
    expect(simAggregationProblem({ nSigFigs: 4, mantissa: 2 })).toMatch(/mantissa/);
    expect(simAggregationProblem({ nSigFigs: 5, mantissa: 2 })).toBeUndefined();
  });
});

describe("subscription identity (streams/wire, shared with the client)", () => {
  const id = (s: HlSubscription) => hlSubscriptionIdentity(s);
  it("is the same for defaults and any address case, different for nSigFigs, mantissa, interval, dex", () => {
    const user = "0xAbCdEf0123456789aBcDeF0123456789AbCdEf01";
    expect(id({ type: "l2Book", coin: "BTC" })).toBe(id({ type: "l2Book", coin: "BTC", nSigFigs: null, mantissa: null, fast: false }));
    expect(id({ type: "l2Book", coin: "BTC" })).not.toBe(id({ type: "l2Book", coin: "BTC", nSigFigs: 3 }));
    expect(id({ type: "l2Book", coin: "BTC", nSigFigs: 5 })).not.toBe(id({ type: "l2Book", coin: "BTC", nSigFigs: 5, mantissa: 2 }));
    expect(id({ type: "candle", coin: "BTC", interval: "1m" })).not.toBe(id({ type: "candle", coin: "BTC", interval: "5m" }));
    expect(id({ type: "clearinghouseState", user })).toBe(id({ type: "clearinghouseState", user: user.toLowerCase(), dex: "" }));
    expect(id({ type: "clearinghouseState", user })).not.toBe(id({ type: "clearinghouseState", user, dex: "xyz" }));
  });
});
