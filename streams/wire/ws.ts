// Hyperliquid WebSocket wire shapes (FACTS §2–3): client requests, subscription objects,
// server frames per channel, and the `post` envelope. Codec and type share a name.
import * as t from "io-ts";
import { DecimalString, HlAddress, HlCloid, HlSide, WireNumber, nullable } from "./scalars.js";
import { HlExchangeResponse } from "./exchange.js";

// ---------------------------------------------------------------- subscriptions (client → server)

const coinSub = <T extends string>(type: T) => t.type({ type: t.literal(type), coin: t.string });
const userSub = <T extends string>(type: T) => t.type({ type: t.literal(type), user: HlAddress });

export const HlL2BookSubscription = t.intersection([
  coinSub("l2Book"),
  t.partial({ nSigFigs: nullable(WireNumber), mantissa: nullable(WireNumber), fast: t.boolean }),
]);
export const HlAllMidsSubscription = t.intersection([t.type({ type: t.literal("allMids") }), t.partial({ dex: t.string })]);
export const HlUserFillsSubscription = t.intersection([userSub("userFills"), t.partial({ aggregateByTime: t.boolean })]);

/** The candle intervals (FACTS §2.3). */
export const HlCandleInterval = t.keyof(
  { "1m": null, "3m": null, "5m": null, "15m": null, "30m": null, "1h": null, "2h": null, "4h": null, "8h": null, "12h": null, "1d": null, "3d": null, "1w": null, "1M": null },
  "HlCandleInterval",
);
export type HlCandleInterval = t.TypeOf<typeof HlCandleInterval>;
const dexUserSub = <T extends string>(type: T) => t.intersection([userSub(type), t.partial({ dex: t.string })]);

/** Every subscription the client sends (and the paper venue accepts). */
export const HlSubscription = t.union(
  [
    HlAllMidsSubscription,
    HlL2BookSubscription,
    coinSub("trades"),
    coinSub("bbo"),
    coinSub("activeAssetCtx"),
    t.type({ type: t.literal("candle"), coin: t.string, interval: HlCandleInterval }),
    userSub("orderUpdates"),
    userSub("userEvents"),
    HlUserFillsSubscription,
    userSub("userFundings"),
    userSub("userNonFundingLedgerUpdates"),
    userSub("notification"),
    userSub("webData3"),
    dexUserSub("clearinghouseState"),
    dexUserSub("openOrders"),
    userSub("twapStates"),
    userSub("spotState"),
    userSub("allDexsClearinghouseState"),
    t.type({ type: t.literal("activeAssetData"), user: HlAddress, coin: t.string }),
  ],
  "HlSubscription",
);
export type HlSubscription = t.TypeOf<typeof HlSubscription>;

/** Client → server messages: subscribe, unsubscribe, ping, post. */
export const HlWsSubscribeRequest = t.type({ method: t.literal("subscribe"), subscription: HlSubscription });
export const HlWsUnsubscribeRequest = t.type({ method: t.literal("unsubscribe"), subscription: HlSubscription });
export const HlWsPingRequest = t.type({ method: t.literal("ping") });
export const HlWsPostRequest = t.type({
  method: t.literal("post"),
  id: WireNumber,
  request: t.type({ type: t.keyof({ info: null, action: null }), payload: t.UnknownRecord }),
});
export type HlWsPostRequest = t.TypeOf<typeof HlWsPostRequest>;
export const HlWsRequest = t.union(
  [HlWsSubscribeRequest, HlWsUnsubscribeRequest, HlWsPingRequest, HlWsPostRequest],
  "HlWsRequest",
);
export type HlWsRequest = t.TypeOf<typeof HlWsRequest>;

// ---------------------------------------------------------------- data payloads (server → client)

/** One book level. `n` (order count) is dropped by some captures, so it is optional. */
export const HlLevel = t.intersection([t.type({ px: DecimalString, sz: DecimalString }), t.partial({ n: WireNumber })], "HlLevel");
export type HlLevel = t.TypeOf<typeof HlLevel>;

