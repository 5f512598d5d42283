// Domain → Hyperliquid wire, for the paper venue's server: the frames and responses the real
// venue would send, so the live client decodes them with the same codecs.
import type { BatchResult, CancelResult, OrderResult } from "../actions.js";
import type { VenueFill } from "../fill.js";
import type { BookEvent, BookLevel, TradeEvent } from "../market.js";
import type { OrderStatusAnswer, OrderUpdate, RateLimitSnapshot } from "../orders.js";

/** A number as the venue prints it: plain decimal, no exponent, at most 15 significant digits. */
export function hlNum(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`hlNum: not a finite number: ${x}`);
  if (Number.isInteger(x) && Math.abs(x) < 1e21) return String(x);
  let s = x.toPrecision(15);
  if (/e/i.test(s)) {
    const [m = "0", e = "0"] = s.split(/e/i);
    const exp = Number(e);
    const neg = m.startsWith("-");
    const digits = m.replace("-", "").replace(".", "");
    const point = (m.replace("-", "").indexOf(".") < 0 ? m.replace("-", "").length : m.replace("-", "").indexOf(".")) + exp;
    s = point <= 0 ? "0." + "0".repeat(-point) + digits : point >= digits.length ? digits + "0".repeat(point - digits.length) : digits.slice(0, point) + "." + digits.slice(point);
    if (neg) s = "-" + s;
  }
  if (s.includes(".")) s = s.replace(/\.?0+$/, "");
  return s === "-0" ? "0" : s;
}

const level = (l: BookLevel) => ({ px: hlNum(l.px), sz: hlNum(l.sz), n: l.n });

export function hlBookToWire(b: BookEvent) {
  return { coin: b.asset, time: b.time, levels: [b.bids.map(level), b.asks.map(level)] };
}

export function hlTradeToWire(t: TradeEvent, users: [string, string] = ["0x0000000000000000000000000000000000000000", "0x0000000000000000000000000000000000000000"]) {
  return {
    coin: t.asset,
    side: t.side === "buy" ? "B" : "A",
    px: hlNum(t.px),
    sz: hlNum(t.sz),
    hash: "0x" + "0".repeat(64),
    time: t.time,
    tid: t.tid,
    users,
  };
}

export function hlOrderUpdateToWire(u: OrderUpdate) {
  const order: Record<string, unknown> = {
    coin: u.asset,
    side: u.isBuy ? "B" : "A",
    limitPx: hlNum(u.px),
    sz: hlNum(u.sz),
    oid: u.oid,
    timestamp: u.time,
    origSz: hlNum(u.origSz),
  };
  if (u.cloid !== null) order["cloid"] = u.cloid;
  return { order, status: u.status, statusTimestamp: u.time };
}

export function hlFillToWire(f: VenueFill, feeToken = "USDC") {
  const w: Record<string, unknown> = {
    coin: f.asset,
    px: hlNum(f.price),
    sz: hlNum(f.size),
    side: f.isBuy ? "B" : "A",
    time: f.time,
    startPosition: hlNum(f.startPosition ?? 0),
    dir: f.isBuy ? "Open Long" : "Open Short",
    closedPnl: hlNum(f.closedPnl ?? 0),
    hash: f.hash ?? "0x" + "0".repeat(64),
    oid: f.oid,
    crossed: f.crossed,
    fee: hlNum(f.fee),
    tid: f.tid,
    feeToken,
  };
  if (f.cloid !== null) w["cloid"] = f.cloid;
  return w;
}

function orderStatusToWire(r: OrderResult): unknown {
  switch (r.kind) {
    case "resting":
      return { resting: r.cloid === undefined ? { oid: r.oid } : { oid: r.oid, cloid: r.cloid } };
    case "filled": {
      const f: Record<string, unknown> = { totalSz: hlNum(r.totalSz), avgPx: hlNum(r.avgPx), oid: r.oid };
      if (r.cloid !== undefined) f["cloid"] = r.cloid;
      return { filled: f };
    }
    case "rejected":
      return { error: r.error };
    case "waiting":
      return "waitingForFill";
  }
}

const MISSING = "Order was never placed, already canceled, or filled.";
function cancelStatusToWire(r: CancelResult): unknown {
  switch (r.kind) {
    case "Cancelled":
      return "success";
    case "AlreadyCancelled":
      return { error: MISSING };
    case "AlreadyFilled":
      return { error: r.error };
    case "Failed":
      return { error: r.error };
  }
}

/** BatchResult → the /exchange JSON body the venue answers with. */
export function hlBatchResultToWire(r: BatchResult): unknown {
  if (!r.ok) return { status: "err", response: r.error };
  switch (r.type) {
    case "order":
    case "batchModify":
      return { status: "ok", response: { type: "order", data: { statuses: r.statuses.map(orderStatusToWire) } } };
    case "cancel":
    case "cancelByCloid":
      return { status: "ok", response: { type: "cancel", data: { statuses: r.statuses.map(cancelStatusToWire) } } };
    case "scheduleCancel":
    case "reserveRequestWeight":
      return { status: "ok", response: { type: "default" } };
  }
}

export function hlOrderStatusToWire(a: OrderStatusAnswer): unknown {
  if (a.kind === "unknownOid") return { status: "unknownOid" };
  const w = hlOrderUpdateToWire(a.update);
  return { status: "order", order: w };
}

export function hlRateLimitToWire(r: RateLimitSnapshot): unknown {
  return { cumVlm: hlNum(r.cumVlm), nRequestsUsed: r.nRequestsUsed, nRequestsCap: r.nRequestsCap, nRequestsSurplus: r.nRequestsSurplus };
}

/** A WS frame as text. */
export function hlFrame(channel: string, data?: unknown): string {
  return data === undefined ? JSON.stringify({ channel }) : JSON.stringify({ channel, data });
}
