// The paper venue as a Hyperliquid-protocol server on loopback: POST /info, POST /exchange and
// the WebSocket at /ws (subscribe/unsubscribe acks, post, ping/pong, market and user channels,
// periodic full-state pushes), in the venue's own shapes, so any client — quoteflow's own, an
// SDK, a third-party bot — runs against a venue that misbehaves on purpose. An edge: it runs on
// the real clock (asyncScheduler) and owns sockets. The CLI is the app's (`quoteflow sim`).
//
// Accounts are keyed by the signer recovered from each action's EIP-712 signature with the
// testnet phantom-agent source "b" (any non-mainnet URL signs so), or by the master of an
// approved agent; see sim/venueAccounts.ts for the `faucet` / `announced` / `strict` rules.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { asyncScheduler, type SchedulerLike, type Subscription } from "rxjs";
import { WebSocket, WebSocketServer } from "ws";
import { decodeWith } from "../streams/codec.js";
import { HlSubscription, hlFrame } from "../streams/wire/index.js";
import { PaperExchange, type PaperExchangeOptions } from "./exchange.js";
import type { SimMarket } from "./market.js";
import { simInfoWeight } from "./rateLimits.js";
import { simExchangeHandler, type SimHttpReply } from "./serverExchange.js";
import { simInfo } from "./serverInfo.js";
import { SimPushes, type SimConn } from "./serverPush.js";
import { simServerState } from "./serverState.js";
import { SIM_TEXT } from "./texts.js";
import { SimVenueAccounts, type SimAccountsMode } from "./venueAccounts.js";
import { SimWsUsage, type SimUsageReport } from "./usage.js";

export interface PaperServerOptions extends Omit<PaperExchangeOptions, "scheduler" | "market"> {
  readonly market: SimMarket;
  /** Port to bind; 0 picks a free one. Default 0. */
  readonly port?: number;
  /** Default 127.0.0.1 (loopback only). */
  readonly host?: string;
  /**
   * Who exists: `faucet` (default: any signer, funded with `startingBalance` on first sight),
   * `announced` (listed, or named in /info or a user subscription), `strict` (only listed or
   * funded addresses), or a list of addresses (strict with those).
   */
  readonly accounts?: SimAccountsMode | readonly string[];
  /** Balances to seed (address → USDC); these addresses exist in every mode. */
  readonly fund?: Readonly<Record<string, number>>;
  /** Defaults to asyncScheduler (the server is an edge on the real clock). */
  readonly scheduler?: SchedulerLike;
  /** Largest request body accepted (bytes). Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Re-push period of clearinghouseState, openOrders, webData3, spotState, activeAssetData (default 4500 ms). */
  readonly statePushMs?: number;
  /** Push period of activeAssetCtx (default 1000 ms). */
  readonly ctxPushMs?: number;
  /** Deployer halts to inject (HIP-3 assets), `afterMs` after the server starts. Also `POST /admin/halt {"coin"}` at any time. */
  readonly halts?: readonly { readonly asset: string; readonly afterMs: number }[];
}

export interface PaperServer {
  readonly url: string;
  readonly wsUrl: string;
  readonly host: string;
  readonly port: number;
  readonly exchange: PaperExchange;
  /** Who may act: agents, sub-accounts, builder approvals, nonces. */
  readonly accounts: SimVenueAccounts;
  /** Open WebSocket connections. */
  connections(): number;
  /** What each IP spent (REST weight, WS messages, subscriptions) and each address's budget; also GET /usage. */
  usage(): SimUsageReport;
  close(): Promise<void>;
}

const MALFORMED = SIM_TEXT.malformedBody;
const DEFAULT_BALANCE = 100_000;

