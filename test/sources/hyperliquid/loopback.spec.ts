// HyperliquidVenue and its WS/HTTP clients against real ws and http servers on 127.0.0.1:
// subscribe/receive, post round-trip (signature verified), HTTP fallback and 429, a dropped
// socket (reconnect, resubscribe, counter cleared), a server that stops answering pings, a post
// that never gets a reply, a malformed frame, the 101st post, and HTTP timeouts.
import { afterEach, describe, expect, it } from "vitest";
import { filter, firstValueFrom, take, toArray, type Subscription } from "rxjs";
import {
  HlReadOnlyError,
  HlTimeoutError,
  HlTransportError,
  HlWsClient,
  HyperliquidVenue,
  hlIsMainnet,
  hlWsUrl,
  type HyperliquidVenueOptions,
} from "../../../sources/index.js";
import { HlExchangeRequest, decodeActionToBatch, recoverL1Signer, decodeWith, type ActionBatch, type ConnectionState } from "../../../streams/index.js";
import { LoopbackServer, waitFor } from "./loopbackServer.js";

const KEY = "0x0123456789012345678901234567890123456789012345678901234567890123";
const SIGNER = "0x14791697260E4c9A71f18484C9f997B308e59325";
const USER = "0x5e9ee1089755c3435139848e47e6635505d5a13a";
const META = { universe: [{ name: "BTC", szDecimals: 5, maxLeverage: 50 }, { name: "ETH", szDecimals: 4, maxLeverage: 50 }] };
const l2 = (time: number) => ({ channel: "l2Book", data: { coin: "BTC", time, levels: [[{ px: "100000.0", sz: "1.5", n: 2 }], [{ px: "100001.0", sz: "0.5", n: 1 }]] } });
const cloid = (n: number) => "0x" + n.toString(16).padStart(32, "0");
const ORDER: ActionBatch = {
  type: "order",
  orders: [
    { asset: "BTC", isBuy: true, px: 99999.5, sz: 0.001, tif: "Alo", reduceOnly: false, cloid: cloid(1) },
    { asset: "BTC", isBuy: false, px: 100002.2, sz: 0.001, tif: "Alo", reduceOnly: false, cloid: cloid(2) },
  ],
};

let server: LoopbackServer | undefined;
const subs: Subscription[] = [];
const venues: HyperliquidVenue[] = [];

afterEach(async () => {
  for (const s of subs.splice(0)) s.unsubscribe();
  for (const v of venues.splice(0)) await v.close();
  await server?.close();
  server = undefined;
});

async function start(handlers: ConstructorParameters<typeof LoopbackServer>[0]): Promise<LoopbackServer> {
  server = new LoopbackServer(handlers);
  await server.listen();
  return server;
}

function venue(s: LoopbackServer, extra: Partial<HyperliquidVenueOptions> = {}): HyperliquidVenue {
  const v = new HyperliquidVenue({
    baseUrl: s.baseUrl,
    wsUrl: s.wsUrl,
    wallet: KEY,
    userAddress: USER,
    ws: { backoff: { initialMs: 20, maxMs: 200, jitter: 0 }, postTimeoutMs: 2000 },
    http: { timeoutMs: 2000 },
    ...extra,
  });
  venues.push(v);
  return v;
}

/** Echo subscriptions with an ack (and the l2Book frame when `book`). */
function acks(book = true) {
  return (msg: Record<string, unknown>, socket: import("ws").WebSocket) => {
    if (msg["method"] === "subscribe") {
      socket.send(JSON.stringify({ channel: "subscriptionResponse", data: msg }));
      const sub = msg["subscription"] as { type: string };
      if (book && sub.type === "l2Book") socket.send(JSON.stringify(l2(1)));
    }
    if (msg["method"] === "ping") socket.send(JSON.stringify({ channel: "pong" }));
  };
}

const httpOk = (path: string, body: Record<string, unknown>) => {
  if (path === "/info" && body["type"] === "meta") return { status: 200, body: META };
  return undefined;
};

