// The paper venue over the Hyperliquid protocol on loopback, driven with raw HTTP/WS requests
// signed by streams/wire (testnet source "b"), as any client pointed at a non-mainnet URL signs.
import { afterEach, describe, expect, it } from "vitest";
import { Wallet } from "ethers";
import { WebSocket } from "ws";
import type { ActionBatch } from "../../streams/actions.js";
import { decodeWith } from "../../streams/codec.js";
import { HL_INFO_CODECS, HlExchangeResponse, HlWsUserFills, encodeAction, signedExchangeBody } from "../../streams/wire/index.js";
import { replayMarket, simUniverse, startPaperServer, type PaperServer, type PaperServerOptions } from "../../sim/index.js";
import { parseCli, type SimArgs } from "../../app/args.js";
import { syntheticOnly } from "../../app/run.js";
import type { BookEvent, TradeEvent } from "../../streams/market.js";
import { book, cloid, order, trade } from "./helpers.js";

// test-only keys (not secrets)
const KEY_A = "0x" + "11".repeat(32);
const KEY_B = "0x" + "22".repeat(32);
const wallet = new Wallet(KEY_A);
const stranger = new Wallet(KEY_B);
const ADDR = wallet.address.toLowerCase();
const assets = new Map(simUniverse().map((m) => [m.name, m]));

let servers: PaperServer[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  for (const s of servers.splice(0)) await s.close();
});

/** A market that starts "now" on the server's real clock: times are relative, the exchange restamps them. */
function relMarket(books: BookEvent[], trades: TradeEvent[] = []) {
  return replayMarket({ books, trades }, { inferTakers: false });
}

async function serve(market: ReturnType<typeof relMarket>, extra: Partial<PaperServerOptions> = {}): Promise<PaperServer> {
  const s = await startPaperServer({ market, seed: 1, faults: "none", port: 0, ...extra });
  servers.push(s);
  return s;
}

async function post(url: string, body: unknown, raw?: string): Promise<{ status: number; text: string; json: unknown }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: raw ?? JSON.stringify(body) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

// nonces are ms timestamps, within the venue's window (T − 2 d, T + 1 d) of its clock
let nonce = Date.now();
function signed(batch: ActionBatch, w: Wallet = wallet, isMainnet = false) {
  return signedExchangeBody({ wallet: w, action: encodeAction(batch, assets), nonce: nonce++, isMainnet });
}

