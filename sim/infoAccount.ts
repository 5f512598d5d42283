// /info answers about one account (FACTS §4, §13; shapes as the SDKs type them): clearinghouse
// state with leverage, margin, funding and liquidation price; open orders in both forms; order
// status; fills; funding; rate limit; fees; roles, agents and sub-accounts; activeAssetData.
import { hlFillToWire, hlNum } from "../streams/wire/serve.js";
import { assetDex, type AssetMeta } from "../streams/market.js";
import type { OrderUpdate } from "../streams/orders.js";
import type { SimFillRecord } from "./account.js";
import type { PaperExchange } from "./exchange.js";
import type { SimServerState } from "./serverState.js";

const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** A fill record in the userFills / WS shapes, with the venue's own `dir`. */
export function simFillWire(r: SimFillRecord): Record<string, unknown> {
  const w = hlFillToWire(r.fill);
  w["dir"] = r.dir;
  if (r.fill.cloid === null) delete w["cloid"];
  return w;
}

function leverageWire(ex: PaperExchange, user: string, meta: AssetMeta, marginUsed: number): Record<string, unknown> {
  const l = ex.leverageOf(user, meta);
  return l.type === "cross" ? { type: "cross", value: l.value } : { type: "isolated", value: l.value, rawUsd: hlNum(r6(-marginUsed)) };
}

/**
 * clearinghouseState. Margin used = position value / leverage; maintenance = value / (2 × max
 * leverage); liquidation price (cross) = mark − side × (account value − maintenance) / |szi| /
 * (1 − side / (2 × max leverage)) (the venue's formula for one position; null when ≤ 0).
 */
export function simClearinghouseState(ex: PaperExchange, user: string, dex = ""): Record<string, unknown> {
  const acct = ex.account(user);
  const value = r6(ex.accountValueOf(user));
  let ntl = 0;
  let margin = 0;
  let maint = 0;
  // one dex's positions (HIP-3: `dex` names a builder-deployed dex); the collateral is shown on
  // every dex (UNCONFIRMED simplification: one margin account across dexes, FACTS §13 "assume shared")
  const rows = ex.positions(user).filter((p) => assetDex(p.asset) === dex).map((p) => {
    const meta = ex.assetMeta(p.asset) ?? { name: p.asset, id: -1, szDecimals: 2, maxLeverage: 20, isSpot: false };
    const mark = ex.mark(p.asset) ?? p.entryPx;
    const posValue = Math.abs(p.szi) * mark;
    const lev = ex.leverageOf(user, meta).value;
    const used = posValue / lev;
    ntl += posValue;
    margin += used;
    maint += posValue / (2 * meta.maxLeverage);
    return { p, meta, mark, posValue, used };
  });
  const assetPositions = rows.map(({ p, meta, mark, posValue, used }) => {
    const side = Math.sign(p.szi);
    const l = 1 / (2 * meta.maxLeverage);
    const liq = mark - (side * (value - maint)) / Math.abs(p.szi) / (1 - l * side);
    const cf = acct.cumFunding.get(p.asset) ?? { allTime: 0, sinceOpen: 0, sinceChange: 0 };
    return {
      position: {
        coin: p.asset,
        cumFunding: { allTime: hlNum(r6(cf.allTime)), sinceChange: hlNum(r6(cf.sinceChange)), sinceOpen: hlNum(r6(cf.sinceOpen)) },
        entryPx: hlNum(p.entryPx),
        leverage: leverageWire(ex, user, meta, used),
        liquidationPx: liq > 0 && Number.isFinite(liq) ? hlNum(r6(liq)) : null,
        marginUsed: hlNum(r6(used)),
        maxLeverage: meta.maxLeverage,
        positionValue: hlNum(r6(posValue)),
        returnOnEquity: hlNum(r6(used > 0 ? p.unrealizedPnl / used : 0)),
        szi: hlNum(p.szi),
        unrealizedPnl: hlNum(r6(p.unrealizedPnl)),
      },
      type: "oneWay",
    };
  });
  let signedNtl = 0;
  for (const { p, mark } of rows) signedNtl += p.szi * mark;
  const summary = { accountValue: hlNum(value), totalMarginUsed: hlNum(r6(margin)), totalNtlPos: hlNum(r6(ntl)), totalRawUsd: hlNum(r6(value - signedNtl)) };
  return {
    marginSummary: summary,
    crossMarginSummary: summary,
    crossMaintenanceMarginUsed: hlNum(r6(maint)),
    withdrawable: hlNum(Math.max(0, r6(value - margin))),
    assetPositions,
    time: ex.now(),
  };
}