describe("loopback: feeds", () => {
  it("subscribes and receives a book", async () => {
    const s = await start({ onWs: acks() });
    const v = venue(s);
    const book = await firstValueFrom(v.book("BTC"));
    expect(book).toEqual({ asset: "BTC", time: 1, bids: [{ px: 100000, sz: 1.5, n: 2 }], asks: [{ px: 100001, sz: 0.5, n: 1 }] });
    expect(s.wsMessages[0]).toEqual({ method: "subscribe", subscription: { type: "l2Book", coin: "BTC" } });
  });

  it("serves bbo, allMids and userEvents feeds", async () => {
    const s = await start({
      onWs: (msg, socket) => {
        if (msg["method"] !== "subscribe") return;
        const sub = msg["subscription"] as { type: string };
        if (sub.type === "bbo") socket.send(JSON.stringify({ channel: "bbo", data: { coin: "BTC", time: 9, bbo: [{ px: "100", sz: "1", n: 1 }, null] } }));
        if (sub.type === "allMids") socket.send(JSON.stringify({ channel: "allMids", data: { mids: { BTC: "100.5", "@142": "80907.5" } } }));
        if (sub.type === "userEvents") socket.send(JSON.stringify({ channel: "user", data: { nonUserCancel: [{ coin: "BTC", oid: 77 }] } }));
      },
    });
    const v = venue(s);
    expect(await firstValueFrom(v.bbo("BTC"))).toEqual({ asset: "BTC", time: 9, bids: [{ px: 100, sz: 1, n: 1 }], asks: [] });
    const mids = await firstValueFrom(v.mids().pipe(take(2), toArray()));
    expect(mids.map((m) => `${m.asset}=${m.mid}`)).toEqual(["BTC=100.5", "@142=80907.5"]);
    expect(await firstValueFrom(v.userEvents())).toEqual({ kind: "nonUserCancel", cancels: [{ asset: "BTC", oid: 77 }] });
    expect(s.wsMessages.find((m) => (m["subscription"] as { type?: string } | undefined)?.type === "userEvents")).toEqual({
      method: "subscribe",
      subscription: { type: "userEvents", user: USER },
    });
  });

  it("counts a malformed frame as a DecodeErrorEvent and keeps the feed going", async () => {
    const s = await start({
      onWs: (msg, socket) => {
        if (msg["method"] !== "subscribe") return;
        socket.send("{garbage");
        socket.send(JSON.stringify({ channel: "l2Book", data: { coin: "BTC", time: 2, levels: [[{ px: 5, sz: "1", n: 1 }], []] } }));
        socket.send(JSON.stringify(l2(3)));
      },
    });
    const v = venue(s);
    const errors: string[] = [];
    subs.push(v.decodeErrors$.subscribe((e) => errors.push(`${e.source}: ${e.message}`)));
    const book = await firstValueFrom(v.book("BTC"));
    expect(book.time).toBe(3);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^ws: ws frame: \$: not JSON/);
    expect(errors[1]).toContain("$.levels.0.0.px: expected DecimalString, got 5");
  });

  it("reconnects after the server drops the socket, resubscribes, and clears the attempt counter on the first frame", async () => {
    const s = await start({
      onWs: (msg, socket, srv) => {
        if (msg["method"] !== "subscribe") return;
        if (srv.connections === 1) socket.terminate();
        else setTimeout(() => socket.send(JSON.stringify(l2(7))), 30);
      },
    });
    const v = venue(s);
    const states: ConnectionState[] = [];
    subs.push(v.connection$.subscribe((st) => states.push(st)));
    const book = await firstValueFrom(v.book("BTC"));
    expect(book.time).toBe(7);
    expect(s.connections).toBe(2);
    expect(s.wsMessages.filter((m) => m["method"] === "subscribe")).toHaveLength(2);
    const seq = states.map((st) => `${st.status}:${st.attempt}`);
    // open:1 on the reopen, open:0 on its first frame, closed when firstValueFrom lets go
    expect(seq).toEqual(["closed:0", "connecting:0", "open:0", "reconnecting:1", "open:1", "open:0", "closed:0"]);
  });

  it("terminates a socket whose server stops answering pings, then reconnects", async () => {
    const s = await start({ onWs: () => undefined }); // never answers anything
    const v = venue(s, { ws: { pingIntervalMs: 40, pongTimeoutMs: 40, backoff: { initialMs: 10, jitter: 0 } } });
    const states: string[] = [];
    subs.push(v.connection$.subscribe((st) => states.push(`${st.status}:${st.attempt}`)));
    subs.push(v.book("BTC").subscribe());
    await waitFor(() => s.connections >= 2, "a second connection");
    expect(states.slice(0, 4)).toEqual(["closed:0", "connecting:0", "open:0", "reconnecting:1"]);
    expect(s.wsMessages.filter((m) => m["method"] === "ping").length).toBeGreaterThanOrEqual(1);
  });
});