class Frames {
  readonly frames: { channel: string; data?: unknown }[] = [];
  readonly raw: string[] = [];
  private waiters: (() => void)[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on("message", (d) => {
      const text = d.toString();
      this.raw.push(text);
      try {
        this.frames.push(JSON.parse(text) as { channel: string; data?: unknown });
      } catch {
        /* malformed frames are kept in raw */
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }
  send(msg: unknown): void {
    this.ws.send(JSON.stringify(msg));
  }
  async next(pred: (f: { channel: string; data?: unknown }) => boolean, timeoutMs = 15_000): Promise<{ channel: string; data?: unknown }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.frames.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no matching frame; got ${this.raw.slice(-5).join(" | ")}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }
}

async function connect(s: PaperServer): Promise<Frames> {
  const ws = new WebSocket(s.wsUrl);
  sockets.push(ws);
  const f = new Frames(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return f;
}

describe("paper server over the Hyperliquid protocol", () => {
  it("ALO rests (post response, orderUpdates, openOrders), fills once replayed trades eat its queue, cancel, position and fills", async () => {
    const t0 = 1_000_000;
    const books = [0, 1000, 2000, 3000, 4000, 5000, 6000].map((t) => book(t0 + t, [[100000, 0.5], [99990, 1]], [[100001, 0.5]]));
    const trades = [trade(t0 + 4_000, "sell", 100000, 0.3), trade(t0 + 4_500, "sell", 100000, 0.3)];
    const s = await serve(relMarket(books, trades));
    const ws = await connect(s);
    ws.send({ method: "subscribe", subscription: { type: "orderUpdates", user: ADDR } });
    ws.send({ method: "subscribe", subscription: { type: "userFills", user: ADDR } });
    ws.send({ method: "subscribe", subscription: { type: "l2Book", coin: "BTC" } });
    const ack = await ws.next((f) => f.channel === "subscriptionResponse" && (f.data as { subscription: { type: string } }).subscription.type === "l2Book");
    expect(ack.data).toEqual({ method: "subscribe", subscription: { type: "l2Book", coin: "BTC", nSigFigs: null, mantissa: null, fast: false } });
    const snap = await ws.next((f) => f.channel === "userFills");
    expect(snap.data).toEqual({ isSnapshot: true, user: ADDR, fills: [] });

    // place via WS post: one ALO at the touch (0.5 ahead), one deeper to cancel later
    ws.send({ method: "post", id: 7, request: { type: "action", payload: signed({ type: "order", orders: [order(100000, 0.001, true, "Alo", 1), order(99990, 0.001, true, "Alo", 2)] }) } });
    const resp = await ws.next((f) => f.channel === "post");
    const payload = (resp.data as { id: number; response: { type: string; payload: unknown } }).response;
    expect((resp.data as { id: number }).id).toBe(7);
    expect(payload.type).toBe("action");
    const decoded = decodeWith(HlExchangeResponse, payload.payload, "post response");
    expect(decoded.ok).toBe(true);
    const statuses = (payload.payload as { response: { data: { statuses: { resting: { oid: number; cloid: string } }[] } } }).response.data.statuses;
    expect(statuses.map((x) => Object.keys(x)[0])).toEqual(["resting", "resting"]);
    const [oid1, oid2] = statuses.map((x) => x.resting.oid);
    const open = await ws.next((f) => f.channel === "orderUpdates" && (f.data as { order: { oid: number } }[])[0]!.order.oid === oid1);
    expect((open.data as { status: string; order: { cloid: string } }[])[0]).toMatchObject({ status: "open", order: { cloid: cloid(1), coin: "BTC", side: "B", limitPx: "100000", sz: "0.001" } });
    const oo = await post(`${s.url}/info`, { type: "openOrders", user: ADDR });
    expect(decodeWith(HL_INFO_CODECS.openOrders, oo.json, "openOrders").ok).toBe(true);
    expect((oo.json as { oid: number }[]).map((o) => o.oid).sort()).toEqual([oid1, oid2].sort());

    // the replayed trades: 0.3 leaves 0.2 ahead, the next 0.3 fills our 0.001
    const fill = await ws.next((f) => f.channel === "userFills" && !(f.data as { isSnapshot?: boolean }).isSnapshot);
    expect(decodeWith(HlWsUserFills, fill.data, "userFills").ok).toBe(true);
    expect((fill.data as { fills: unknown[] }).fills[0]).toMatchObject({ coin: "BTC", px: "100000", sz: "0.001", side: "B", oid: oid1, crossed: false, dir: "Open Long", cloid: cloid(1) });

    const cancel = await post(`${s.url}/exchange`, signed({ type: "cancel", cancels: [{ asset: "BTC", oid: oid2! }] }));
    expect(cancel.json).toEqual({ status: "ok", response: { type: "cancel", data: { statuses: ["success"] } } });
    const again = await post(`${s.url}/exchange`, signed({ type: "cancel", cancels: [{ asset: "BTC", oid: oid2! }] }));
    expect(again.json).toEqual({ status: "ok", response: { type: "cancel", data: { statuses: [{ error: "Order was never placed, already canceled, or filled. asset=0" }] } } });

    const ch = await post(`${s.url}/info`, { type: "clearinghouseState", user: ADDR });
    expect(decodeWith(HL_INFO_CODECS.clearinghouseState, ch.json, "clearinghouseState").ok).toBe(true);
    expect((ch.json as { assetPositions: { position: unknown }[] }).assetPositions[0]!.position).toMatchObject({ coin: "BTC", szi: "0.001", entryPx: "100000" });
    const uf = await post(`${s.url}/info`, { type: "userFills", user: ADDR });
    expect(decodeWith(HL_INFO_CODECS.userFills, uf.json, "userFills").ok).toBe(true);
    expect((uf.json as { oid: number; tid: number }[]).map((f) => f.oid)).toEqual([oid1]);
    expect(typeof (uf.json as { tid: number }[])[0]!.tid).toBe("number");
    const st = await post(`${s.url}/info`, { type: "orderStatus", user: ADDR, oid: cloid(2) });
    expect(st.json).toMatchObject({ status: "order", order: { status: "canceled", order: { oid: oid2 } } });
  });

  it("refuses a wrong signature with the testnet text (another key, or signed for mainnet)", async () => {
    // `announced`: only addresses named in /info exist (the default faucet would fund any signer)
    const s = await serve(relMarket([book(0, [[100000, 0.5]], [[100001, 0.5]])]), { accounts: "announced" });
    await post(`${s.url}/info`, { type: "clearinghouseState", user: ADDR }); // announces our address
    const batch: ActionBatch = { type: "order", orders: [order(99000, 0.001, true, "Alo", 1)] };
    const other = await post(`${s.url}/exchange`, signed(batch, stranger));
    expect(other.status).toBe(200);
    expect(other.json).toEqual({ status: "err", response: `L1 error: User or API Wallet ${stranger.address.toLowerCase()} does not exist.` });
    const mainnet = await post(`${s.url}/exchange`, signed(batch, wallet, true));
    expect((mainnet.json as { response: string }).response).toMatch(/^L1 error: User or API Wallet 0x[0-9a-f]{40} does not exist\.$/);
    expect((mainnet.json as { response: string }).response).not.toContain(ADDR);
    const garbage = { ...signed(batch), signature: { r: "0x" + "00".repeat(32), s: "0x" + "00".repeat(32), v: 27 } };
    expect((await post(`${s.url}/exchange`, garbage)).json).toEqual({ status: "err", response: "Unable to recover signer." });
    const ok = await post(`${s.url}/exchange`, signed(batch));
    expect(ok.json).toMatchObject({ status: "ok" });
  });

  it("answers a malformed body with HTTP 422 and never crashes", async () => {
    const s = await serve(relMarket([book(0, [[100000, 0.5]], [[100001, 0.5]])]));
    const notJson = await post(`${s.url}/exchange`, undefined, "{not json");
    expect(notJson.status).toBe(422);
    expect(notJson.text.startsWith("Failed to deserialize the JSON body into the target type")).toBe(true);
    const badShape = await post(`${s.url}/exchange`, { action: { type: "order" }, nonce: 1 });
    expect(badShape.status).toBe(422);
    const badInfo = await post(`${s.url}/info`, { type: "noSuchThing" });
    expect(badInfo.status).toBe(422);
    expect(badInfo.text.startsWith("Failed to deserialize the JSON body into the target type")).toBe(true);
    const ws = await connect(s);
    ws.ws.send("{oops");
    const err = await ws.next((f) => f.channel === "error");
    expect(err.data).toBe("Error parsing JSON into valid websocket request: {oops");
    ws.send({ method: "post", id: 3, request: { type: "info", payload: { type: "noSuchThing" } } });
    const perr = await ws.next((f) => f.channel === "post");
    expect((perr.data as { response: { type: string; payload: string } }).response).toMatchObject({ type: "error" });
    expect((perr.data as { response: { payload: string } }).response.payload).toMatch(/^422 Failed to deserialize/);
    const meta = await post(`${s.url}/info`, { type: "meta" });
    expect((meta.json as { universe: { name: string; szDecimals: number }[] }).universe.slice(0, 2)).toEqual([
      { name: "BTC", szDecimals: 5, maxLeverage: 50, marginTableId: 50 },
      { name: "ETH", szDecimals: 4, maxLeverage: 50, marginTableId: 50 },
    ]);
  });

  it("a rate-limited address gets the budget text; an IP over its weight gets HTTP 429", async () => {
    const s = await serve(relMarket([book(0, [[100000, 0.5]], [[100001, 0.5]])]), { addressInitialBuffer: 1, ipWeightPerMinute: 30 });
    await post(`${s.url}/info`, { type: "userRateLimit", user: ADDR }); // weight 20, announces
    const first = await post(`${s.url}/exchange`, signed({ type: "order", orders: [order(99000, 0.001, true, "Alo", 1)] }));
    expect(first.json).toMatchObject({ status: "ok" });
    const second = await post(`${s.url}/exchange`, signed({ type: "order", orders: [order(99001, 0.001, true, "Alo", 2)] }));
    expect(second.status).toBe(200);
    expect(second.json).toEqual({
      status: "err",
      response: "Too many cumulative requests sent (2 > 1) for cumulative volume traded $0.00. Place taker orders to free up 1 request per USDC traded.",
    });
    // 20 + 1 + 1 used; an l2Book (2) fits, the next userRateLimit (20) does not
    expect((await post(`${s.url}/info`, { type: "l2Book", coin: "BTC" })).status).toBe(200);
    const limited = await post(`${s.url}/info`, { type: "userRateLimit", user: ADDR });
    expect(limited.status).toBe(429);
  });

  it("speaks the WS control protocol: pong, acks, already subscribed / unsubscribed, invalid subscription", async () => {
    const s = await serve(relMarket([book(0, [[100000, 0.5]], [[100001, 0.5]])]));
    const ws = await connect(s);
    ws.send({ method: "ping" });
    expect(await ws.next((f) => f.channel === "pong")).toEqual({ channel: "pong" });
    const sub = { type: "trades", coin: "BTC" };
    ws.send({ method: "subscribe", subscription: sub });
    ws.send({ method: "subscribe", subscription: sub });
    expect((await ws.next((f) => f.channel === "error")).data).toBe(`Already subscribed: ${JSON.stringify(sub)}`);
    ws.send({ method: "unsubscribe", subscription: sub });
    await ws.next((f) => f.channel === "subscriptionResponse" && (f.data as { method: string }).method === "unsubscribe");
    ws.frames.length = 0;
    ws.send({ method: "unsubscribe", subscription: sub });
    expect((await ws.next((f) => f.channel === "error")).data).toBe(`Already unsubscribed: ${JSON.stringify(sub)}`);
    ws.frames.length = 0;
    ws.send({ method: "subscribe", subscription: { type: "nope" } });
    expect((await ws.next((f) => f.channel === "error")).data).toBe('Invalid subscription {"type":"nope"}');
    ws.send({ method: "post", id: 9, request: { type: "info", payload: { type: "l2Book", coin: "BTC" } } });
    const p = await ws.next((f) => f.channel === "post");
    expect((p.data as { response: { type: string; payload: { type: string; data: { coin: string } } } }).response).toMatchObject({ type: "info", payload: { type: "l2Book", data: { coin: "BTC" } } });
  });

  it("a dropout closes the socket, refuses reconnects until it ends, and the userFills snapshot restores what was missed", async () => {
    const books = Array.from({ length: 40 }, (_, i) => book(i * 250, [[100000, 0.5]], [[100001, 0.5]]));
    const s = await serve(relMarket(books));
    const ws = await connect(s);
    ws.send({ method: "subscribe", subscription: { type: "userFills", user: ADDR } });
    await ws.next((f) => f.channel === "userFills");
    const closed = new Promise<void>((resolve) => ws.ws.once("close", () => resolve()));
    s.exchange.injectDropout(1_000);
    await closed;
    // a taker fill while the socket is down: it is never sent to the old connection
    const r = await post(`${s.url}/exchange`, signed({ type: "order", orders: [order(100001, 0.001, true, "Ioc", 1)] }));
    expect(r.json).toMatchObject({ status: "ok", response: { data: { statuses: [{ filled: { totalSz: "0.001" } }] } } });
    await expect(connect(s)).rejects.toThrow(/503/);
    let again: Frames | undefined;
    for (let i = 0; i < 60 && !again; i++) {
      try {
        again = await connect(s);
      } catch {
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    expect(again).toBeDefined();
    again!.send({ method: "subscribe", subscription: { type: "userFills", user: ADDR } });
    const snap = await again!.next((f) => f.channel === "userFills");
    expect(snap.data).toMatchObject({ isSnapshot: true, user: ADDR });
    expect((snap.data as { fills: { sz: string }[] }).fills).toMatchObject([{ sz: "0.001", crossed: true }]);
    expect(ws.frames.filter((f) => f.channel === "userFills")).toHaveLength(1); // only the first snapshot
    expect(s.exchange.faults.map((f) => f.kind)).toEqual(["dropout"]);
  });

  it("a short dropout inside a long one does not let reconnects through before the long one ends", async () => {
    const s = await serve(relMarket(Array.from({ length: 40 }, (_, i) => book(i * 250, [[100000, 0.5]], [[100001, 0.5]]))));
    s.exchange.injectDropout(3_000);
    s.exchange.injectDropout(100);
    await new Promise((res) => setTimeout(res, 400));
    await expect(connect(s)).rejects.toThrow(/503/);
  });

  it("quoteflow sim (the app's one CLI) parses the venue's flags and its synthetic market serves on loopback", async () => {
    const a = parseCli(["sim", "--port", "0", "--seed", "7", "--faults", "hostile", "--synthetic", "BTC,FOO", "--accounts", "strict", "--fund", `${wallet.address}=2500`, "--block-ms", "50"]) as SimArgs;
    expect(a).toMatchObject({ command: "sim", port: 0, host: "127.0.0.1", seed: 7, faults: "hostile", synthetic: ["BTC", "FOO"], accounts: "strict", fund: { [ADDR]: 2500 }, blockMs: 50 });
    expect(parseCli(["sim"])).toMatchObject({ accounts: "faucet", fund: {}, blockMs: 70 });
    expect(() => parseCli(["sim", "--faults", "brutal"])).toThrow("--faults: expected one of none, realistic, hostile");
    expect(() => parseCli(["sim", "--data", "x", "--synthetic", "BTC"])).toThrow("choose one");
    expect(() => parseCli(["sim", "--bogus", "1"])).toThrow(/bogus/);
    expect(() => parseCli(["sim", "--fund", "0x12=5"])).toThrow("--fund: expected <address>=<usdc>");
    const s = await serve(syntheticOnly(["ETH"], 1).market, { accounts: a.accounts, fund: a.fund, blockMs: a.blockMs });
    expect(s.exchange.blocks.blockMs).toBe(50);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    let mids: Record<string, string> = {};
    for (let i = 0; i < 50 && !mids["ETH"]; i++) {
      mids = (await post(`${s.url}/info`, { type: "allMids" })).json as Record<string, string>;
      if (!mids["ETH"]) await new Promise((res) => setTimeout(res, 100));
    }
    expect(Number(mids["ETH"])).toBeGreaterThan(0);
    const funded = (await post(`${s.url}/info`, { type: "clearinghouseState", user: wallet.address })).json as { marginSummary: { accountValue: string } };
    expect(funded.marginSummary.accountValue).toBe("2500");
  });
  it("sends malformed frames on the market channels as the fault model says, and keeps streaming", async () => {
    const books = Array.from({ length: 60 }, (_, i) => book(i * 50, [[100000, 0.5]], [[100001, 0.5]]));
    const s = await serve(relMarket(books), { faults: { malformedFrameProb: 0.3 }, seed: 12 });
    const ws = await connect(s);
    ws.send({ method: "subscribe", subscription: { type: "l2Book", coin: "BTC" } });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (ws.raw.length - ws.frames.length < 1 || ws.frames.filter((f) => f.channel === "l2Book").length < 3)) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const broken = ws.raw.filter((t) => {
      try {
        JSON.parse(t);
        return false;
      } catch {
        return true;
      }
    });
    expect(broken.length).toBeGreaterThan(0);
    expect(broken[0]!.startsWith('{"channel":"l2Book"')).toBe(true);
    expect(ws.frames.filter((f) => f.channel === "l2Book").length).toBeGreaterThanOrEqual(3);
    expect(s.exchange.faults.filter((f) => f.kind === "malformedFrame").length).toBeGreaterThanOrEqual(broken.length);
  });
  it("an exchange-initiated cancel reaches orderUpdates (marginCanceled) and userEvents (nonUserCancel)", async () => {
    const s = await serve(relMarket(Array.from({ length: 20 }, (_, i) => book(i * 500, [[100000, 0.5]], [[100001, 0.5]]))));
    const ws = await connect(s);
    ws.send({ method: "subscribe", subscription: { type: "orderUpdates", user: ADDR } });
    ws.send({ method: "subscribe", subscription: { type: "userEvents", user: ADDR } });
    await ws.next((f) => f.channel === "subscriptionResponse" && (f.data as { subscription: { type: string } }).subscription.type === "userEvents");
    const r = await post(`${s.url}/exchange`, signed({ type: "order", orders: [order(99000, 0.001, true, "Alo", 1)] }));
    const oid = (r.json as { response: { data: { statuses: { resting: { oid: number } }[] } } }).response.data.statuses[0]!.resting.oid;
    await ws.next((f) => f.channel === "orderUpdates");
    s.exchange.injectMarginCancel();
    const user = await ws.next((f) => f.channel === "user");
    expect(user.data).toEqual({ nonUserCancel: [{ coin: "BTC", oid }] });
    const upd = await ws.next((f) => f.channel === "orderUpdates" && (f.data as { status: string }[])[0]!.status !== "open");
    expect((upd.data as { status: string; order: { oid: number } }[])[0]).toMatchObject({ status: "marginCanceled", order: { oid } });
    expect(s.exchange.faults).toMatchObject([{ kind: "marginCancel", oid, user: ADDR }]);
  });
});
