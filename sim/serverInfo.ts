// /info answers of the paper server, in Hyperliquid's shapes (FACTS §4), built from the
// exchange's domain state with the shared wire encoders in streams/wire.
import {
  hlBookToWire,
  hlFillToWire,
  hlNum,
  hlOrderStatusToWire,
  hlRateLimitToWire,
} from "../streams/wire/index.js";
import type { SimFillRecord } from "./account.js";
import type { PaperExchange } from "./exchange.js";

/** A fill record in the userFills / WS shapes, with the venue's own `dir`. */
export function simFillWire(r: SimFillRecord): Record<string, unknown> {
  const w = hlFillToWire(r.fill);
  w["dir"] = r.dir;
  if (r.fill.cloid === null) delete w["cloid"];
  return w;
}

export function simAllMids(ex: PaperExchange): Record<string, string> {
  const mids: Record<string, string> = {};
  for (const m of ex.universe) {
    const mid = ex.mark(m.name);
    if (mid !== undefined) mids[m.name] = hlNum(mid);
  }
  return mids;
}

function openOrdersWire(ex: PaperExchange, user: string, frontend: boolean): unknown[] {
  return ex.openOrders(user).map((o) => {
    const base: Record<string, unknown> = {
      coin: o.asset,
      limitPx: hlNum(o.px),
      oid: o.oid,
      side: o.isBuy ? "B" : "A",
      sz: hlNum(o.sz),
      timestamp: o.time,
      origSz: hlNum(o.origSz),
    };
    if (!frontend) {
      if (o.cloid !== null) base["cloid"] = o.cloid;
      return base;
    }
    return {
      ...base,
      cloid: o.cloid,
      isPositionTpsl: false,
      isTrigger: false,
      orderType: "Limit",
      reduceOnly: false,
      triggerCondition: "N/A",
      triggerPx: "0.0",
      tif: null,
      children: [],
    };
  });
}

export function simClearinghouseState(ex: PaperExchange, user: string): unknown {
  const positions = ex.positions(user);
  let ntl = 0;
  let margin = 0;
  const assetPositions = positions.map((p) => {
    const meta = ex.assetMeta(p.asset);
    const lev = meta?.maxLeverage ?? 20;
    const mark = ex.mark(p.asset) ?? p.entryPx;
    const value = Math.abs(p.szi) * mark;
    const used = value / lev;
    ntl += value;
    margin += used;
    return {
      position: {
        coin: p.asset,
        cumFunding: { allTime: "0.0", sinceChange: "0.0", sinceOpen: "0.0" },
        entryPx: hlNum(p.entryPx),
        leverage: { type: "cross", value: lev },
        liquidationPx: null,
        marginUsed: hlNum(round6(used)),
        maxLeverage: meta?.maxLeverage ?? 20,
        positionValue: hlNum(round6(value)),
        returnOnEquity: hlNum(round6(used > 0 ? p.unrealizedPnl / used : 0)),
        szi: hlNum(p.szi),
        unrealizedPnl: hlNum(round6(p.unrealizedPnl)),
      },
      type: "oneWay",
    };
  });
  const value = round6(ex.accountValueOf(user));
  const summary = { accountValue: hlNum(value), totalMarginUsed: hlNum(round6(margin)), totalNtlPos: hlNum(round6(ntl)), totalRawUsd: hlNum(round6(value - unsigned(ex, user))) };
  return {
    assetPositions,
    crossMaintenanceMarginUsed: hlNum(round6(margin / 2)),
    crossMarginSummary: summary,
    marginSummary: summary,
    time: ex.now(),
    withdrawable: hlNum(Math.max(0, round6(value - margin))),
  };
}

