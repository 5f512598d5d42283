// /info answers about the market (FACTS §4, §13; shapes as the SDKs type them): meta and asset
// contexts, spot metadata (no spot market is modelled: an empty universe and USDC), perp dexs
// (the main dex and the HIP-3 dexes of sim/hip3.ts), mids, books with aggregation, recent trades,
// candles, funding. `dex` (default "", the main dex) selects one dex's universe, mids and contexts.
import { hlNum } from "../streams/wire/serve.js";
import { assetDex, type AssetMeta } from "../streams/market.js";
import { simCandleWire } from "./candles.js";
import type { PaperExchange, SimTrade } from "./exchange.js";
import type { SimServerState } from "./serverState.js";

/** The universe of one perp dex, in meta order. */
export function simDexUniverse(ex: PaperExchange, dex = ""): AssetMeta[] {
  return ex.universe.filter((m) => assetDex(m.name) === dex);
}

export function simAllMids(ex: PaperExchange, dex = ""): Record<string, string> {
  const mids: Record<string, string> = {};
  for (const m of simDexUniverse(ex, dex)) {
    const mid = ex.mark(m.name);
    if (mid !== undefined) mids[m.name] = hlNum(mid);
  }
  return mids;
}

export function simTradeWire(t: SimTrade): Record<string, unknown> {
  return { coin: t.asset, side: t.side === "buy" ? "B" : "A", px: hlNum(t.px), sz: hlNum(t.sz), hash: t.hash, time: t.time, tid: t.tid, users: t.users };
}

/** `meta`: the universe with margin tables (one table per max leverage, a single tier). */
export function simMeta(ex: PaperExchange, dex = ""): Record<string, unknown> {
  const universe = simDexUniverse(ex, dex);
  const tables = [...new Set(universe.map((m) => m.maxLeverage))].sort((a, b) => b - a);
  const d = dex === "" ? undefined : ex.hip3.dex(dex);
  const isolated = d?.onlyIsolated === true ? { onlyIsolated: true, marginMode: "strictIsolated" } : {};
  return {
    universe: universe.map((m) => ({ name: m.name, szDecimals: m.szDecimals, maxLeverage: m.maxLeverage, marginTableId: m.maxLeverage, ...isolated, ...(d?.growthMode ? { growthMode: "enabled" } : {}) })),
    marginTables: tables.map((lev) => [lev, { description: "", marginTiers: [{ lowerBound: "0.0", maxLeverage: lev }] }]),
    collateralToken: 0,
  };
}

/** `perpDexs`: `null` for the main dex, then one entry per HIP-3 dex (NK `perpDexs.ts` fields). */
export function simPerpDexs(ex: PaperExchange): unknown[] {
  return [
    null,
    ...ex.hip3.dexes.map((d) => {
      const coins = simDexUniverse(ex, d.name).map((m) => m.name);
      return {
        name: d.name,
        fullName: d.fullName,
        deployer: d.deployer,
        oracleUpdater: null,
        feeRecipient: null,
        assetToStreamingOiCap: d.oiCapUsd === null ? [] : coins.map((c) => [c, hlNum(d.oiCapUsd!)]),
        subDeployers: [],
        deployerFeeScale: hlNum(d.deployerFeeScale),
        lastDeployerFeeScaleChangeTime: "1970-01-01T00:00:00",
        assetToFundingMultiplier: [],
        assetToFundingInterestRate: [],
      };
    }),
  ];
}

/** One perp asset context (funding, open interest, day volume, prices). */
export function simAssetCtx(state: SimServerState, m: AssetMeta): Record<string, unknown> {
  const ex = state.exchange;
  const mark = ex.mark(m.name);
  const book = ex.currentBook(m.name);
  const day = state.candles.day(m.name, ex.now());
  let oi = 0;
  for (const u of ex.users()) for (const p of ex.positions(u)) if (p.asset === m.name && p.szi > 0) oi += p.szi;
  const px = mark !== undefined ? hlNum(mark) : "0.0";
  const impact = book?.bids[0] && book.asks[0] ? [hlNum(book.bids[0].px), hlNum(book.asks[0].px)] : null;
  return {
    funding: hlNum(ex.fundingRatePerHour),
    openInterest: hlNum(Math.round(oi * 1e8) / 1e8),
    prevDayPx: day.prevDayPx !== undefined ? hlNum(day.prevDayPx) : px,
    dayNtlVlm: hlNum(Math.round(day.ntl * 1e6) / 1e6),
    premium: mark !== undefined ? "0.0" : null,
    oraclePx: px,
    markPx: px,
    midPx: mark !== undefined ? px : null,
    impactPxs: impact,
    dayBaseVlm: hlNum(Math.round(day.base * 1e8) / 1e8),
  };
}

export function simSpotMeta(): Record<string, unknown> {
  return {
    universe: [],
    tokens: [
      { name: "USDC", szDecimals: 8, weiDecimals: 8, index: 0, tokenId: "0x6d1e7cde53ba9467b783cb7c530ce054", isCanonical: true, evmContract: null, fullName: null, deployerTradingFeeShare: "0.0" },
    ],
  };
}

export function simRecentTrades(state: SimServerState, coin: string): Record<string, unknown>[] {
  return (state.recentTrades.get(coin) ?? []).map(simTradeWire);
}

export function simCandleSnapshot(state: SimServerState, coin: string, interval: string, start: number, end: number | null | undefined): Record<string, unknown>[] {
  return state.candles.snapshot(coin, interval, start, end ?? Infinity).map((b) => simCandleWire(coin, interval, b));
}

export function simFundingHistory(ex: PaperExchange, coin: string, start: number, end: number | null | undefined): Record<string, unknown>[] {
  if (!ex.assetMeta(coin)) return [];
  return ex.fundingHistory
    .filter((f) => f.time >= start && f.time <= (end ?? Infinity))
    .slice(0, 500)
    .map((f) => ({ coin, fundingRate: hlNum(f.rate), premium: "0.0", time: f.time }));
}

export function simPredictedFundings(ex: PaperExchange): unknown[] {
  const HOUR = 3_600_000;
  const next = Math.floor(ex.now() / HOUR) * HOUR + HOUR;
  return ex.universe.map((m) => [m.name, [["HlPerp", { fundingRate: hlNum(ex.fundingRatePerHour), nextFundingTime: next, fundingIntervalHours: 1 }]]]);
}
