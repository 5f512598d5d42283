// Well-formed inputs to mutate, produced by the code that produces them for real: the paper
// venue's own wire encoders (streams/wire/serve.ts) and /info answers (sim/serverInfo.ts) after a
// short session with resting orders and fills, the shipped config file, and signed /exchange
// bodies (streams/wire/encode.ts) for each action type.
import { readFileSync } from "node:fs";
import { Wallet } from "ethers";
import { PaperExchange, simFillWire, simInfo, simReplayScheduler, syntheticMarket } from "../../sim/index.js";
import type { ActionBatch } from "../../streams/actions.js";
import type { OrderUpdate } from "../../streams/orders.js";
import { encodeAction, hlBatchResultToWire, hlBookToWire, hlOrderUpdateToWire, hlTradeToWire, signedExchangeBody } from "../../streams/wire/index.js";
import { defaultConfigPath, parseConfigText } from "../../app/config.js";

export interface FuzzSeeds {
  /** WS frames `{channel, data}`. */
  readonly wsFrames: readonly { channel: string; data: unknown }[];
  /** /info answers the client decodes, by request type. */
  readonly infoBodies: readonly { type: string; body: unknown }[];
  /** /exchange answers and the batch each answers. */
  readonly exchangeResponses: readonly { batch: ActionBatch; body: unknown }[];
  /** The shipped config file, parsed (a plain value). */
  readonly config: unknown;
  /** /info request bodies a client sends to the venue. */
  readonly infoRequests: readonly Record<string, unknown>[];
  /** Signed /exchange request bodies. */
  readonly exchangeRequests: readonly unknown[];
  readonly user: string;
  /** The signer of `exchangeRequests` (a throwaway key made up for the fuzz, never a real one). */
  readonly wallet: Wallet;
}

const T0 = Date.UTC(2026, 0, 1);
const cl = (n: number) => "0x" + n.toString(16).padStart(32, "0");

