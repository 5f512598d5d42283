// /info of the paper server: each body decoded once with its codec (streams/wire
// HL_SERVED_INFO_REQUESTS), then answered from the exchange and the server state in the venue's
// shapes. A type the table does not hold gets what the real venue answers: HTTP 422
// "Failed to deserialize the JSON body into the target type" (FACTS §1).
import type * as t from "io-ts";
import { decodeWith } from "../streams/codec.js";
import { HL_SERVED_INFO_REQUESTS, isHlServedInfoType, type HlServedInfoRequest, type HlServedInfoType } from "../streams/wire/infoRequests.js";
import { hlBookToWire, hlRateLimitToWire } from "../streams/wire/serve.js";
import { simAggregateBook, simAggregationProblem } from "./bookAggregate.js";
import type { PaperExchange } from "./exchange.js";
import {
  simActiveAssetData,
  simClearinghouseState,
  simExtraAgents,
  simFillWire,
  simHistoricalOrders,
  simOpenOrdersWire,
  simOrderStatusWire,
  simSpotState,
  simSubAccounts,
  simUserFees,
  simUserFunding,
  simUserRole,
} from "./infoAccount.js";
import { simAllMids, simAssetCtx, simCandleSnapshot, simDexUniverse, simFundingHistory, simMeta, simPerpDexs, simPredictedFundings, simRecentTrades, simSpotMeta } from "./infoMarket.js";
import { simServerState, type SimServerState } from "./serverState.js";

export { simAllMids } from "./infoMarket.js";
export { simClearinghouseState, simFillWire } from "./infoAccount.js";

export type SimInfoAnswer = { readonly ok: true; readonly body: unknown; readonly items: number; readonly user?: string } | { readonly ok: false; readonly detail: string };

type Handlers = { [K in HlServedInfoType]: (s: SimServerState, r: HlServedInfoRequest<K>) => SimInfoAnswer };

const body = (b: unknown, items = 0): SimInfoAnswer => ({ ok: true, body: b, items });
const list = (b: readonly unknown[]): SimInfoAnswer => ({ ok: true, body: b, items: b.length });
const lc = (u: string): string => u.toLowerCase();

const HANDLERS: Handlers = {
  meta: (s, r) => body(simMeta(s.exchange, r.dex)),
  allPerpMetas: (s) => body([simMeta(s.exchange), ...s.exchange.hip3.dexes.map((d) => simMeta(s.exchange, d.name))]),
  metaAndAssetCtxs: (s, r) => body([simMeta(s.exchange, r.dex), simDexUniverse(s.exchange, r.dex).map((m) => simAssetCtx(s, m))]),
  spotMeta: () => body(simSpotMeta()),
  spotMetaAndAssetCtxs: () => body([simSpotMeta(), []]),
  perpDexs: (s) => body(simPerpDexs(s.exchange)),
  allMids: (s, r) => body(simAllMids(s.exchange, r.dex)),
  l2Book: (s, r) => {
    const problem = simAggregationProblem(r);
    if (problem) return { ok: false, detail: problem };
    const b = s.exchange.currentBook(r.coin);
    return body(b ? hlBookToWire(simAggregateBook(b, r)) : null);
  },
  recentTrades: (s, r) => list(simRecentTrades(s, r.coin)),
  candleSnapshot: (s, r) => list(simCandleSnapshot(s, r.req.coin, r.req.interval, r.req.startTime, r.req.endTime)),
  fundingHistory: (s, r) => list(simFundingHistory(s.exchange, r.coin, r.startTime, r.endTime)),
  predictedFundings: (s) => body(simPredictedFundings(s.exchange)),
  exchangeStatus: (s) => body({ specialStatuses: null, time: s.exchange.now() }),
  clearinghouseState: (s, r) => body(simClearinghouseState(s.exchange, lc(r.user), r.dex)),
  spotClearinghouseState: () => body(simSpotState()),
  openOrders: (s, r) => body(simOpenOrdersWire(s.exchange, lc(r.user), false, r.dex)),
  frontendOpenOrders: (s, r) => body(simOpenOrdersWire(s.exchange, lc(r.user), true, r.dex)),
  orderStatus: (s, r) => body(simOrderStatusWire(s.exchange, lc(r.user), typeof r.oid === "number" ? { oid: r.oid } : { cloid: r.oid })),
  userFills: (s, r) => list(s.exchange.account(lc(r.user)).fills.slice(-2000).reverse().map(simFillWire)),
  userFillsByTime: (s, r) => {
    const end = r.endTime ?? Infinity;
    const fills = s.exchange
      .account(lc(r.user))
      .fills.filter((f) => f.fill.time >= r.startTime && f.fill.time <= end)
      .slice(0, 2000)
      .map(simFillWire);
    return list(r.reversed === true ? fills.reverse() : fills);
  },
  userFunding: (s, r) => list(simUserFunding(s.exchange, lc(r.user), r.startTime, r.endTime)),
  userRateLimit: (s, r) => body(hlRateLimitToWire(s.exchange.rateLimit(lc(r.user)))),
  historicalOrders: (s, r) => list(simHistoricalOrders(s.exchange, lc(r.user))),
  userFees: (s) => body(simUserFees(s.exchange)),
  userAbstraction: () => body("default"),
  userRole: (s, r) => body(simUserRole(s, lc(r.user))),
  extraAgents: (s, r) => body(simExtraAgents(s, lc(r.user))),
  subAccounts: (s, r) => body(simSubAccounts(s, lc(r.user))),
  maxBuilderFee: (s, r) => body(s.accounts.maxBuilderFee(r.user, r.builder)),
  activeAssetData: (s, r) => {
    const d = simActiveAssetData(s.exchange, lc(r.user), r.coin);
    return d ? body(d) : { ok: false, detail: `unknown coin \`${r.coin.slice(0, 40)}\`` };
  },
};

/** Types that name a user, so the server can announce the address (`announced` mode). */
function userOf(req: unknown): string | undefined {
  const u = (req as { user?: unknown }).user;
  return typeof u === "string" ? u.toLowerCase() : undefined;
}

/**
 * Answer one /info body (already JSON-parsed). Decoding failures and unknown types → not ok (HTTP
 * 422 with the detail). `state` defaults to a bare one around `ex` (no agents, trades or candles).
 */
export function simInfo(ex: PaperExchange, req: Record<string, unknown>, state: SimServerState = simServerState(ex)): SimInfoAnswer {
  const type = req["type"];
  if (!isHlServedInfoType(type)) {
    // String() of a deeply nested array recurses past the stack: name only what a string can be
    return { ok: false, detail: `unknown variant \`${typeof type === "string" ? type.slice(0, 100) : typeof type}\`` };
  }
  const codec: t.Decoder<unknown, unknown> = HL_SERVED_INFO_REQUESTS[type];
  const decoded = decodeWith(codec, req, `info ${type}`);
  if (!decoded.ok) return { ok: false, detail: decoded.error.problems[0] ?? "invalid body" };
  const handler = HANDLERS[type] as (s: SimServerState, r: unknown) => SimInfoAnswer;
  const answer = handler(state, decoded.value);
  const user = userOf(decoded.value);
  return answer.ok && user !== undefined ? { ...answer, user } : answer;
}