const TIF_WIRE: Readonly<Record<string, string>> = { Alo: "Alo", Ioc: "Ioc", Gtc: "Gtc" };

function frontendOrder(ex: PaperExchange, user: string, o: OrderUpdate): Record<string, unknown> {
  const kind = ex.account(user).orderKind.get(o.oid);
  return {
    coin: o.asset,
    side: o.isBuy ? "B" : "A",
    limitPx: hlNum(o.px),
    sz: hlNum(o.sz),
    oid: o.oid,
    timestamp: o.time,
    triggerCondition: "N/A",
    isTrigger: false,
    triggerPx: "0.0",
    children: [],
    isPositionTpsl: false,
    reduceOnly: kind?.reduceOnly ?? false,
    orderType: "Limit",
    origSz: hlNum(o.origSz),
    tif: kind ? (TIF_WIRE[kind.tif] ?? null) : null,
    cloid: o.cloid,
  };
}

/** Open orders: the plain form (`cloid`, `reduceOnly` only when set) or the frontend form (every field). */
export function simOpenOrdersWire(ex: PaperExchange, user: string, frontend: boolean, dex = ""): Record<string, unknown>[] {
  return ex.restingOrders(user).filter((r) => assetDex(r.asset) === dex).map((r) => {
    const o: OrderUpdate = { asset: r.asset, oid: r.oid, cloid: r.cloid, isBuy: r.isBuy, px: r.px, sz: r.sz, origSz: r.origSz, status: "open", time: r.time };
    if (frontend) return frontendOrder(ex, user, o);
    const base: Record<string, unknown> = { coin: o.asset, limitPx: hlNum(o.px), oid: o.oid, side: o.isBuy ? "B" : "A", sz: hlNum(o.sz), timestamp: o.time, origSz: hlNum(o.origSz) };
    if (o.cloid !== null) base["cloid"] = o.cloid;
    if (r.reduceOnly) base["reduceOnly"] = true;
    return base;
  });
}

/** orderStatus: `{status: "order", order: {order: <frontend order>, status, statusTimestamp}}` or unknownOid. */
export function simOrderStatusWire(ex: PaperExchange, user: string, ref: { oid: number } | { cloid: string }): Record<string, unknown> {
  const a = ex.orderStatus(user, ref);
  if (a.kind === "unknownOid") return { status: "unknownOid" };
  return { status: "order", order: { order: frontendOrder(ex, user, a.update), status: a.update.status, statusTimestamp: a.update.time } };
}

export function simHistoricalOrders(ex: PaperExchange, user: string): Record<string, unknown>[] {
  return ex
    .truth(user)
    .orders.slice(-2000)
    .reverse()
    .map((o) => ({ order: frontendOrder(ex, user, o), status: o.status, statusTimestamp: o.time }));
}

export function simUserFunding(ex: PaperExchange, user: string, start: number, end: number | null | undefined): Record<string, unknown>[] {
  return ex
    .account(user)
    .fundings.filter((f) => f.time >= start && f.time <= (end ?? Infinity))
    .slice(0, 500)
    .map((f) => ({ time: f.time, hash: "0x" + "0".repeat(64), delta: { type: "funding", coin: f.coin, usdc: hlNum(f.usdc), szi: hlNum(f.szi), fundingRate: hlNum(f.fundingRate), nSamples: null } }));
}

export function simFundingWire(f: { time: number; coin: string; usdc: number; szi: number; fundingRate: number }): Record<string, unknown> {
  return { time: f.time, coin: f.coin, usdc: hlNum(f.usdc), szi: hlNum(f.szi), fundingRate: hlNum(f.fundingRate), nSamples: null };
}