describe("loopback: submit", () => {
  it("signs and sends over WS post when connected; the server verifies the signer", async () => {
    const s = await start({
      onHttp: httpOk,
      onWs: (msg, socket) => {
        acks(false)(msg, socket);
        if (msg["method"] !== "post") return;
        const req = msg["request"] as { type: string; payload: unknown };
        const parsed = decodeWith(HlExchangeRequest, req.payload, "post");
        if (!parsed.ok) throw parsed.error;
        const signer = recoverL1Signer({ ...parsed.value, isMainnet: false });
        const batch = decodeActionToBatch(parsed.value.action, (id) => META.universe[id]?.name);
        const statuses =
          signer === SIGNER && batch.ok
            ? [{ resting: { oid: 11, cloid: cloid(1) } }, { error: "Post only order would have immediately matched, bbo was 100001@100002. asset=0" }]
            : [{ error: "bad" }, { error: "bad" }];
        socket.send(JSON.stringify({ channel: "post", data: { id: msg["id"], response: { type: "action", payload: { status: "ok", response: { type: "order", data: { statuses } } } } } }));
      },
    });
    const v = venue(s);
    subs.push(v.book("BTC").subscribe());
    await firstValueFrom(v.connection$.pipe(filter((c) => c.status === "open")));
    const result = await firstValueFrom(v.submit(ORDER));
    expect(result).toEqual({
      ok: true,
      type: "order",
      statuses: [
        { kind: "resting", oid: 11, cloid: cloid(1) },
        { kind: "rejected", code: "BadAloPx", error: "Post only order would have immediately matched, bbo was 100001@100002. asset=0" },
      ],
    });
    const post = s.wsMessages.find((m) => m["method"] === "post")!;
    const action = ((post["request"] as { payload: { action: { orders: Array<{ p: string }> } } }).payload).action;
    expect(action.orders.map((o) => o.p)).toEqual(["99999", "100003"]); // passive rounding: bid down, ask up
    expect(s.httpRequests.filter((r) => r.path === "/exchange")).toHaveLength(0);
  });

  it("falls back to HTTP /exchange when the socket is not open, and maps HTTP 429 to rateLimited without retrying", async () => {
    const s = await start({
      onHttp: (path, body) => (path === "/exchange" ? { status: 429, body: "" } : httpOk(path, body)),
    });
    const v = venue(s);
    const result = await firstValueFrom(v.submit({ type: "cancel", cancels: [{ asset: "ETH", oid: 5 }] }));
    expect(result).toEqual({ ok: false, code: "RateLimited", error: "HTTP 429", rateLimited: true });
    const ex = s.httpRequests.filter((r) => r.path === "/exchange");
    expect(ex).toHaveLength(1);
    expect(ex[0]!.body["action"]).toEqual({ type: "cancel", cancels: [{ a: 1, o: 5 }], f: true });
    expect(ex[0]!.body["vaultAddress"]).toBeNull();
  });

  it("maps an address rate-limit body to rateLimited and a MissingOrder cancel to AlreadyFilled over HTTP", async () => {
    let n = 0;
    const s = await start({
      onHttp: (path, body) => {
        if (path !== "/exchange") return httpOk(path, body);
        n++;
        return n === 1
          ? { status: 200, body: { status: "err", response: "Too many cumulative requests sent (97460 > 97456) for cumulative volume traded $87457.46." } }
          : { status: 200, body: { status: "ok", response: { type: "cancel", data: { statuses: [{ error: "Order was never placed, already canceled, or filled. asset=0" }] } } } };
      },
    });
    const v = venue(s);
    const batch: ActionBatch = { type: "cancelByCloid", cancels: [{ asset: "BTC", cloid: cloid(3) }] };
    expect(await firstValueFrom(v.submit(batch))).toMatchObject({ ok: false, code: "RateLimited", rateLimited: true });
    expect(await firstValueFrom(v.submit(batch))).toEqual({
      ok: true,
      type: "cancelByCloid",
      statuses: [{ kind: "AlreadyFilled", error: "Order was never placed, already canceled, or filled. asset=0" }],
    });
    const nonces = s.httpRequests.filter((r) => r.path === "/exchange").map((r) => r.body["nonce"] as number);
    expect(nonces[1]!).toBeGreaterThan(nonces[0]!);
  });

  it("a post that never gets a reply times out, marked sent (outcome unknown)", async () => {
    const s = await start({ onHttp: httpOk, onWs: acks(false) });
    const v = venue(s, { ws: { postTimeoutMs: 100, backoff: { jitter: 0 } } });
    subs.push(v.book("BTC").subscribe());
    await firstValueFrom(v.connection$.pipe(filter((c) => c.status === "open")));
    const err = await firstValueFrom(v.submit(ORDER)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HlTimeoutError);
    expect((err as HlTimeoutError).sent).toBe(true);
    expect(s.wsMessages.filter((m) => m["method"] === "post")).toHaveLength(1);
  });

  it("a connection dropped mid-request errors once, marked sent, and is not retried", async () => {
    const s = await start({ onHttp: httpOk });
    s.http.prependListener("request", (req, res) => {
      if (req.url === "/exchange") req.on("end", () => res.socket?.destroy());
    });
    const v = venue(s);
    const err = await firstValueFrom(v.submit(ORDER)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HlTransportError);
    expect((err as HlTransportError).sent).toBe(true);
    expect(s.httpRequests.filter((r) => r.path === "/exchange")).toHaveLength(1);
  });

  it("a refused connection is marked not sent (safe to resend)", async () => {
    const s = await start({});
    const base = s.baseUrl;
    await s.close();
    server = undefined;
    const v = new HyperliquidVenue({ baseUrl: base, wallet: KEY, userAddress: USER, http: { timeoutMs: 2000 } });
    venues.push(v);
    const err = await firstValueFrom(v.rateLimit()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HlTransportError);
    expect((err as HlTransportError).sent).toBe(false);
  });

  it("refuses to submit without a wallet", async () => {
    const s = await start({ onHttp: httpOk });
    const v = venue(s, { wallet: undefined as never });
    const err = await firstValueFrom(v.submit(ORDER)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HlReadOnlyError);
  });
});

