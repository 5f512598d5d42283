// Hyperliquid /exchange wire shapes (FACTS §5): the L1 actions we send (key order matters for
// signing: build them with encodeAction, not by hand), the request envelope, and the responses.
import * as t from "io-ts";
import { DecimalString, HlAddress, HlCloid, WireNumber, nullable } from "./scalars.js";

export const HlTifWire = t.keyof({ Alo: null, Ioc: null, Gtc: null, FrontendMarket: null }, "HlTif");

export const HlOrderTypeWire = t.union([
  t.type({ limit: t.type({ tif: HlTifWire }) }),
  t.type({ trigger: t.type({ isMarket: t.boolean, triggerPx: DecimalString, tpsl: t.keyof({ tp: null, sl: null }) }) }),
]);

/** One order on the wire: a, b, p, s, r, t, c? — in this key order. */
export const HlOrderWire = t.intersection(
  [
    t.type({ a: WireNumber, b: t.boolean, p: DecimalString, s: DecimalString, r: t.boolean, t: HlOrderTypeWire }),
    t.partial({ c: HlCloid }),
  ],
  "HlOrderWire",
);
export type HlOrderWire = t.TypeOf<typeof HlOrderWire>;

export const HlOrderAction = t.intersection([
  t.type({
    type: t.literal("order"),
    orders: t.array(HlOrderWire),
    grouping: t.union([t.keyof({ na: null, normalTpsl: null, positionTpsl: null }), t.type({ p: WireNumber })]),
  }),
  t.partial({ builder: t.type({ b: HlAddress, f: WireNumber }) }),
]);
export const HlCancelAction = t.intersection([
  t.type({ type: t.literal("cancel"), cancels: t.array(t.type({ a: WireNumber, o: WireNumber })) }),
  t.partial({ f: t.literal(true) }),
]);
export const HlCancelByCloidAction = t.intersection([
  t.type({ type: t.literal("cancelByCloid"), cancels: t.array(t.type({ asset: WireNumber, cloid: HlCloid })) }),
  t.partial({ f: t.literal(true) }),
]);
const ModifyOid = t.union([WireNumber, HlCloid]);
export const HlBatchModifyAction = t.type({
  type: t.literal("batchModify"),
  modifies: t.array(t.type({ oid: ModifyOid, order: HlOrderWire })),
});
export const HlModifyAction = t.type({ type: t.literal("modify"), oid: ModifyOid, order: HlOrderWire });
export const HlScheduleCancelAction = t.intersection([t.type({ type: t.literal("scheduleCancel") }), t.partial({ time: WireNumber })]);
export const HlUpdateLeverageAction = t.type({
  type: t.literal("updateLeverage"),
  asset: WireNumber,
  isCross: t.boolean,
  leverage: WireNumber,
});
export const HlNoopAction = t.type({ type: t.literal("noop") });

/** The L1 actions quoteflow sends (and the paper venue accepts). */
export const HlAction = t.union(
  [
    HlOrderAction,
    HlCancelAction,
    HlCancelByCloidAction,
    HlBatchModifyAction,
    HlModifyAction,
    HlScheduleCancelAction,
    HlUpdateLeverageAction,
    HlNoopAction,
  ],
  "HlAction",
);
export type HlAction = t.TypeOf<typeof HlAction>;

export const HlSignature = t.type({ r: t.string, s: t.string, v: WireNumber }, "HlSignature");
export type HlSignature = t.TypeOf<typeof HlSignature>;

/** POST /exchange body (and the payload of a WS `post` of type "action"). */
export const HlExchangeRequest = t.intersection(
  [
    t.type({ action: HlAction, nonce: WireNumber, signature: HlSignature }),
    t.partial({ vaultAddress: nullable(HlAddress), expiresAfter: nullable(WireNumber) }),
  ],
  "HlExchangeRequest",
);
export type HlExchangeRequest = t.TypeOf<typeof HlExchangeRequest>;

// ---------------------------------------------------------------- responses