/** userFees: the base tier (maker 0.015 %, taker 0.045 % unless the venue was configured otherwise). */
export function simUserFees(ex: PaperExchange): Record<string, unknown> {
  const add = hlNum(ex.makerFeeRate);
  const cross = hlNum(ex.takerFeeRate);
  return {
    dailyUserVlm: [],
    feeSchedule: { cross, add, spotCross: "0.0007", spotAdd: "0.0004", tiers: { vip: [], mm: [] }, referralDiscount: "0.04", stakingDiscountTiers: [] },
    userCrossRate: cross,
    userAddRate: add,
    userSpotCrossRate: "0.0007",
    userSpotAddRate: "0.0004",
    activeReferralDiscount: "0.0",
    trial: null,
    feeTrialEscrow: "0.0",
    nextTrialAvailableTimestamp: null,
    stakingLink: null,
    activeStakingDiscount: { bpsOfMaxSupply: "0.0", discount: "0.0" },
  };
}

/** userRole: user, agent (with its master), subAccount (with its master), or missing. */
export function simUserRole(state: SimServerState, user: string): Record<string, unknown> {
  const ex = state.exchange;
  const agent = state.accounts.agent(user, ex.now());
  if (agent) return { role: "agent", data: { user: agent.master } };
  for (const u of ex.users()) if (state.accounts.subAccountsOf(u).includes(user.toLowerCase())) return { role: "subAccount", data: { master: u } };
  return state.accounts.exists(user) || ex.hasAccount(user) ? { role: "user" } : { role: "missing" };
}

export function simExtraAgents(state: SimServerState, user: string): Record<string, unknown>[] {
  return state.accounts.agentsOf(user, state.exchange.now()).map((a) => ({ address: a.address, name: a.name, validUntil: a.validUntil }));
}

export function simSubAccounts(state: SimServerState, user: string): Record<string, unknown>[] | null {
  const subs = state.accounts.subAccountsOf(user);
  if (subs.length === 0) return null;
  return subs.map((a, i) => ({ name: `sub${i}`, subAccountUser: a, master: user.toLowerCase(), clearinghouseState: simClearinghouseState(state.exchange, a), spotState: simSpotState() }));
}

/** No spot market is modelled: an empty spot balance sheet. */
export function simSpotState(): Record<string, unknown> {
  return { balances: [] };
}

/** activeAssetData: leverage, the sizes one could trade each way, and the mark. */
export function simActiveAssetData(ex: PaperExchange, user: string, coin: string): Record<string, unknown> | undefined {
  const meta = ex.assetMeta(coin);
  if (!meta) return undefined;
  const mark = ex.mark(coin) ?? 0;
  const lev = ex.leverageOf(user, meta);
  const state = simClearinghouseState(ex, user);
  const free = Math.max(0, Number(state["withdrawable"]));
  const ntl = free * lev.value;
  const sz = mark > 0 ? Math.floor((ntl / mark) * 10 ** meta.szDecimals) / 10 ** meta.szDecimals : 0;
  return {
    user: user.toLowerCase(),
    coin,
    leverage: lev.type === "cross" ? { type: "cross", value: lev.value } : { type: "isolated", value: lev.value, rawUsd: "0.0" },
    maxTradeSzs: [hlNum(sz), hlNum(sz)],
    availableToTrade: [hlNum(r6(ntl)), hlNum(r6(ntl))],
    markPx: hlNum(mark),
  };
}

/** webData3 (FACTS §13: carries no positions or orders): the user state and one perp dex state. */
export function simWebData3(state: SimServerState, user: string, startingBalance: number): Record<string, unknown> {
  const now = state.exchange.now();
  const agent = state.accounts.agentsOf(user, now).find((a) => a.name === "");
  return {
    userState: { agentAddress: agent?.address ?? null, agentValidUntil: agent?.validUntil ?? null, cumLedger: hlNum(startingBalance), serverTime: now, isVault: false, user: user.toLowerCase() },
    perpDexStates: [{ totalVaultEquity: "0.0" }],
  };
}