describe("loopback: ws post limit", () => {
  it("holds the 101st in-flight post until the server answers one", async () => {
    const s = await start({ onWs: acks(false) });
    const client = new HlWsClient({ url: s.wsUrl, postTimeoutMs: 5000 });
    const results: unknown[] = [];
    for (let i = 0; i < 101; i++) subs.push(client.post("info", { type: "allMids", i }).subscribe({ next: (r) => results.push(r), error: () => undefined }));
    await waitFor(() => s.wsMessages.filter((m) => m["method"] === "post").length === 100, "100 posts");
    await new Promise((r) => setTimeout(r, 50));
    expect(s.wsMessages.filter((m) => m["method"] === "post")).toHaveLength(100);
    s.broadcast({ channel: "post", data: { id: 1, response: { type: "info", payload: { type: "allMids", data: {} } } } });
    await waitFor(() => s.wsMessages.filter((m) => m["method"] === "post").length === 101, "the 101st post");
    const last = s.wsMessages.filter((m) => m["method"] === "post")[100]!;
    expect(last["request"]).toEqual({ type: "info", payload: { type: "allMids", i: 100 } });
    expect(results).toHaveLength(1);
  });
});

describe("loopback: info over HTTP", () => {
  it("account, orderStatus, rateLimit and meta decode into domain types", async () => {
    const s = await start({
      onHttp: (_path, body) => {
        switch (body["type"]) {
          case "meta":
            return { status: 200, body: META };
          case "clearinghouseState":
            return {
              status: 200,
              body: {
                assetPositions: [{ position: { coin: "BTC", szi: "-0.00785", entryPx: "26951.0", unrealizedPnl: "-0.08007" }, type: "oneWay" }],
                crossMarginSummary: { accountValue: "1182.3", totalMarginUsed: "0", totalNtlPos: "0", totalRawUsd: "0" },
                marginSummary: { accountValue: "1182.312496", totalMarginUsed: "0", totalNtlPos: "0", totalRawUsd: "0" },
                withdrawable: "1010.57",
                time: 1708622398623,
              },
            };
          case "frontendOpenOrders":
            return { status: 200, body: [{ coin: "BTC", limitPx: "29792.0", oid: 91490942, side: "A", sz: "5.0", origSz: "5.0", timestamp: 1681247412573, cloid: null, tif: "Alo" }] };
          case "orderStatus":
            return body["oid"] === 1
              ? { status: 200, body: { status: "unknownOid" } }
              : {
                  status: 200,
                  body: {
                    status: "order",
                    order: { order: { coin: "ETH", side: "A", limitPx: "2412.7", sz: "0.0", oid: 2, timestamp: 1, origSz: "0.0076", cloid: cloid(2) }, status: "filled", statusTimestamp: 5 },
                  },
                };
          case "userRateLimit":
            return { status: 200, body: { cumVlm: "2854574.593578", nRequestsUsed: 2890, nRequestsCap: 2864574 } };
        }
        return { status: 500, body: "?" };
      },
    });
    const v = venue(s, { wallet: undefined as never });
    expect((await firstValueFrom(v.meta())).map((m) => `${m.name}:${m.id}:${m.szDecimals}`)).toEqual(["BTC:0:5", "ETH:1:4"]);
    const acct = await firstValueFrom(v.account());
    expect(acct).toEqual({
      time: 1708622398623,
      accountValue: 1182.312496,
      // clearinghouseState `withdrawable`: what reserveRequestWeight may be paid from
      withdrawable: 1010.57,
      positions: [{ asset: "BTC", szi: -0.00785, entryPx: 26951, unrealizedPnl: -0.08007 }],
      openOrders: [{ asset: "BTC", oid: 91490942, cloid: null, isBuy: false, px: 29792, sz: 5, origSz: 5, time: 1681247412573 }],
    });
    expect(await firstValueFrom(v.orderStatus({ oid: 1 }))).toEqual({ kind: "unknownOid" });
    expect(await firstValueFrom(v.orderStatus({ cloid: cloid(2) }))).toMatchObject({ kind: "known", update: { oid: 2, status: "filled", origSz: 0.0076 } });
    expect(s.httpRequests.find((r) => r.body["type"] === "orderStatus" && r.body["oid"] === cloid(2))).toBeDefined();
    expect(await firstValueFrom(v.rateLimit())).toEqual({ cumVlm: 2854574.593578, nRequestsUsed: 2890, nRequestsCap: 2864574, nRequestsSurplus: 0 });
  });

  it("an info request the server never answers times out", async () => {
    const s = await start({ onHttp: () => undefined });
    const v = venue(s, { http: { timeoutMs: 100 } });
    const err = await firstValueFrom(v.rateLimit()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HlTimeoutError);
  });

  it("a malformed info body is a DecodeErrorEvent naming the path, and an error", async () => {
    const s = await start({ onHttp: () => ({ status: 200, body: { cumVlm: 5, nRequestsUsed: 1, nRequestsCap: 2 } }) });
    const v = venue(s);
    const errs = v.decodeErrors$.pipe(take(1), toArray());
    const p = firstValueFrom(errs);
    await firstValueFrom(v.rateLimit()).catch(() => undefined);
    const [e] = await p;
    expect(e!.source).toBe("http:/info userRateLimit");
    expect(e!.message).toContain("$.cumVlm: expected DecimalString, got 5");
  });
});

describe("network derivation", () => {
  it("only the exact mainnet URL signs as mainnet", () => {
    expect(hlIsMainnet("https://api.hyperliquid.xyz")).toBe(true);
    expect(hlIsMainnet("https://api.hyperliquid-testnet.xyz")).toBe(false);
    expect(hlIsMainnet("http://api.hyperliquid.xyz")).toBe(false);
    expect(hlIsMainnet("http://127.0.0.1:3001")).toBe(false);
    expect(hlWsUrl("https://api.hyperliquid.xyz")).toBe("wss://api.hyperliquid.xyz/ws");
    expect(hlWsUrl("http://127.0.0.1:3001")).toBe("ws://127.0.0.1:3001/ws");
  });
});
