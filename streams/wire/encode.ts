// ActionBatch (domain) ⇄ Hyperliquid L1 action JSON. Key order is the signed order (FACTS §7.1):
// order `type, orders, grouping`; order wire `a, b, p, s, r, t, c`; cancel `a, o`; cancelByCloid
// `asset, cloid`, both actions `type, cancels, f` with `f: true` (fast cancel, FACTS §13: part of the
// signed msgpack, never `false`; we place no trigger orders, so every cancel may carry it);
// batchModify `oid, order`; scheduleCancel `type, time?`; reserveRequestWeight `type, weight` (NK's
// schema order; `destination` is never sent, FACTS §13). Prices round passively
// (a bid down, an ask up) onto the asset's grid, sizes down to szDecimals.
import type { ActionBatch, ModifySpec, OrderSpec } from "../actions.js";
import type { Decoded } from "../codec.js";
import { DecodeFailure } from "../codec.js";
import type { AssetMeta } from "../market.js";
import { formatPrice, formatSize, passiveRounding } from "./format.js";
import { signL1ActionSync, type HlSignatureParts } from "./signing.js";
import type { Wallet } from "ethers";

/** The wire order as built for signing (the `c` key only when a cloid is set). */
export interface HlOrderWireOut {
  a: number;
  b: boolean;
  p: string;
  s: string;
  r: boolean;
  t: { limit: { tif: "Alo" | "Gtc" | "Ioc" } };
  c?: string;
}

export type HlActionOut =
  | { type: "order"; orders: HlOrderWireOut[]; grouping: "na" }
  | { type: "cancel"; cancels: { a: number; o: number }[]; f: true }
  | { type: "cancelByCloid"; cancels: { asset: number; cloid: string }[]; f: true }
  | { type: "batchModify"; modifies: { oid: number | string; order: HlOrderWireOut }[] }
  | { type: "scheduleCancel"; time?: number }
  | { type: "reserveRequestWeight"; weight: number };

/** Thrown by encodeAction for an unknown asset or an unformattable price/size; names the element. */
export class HlEncodeError extends Error {
  override readonly name = "HlEncodeError";
}

export type HlAssetLookup = ReadonlyMap<string, AssetMeta> | ((asset: string) => AssetMeta | undefined);

function lookup(assets: HlAssetLookup, name: string, where: string): AssetMeta {
  const meta = typeof assets === "function" ? assets(name) : assets.get(name);
  if (meta === undefined) throw new HlEncodeError(`${where}: unknown asset ${JSON.stringify(name)} (not in meta)`);
  return meta;
}

function orderWire(o: OrderSpec, assets: HlAssetLookup, where: string): HlOrderWireOut {
  const meta = lookup(assets, o.asset, where);
  let p: string;
  let s: string;
  try {
    p = formatPrice(o.px, meta.szDecimals, meta.isSpot, passiveRounding(o.isBuy));
    s = formatSize(o.sz, meta.szDecimals, "down");
  } catch (e) {
    throw new HlEncodeError(`${where} (${o.asset}): ${e instanceof Error ? e.message : String(e)}`);
  }
  const w: HlOrderWireOut = { a: meta.id, b: o.isBuy, p, s, r: o.reduceOnly, t: { limit: { tif: o.tif } } };
  if (o.cloid) w.c = o.cloid;
  return w;
}

/** Map ActionBatch → the L1 action JSON to sign and send; asset names → ids via `assets` (from meta). */
export function encodeAction(batch: ActionBatch, assets: HlAssetLookup): HlActionOut {
  switch (batch.type) {
    case "order":
      return { type: "order", orders: batch.orders.map((o, i) => orderWire(o, assets, `orders[${i}]`)), grouping: "na" };
    case "cancel":
      return { type: "cancel", cancels: batch.cancels.map((c, i) => ({ a: lookup(assets, c.asset, `cancels[${i}]`).id, o: c.oid })), f: true };
    case "cancelByCloid":
      return {
        type: "cancelByCloid",
        cancels: batch.cancels.map((c, i) => ({ asset: lookup(assets, c.asset, `cancels[${i}]`).id, cloid: c.cloid })),
        f: true,
      };
    case "batchModify":
      return {
        type: "batchModify",
        modifies: batch.modifies.map((m: ModifySpec, i) => ({ oid: m.oid, order: orderWire(m.order, assets, `modifies[${i}].order`) })),
      };
    case "scheduleCancel":
      return batch.time === null ? { type: "scheduleCancel" } : { type: "scheduleCancel", time: batch.time };
    case "reserveRequestWeight":
      if (!Number.isSafeInteger(batch.weight) || batch.weight <= 0) throw new HlEncodeError(`reserveRequestWeight.weight: a positive integer is required, got ${String(batch.weight)}`);
      return { type: "reserveRequestWeight", weight: batch.weight };
  }
}