/** l2Book data (WS and info): levels[0] bids best first, levels[1] asks best first. */
export const HlBook = t.intersection(
  [
    t.type({ coin: t.string, time: WireNumber, levels: t.tuple([t.array(HlLevel), t.array(HlLevel)]) }),
    t.partial({ spread: DecimalString, fast: t.boolean }),
  ],
  "HlBook",
);
export type HlBook = t.TypeOf<typeof HlBook>;

export const HlTrade = t.intersection(
  [
    t.type({ coin: t.string, side: HlSide, px: DecimalString, sz: DecimalString, time: WireNumber, tid: WireNumber }),
    t.partial({ hash: t.string, users: t.tuple([t.string, t.string]) }),
  ],
  "HlTrade",
);
export type HlTrade = t.TypeOf<typeof HlTrade>;
export const HlTrades = t.array(HlTrade, "HlTrades");
export type HlTrades = t.TypeOf<typeof HlTrades>;

export const HlBbo = t.type({ coin: t.string, time: WireNumber, bbo: t.tuple([nullable(HlLevel), nullable(HlLevel)]) }, "HlBbo");
export type HlBbo = t.TypeOf<typeof HlBbo>;

/** WS allMids data: `{ mids: {coin: px} }` (REST allMids is the bare record). */
export const HlWsAllMids = t.intersection([t.type({ mids: t.record(t.string, DecimalString) }), t.partial({ dex: t.string })], "HlWsAllMids");
export type HlWsAllMids = t.TypeOf<typeof HlWsAllMids>;

/** The order inside orderUpdates / orderStatus / historicalOrders. */
export const HlBasicOrder = t.intersection(
  [
    t.type({ coin: t.string, side: HlSide, limitPx: DecimalString, sz: DecimalString, oid: WireNumber, timestamp: WireNumber }),
    t.partial({ origSz: DecimalString, cloid: nullable(HlCloid), reduceOnly: t.boolean }),
  ],
  "HlBasicOrder",
);
export type HlBasicOrder = t.TypeOf<typeof HlBasicOrder>;

export const HlWsOrder = t.type({ order: HlBasicOrder, status: t.string, statusTimestamp: WireNumber }, "HlWsOrder");
export type HlWsOrder = t.TypeOf<typeof HlWsOrder>;
export const HlWsOrders = t.array(HlWsOrder, "HlWsOrders");

export const HlFillLiquidation = t.intersection([
  t.type({ method: t.string }),
  t.partial({ liquidatedUser: nullable(t.string), markPx: t.union([DecimalString, WireNumber]) }),
]);

/**
 * A fill (WS userFills / user, info userFills / userFillsByTime). `tid` and `feeToken` are
 * optional because recorded 2023 REST fills lack them.
 */
export const HlFill = t.intersection(
  [
    t.type({
      coin: t.string,
      px: DecimalString,
      sz: DecimalString,
      side: HlSide,
      time: WireNumber,
      startPosition: DecimalString,
      dir: t.string,
      closedPnl: DecimalString,
      hash: t.string,
      oid: WireNumber,
      crossed: t.boolean,
      fee: DecimalString,
    }),
    t.partial({
      tid: WireNumber,
      feeToken: t.string,
      builderFee: DecimalString,
      cloid: nullable(HlCloid),
      liquidation: nullable(HlFillLiquidation),
      twapId: nullable(WireNumber),
      feeTrialEscrow: DecimalString,
    }),
  ],
  "HlFill",
);
export type HlFill = t.TypeOf<typeof HlFill>;
export const HlFills = t.array(HlFill, "HlFills");

export const HlWsUserFills = t.intersection(
  [t.type({ user: t.string, fills: HlFills }), t.partial({ isSnapshot: t.boolean })],
  "HlWsUserFills",
);
export type HlWsUserFills = t.TypeOf<typeof HlWsUserFills>;