function unsigned(ex: PaperExchange, user: string): number {
  // totalRawUsd = accountValue − Σ szi × mark (cash after paying for longs / receiving for shorts)
  let s = 0;
  for (const p of ex.positions(user)) s += p.szi * (ex.mark(p.asset) ?? p.entryPx);
  return s;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export type SimInfoAnswer = { readonly ok: true; readonly body: unknown; readonly items: number } | { readonly ok: false; readonly detail: string };

/** Answer one /info request body (already JSON-parsed). Unknown types → not ok (HTTP 422). */
export function simInfo(ex: PaperExchange, req: Record<string, unknown>): SimInfoAnswer {
  const user = typeof req["user"] === "string" ? (req["user"] as string).toLowerCase() : undefined;
  const needUser = (): string | undefined => user;
  switch (req["type"]) {
    case "meta":
      return { ok: true, items: 0, body: { universe: ex.universe.map((m) => ({ name: m.name, szDecimals: m.szDecimals, maxLeverage: m.maxLeverage })) } };
    case "allMids":
      return { ok: true, items: 0, body: simAllMids(ex) };
    case "l2Book": {
      if (typeof req["coin"] !== "string") return { ok: false, detail: "missing field `coin`" };
      const b = ex.currentBook(req["coin"]);
      return { ok: true, items: 0, body: b ? hlBookToWire(b) : null };
    }
    case "exchangeStatus":
      return { ok: true, items: 0, body: { specialStatuses: null, time: ex.now() } };
  }
  const u = needUser();
  if (u === undefined || !/^0x[0-9a-f]{40}$/.test(u)) return { ok: false, detail: "missing or invalid field `user`" };
  switch (req["type"]) {
    case "clearinghouseState":
      return { ok: true, items: 0, body: simClearinghouseState(ex, u) };
    case "openOrders":
      return { ok: true, items: 0, body: openOrdersWire(ex, u, false) };
    case "frontendOpenOrders":
      return { ok: true, items: 0, body: openOrdersWire(ex, u, true) };
    case "orderStatus": {
      const oid = req["oid"];
      if (typeof oid === "number" && Number.isSafeInteger(oid) && oid >= 0) return { ok: true, items: 0, body: hlOrderStatusToWire(ex.orderStatus(u, { oid })) };
      if (typeof oid === "string" && /^0x[0-9a-fA-F]{32}$/.test(oid)) return { ok: true, items: 0, body: hlOrderStatusToWire(ex.orderStatus(u, { cloid: oid })) };
      if (oid !== undefined) return { ok: false, detail: "invalid field `oid`: expected an order id (u64) or a cloid (0x + 32 hex digits)" };
      return { ok: false, detail: "missing field `oid`" };
    }
    case "userFills": {
      // most recent first, at most 2000 (DOC-INFO)
      const fills = ex.account(u).fills.slice(-2000).reverse().map(simFillWire);
      return { ok: true, items: fills.length, body: fills };
    }
    case "userFillsByTime": {
      const start = req["startTime"];
      if (typeof start !== "number") return { ok: false, detail: "missing field `startTime`" };
      if (!Number.isFinite(start) || (req["endTime"] !== undefined && req["endTime"] !== null && !Number.isFinite(req["endTime"]))) return { ok: false, detail: "invalid field `startTime`/`endTime`: expected a time in ms" };
      const end = typeof req["endTime"] === "number" ? (req["endTime"] as number) : Infinity;
      const fills = ex
        .account(u)
        .fills.filter((r) => r.fill.time >= start && r.fill.time <= end)
        .slice(0, 2000)
        .map(simFillWire);
      return { ok: true, items: fills.length, body: req["reversed"] === true ? fills.reverse() : fills };
    }
    case "userRateLimit":
      return { ok: true, items: 0, body: hlRateLimitToWire(ex.rateLimit(u)) };
    case "historicalOrders": {
      const orders = ex.truth(u).orders.slice(-2000).map((o) => ({
        order: { coin: o.asset, side: o.isBuy ? "B" : "A", limitPx: hlNum(o.px), sz: hlNum(o.sz), oid: o.oid, timestamp: o.time, origSz: hlNum(o.origSz), cloid: o.cloid },
        status: o.status,
        statusTimestamp: o.time,
      }));
      return { ok: true, items: orders.length, body: orders };
    }
    default:
      // String() of a deeply nested array recurses past the stack: name only what a string can be
      return { ok: false, detail: `unknown variant \`${typeof req["type"] === "string" ? req["type"].slice(0, 100) : typeof req["type"]}\`` };
  }
}
