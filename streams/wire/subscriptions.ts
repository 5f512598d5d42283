// Subscription keying shared by the live client (sources/hyperliquid routes frames by it) and the
// paper venue's server (which keys "Already subscribed" by the subscription's identity).
//
// Two different questions: the *routing key* says which subscription a data frame belongs to —
// frames carry only coin / user / interval, so two l2Book subscriptions of one coin that differ in
// `nSigFigs` share a routing key; the *identity* says whether two subscribe requests are the same
// subscription — the venue normalises the request (FACTS §2.1: l2Book gains nSigFigs, mantissa,
// fast; addresses are case-insensitive) and compares the whole of it.
import type { HlSubscription } from "./ws.js";

/** Routing key of a subscription; the same key is computed from each data frame (hlFrameKey). */
export function hlSubscriptionKey(s: HlSubscription): string {
  switch (s.type) {
    case "l2Book":
    case "trades":
    case "bbo":
    case "activeAssetCtx":
      return `${s.type}:${s.coin}`;
    case "candle":
      return `candle:${s.coin}:${s.interval}`;
    case "activeAssetData":
      return `activeAssetData:${s.user.toLowerCase()}:${s.coin}`;
    case "clearinghouseState":
    case "openOrders":
      return `${s.type}:${s.user.toLowerCase()}:${s.dex ?? ""}`;
    case "userFills":
    case "userFundings":
    case "userNonFundingLedgerUpdates":
    case "webData3":
    case "twapStates":
    case "spotState":
    case "allDexsClearinghouseState":
      return `${s.type}:${s.user.toLowerCase()}`;
    case "allMids":
    case "orderUpdates":
    case "userEvents":
    case "notification":
      return s.type;
  }
}

/** Routing key of a data frame, or undefined when it cannot be routed. */
export function hlFrameKey(channel: string, data: unknown): string | undefined {
  const d = data as Record<string, unknown> | null | undefined;
  switch (channel) {
    case "l2Book":
    case "bbo":
    case "activeAssetCtx":
    case "activeSpotAssetCtx":
      return typeof d?.["coin"] === "string" ? `${channel === "activeSpotAssetCtx" ? "activeAssetCtx" : channel}:${d["coin"]}` : undefined;
    case "trades": {
      const first = Array.isArray(data) ? (data[0] as Record<string, unknown> | undefined) : undefined;
      return typeof first?.["coin"] === "string" ? `trades:${first["coin"]}` : undefined;
    }
    case "candle":
      return typeof d?.["s"] === "string" && typeof d["i"] === "string" ? `candle:${d["s"]}:${d["i"]}` : undefined;
    case "activeAssetData":
      return typeof d?.["user"] === "string" && typeof d["coin"] === "string" ? `activeAssetData:${d["user"].toLowerCase()}:${d["coin"]}` : undefined;
    case "clearinghouseState":
    case "openOrders":
      return typeof d?.["user"] === "string" ? `${channel}:${d["user"].toLowerCase()}:${typeof d["dex"] === "string" ? d["dex"] : ""}` : undefined;
    case "userFills":
    case "userFundings":
    case "userNonFundingLedgerUpdates":
    case "webData3":
    case "twapStates":
    case "spotState":
    case "allDexsClearinghouseState": {
      const user = d?.["user"] ?? (d?.["userState"] as Record<string, unknown> | undefined)?.["user"];
      return typeof user === "string" ? `${channel}:${user.toLowerCase()}` : undefined;
    }
    case "user":
      return "userEvents";
    case "allMids":
    case "orderUpdates":
    case "notification":
      return channel;
    default:
      return undefined;
  }
}

/**
 * The subscription as the venue echoes it in its ack (FACTS §2.1): addresses lower-cased, l2Book
 * with `nSigFigs`, `mantissa` and `fast` filled in. Every field the client sent is kept, so acks
 * match requests "by subset" as the SDKs match them.
 */
export function hlNormalisedSubscription(s: HlSubscription): Record<string, unknown> {
  const out: Record<string, unknown> = { ...s };
  if (typeof out["user"] === "string") out["user"] = (out["user"] as string).toLowerCase();
  if (s.type === "l2Book") {
    out["nSigFigs"] = s.nSigFigs ?? null;
    out["mantissa"] = s.mantissa ?? null;
    out["fast"] = s.fast ?? false;
  }
  return out;
}

/**
 * Identity of a subscription: equal for requests the venue treats as the same subscription
 * (absent and default parameters alike, addresses in any case), different when any parameter
 * that changes the data differs (`nSigFigs`, `mantissa`, `fast`, `interval`, `dex`, `aggregateByTime`).
 */
export function hlSubscriptionIdentity(s: HlSubscription): string {
  const n = hlNormalisedSubscription(s);
  if ((s.type === "clearinghouseState" || s.type === "openOrders" || s.type === "allMids") && n["dex"] === undefined) n["dex"] = "";
  if (s.type === "userFills" && n["aggregateByTime"] === undefined) n["aggregateByTime"] = false;
  return JSON.stringify(Object.keys(n).sort().map((k) => [k, n[k]]));
}
