// Hyperliquid user feeds → domain: orderUpdates, userFills, the user channel (userEvents) and
// userFundings. orderUpdates and userFills are hot (every placement, modify, cancel and fill of
// ours comes back on them): each takes a hand-written pass, with the io-ts codec only to name what
// a bad frame lacks (test/wire/fastPaths.spec.ts checks the two agree).
import type { VenueFill, VenueFillBatch } from "../fill.js";
import type { Decoded } from "../codec.js";
import type { OpenOrder, OrderUpdate } from "../orders.js";
import { isHlCloid } from "./scalars.js";
import { HlUserFillsInfo } from "./info.js";
import { HlWsOrders, HlWsUserEvent, HlWsUserFills, HlWsUserFundings, type HlBasicOrder, type HlFill, type HlUserFunding, type HlWsOrder } from "./ws.js";
import { dec, eachFast, isNum, ok, via } from "./decodeBase.js";

/** The order's own fields, as an orderUpdates element and an openOrders answer both carry them (the same wire shape). */
export function hlOrderFields(x: HlBasicOrder): Omit<OpenOrder, "time"> {
  return { asset: x.coin, oid: x.oid, cloid: x.cloid ?? null, isBuy: x.side === "B", px: Number(x.limitPx), sz: Number(x.sz), origSz: Number(x.origSz ?? x.sz) };
}

export function hlOrderToDomain(o: HlWsOrder): OrderUpdate {
  return { ...hlOrderFields(o.order), status: o.status, time: o.statusTimestamp };
}

/** One orderUpdates element by hand (HlWsOrder's rules), or undefined for anything the codec must name. */
function orderUpdateFast(u: unknown): OrderUpdate | undefined {
  if (typeof u !== "object" || u === null) return undefined;
  const w = u as { order?: unknown; status?: unknown; statusTimestamp?: unknown };
  const status = w.status;
  const statusTimestamp = w.statusTimestamp;
  const x = w.order as Record<string, unknown> | null | undefined;
  if (typeof status !== "string" || !isNum(statusTimestamp) || typeof x !== "object" || x === null || Array.isArray(x)) return undefined;
  const coin = x["coin"];
  const side = x["side"];
  const oid = x["oid"];
  if (typeof coin !== "string" || (side !== "B" && side !== "A") || !isNum(oid) || !isNum(x["timestamp"])) return undefined;
  const px = dec(x["limitPx"]);
  const sz = dec(x["sz"]);
  if (px !== px || sz !== sz) return undefined;
  const rawOrig = x["origSz"];
  const origSz = rawOrig === undefined ? sz : dec(rawOrig);
  if (origSz !== origSz) return undefined;
  const cloid = x["cloid"];
  let c: string | null = null;
  if (cloid !== undefined && cloid !== null) {
    if (!isHlCloid(cloid)) return undefined;
    c = cloid;
  }
  const reduceOnly = x["reduceOnly"];
  if (reduceOnly !== undefined && typeof reduceOnly !== "boolean") return undefined;
  return { asset: coin, oid, cloid: c, isBuy: side === "B", px, sz, origSz, status, time: statusTimestamp };
}

function orderUpdatesFast(d: unknown): OrderUpdate[] | undefined {
  return Array.isArray(d) ? eachFast(d, orderUpdateFast) : undefined;
}

/**
 * orderUpdates data → OrderUpdates. A hot feed (every placement, modify, cancel and fill of ours
 * comes back on it): a hand-written pass, with the io-ts codec only to name what a bad one lacks.
 */
export function decodeHlOrderUpdates(data: unknown, what = "orderUpdates"): Decoded<OrderUpdate[]> {
  const fast = orderUpdatesFast(data);
  if (fast !== undefined) return ok(fast);
  return via(HlWsOrders, data, what, (os) => os.map(hlOrderToDomain));
}

/**
 * A deterministic stand-in for `tid` on fills recorded before the venue sent one (2023 REST
 * captures): FNV-1a over the fields that identify a fill, folded to 48 bits.
 */
export function syntheticTid(f: Pick<HlFill, "hash" | "oid" | "px" | "sz" | "time" | "startPosition">): number {
  const key = `${f.hash}|${f.oid}|${f.px}|${f.sz}|${f.time}|${f.startPosition}`;
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return (h1 * 0x10000 + (h2 & 0xffff)) % 2 ** 48;
}

export function hlFillToDomain(f: HlFill): VenueFill {
  const fill: VenueFill = {
    tid: f.tid ?? syntheticTid(f),
    oid: f.oid,
    cloid: f.cloid ?? null,
    asset: f.coin,
    isBuy: f.side === "B",
    size: Number(f.sz),
    price: Number(f.px),
    time: f.time,
    fee: Number(f.fee),
    crossed: f.crossed,
    startPosition: Number(f.startPosition),
    closedPnl: Number(f.closedPnl),
    hash: f.hash,
  };
  return fill;
}

const isOptDecimal = (u: unknown): boolean => u === undefined || dec(u) === dec(u);