export const HlOrderStatusWire = t.union(
  [
    t.type({ resting: t.intersection([t.type({ oid: WireNumber }), t.partial({ cloid: HlCloid })]) }),
    t.type({
      filled: t.intersection([
        t.type({ totalSz: DecimalString, avgPx: DecimalString, oid: WireNumber }),
        t.partial({ cloid: HlCloid }),
      ]),
    }),
    t.type({ error: t.string }),
    t.literal("waitingForFill"),
    t.literal("waitingForTrigger"),
  ],
  "HlOrderStatusWire",
);
export type HlOrderStatusWire = t.TypeOf<typeof HlOrderStatusWire>;

export const HlCancelStatusWire = t.union([t.literal("success"), t.type({ error: t.string })], "HlCancelStatusWire");
export type HlCancelStatusWire = t.TypeOf<typeof HlCancelStatusWire>;

export const HlExchangeErr = t.type({ status: t.literal("err"), response: t.string }, "HlExchangeErr");
export const HlExchangeOk = t.type(
  {
    status: t.literal("ok"),
    response: t.union([
      t.type({ type: t.literal("order"), data: t.type({ statuses: t.array(HlOrderStatusWire) }) }),
      t.type({ type: t.literal("cancel"), data: t.type({ statuses: t.array(HlCancelStatusWire) }) }),
      t.type({ type: t.literal("default") }),
    ]),
  },
  "HlExchangeOk",
);
/** Every /exchange answer (all HTTP 200): whole-request error, per-element statuses, or default. */
export const HlExchangeResponse = t.union([HlExchangeErr, HlExchangeOk], "HlExchangeResponse");
export type HlExchangeResponse = t.TypeOf<typeof HlExchangeResponse>;

// ---------------------------------------------------------------- actions the paper venue also serves

/** User-signed actions carry their chain and nonce inside the action (FACTS §7.2). */
const userSigned = <T extends string, P extends t.Props>(type: T, props: P) =>
  t.type({ type: t.literal(type), signatureChainId: t.string, hyperliquidChain: t.string, nonce: WireNumber, ...props });

export const HlApproveAgentAction = t.intersection([
  userSigned("approveAgent", { agentAddress: HlAddress }),
  t.partial({ agentName: nullable(t.string) }),
]);
export const HlApproveBuilderFeeAction = userSigned("approveBuilderFee", { maxFeeRate: t.string, builder: HlAddress });
export const HlSetReferrerAction = t.type({ type: t.literal("setReferrer"), code: t.string });
export const HlReserveRequestWeightAction = t.intersection([
  t.type({ type: t.literal("reserveRequestWeight"), weight: WireNumber }),
  t.partial({ destination: HlAddress }),
]);
export const HlUpdateIsolatedMarginAction = t.type({ type: t.literal("updateIsolatedMargin"), asset: WireNumber, isBuy: t.boolean, ntli: WireNumber });
export const HlCreateSubAccountAction = t.type({ type: t.literal("createSubAccount"), name: t.string });

/** Every action the paper venue decodes: quoteflow's own plus those other market-making bots send. */
export const HlServedAction = t.union(
  [
    HlOrderAction,
    HlCancelAction,
    HlCancelByCloidAction,
    HlBatchModifyAction,
    HlModifyAction,
    HlScheduleCancelAction,
    HlUpdateLeverageAction,
    HlNoopAction,
    HlApproveAgentAction,
    HlApproveBuilderFeeAction,
    HlSetReferrerAction,
    HlReserveRequestWeightAction,
    HlUpdateIsolatedMarginAction,
    HlCreateSubAccountAction,
  ],
  "HlServedAction",
);
export type HlServedAction = t.TypeOf<typeof HlServedAction>;

/** POST /exchange body as the paper venue decodes it (the action may be any HlServedAction). */
export const HlServedExchangeRequest = t.intersection(
  [
    t.type({ action: HlServedAction, nonce: WireNumber, signature: HlSignature }),
    t.partial({ vaultAddress: nullable(HlAddress), expiresAfter: nullable(WireNumber) }),
  ],
  "HlServedExchangeRequest",
);
export type HlServedExchangeRequest = t.TypeOf<typeof HlServedExchangeRequest>;
