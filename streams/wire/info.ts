// Hyperliquid /info wire shapes (FACTS §4) for the requests quoteflow makes, plus the other
// recorded shapes (candles, funding history, historical orders) so every real payload decodes.
import * as t from "io-ts";
import { DecimalString, HlAddress, HlCloid, HlSide, WireNumber, nullable } from "./scalars.js";
import { HlBasicOrder, HlBook, HlFills } from "./ws.js";

/** Request bodies. */
export type HlInfoRequest =
  | { type: "meta"; dex?: string }
  | { type: "perpDexs" }
  | { type: "allMids"; dex?: string }
  | { type: "l2Book"; coin: string; nSigFigs?: number | null; mantissa?: number | null }
  | { type: "clearinghouseState"; user: string; dex?: string }
  | { type: "openOrders"; user: string; dex?: string }
  | { type: "frontendOpenOrders"; user: string; dex?: string }
  | { type: "orderStatus"; user: string; oid: number | string }
  | { type: "userFills"; user: string; aggregateByTime?: boolean }
  | { type: "userFillsByTime"; user: string; startTime: number; endTime?: number; aggregateByTime?: boolean }
  | { type: "userRateLimit"; user: string };

export const HlInfoRequestCodec = t.union(
  [
    t.intersection([t.type({ type: t.keyof({ meta: null, allMids: null }) }), t.partial({ dex: t.string })]),
    t.type({ type: t.literal("perpDexs") }),
    t.intersection([t.type({ type: t.literal("l2Book"), coin: t.string }), t.partial({ nSigFigs: nullable(WireNumber), mantissa: nullable(WireNumber) })]),
    t.intersection([
      t.type({ type: t.keyof({ clearinghouseState: null, openOrders: null, frontendOpenOrders: null }), user: HlAddress }),
      t.partial({ dex: t.string }),
    ]),
    t.type({ type: t.literal("orderStatus"), user: HlAddress, oid: t.union([WireNumber, HlCloid]) }),
    t.intersection([t.type({ type: t.literal("userFills"), user: HlAddress }), t.partial({ aggregateByTime: t.boolean })]),
    t.intersection([
      t.type({ type: t.literal("userFillsByTime"), user: HlAddress, startTime: WireNumber }),
      t.partial({ endTime: nullable(WireNumber), aggregateByTime: t.boolean, reversed: t.boolean }),
    ]),
    t.type({ type: t.literal("userRateLimit"), user: HlAddress }),
  ],
  "HlInfoRequest",
);

export const HlPerpAssetInfo = t.intersection(
  [
    t.type({ name: t.string, szDecimals: WireNumber, maxLeverage: WireNumber }),
    // growthMode: "enabled" on a HIP-3 dex in growth mode (NK meta.ts; FACTS §13)
    t.partial({ onlyIsolated: nullable(t.boolean), isDelisted: nullable(t.boolean), marginTableId: WireNumber, growthMode: nullable(t.string) }),
  ],
  "HlPerpAssetInfo",
);
export const HlMeta = t.intersection([t.type({ universe: t.array(HlPerpAssetInfo) }), t.partial({ marginTables: t.unknown })], "HlMeta");
export type HlMeta = t.TypeOf<typeof HlMeta>;

/** REST allMids: the bare `{coin: px}` record. */
export const HlAllMids = t.record(t.string, DecimalString, "HlAllMids");
export type HlAllMids = t.TypeOf<typeof HlAllMids>;

/** REST l2Book: same shape as the WS book. */
export const HlL2BookInfo = HlBook;

const Leverage = t.intersection([
  t.type({ type: t.string, value: WireNumber }),
  t.partial({ rawUsd: DecimalString }),
]);
export const HlAssetPosition = t.type(
  {
    position: t.intersection([
      t.type({ coin: t.string, szi: DecimalString, unrealizedPnl: DecimalString }),
      t.partial({
        entryPx: nullable(DecimalString),
        leverage: Leverage,
        liquidationPx: nullable(DecimalString),
        marginUsed: DecimalString,
        positionValue: DecimalString,
        returnOnEquity: DecimalString,
        maxLeverage: WireNumber,
      }),
    ]),
    type: t.string,
  },
  "HlAssetPosition",
);
const MarginSummary = t.type({
  accountValue: DecimalString,
  totalMarginUsed: DecimalString,
  totalNtlPos: DecimalString,
  totalRawUsd: DecimalString,
});
export const HlClearinghouseState = t.intersection(
  [
    t.type({ assetPositions: t.array(HlAssetPosition), marginSummary: MarginSummary, crossMarginSummary: MarginSummary, withdrawable: DecimalString }),
    t.partial({ time: WireNumber, crossMaintenanceMarginUsed: DecimalString }),
  ],
  "HlClearinghouseState",
);
export type HlClearinghouseState = t.TypeOf<typeof HlClearinghouseState>;