/** One fill by hand (HlFill's rules), or undefined for anything the codec must name (and for a liquidation, left to the codec). */
function fillFast(u: unknown): VenueFill | undefined {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return undefined;
  const f = u as Record<string, unknown>;
  const coin = f["coin"];
  const side = f["side"];
  const time = f["time"];
  const dirText = f["dir"];
  const hash = f["hash"];
  const oid = f["oid"];
  const crossed = f["crossed"];
  if (typeof coin !== "string" || (side !== "B" && side !== "A") || !isNum(time) || typeof dirText !== "string" || typeof hash !== "string") return undefined;
  if (!isNum(oid) || typeof crossed !== "boolean") return undefined;
  const price = dec(f["px"]);
  const size = dec(f["sz"]);
  const startPosition = dec(f["startPosition"]);
  const closedPnl = dec(f["closedPnl"]);
  const fee = dec(f["fee"]);
  if (price !== price || size !== size || startPosition !== startPosition || closedPnl !== closedPnl || fee !== fee) return undefined;
  const tid = f["tid"];
  if (tid !== undefined && !isNum(tid)) return undefined;
  const feeToken = f["feeToken"];
  if (feeToken !== undefined && typeof feeToken !== "string") return undefined;
  if (!isOptDecimal(f["builderFee"]) || !isOptDecimal(f["feeTrialEscrow"])) return undefined;
  const twapId = f["twapId"];
  if (twapId !== undefined && twapId !== null && !isNum(twapId)) return undefined;
  const liquidation = f["liquidation"];
  if (liquidation !== undefined && liquidation !== null) return undefined;
  const cloid = f["cloid"];
  let c: string | null = null;
  if (cloid !== undefined && cloid !== null) {
    if (!isHlCloid(cloid)) return undefined;
    c = cloid;
  }
  return {
    tid: tid ?? syntheticTid({ hash, oid, px: f["px"] as string, sz: f["sz"] as string, time, startPosition: f["startPosition"] as string }),
    oid,
    cloid: c,
    asset: coin,
    isBuy: side === "B",
    size,
    price,
    time,
    fee,
    crossed,
    startPosition,
    closedPnl,
    hash,
  };
}

function userFillsFast(d: unknown): (VenueFillBatch & { user: string }) | undefined {
  if (typeof d !== "object" || d === null || Array.isArray(d)) return undefined;
  const u = d as { user?: unknown; fills?: unknown; isSnapshot?: unknown };
  const user = u.user;
  const list = u.fills;
  const isSnapshot = u.isSnapshot;
  if (typeof user !== "string" || !Array.isArray(list) || (isSnapshot !== undefined && typeof isSnapshot !== "boolean")) return undefined;
  const fills = eachFast(list, fillFast);
  return fills === undefined ? undefined : { user, isSnapshot: isSnapshot === true, fills };
}

/**
 * WS userFills data → a fill batch (`isSnapshot` true on the (re)subscribe replay). A hand-written
 * pass as for the other hot feeds; the io-ts codec names what a bad one lacks (and decodes fills
 * that carry a liquidation).
 */
export function decodeHlUserFills(data: unknown, what = "userFills"): Decoded<VenueFillBatch & { user: string }> {
  const fast = userFillsFast(data);
  if (fast !== undefined) return ok(fast);
  return via(HlWsUserFills, data, what, (u) => ({ user: u.user, isSnapshot: u.isSnapshot === true, fills: u.fills.map(hlFillToDomain) }));
}

/** info userFills / userFillsByTime → VenueFills. */
export function decodeHlFillsInfo(data: unknown, what = "info userFills"): Decoded<VenueFill[]> {
  return via(HlUserFillsInfo, data, what, (fs) => fs.map(hlFillToDomain));
}

/** One value of the WS `user` channel (subscription userEvents). */
export type HlUserEvent =
  | { readonly kind: "fills"; readonly fills: readonly VenueFill[] }
  | { readonly kind: "funding"; readonly funding: HlFundingEvent }
  | { readonly kind: "liquidation"; readonly lid: number; readonly liquidator: string; readonly liquidatedUser: string }
  | { readonly kind: "nonUserCancel"; readonly cancels: readonly { readonly asset: string; readonly oid: number }[] }
  | { readonly kind: "other" };

export interface HlFundingEvent {
  readonly asset: string;
  readonly time: number;
  readonly usdc: number;
  readonly szi: number;
  readonly fundingRate: number;
}
function fundingToDomain(f: HlUserFunding): HlFundingEvent {
  return { asset: f.coin, time: f.time, usdc: Number(f.usdc), szi: Number(f.szi), fundingRate: Number(f.fundingRate) };
}

export function decodeHlUserEvent(data: unknown, what = "user"): Decoded<HlUserEvent> {
  return via(HlWsUserEvent, data, what, (e): HlUserEvent => {
    if ("fills" in e) return { kind: "fills", fills: e.fills.map(hlFillToDomain) };
    if ("funding" in e) return { kind: "funding", funding: fundingToDomain(e.funding) };
    if ("liquidation" in e)
      return { kind: "liquidation", lid: e.liquidation.lid, liquidator: e.liquidation.liquidator, liquidatedUser: e.liquidation.liquidated_user };
    if ("nonUserCancel" in e) return { kind: "nonUserCancel", cancels: e.nonUserCancel.map((c) => ({ asset: c.coin, oid: c.oid })) };
    return { kind: "other" };
  });
}

export function decodeHlUserFundings(data: unknown, what = "userFundings"): Decoded<{ isSnapshot: boolean; fundings: HlFundingEvent[] }> {
  return via(HlWsUserFundings, data, what, (u) => ({ isSnapshot: u.isSnapshot === true, fundings: u.fundings.map(fundingToDomain) }));
}
