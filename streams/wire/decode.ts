// Hyperliquid wire → domain (streams/*.ts): strings to numbers, "B"/"A" to sides, venue
// statuses to typed outcomes. Every decoder returns `Decoded<A>` and never throws, so a bad
// frame becomes a counted DecodeErrorEvent and the feed goes on. l2Book and trades are the hot
// feeds: they take a hand-written fast path, and fall back to the io-ts codec only to name the
// failing path (the codec stays the specification; test/wire checks the two agree).
import type * as t from "io-ts";
import { isHlCloid } from "./scalars.js";
import { HlScannedBook } from "./bookScan.js";
import { DecodeFailure, decodeWith, type Decoded } from "../codec.js";
import type { VenueFill, VenueFillBatch } from "../fill.js";
import type { AssetMeta, BookEvent, BookLevel, MidEvent, TradeEvent } from "../market.js";
import type { AccountSnapshot, OpenOrder, OrderStatusAnswer, OrderUpdate, Position, RateLimitSnapshot } from "../orders.js";
import type { DecodeErrorEvent } from "../venue.js";
import {
  HlClearinghouseState,
  HlFrontendOpenOrders,
  HlMeta,
  HlOpenOrders,
  HlOrderStatusInfo,
  HlUserFillsInfo,
  HlUserRateLimit,
  HlAllMids,
  HlWsClearinghouseState,
  HlWsOpenOrders,
  type HlOpenOrder,
} from "./info.js";
import {
  HlBbo,
  HlBook,
  HlTrades,
  HlWsAllMids,
  HlWsEnvelope,
  HlWsOrders,
  HlWsUserEvent,
  HlWsUserFills,
  HlWsUserFundings,
  type HlFill,
  type HlLevel,
  type HlUserFunding,
  type HlWsOrder,
} from "./ws.js";

/** Frames longer than this (characters) are rejected before JSON.parse. */
export const HL_MAX_FRAME_CHARS = 8 * 1024 * 1024;
/** Book sides longer than this are rejected (the venue sends at most 20 levels). */
export const HL_MAX_BOOK_LEVELS = 1000;

const ok = <A>(value: A): Decoded<A> => ({ ok: true, value });
const fail = (what: string, problem: string): Decoded<never> => ({ ok: false, error: new DecodeFailure(what, [problem]) });

/** A DecodeErrorEvent for the venue's decodeErrors$ stream. */
export function decodeErrorEvent(source: string, error: DecodeFailure | string, time: number): DecodeErrorEvent {
  return { kind: "DecodeError", source, message: typeof error === "string" ? error : error.message, time };
}

// ------------------------------------------------------------------ fast numeric parsing

/** `+s` for a decimal string ("-12.5", "1e-5"), NaN for anything DecimalString would reject. */
function dec(s: unknown): number {
  if (typeof s !== "string") return NaN;
  const len = s.length;
  if (len === 0 || len > 64) return NaN;
  const c0 = s.charCodeAt(0);
  // first char: digit, '-' or '.'; rules out "+1", " 1", "0x" is caught below
  if (!((c0 >= 48 && c0 <= 57) || c0 === 45 || c0 === 46)) return NaN;
  for (let i = 1; i < len; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 48 && c <= 57) || c === 46) continue;
    if (c === 101 || c === 69) continue; // e E
    if ((c === 43 || c === 45) && (s.charCodeAt(i - 1) === 101 || s.charCodeAt(i - 1) === 69)) continue;
    return NaN;
  }
  const n = +s;
  return Number.isFinite(n) ? n : NaN;
}

const isNum = (u: unknown): u is number => typeof u === "number" && Number.isFinite(u);

/** Decode with io-ts and map; for the non-hot shapes. */
function via<A, B>(codec: t.Type<A, unknown, unknown>, data: unknown, what: string, map: (a: A) => B): Decoded<B> {
  const r = decodeWith(codec, data, what);
  return r.ok ? ok(map(r.value)) : r;
}

// ------------------------------------------------------------------ frames

/** Parse one WS text frame into `{channel, data}`; non-JSON, oversized or channel-less frames fail. */
export function parseHlWsFrame(text: string, maxChars: number = HL_MAX_FRAME_CHARS): Decoded<HlWsEnvelope> {
  if (text.length > maxChars) return fail("ws frame", `$: frame of ${text.length} chars exceeds the ${maxChars}-char limit`);
  let u: unknown;
  try {
    u = JSON.parse(text);
  } catch (e) {
    const head = text.length > 40 ? text.slice(0, 37) + "..." : text;
    return fail("ws frame", `$: not JSON (${e instanceof Error ? e.message : String(e)}): ${JSON.stringify(head)}`);
  }
  if (typeof u === "object" && u !== null && !Array.isArray(u) && typeof (u as { channel?: unknown }).channel === "string")
    return ok(u as HlWsEnvelope);
  return decodeWith(HlWsEnvelope, u, "ws frame");
}

// ------------------------------------------------------------------ market data

function levelsFast(arr: unknown): BookLevel[] | undefined {
  if (!Array.isArray(arr)) return undefined;
  const n = arr.length;
  const out: BookLevel[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const l = arr[i] as HlLevel | null;
    if (typeof l !== "object" || l === null) return undefined;
    const px = dec(l.px);
    const sz = dec(l.sz);
    if (px !== px || sz !== sz) return undefined; // NaN
    const cnt = l.n;
    if (cnt === undefined) out[i] = { px, sz, n: 0 };
    else if (isNum(cnt)) out[i] = { px, sz, n: cnt };
    else return undefined;
  }
  return out;
}

