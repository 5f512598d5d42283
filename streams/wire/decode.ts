// Hyperliquid wire → domain (streams/*.ts): strings to numbers, "B"/"A" to sides, venue
// statuses to typed outcomes. Every decoder returns `Decoded<A>` and never throws, so a bad
// frame becomes a counted DecodeErrorEvent and the feed goes on. This file: frames and market
// data; the user feeds are in decodeUser.ts, the info answers in decodeInfo.ts. The hot feeds
// (l2Book, trades, orderUpdates, userFills) take a hand-written fast path and fall back to the
// io-ts codec only to name the failing path (the codec stays the specification; test/wire checks
// the two agree).
import { HlScannedBook, scanHlBookFrame } from "./bookScan.js";
import { DecodeFailure, decodeWith, type Decoded } from "../codec.js";
import type { BookEvent, BookLevel, MidEvent, TradeEvent } from "../market.js";
import type { DecodeErrorEvent } from "../venue.js";
import { HlAllMids } from "./info.js";
import { HlBbo, HlBook, HlTrades, HlWsAllMids, HlWsEnvelope, type HlLevel } from "./ws.js";
import { dec, eachFast, fail, isNum, ok, via } from "./decodeBase.js";

/** Frames longer than this (characters) are rejected before JSON.parse. */
export const HL_MAX_FRAME_CHARS = 8 * 1024 * 1024;
/** Book sides longer than this are rejected (the venue sends at most 20 levels). */
export const HL_MAX_BOOK_LEVELS = 1000;

/** A DecodeErrorEvent for the venue's decodeErrors$ stream. */
export function decodeErrorEvent(source: string, error: DecodeFailure | string, time: number): DecodeErrorEvent {
  return { kind: "DecodeError", source, message: typeof error === "string" ? error : error.message, time };
}

// ------------------------------------------------------------------ frames

/**
 * Parse one WS text frame into `{channel, data}`; non-JSON, oversized or channel-less frames fail.
 * An l2Book frame in the venue's compact form is read in one pass (bookScan.ts; its `data` is an
 * HlScannedBook, which decodeHlBook takes as it is); every other frame goes through JSON.parse
 * (parseHlWsFrameJson).
 */
export function parseHlWsFrame(text: string, maxChars: number = HL_MAX_FRAME_CHARS): Decoded<HlWsEnvelope> {
  if (text.length <= maxChars) {
    const book = scanHlBookFrame(text);
    if (book !== undefined) return ok({ channel: "l2Book", data: book });
  }
  return parseHlWsFrameJson(text, maxChars);
}

/** parseHlWsFrame without the book scan: JSON.parse and the envelope's checks (the scan's specification). */
export function parseHlWsFrameJson(text: string, maxChars: number = HL_MAX_FRAME_CHARS): Decoded<HlWsEnvelope> {
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

function levelFast(u: unknown): BookLevel | undefined {
  if (typeof u !== "object" || u === null) return undefined;
  const l = u as HlLevel;
  const px = dec(l.px);
  const sz = dec(l.sz);
  if (px !== px || sz !== sz) return undefined; // NaN
  const cnt = l.n;
  if (cnt === undefined) return { px, sz, n: 0 };
  return isNum(cnt) ? { px, sz, n: cnt } : undefined;
}

function levelsFast(arr: unknown): BookLevel[] | undefined {
  return Array.isArray(arr) ? eachFast(arr, levelFast) : undefined;
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

function tradeFast(u: unknown): TradeEvent | undefined {
  if (typeof u !== "object" || u === null) return undefined;
  const x = u as Record<string, unknown>;
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
  return { asset: coin, time, tid, px, sz, side: side === "B" ? "buy" : "sell" };
}

function tradesFast(d: unknown): TradeEvent[] | undefined {
  return Array.isArray(d) ? eachFast(d, tradeFast) : undefined;
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