export function fuzzSeeds(): FuzzSeeds {
  // A fixed, made-up key: deterministic signatures; it never touches a network.
  const wallet = new Wallet("0x" + "11".repeat(32));
  const user = wallet.address.toLowerCase();
  const scheduler = simReplayScheduler(T0);
  const ex = new PaperExchange({ market: syntheticMarket({ assets: [{ name: "BTC", startPx: 100_000, szDecimals: 5 }], seed: 7, uninformedPerSec: 5 }), scheduler, seed: 7 });
  const updates: OrderUpdate[] = [];
  const trades: unknown[] = [];
  ex.user$.subscribe((e) => {
    if (e.kind === "orderUpdate") updates.push(e.update);
  });
  ex.feed$.subscribe((e) => {
    if (e.kind === "trades" && trades.length < 5) trades.push(...e.trades.map((t) => hlTradeToWire(t, [...t.users] as [string, string])));
  });
  ex.start();
  scheduler.maxFrames = T0 + 2_000;
  scheduler.flush();
  const book = ex.currentBook("BTC")!;
  const bid = book.bids[0]!.px;
  const ask = book.asks[0]!.px;
  const results: { batch: ActionBatch; body: unknown }[] = [];
  const send = (batch: ActionBatch) => ex.submit(user, batch, (r) => results.push({ batch, body: hlBatchResultToWire(r.result) }));
  send({ type: "order", orders: [{ asset: "BTC", isBuy: true, px: bid, sz: 0.001, tif: "Alo", reduceOnly: false, cloid: cl(1) }, { asset: "BTC", isBuy: false, px: ask + 50, sz: 0.001, tif: "Alo", reduceOnly: false, cloid: cl(2) }] });
  send({ type: "order", orders: [{ asset: "BTC", isBuy: true, px: ask * 1.01, sz: 0.0005, tif: "Ioc", reduceOnly: false, cloid: cl(3) }] });
  scheduler.maxFrames = T0 + 60_000;
  scheduler.flush();
  send({ type: "cancelByCloid", cancels: [{ asset: "BTC", cloid: cl(2) }, { asset: "BTC", cloid: cl(9) }] });
  send({ type: "scheduleCancel", time: null });
  scheduler.maxFrames = T0 + 62_000;
  scheduler.flush();
  ex.stop();

  const fills = ex.account(user).fills.map(simFillWire);
  const wsFrames = [
    { channel: "l2Book", data: hlBookToWire(book) },
    { channel: "trades", data: trades.slice(0, 3) },
    { channel: "bbo", data: { coin: "BTC", time: book.time, bbo: [{ px: String(bid), sz: "1.5", n: 2 }, { px: String(ask), sz: "0.5", n: 1 }] } },
    { channel: "allMids", data: { mids: { BTC: String((bid + ask) / 2), ETH: "3500.5" } } },
    { channel: "orderUpdates", data: updates.slice(0, 3).map(hlOrderUpdateToWire) },
    { channel: "userFills", data: { isSnapshot: true, user, fills } },
    { channel: "user", data: { fills } },
    { channel: "user", data: { nonUserCancel: [{ coin: "BTC", oid: 40_000_000_001 }] } },
  ];
  const info = (req: Record<string, unknown>) => {
    const a = simInfo(ex, req);
    if (!a.ok) throw new Error(`fuzz seeds: ${JSON.stringify(req)}: ${a.detail}`);
    return a.body;
  };
  const oid = updates[0]?.oid ?? 40_000_000_000;
  const infoRequests: Record<string, unknown>[] = [
    { type: "meta" },
    { type: "l2Book", coin: "BTC" },
    { type: "clearinghouseState", user },
    { type: "frontendOpenOrders", user },
    { type: "openOrders", user },
    { type: "orderStatus", user, oid },
    { type: "orderStatus", user, oid: cl(1) },
    { type: "userFills", user },
    { type: "userFillsByTime", user, startTime: T0 },
    { type: "userRateLimit", user },
  ];
  const infoBodies = [
    { type: "meta", body: info({ type: "meta" }) },
    { type: "l2Book", body: info({ type: "l2Book", coin: "BTC" }) },
    { type: "clearinghouseState", body: info({ type: "clearinghouseState", user }) },
    { type: "frontendOpenOrders", body: info({ type: "frontendOpenOrders", user }) },
    { type: "openOrders", body: info({ type: "openOrders", user }) },
    { type: "orderStatus", body: info({ type: "orderStatus", user, oid }) },
    { type: "userFills", body: info({ type: "userFills", user }) },
    { type: "userRateLimit", body: info({ type: "userRateLimit", user }) },
  ];
  const assets = new Map(ex.universe.map((m) => [m.name, m] as const));
  const batches: ActionBatch[] = [
    { type: "order", orders: [{ asset: "BTC", isBuy: true, px: bid, sz: 0.001, tif: "Alo", reduceOnly: false, cloid: cl(11) }, { asset: "BTC", isBuy: false, px: ask, sz: 0.001, tif: "Gtc", reduceOnly: false, cloid: cl(12) }] },
    { type: "cancel", cancels: [{ asset: "BTC", oid }] },
    { type: "cancelByCloid", cancels: [{ asset: "BTC", cloid: cl(11) }] },
    { type: "batchModify", modifies: [{ oid, order: { asset: "BTC", isBuy: true, px: bid - 1, sz: 0.002, tif: "Alo", reduceOnly: false, cloid: cl(1) } }] },
    { type: "scheduleCancel", time: T0 + 3_600_000 },
  ];
  const exchangeRequests = batches.map((b, i) => signedExchangeBody({ wallet, action: encodeAction(b, assets), nonce: T0 + i, isMainnet: false }));
  const config = parseConfigText(readFileSync(defaultConfigPath(), "utf8"), defaultConfigPath());
  return { wsFrames, infoBodies, exchangeResponses: results, config, infoRequests, exchangeRequests, user, wallet };
}