/** The /exchange body (and WS post action payload), key order as the Python SDK sends it. */
export interface HlExchangeBody {
  action: object;
  nonce: number;
  signature: HlSignatureParts;
  vaultAddress: string | null;
  expiresAfter?: number;
}

/** Sign `action` and wrap it as an /exchange body. Synchronous (virtual-time safe). */
export function signedExchangeBody(args: {
  wallet: Wallet | string;
  action: object;
  nonce: number;
  vaultAddress?: string | null;
  expiresAfter?: number | null;
  isMainnet: boolean;
}): HlExchangeBody {
  const vaultAddress = args.vaultAddress == null ? null : args.vaultAddress.toLowerCase();
  const signature = signL1ActionSync({ ...args, vaultAddress });
  const body: HlExchangeBody = { action: args.action, nonce: args.nonce, signature, vaultAddress };
  if (args.expiresAfter != null) body.expiresAfter = args.expiresAfter;
  return body;
}

// ------------------------------------------------------------------ the other direction (paper venue)

type WireOrderIn = { a: number; b: boolean; p: string; s: string; r: boolean; t: object; c?: string | undefined };

/**
 * A decoded wire action (HlAction) → ActionBatch, asset ids → names via `assetName`. For the
 * paper venue's server. Trigger orders, FrontendMarket TIF, `modify`, `updateLeverage` and
 * `noop` have no ActionBatch form: they fail with a message naming the element.
 */
export function decodeActionToBatch(action: { type: string } & Record<string, unknown>, assetName: (id: number) => string | undefined): Decoded<ActionBatch> {
  const problems: string[] = [];
  const name = (id: number, path: string): string => {
    const n = assetName(id);
    if (n === undefined) problems.push(`${path}: unknown asset id ${id}`);
    return n ?? "";
  };
  const order = (w: WireOrderIn, path: string): OrderSpec => {
    const t = w.t as { limit?: { tif?: string } };
    // FrontendMarket is an IOC with a "market order" note (NK), matched as one
    const tif = t.limit?.tif === "FrontendMarket" ? "Ioc" : t.limit?.tif;
    if (tif !== "Alo" && tif !== "Gtc" && tif !== "Ioc") problems.push(`${path}.t: only limit orders with tif Alo|Gtc|Ioc are supported, got ${JSON.stringify(w.t)}`);
    return {
      asset: name(w.a, `${path}.a`),
      isBuy: w.b,
      px: Number(w.p),
      sz: Number(w.s),
      tif: (tif ?? "Gtc") as OrderSpec["tif"],
      reduceOnly: w.r,
      cloid: w.c ?? "",
    };
  };
  let batch: ActionBatch | undefined;
  switch (action.type) {
    case "order":
      batch = { type: "order", orders: (action["orders"] as WireOrderIn[]).map((o, i) => order(o, `$.orders.${i}`)) };
      break;
    case "cancel":
      batch = {
        type: "cancel",
        cancels: (action["cancels"] as { a: number; o: number }[]).map((c, i) => ({ asset: name(c.a, `$.cancels.${i}.a`), oid: c.o })),
      };
      break;
    case "cancelByCloid":
      batch = {
        type: "cancelByCloid",
        cancels: (action["cancels"] as { asset: number; cloid: string }[]).map((c, i) => ({ asset: name(c.asset, `$.cancels.${i}.asset`), cloid: c.cloid })),
      };
      break;
    case "batchModify":
      batch = {
        type: "batchModify",
        modifies: (action["modifies"] as { oid: number | string; order: WireOrderIn }[]).map((m, i) => ({ oid: m.oid, order: order(m.order, `$.modifies.${i}.order`) })),
      };
      break;
    case "scheduleCancel": {
      const time = action["time"];
      batch = { type: "scheduleCancel", time: typeof time === "number" ? time : null };
      break;
    }
    case "reserveRequestWeight": {
      const weight = action["weight"];
      if (typeof weight !== "number" || !Number.isSafeInteger(weight) || weight <= 0) problems.push(`$.weight: a positive integer is required, got ${JSON.stringify(weight)}`);
      batch = { type: "reserveRequestWeight", weight: typeof weight === "number" ? weight : 0 };
      break;
    }
    default:
      problems.push(`$.type: action ${JSON.stringify(action.type)} has no ActionBatch form`);
  }
  if (problems.length > 0 || batch === undefined) return { ok: false, error: new DecodeFailure("exchange action", problems) };
  return { ok: true, value: batch };
}
