// The boundaries the fuzz feeds, each as "text in → accepted value | rejection message". A
// boundary that throws (anything but the config loader's ConfigError) is a crash.
import { PaperExchange, simInfo } from "../../sim/index.js";
import { DecodeFailure, decodeWith, type Decoded } from "../../streams/codec.js";
import type { ActionBatch } from "../../streams/actions.js";
import {
  HlExchangeRequest,
  decodeActionToBatch,
  decodeHlBbo,
  decodeHlBook,
  decodeHlClearinghouseState,
  decodeHlExchangeResponse,
  decodeHlFrontendOpenOrders,
  decodeHlMeta,
  decodeHlOpenOrders,
  decodeHlOrderStatus,
  decodeHlOrderUpdates,
  decodeHlTrades,
  decodeHlUserEvent,
  decodeHlUserFills,
  decodeHlUserRateLimit,
  decodeHlWsAllMids,
  decodeHlFillsInfo,
  parseHlWsFrame,
} from "../../streams/wire/index.js";
import { ConfigError, parseConfig } from "../../app/config.js";
import { catalogOf, operatorRegistry } from "../../app/registry.js";

export type Outcome = { readonly accepted: true; readonly value: unknown } | { readonly accepted: false; readonly message: string };

function outcome(d: Decoded<unknown>): Outcome {
  return d.ok ? { accepted: true, value: d.value } : { accepted: false, message: d.error.message };
}

/**
 * The channel → decoder table of the market and user feeds (the channels HyperliquidVenue
 * subscribes; sources/hyperliquid/venue.ts routes each to the same decoder).
 */
const WS_DECODERS: Readonly<Record<string, (data: unknown) => Decoded<unknown>>> = {
  l2Book: (d) => decodeHlBook(d, "ws:l2Book"),
  trades: (d) => decodeHlTrades(d, "ws:trades"),
  bbo: (d) => decodeHlBbo(d, "ws:bbo"),
  allMids: (d) => decodeHlWsAllMids(d, 0, "ws:allMids"),
  orderUpdates: (d) => decodeHlOrderUpdates(d, "ws:orderUpdates"),
  userFills: (d) => decodeHlUserFills(d, "ws:userFills"),
  user: (d) => decodeHlUserEvent(d, "ws:user"),
};

/** One WS text frame: envelope, then the channel's decoder. */
export function decodeWsFrameText(text: string): Outcome {
  const env = parseHlWsFrame(text);
  if (!env.ok) return outcome(env);
  const dec = WS_DECODERS[env.value.channel];
  if (!dec) return { accepted: false, message: `ws frame: $.channel: no subscription for channel ${JSON.stringify(env.value.channel).slice(0, 60)}` };
  return outcome(dec(env.value.data));
}

function parseJson(text: string, what: string): Decoded<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, error: new DecodeFailure(what, [`$: expected JSON, ${e instanceof Error ? e.message : String(e)}`]) };
  }
}

const INFO_DECODERS: Readonly<Record<string, (body: unknown) => Decoded<unknown>>> = {
  meta: (b) => decodeHlMeta(b),
  l2Book: (b) => decodeHlBook(b, "info l2Book"),
  clearinghouseState: (b) => decodeHlClearinghouseState(b, 0),
  frontendOpenOrders: (b) => decodeHlFrontendOpenOrders(b),
  openOrders: (b) => decodeHlOpenOrders(b),
  orderStatus: (b) => decodeHlOrderStatus(b),
  userFills: (b) => decodeHlFillsInfo(b),
  userRateLimit: (b) => decodeHlUserRateLimit(b),
};

/** An /info answer body (HTTP text) for request `type`, as HyperliquidVenue decodes it. */
export function decodeInfoBodyText(type: string, text: string): Outcome {
  const j = parseJson(text, `info ${type}`);
  if (!j.ok) return outcome(j);
  const dec = INFO_DECODERS[type];
  if (!dec) throw new Error(`fuzz: no decoder for info ${type}`);
  return outcome(dec(j.value));
}

/** An /exchange answer body (HTTP text) for `batch`. */
export function decodeExchangeResponseText(batch: ActionBatch, text: string): Outcome {
  const j = parseJson(text, "exchange response");
  if (!j.ok) return outcome(j);
  return outcome(decodeHlExchangeResponse(j.value, batch));
}

const catalog = catalogOf(operatorRegistry);

/** A config file's text, as `quoteflow run --config <file>` loads it (JSON or YAML by extension). */
export function loadConfigText(text: string, source: string): Outcome {
  try {
    return { accepted: true, value: parseConfig(text, source, catalog) };
  } catch (err) {
    if (err instanceof ConfigError) return { accepted: false, message: err.message };
    throw err;
  }
}

/** A signed /exchange request body as the paper venue decodes it before matching (envelope codec, then action → batch). */
export function decodeExchangeRequestText(text: string, assetName: (id: number) => string | undefined): Outcome {
  const j = parseJson(text, "exchange request");
  if (!j.ok) return outcome(j);
  const env = decodeWith(HlExchangeRequest, j.value, "exchange request");
  if (!env.ok) return outcome(env);
  const action = (j.value as { action: { type: string } & Record<string, unknown> }).action;
  return outcome(decodeActionToBatch(action, assetName));
}

/** An /info request body to the paper venue (the server's JSON step, then sim/serverInfo's handler). */
export function venueInfoText(ex: PaperExchange, text: string): Outcome {
  const j = parseJson(text, "info request");
  if (!j.ok) return outcome(j);
  const body = j.value;
  if (!body || typeof body !== "object" || Array.isArray(body)) return { accepted: false, message: "info request: expected a JSON object" };
  const a = simInfo(ex, body as Record<string, unknown>);
  return a.ok ? { accepted: true, value: a.body } : { accepted: false, message: `info request: ${a.detail}` };
}

/** What must not change when a request is refused: accounts, orders, fills, budgets. */
export function exchangeFingerprint(ex: PaperExchange): string {
  const parts: string[] = [];
  for (const u of ex.users()) {
    const t = ex.truth(u);
    parts.push(`${u}:${t.fills.length}:${t.openOrders.length}:${t.orders.length}:${t.rateLimit.nRequestsUsed}:${t.balance}`);
  }
  return parts.join("|");
}