export const HlUserFunding = t.intersection([
  t.type({ time: WireNumber, coin: t.string, usdc: DecimalString, szi: DecimalString, fundingRate: DecimalString }),
  t.partial({ nSamples: nullable(WireNumber) }),
]);
export type HlUserFunding = t.TypeOf<typeof HlUserFunding>;

export const HlWsUserFundings = t.intersection(
  [t.type({ user: t.string, fundings: t.array(HlUserFunding) }), t.partial({ isSnapshot: t.boolean })],
  "HlWsUserFundings",
);
export type HlWsUserFundings = t.TypeOf<typeof HlWsUserFundings>;

export const HlLiquidation = t.type({
  lid: WireNumber,
  liquidator: t.string,
  liquidated_user: t.string,
  liquidated_ntl_pos: DecimalString,
  liquidated_account_value: DecimalString,
});
export const HlNonUserCancel = t.type({ coin: t.string, oid: WireNumber });

/**
 * Any value, but the key must be there: `t.unknown` also accepts a missing key, which made
 * `{ twapHistory: t.unknown }` match every object, so a malformed `fills`/`nonUserCancel` event
 * decoded "successfully" and the mapping threw on it.
 */
const Present = new t.Type<unknown>(
  "present",
  (u): u is unknown => u !== undefined,
  (u, c) => (u !== undefined ? t.success(u) : t.failure(u, c, "a value (key present)")),
  t.identity,
);

/** WS `user` channel (subscription `userEvents`): exactly one of these keys. */
export const HlWsUserEvent = t.union(
  [
    t.type({ fills: HlFills }),
    t.type({ funding: HlUserFunding }),
    t.type({ liquidation: HlLiquidation }),
    t.type({ nonUserCancel: t.array(HlNonUserCancel) }),
    t.type({ twapHistory: Present }),
    t.type({ twapSliceFills: Present }),
  ],
  "HlWsUserEvent",
);
export type HlWsUserEvent = t.TypeOf<typeof HlWsUserEvent>;

export const HlWsNotification = t.type({ notification: t.string }, "HlWsNotification");

export const HlWsSubscriptionResponse = t.type(
  { method: t.keyof({ subscribe: null, unsubscribe: null }), subscription: t.intersection([t.type({ type: t.string }), t.UnknownRecord]) },
  "HlWsSubscriptionResponse",
);
export type HlWsSubscriptionResponse = t.TypeOf<typeof HlWsSubscriptionResponse>;

/** `post` response: info → `{type, data}`; action → the /exchange body; error → a string. */
export const HlWsPostResponse = t.type(
  {
    id: WireNumber,
    response: t.union([
      t.type({ type: t.literal("info"), payload: t.type({ type: t.string, data: t.unknown }) }),
      t.type({ type: t.literal("action"), payload: HlExchangeResponse }),
      t.type({ type: t.literal("error"), payload: t.string }),
    ]),
  },
  "HlWsPostResponse",
);
export type HlWsPostResponse = t.TypeOf<typeof HlWsPostResponse>;

/** Every server frame: `{channel, data}`; `pong` is the only frame without data. */
export const HlWsEnvelope = t.intersection([t.type({ channel: t.string }), t.partial({ data: t.unknown })], "HlWsEnvelope");
export type HlWsEnvelope = t.TypeOf<typeof HlWsEnvelope>;

/** Channel name → data codec, for every channel the client decodes. */
export const HL_CHANNEL_CODECS = {
  subscriptionResponse: HlWsSubscriptionResponse,
  error: t.string,
  l2Book: HlBook,
  trades: HlTrades,
  allMids: HlWsAllMids,
  bbo: HlBbo,
  orderUpdates: HlWsOrders,
  userFills: HlWsUserFills,
  user: HlWsUserEvent,
  userFundings: HlWsUserFundings,
  notification: HlWsNotification,
  post: HlWsPostResponse,
} as const;
export type HlChannel = keyof typeof HL_CHANNEL_CODECS | "pong";
