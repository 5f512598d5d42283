// /info request bodies the paper venue serves, one codec per `type` (FACTS §4, §13; the SDKs'
// request schemas as shape reference). The server decodes each body once with these; a type not
// in the table is answered the way the real venue answers one: HTTP 422 "Failed to deserialize…".
import * as t from "io-ts";
import { HlAddress, HlCloid, WireNumber, nullable } from "./scalars.js";
import { HlCandleInterval } from "./ws.js";

const dex = t.partial({ dex: t.string });
const withType = <T extends string, P extends t.Props>(type: T, props: P) => t.type({ type: t.literal(type), ...props });
const user = <T extends string>(type: T) => withType(type, { user: HlAddress });
const timeRange = t.partial({ endTime: nullable(WireNumber), aggregateByTime: t.boolean, reversed: t.boolean });

/** An order id: a non-negative safe integer (u64 on the venue). */
export const HlOid = new t.Type<number, number, unknown>(
  "Oid(u64)",
  (u): u is number => typeof u === "number" && Number.isSafeInteger(u) && u >= 0,
  (u, c) => (typeof u === "number" && Number.isSafeInteger(u) && u >= 0 ? t.success(u) : t.failure(u, c)),
  t.identity,
);

/** `nSigFigs` ∈ {2,3,4,5} or null; `mantissa` ∈ {1,2,5} and only with nSigFigs 5 (DOC-INFO). */
export const HlBookAggregation = t.partial({ nSigFigs: nullable(WireNumber), mantissa: nullable(WireNumber) });

export const HL_SERVED_INFO_REQUESTS = {
  meta: t.intersection([withType("meta", {}), dex]),
  metaAndAssetCtxs: t.intersection([withType("metaAndAssetCtxs", {}), dex]),
  allPerpMetas: withType("allPerpMetas", {}),
  spotMeta: withType("spotMeta", {}),
  spotMetaAndAssetCtxs: withType("spotMetaAndAssetCtxs", {}),
  perpDexs: withType("perpDexs", {}),
  allMids: t.intersection([withType("allMids", {}), dex]),
  l2Book: t.intersection([withType("l2Book", { coin: t.string }), HlBookAggregation]),
  recentTrades: withType("recentTrades", { coin: t.string }),
  candleSnapshot: withType("candleSnapshot", {
    req: t.intersection([t.type({ coin: t.string, interval: HlCandleInterval, startTime: WireNumber }), t.partial({ endTime: nullable(WireNumber) })]),
  }),
  fundingHistory: t.intersection([withType("fundingHistory", { coin: t.string, startTime: WireNumber }), t.partial({ endTime: nullable(WireNumber) })]),
  predictedFundings: withType("predictedFundings", {}),
  exchangeStatus: withType("exchangeStatus", {}),
  clearinghouseState: t.intersection([user("clearinghouseState"), dex]),
  spotClearinghouseState: t.intersection([user("spotClearinghouseState"), dex]),
  openOrders: t.intersection([user("openOrders"), dex]),
  frontendOpenOrders: t.intersection([user("frontendOpenOrders"), dex]),
  orderStatus: withType("orderStatus", { user: HlAddress, oid: t.union([HlOid, HlCloid]) }),
  userFills: t.intersection([user("userFills"), t.partial({ aggregateByTime: t.boolean })]),
  userFillsByTime: t.intersection([withType("userFillsByTime", { user: HlAddress, startTime: WireNumber }), timeRange]),
  userFunding: t.intersection([withType("userFunding", { user: HlAddress, startTime: WireNumber }), t.partial({ endTime: nullable(WireNumber) })]),
  userRateLimit: user("userRateLimit"),
  historicalOrders: user("historicalOrders"),
  userFees: user("userFees"),
  userAbstraction: user("userAbstraction"),
  userRole: user("userRole"),
  extraAgents: user("extraAgents"),
  subAccounts: user("subAccounts"),
  maxBuilderFee: withType("maxBuilderFee", { user: HlAddress, builder: HlAddress }),
  activeAssetData: withType("activeAssetData", { user: HlAddress, coin: t.string }),
} as const;
export type HlServedInfoType = keyof typeof HL_SERVED_INFO_REQUESTS;
export type HlServedInfoRequest<K extends HlServedInfoType> = t.TypeOf<(typeof HL_SERVED_INFO_REQUESTS)[K]>;

export function isHlServedInfoType(type: unknown): type is HlServedInfoType {
  return typeof type === "string" && Object.prototype.hasOwnProperty.call(HL_SERVED_INFO_REQUESTS, type);
}