/** Start the paper venue server. Resolves once it listens. */
export async function startPaperServer(options: PaperServerOptions): Promise<PaperServer> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const list = Array.isArray(options.accounts) ? (options.accounts as readonly string[]) : [];
  const mode: SimAccountsMode = Array.isArray(options.accounts) ? "strict" : ((options.accounts as SimAccountsMode | undefined) ?? "faucet");
  const balance = options.startingBalance ?? DEFAULT_BALANCE;
  // strict: an unknown address is an empty account; faucet / announced: funded on first sight
  // the real venue's ~70 ms blocks unless asked otherwise (in-process, PaperExchange defaults to none)
  const exchange = new PaperExchange({ ...options, scheduler, stopWithMarket: false, startingBalance: mode === "strict" ? 0 : balance, blockMs: options.blockMs ?? 70 });
  const accounts = new SimVenueAccounts(mode, [...list, ...Object.keys(options.fund ?? {})]);
  for (const a of list) exchange.account(a).balance = balance;
  for (const [a, usdc] of Object.entries(options.fund ?? {})) exchange.account(a).balance = usdc;
  const state = simServerState(exchange, accounts);
  const handleExchange = simExchangeHandler(state);
  const pushes = new SimPushes(state, scheduler, { startingBalance: balance, ...(options.statePushMs !== undefined ? { statePushMs: options.statePushMs } : {}), ...(options.ctxPushMs !== undefined ? { ctxPushMs: options.ctxPushMs } : {}) });
  const host = options.host ?? "127.0.0.1";
  const maxBody = options.maxBodyBytes ?? 1 << 20;
  let dropoutUntil = -Infinity;
  const wsUsage = new SimWsUsage();
  const userOf = (s: HlSubscription): string | undefined => ("user" in s && typeof s.user === "string" ? s.user.toLowerCase() : undefined);
  const subs: Subscription[] = [];
  for (const h of options.halts ?? []) {
    if (!exchange.hip3.dexOf(h.asset) || !exchange.assetMeta(h.asset)) throw new Error(`halts: ${h.asset} is not a HIP-3 asset of this venue (HIP-3 assets: ${exchange.universe.filter((m) => exchange.hip3.dexOf(m.name)).map((m) => m.name).join(", ") || "none"})`);
    subs.push(scheduler.schedule(() => void exchange.haltAsset(h.asset), h.afterMs));
  }

  const announce = (user: string | undefined): void => {
    if (user === undefined) return;
    accounts.announce(user);
    if (mode === "announced") exchange.account(user);
  };

  // ------------------------------------------------------------ request handling (HTTP and WS post)

  const handleInfo = (body: unknown, ip: string): SimHttpReply => {
    if (!body || typeof body !== "object" || Array.isArray(body)) return { status: 422, text: `${MALFORMED}: expected a JSON object` };
    const req = body as Record<string, unknown>;
    const ans = simInfo(exchange, req, state);
    if (!ans.ok) return { status: 422, text: `${MALFORMED}: ${ans.detail}` };
    if (!exchange.chargeIp(ip, simInfoWeight(String(req["type"]), ans.items))) return { status: 429, text: "429 Too Many Requests" };
    announce(ans.user);
    return { status: 200, json: ans.body };
  };

  // ------------------------------------------------------------ HTTP

  const readBody = (req: IncomingMessage): Promise<string | undefined> =>
    new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size <= maxBody) chunks.push(c);
      });
      req.on("end", () => resolve(size > maxBody ? undefined : Buffer.concat(chunks).toString("utf8")));
      req.on("error", () => resolve(undefined));
    });

  const send = (res: ServerResponse, r: SimHttpReply): void => {
    if (res.writableEnded) return;
    if (r.json !== undefined || r.text === undefined) {
      res.writeHead(r.status, { "content-type": "application/json" });
      res.end(JSON.stringify(r.json ?? null));
    } else {
      res.writeHead(r.status, { "content-type": "text/plain; charset=utf-8" });
      res.end(r.text);
    }
  };

  const http: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/usage" && req.method === "GET") {
      // not a Hyperliquid endpoint: the paper venue's own account of what each IP spent
      send(res, { status: 200, json: wsUsage.report(exchange) });
      return;
    }
    if (path === "/admin/halt" && req.method === "POST") {
      // the operator's door (not Hyperliquid's): a deployer's haltTrading on a HIP-3 asset
      void readBody(req).then((text) => send(res, simAdminHalt(exchange, text)));
      return;
    }
    if (path !== "/info" && path !== "/exchange") {
      send(res, { status: 404, text: "Not Found" });
      return;
    }
    if (req.method !== "POST") {
      send(res, { status: 405, text: "Method Not Allowed" });
      return;
    }
    const ip = req.socket.remoteAddress ?? "unknown";
    void readBody(req).then((text) => {
      let body: unknown;
      try {
        if (text === undefined) throw new Error("body too large");
        body = JSON.parse(text);
      } catch {
        send(res, { status: 422, text: `${MALFORMED}: expected JSON` });
        return;
      }
      try {
        if (path === "/info") send(res, handleInfo(body, ip));
        else handleExchange(body, ip, (r) => send(res, r));
      } catch (e) {
        send(res, { status: 500, text: `internal error: ${e instanceof Error ? e.message : String(e)}` });
      }
    });
  });

  // ------------------------------------------------------------ WebSocket

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxBody });
  http.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/ws" || exchange.now() < dropoutUntil) {
      // during a dropout the venue is unreachable: reconnects fail until it ends
      socket.end(path !== "/ws" ? "HTTP/1.1 404 Not Found\r\n\r\n" : "HTTP/1.1 503 Service Unavailable\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });

  const out = (c: SimConn, text: string): void => {
    if (c.ws.readyState === WebSocket.OPEN) c.ws.send(text);
  };
  const wsError = (c: SimConn, data: string): void => out(c, hlFrame("error", data));

  wss.on("connection", (ws: WebSocket, req: IncomingMessage) => {
    const c: SimConn = { ws, ip: req.socket.remoteAddress ?? "unknown", subs: new Map() };
    pushes.conns.add(c);
    ws.on("error", () => undefined);
    ws.on("close", () => {
      pushes.conns.delete(c);
      for (const s of c.subs.values()) wsUsage.release(c.ip, userOf(s));
    });
    ws.on("message", (data, isBinary) => {
      const text = isBinary ? "" : data.toString();
      wsUsage.message(c.ip, exchange.now(), /"method"\s*:\s*"post"/.test(text));
      let msg: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(text);
        if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
        msg = parsed as Record<string, unknown>;
      } catch {
        wsError(c, `Error parsing JSON into valid websocket request: ${text.slice(0, 200)}`);
        return;
      }
      try {
        onMessage(c, msg, text);
      } catch (e) {
        wsError(c, `internal error: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  });

  const onMessage = (c: SimConn, msg: Record<string, unknown>, text: string): void => {
    switch (msg["method"]) {
      case "ping":
        out(c, hlFrame("pong"));
        return;
      case "subscribe":
      case "unsubscribe": {
        const sub = msg["subscription"];
        const ok = decodeWith(HlSubscription, sub, "subscription");
        if (!ok.ok) {
          wsError(c, `Invalid subscription ${JSON.stringify(sub ?? null)}`);
          return;
        }
        const s = ok.value;
        if (msg["method"] === "subscribe") {
          const refusal = wsUsage.subscribe(c.ip, userOf(s));
          if (refusal !== undefined) {
            wsError(c, `${refusal} ${JSON.stringify(sub)}`);
            return;
          }
          if (!pushes.subscribe(c, s)) {
            wsUsage.release(c.ip, userOf(s));
            wsError(c, `Already subscribed: ${JSON.stringify(sub)}`);
            return;
          }
          announce(userOf(s));
        } else if (!pushes.unsubscribe(c, s)) wsError(c, `Already unsubscribed: ${JSON.stringify(sub)}`);
        else wsUsage.release(c.ip, userOf(s));
        return;
      }
      case "post": {
        const id = msg["id"];
        const request = msg["request"] as { type?: unknown; payload?: unknown } | undefined;
        if (typeof id !== "number" || !request || (request.type !== "info" && request.type !== "action")) {
          wsError(c, `Error parsing JSON into valid websocket request: ${text.slice(0, 200)}`);
          return;
        }
        const answer = (r: SimHttpReply, type: "info" | "action", infoType?: string): void => {
          const response =
            r.status !== 200
              ? { type: "error", payload: r.status === 429 ? "429 Too Many Requests" : `${r.status} ${r.text ?? ""}`.trim() }
              : type === "info"
                ? { type: "info", payload: { type: infoType, data: r.json } }
                : { type: "action", payload: r.json };
          out(c, hlFrame("post", { id, response }));
        };
        if (request.type === "info") {
          const p = request.payload as Record<string, unknown> | undefined;
          answer(handleInfo(p, c.ip), "info", typeof p?.["type"] === "string" ? (p["type"] as string) : undefined);
        } else handleExchange(request.payload, c.ip, (r) => answer(r, "action"));
        return;
      }
      default:
        wsError(c, `Error parsing JSON into valid websocket request: ${text.slice(0, 200)}`);
    }
  };

  subs.push(
    exchange.feed$.subscribe((e) => pushes.onFeed(e)),
    exchange.user$.subscribe((e) => pushes.onUser(e)),
    exchange.dropouts$.subscribe((d) => {
      dropoutUntil = Math.max(dropoutUntil, d.until); // a dropout inside another one does not end it early
      for (const c of pushes.conns) c.ws.terminate();
    }),
  );

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 0, host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  exchange.start();
  pushes.start();
  const port = (http.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    wsUrl: `ws://${shownHost}:${port}/ws`,
    host,
    port,
    exchange,
    accounts,
    connections: () => pushes.conns.size,
    usage: () => wsUsage.report(exchange),
    close: async () => {
      pushes.stop();
      exchange.dispose();
      for (const s of subs.splice(0)) s.unsubscribe();
      for (const c of pushes.conns) c.ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      });
    },
  };
}

/** `POST /admin/halt {"coin": "xyz:GOLD"}` → 200 `{"status":"ok","halted":…}`, or 422 naming the problem. */
export function simAdminHalt(exchange: PaperExchange, text: string | undefined): SimHttpReply {
  let coin: unknown;
  try {
    coin = (JSON.parse(text ?? "") as { coin?: unknown }).coin;
  } catch {
    return { status: 422, text: "admin/halt: expected JSON {\"coin\": \"<dex>:<COIN>\"}" };
  }
  if (typeof coin !== "string" || !exchange.assetMeta(coin) || !exchange.hip3.dexOf(coin)) return { status: 422, text: `admin/halt: ${JSON.stringify(coin)?.slice(0, 60)} is not a HIP-3 asset of this venue` };
  const halted = exchange.haltAsset(coin);
  return { status: 200, json: { status: "ok", halted, coin } };
}