/** openOrders element. */
export const HlOpenOrder = t.intersection(
  [
    t.type({ coin: t.string, limitPx: DecimalString, oid: WireNumber, side: HlSide, sz: DecimalString, timestamp: WireNumber }),
    t.partial({ origSz: DecimalString, cloid: nullable(HlCloid), reduceOnly: t.boolean }),
  ],
  "HlOpenOrder",
);
export type HlOpenOrder = t.TypeOf<typeof HlOpenOrder>;
export const HlOpenOrders = t.array(HlOpenOrder, "HlOpenOrders");

/** frontendOpenOrders element: an open order plus trigger/TIF details. */
export const HlFrontendOpenOrder = t.intersection(
  [
    HlOpenOrder,
    t.partial({
      isPositionTpsl: t.boolean,
      isTrigger: t.boolean,
      orderType: t.string,
      triggerCondition: t.string,
      triggerPx: DecimalString,
      tif: nullable(t.string),
      children: t.array(t.unknown),
    }),
  ],
  "HlFrontendOpenOrder",
);
export type HlFrontendOpenOrder = t.TypeOf<typeof HlFrontendOpenOrder>;
export const HlFrontendOpenOrders = t.array(HlFrontendOpenOrder, "HlFrontendOpenOrders");

/**
 * WS push `clearinghouseState {user, dex?}` (FACTS §13): the same state as the info request, with
 * the dex and user it belongs to; re-pushed every ~4–5 s. No REST weight.
 */
export const HlWsClearinghouseState = t.type({ dex: t.string, user: HlAddress, clearinghouseState: HlClearinghouseState }, "HlWsClearinghouseState");
export type HlWsClearinghouseState = t.TypeOf<typeof HlWsClearinghouseState>;

/** WS push `openOrders {user, dex?}` (FACTS §13): frontend open orders (cloid included). No REST weight. */
export const HlWsOpenOrders = t.type({ dex: t.string, user: HlAddress, orders: HlFrontendOpenOrders }, "HlWsOpenOrders");
export type HlWsOpenOrders = t.TypeOf<typeof HlWsOpenOrders>;

export const HlOrderStatusInfo = t.union(
  [
    t.type({
      status: t.literal("order"),
      order: t.type({ order: t.intersection([HlBasicOrder, t.partial({ tif: nullable(t.string) })]), status: t.string, statusTimestamp: WireNumber }),
    }),
    t.type({ status: t.literal("unknownOid") }),
  ],
  "HlOrderStatusInfo",
);
export type HlOrderStatusInfo = t.TypeOf<typeof HlOrderStatusInfo>;

export const HlHistoricalOrders = t.array(
  t.type({ order: t.intersection([HlBasicOrder, t.partial({ tif: nullable(t.string) })]), status: t.string, statusTimestamp: WireNumber }),
  "HlHistoricalOrders",
);

export const HlUserFillsInfo = HlFills;

export const HlUserRateLimit = t.intersection(
  [t.type({ cumVlm: DecimalString, nRequestsUsed: WireNumber, nRequestsCap: WireNumber }), t.partial({ nRequestsSurplus: WireNumber })],
  "HlUserRateLimit",
);
export type HlUserRateLimit = t.TypeOf<typeof HlUserRateLimit>;

const NumOrDec = t.union([WireNumber, DecimalString]);
export const HlCandles = t.array(
  t.type({ t: WireNumber, T: WireNumber, s: t.string, i: t.string, o: NumOrDec, c: NumOrDec, h: NumOrDec, l: NumOrDec, v: NumOrDec, n: WireNumber }),
  "HlCandles",
);
export const HlFundingHistory = t.array(
  t.type({ coin: t.string, fundingRate: DecimalString, premium: DecimalString, time: WireNumber }),
  "HlFundingHistory",
);

/** Info type → response codec, for the shapes quoteflow reads or that are recorded in ../shared. */
export const HL_INFO_CODECS = {
  meta: HlMeta,
  allMids: HlAllMids,
  l2Book: HlL2BookInfo,
  clearinghouseState: HlClearinghouseState,
  openOrders: HlOpenOrders,
  frontendOpenOrders: HlFrontendOpenOrders,
  orderStatus: HlOrderStatusInfo,
  userFills: HlUserFillsInfo,
  userFillsByTime: HlUserFillsInfo,
  userRateLimit: HlUserRateLimit,
  historicalOrders: HlHistoricalOrders,
  candleSnapshot: HlCandles,
  fundingHistory: HlFundingHistory,
} as const;
export type HlInfoType = keyof typeof HL_INFO_CODECS;