function bookFast(d: unknown): BookEvent | undefined {
  if (typeof d !== "object" || d === null) return undefined;
  const b = d as { coin?: unknown; time?: unknown; levels?: unknown };
  if (typeof b.coin !== "string" || !isNum(b.time) || !Array.isArray(b.levels) || b.levels.length !== 2) return undefined;
  const bids = levelsFast(b.levels[0]);
  if (bids === undefined) return undefined;
  const asks = levelsFast(b.levels[1]);
  if (asks === undefined) return undefined;
  return { asset: b.coin, time: b.time, bids, asks };
}

function tooManyLevels(d: unknown): string | undefined {
  const levels = (d as { levels?: unknown } | null)?.levels;
  if (!Array.isArray(levels)) return undefined;
  for (let i = 0; i < levels.length; i++) {
    const side: unknown = levels[i];
    if (Array.isArray(side) && side.length > HL_MAX_BOOK_LEVELS)
      return `$.levels.${i}: expected at most ${HL_MAX_BOOK_LEVELS} levels, got ${side.length}`;
  }
  return undefined;
}

/** l2Book data (WS frame `data`, the REST l2Book body, or the WS client's scanned frame) → BookEvent. */
export function decodeHlBook(data: unknown, what = "l2Book"): Decoded<BookEvent> {
  if (data instanceof HlScannedBook) return ok(data.book);
  const limit = tooManyLevels(data);
  if (limit !== undefined) return fail(what, limit);
  const fast = bookFast(data);
  if (fast !== undefined) return ok(fast);
  return via(HlBook, data, what, hlBookToDomain);
}

export function hlBookToDomain(b: HlBook): BookEvent {
  return { asset: b.coin, time: b.time, bids: b.levels[0].map(levelToDomain), asks: b.levels[1].map(levelToDomain) };
}
function levelToDomain(l: HlLevel): BookLevel {
  return { px: Number(l.px), sz: Number(l.sz), n: l.n ?? 0 };
}

function tradesFast(d: unknown): TradeEvent[] | undefined {
  if (!Array.isArray(d)) return undefined;
  const n = d.length;
  const out: TradeEvent[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const x = d[i] as Record<string, unknown> | null;
    if (typeof x !== "object" || x === null) return undefined;
    const coin = x["coin"];
    const side = x["side"];
    const time = x["time"];
    const tid = x["tid"];
    const px = dec(x["px"]);
    const sz = dec(x["sz"]);
    if (typeof coin !== "string" || !isNum(time) || !isNum(tid) || px !== px || sz !== sz) return undefined;
    if (side !== "B" && side !== "A") return undefined;
    const hash = x["hash"];
    if (hash !== undefined && typeof hash !== "string") return undefined;
    const users = x["users"];
    if (users !== undefined && !(Array.isArray(users) && users.length === 2 && typeof users[0] === "string" && typeof users[1] === "string"))
      return undefined;
    out[i] = { asset: coin, time, tid, px, sz, side: side === "B" ? "buy" : "sell" };
  }
  return out;
}

/** trades data (array) → TradeEvents; side is the aggressor's. */
export function decodeHlTrades(data: unknown, what = "trades"): Decoded<TradeEvent[]> {
  const fast = tradesFast(data);
  if (fast !== undefined) return ok(fast);
  return via(HlTrades, data, what, (ts) =>
    ts.map((x) => ({ asset: x.coin, time: x.time, tid: x.tid, px: Number(x.px), sz: Number(x.sz), side: x.side === "B" ? ("buy" as const) : ("sell" as const) })),
  );
}

/** bbo data → a one-level BookEvent (an empty side when the venue sends null). */
export function decodeHlBbo(data: unknown, what = "bbo"): Decoded<BookEvent> {
  return via(HlBbo, data, what, (b) => ({
    asset: b.coin,
    time: b.time,
    bids: b.bbo[0] ? [levelToDomain(b.bbo[0])] : [],
    asks: b.bbo[1] ? [levelToDomain(b.bbo[1])] : [],
  }));
}

/** WS allMids data → one MidEvent per coin, stamped `time` (the frame carries none). */
export function decodeHlWsAllMids(data: unknown, time: number, what = "allMids"): Decoded<MidEvent[]> {
  return via(HlWsAllMids, data, what, (m) => midsToDomain(m.mids, time));
}
/** REST allMids body → MidEvents. */
export function decodeHlAllMids(data: unknown, time: number, what = "info allMids"): Decoded<MidEvent[]> {
  return via(HlAllMids, data, what, (m) => midsToDomain(m, time));
}
function midsToDomain(m: Record<string, string>, time: number): MidEvent[] {
  return Object.entries(m).map(([asset, mid]) => ({ asset, time, mid: Number(mid) }));
}

// ------------------------------------------------------------------ user feeds

export function hlOrderToDomain(o: HlWsOrder): OrderUpdate {
  const x = o.order;
  return {
    asset: x.coin,
    oid: x.oid,
    cloid: x.cloid ?? null,
    isBuy: x.side === "B",
    px: Number(x.limitPx),
    sz: Number(x.sz),
    origSz: Number(x.origSz ?? x.sz),
    status: o.status,
    time: o.statusTimestamp,
  };
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

/** Each element through a hand-written pass, or undefined as soon as one is not for it (then the codec names it). */
function eachFast<A>(list: readonly unknown[], one: (u: unknown) => A | undefined): A[] | undefined {
  const n = list.length;
  const out: A[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const a = one(list[i]);
    if (a === undefined) return undefined;
    out[i] = a;
  }
  return out;
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

// ------------------------------------------------------------------ info

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
  return {
    asset: o.coin,
    oid: o.oid,
    cloid: o.cloid ?? null,
    isBuy: o.side === "B",
    px: Number(o.limitPx),
    sz: Number(o.sz),
    origSz: Number(o.origSz ?? o.sz),
    time: o.timestamp,
  };
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
