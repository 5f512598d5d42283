// Hyperliquid /info answers (and the WS account pushes of the same shapes) → domain: meta, open
// orders, clearinghouseState, orderStatus, userRateLimit.
import { decodeWith, type Decoded } from "../codec.js";
import type { AssetMeta } from "../market.js";
import type { AccountSnapshot, OpenOrder, OrderStatusAnswer, Position, RateLimitSnapshot } from "../orders.js";
import { HlClearinghouseState, HlFrontendOpenOrders, HlMeta, HlOpenOrders, HlOrderStatusInfo, HlUserRateLimit, HlWsClearinghouseState, HlWsOpenOrders, type HlOpenOrder } from "./info.js";
import { ok, via } from "./decodeBase.js";
import { hlOrderFields, hlOrderToDomain } from "./decodeUser.js";

/** meta → AssetMeta[]; perp asset id = index in the universe (+ `idOffset` for builder dexes). */
export function decodeHlMeta(data: unknown, idOffset = 0, what = "info meta"): Decoded<AssetMeta[]> {
  return via(HlMeta, data, what, (m) =>
    m.universe.map((a, i) => ({
      name: a.name,
      id: idOffset + i,
      szDecimals: a.szDecimals,
      maxLeverage: a.maxLeverage,
      isSpot: false,
      ...(a.growthMode === "enabled" ? { growthMode: true } : {}),
      ...(a.onlyIsolated === true ? { onlyIsolated: true } : {}),
    })),
  );
}

function openOrderToDomain(o: HlOpenOrder): OpenOrder {
  return { ...hlOrderFields(o), time: o.timestamp };
}

export function decodeHlOpenOrders(data: unknown, what = "info openOrders"): Decoded<OpenOrder[]> {
  return via(HlOpenOrders, data, what, (os) => os.map(openOrderToDomain));
}
export function decodeHlFrontendOpenOrders(data: unknown, what = "info frontendOpenOrders"): Decoded<OpenOrder[]> {
  return via(HlFrontendOpenOrders, data, what, (os) => os.map(openOrderToDomain));
}

/** clearinghouseState → the position part of an AccountSnapshot (open orders come from another request). */
export function decodeHlClearinghouseState(
  data: unknown,
  fallbackTime: number,
  what = "info clearinghouseState",
): Decoded<{ time: number; accountValue: number; withdrawable: number; positions: Position[] }> {
  return via(HlClearinghouseState, data, what, (s) => ({
    time: s.time ?? fallbackTime,
    accountValue: Number(s.marginSummary.accountValue),
    withdrawable: Number(s.withdrawable),
    positions: s.assetPositions.map((p) => ({
      asset: p.position.coin,
      szi: Number(p.position.szi),
      entryPx: p.position.entryPx == null ? 0 : Number(p.position.entryPx),
      unrealizedPnl: Number(p.position.unrealizedPnl),
    })),
  }));
}

/** WS push clearinghouseState → its dex, user and the position part of an AccountSnapshot. */
export function decodeHlWsClearinghouseState(
  data: unknown,
  fallbackTime: number,
  what = "ws:clearinghouseState",
): Decoded<{ dex: string; user: string; state: { time: number; accountValue: number; withdrawable: number; positions: Position[] } }> {
  const r = decodeWith(HlWsClearinghouseState, data, what);
  if (!r.ok) return r;
  const state = decodeHlClearinghouseState(r.value.clearinghouseState, fallbackTime, what);
  return state.ok ? ok({ dex: r.value.dex, user: r.value.user, state: state.value }) : state;
}

/** WS push openOrders → its dex, user and open orders (frontend shape, cloid included). */
export function decodeHlWsOpenOrders(data: unknown, what = "ws:openOrders"): Decoded<{ dex: string; user: string; orders: OpenOrder[] }> {
  return via(HlWsOpenOrders, data, what, (m) => ({ dex: m.dex, user: m.user, orders: m.orders.map(openOrderToDomain) }));
}

/** clearinghouseState + (frontend)openOrders → AccountSnapshot. */
export function hlAccountSnapshot(
  state: { time: number; accountValue: number; positions: readonly Position[] },
  openOrders: readonly OpenOrder[],
): AccountSnapshot {
  return { time: state.time, accountValue: state.accountValue, positions: state.positions, openOrders };
}

export function decodeHlOrderStatus(data: unknown, what = "info orderStatus"): Decoded<OrderStatusAnswer> {
  return via(HlOrderStatusInfo, data, what, (s): OrderStatusAnswer =>
    s.status === "unknownOid" ? { kind: "unknownOid" } : { kind: "known", update: hlOrderToDomain(s.order) },
  );
}

export function decodeHlUserRateLimit(data: unknown, what = "info userRateLimit"): Decoded<RateLimitSnapshot> {
  return via(HlUserRateLimit, data, what, (r) => ({
    cumVlm: Number(r.cumVlm),
    nRequestsUsed: r.nRequestsUsed,
    nRequestsCap: r.nRequestsCap,
    nRequestsSurplus: r.nRequestsSurplus ?? 0,
  }));
}
