// The paper venue as a Hyperliquid-protocol server on loopback: POST /info, POST /exchange and
// the WebSocket at /ws (subscribe/unsubscribe acks, post, ping/pong, market and user channels),
// in the venue's own shapes, so the live client code runs against a venue that misbehaves on
// purpose. An edge: it runs on the real clock (asyncScheduler) and owns sockets.
//
// Accounts are keyed by the signer recovered from each action's EIP-712 signature with the
// testnet phantom-agent source "b" (any non-mainnet URL signs so). An address exists once it is
// listed in `accounts` or — in the default "announced" mode — once a client has named it in an
// /info request or a user subscription (every client asks for its own state at start). A wrong
// signature recovers some other address, which does not exist: "L1 error: User or API Wallet … does not exist."
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Socket } from "node:net";
import { asyncScheduler, type SchedulerLike, type Subscription } from "rxjs";
import { WebSocket, WebSocketServer } from "ws";
import type { ActionBatch, BatchResult } from "../streams/actions.js";
import { decodeWith } from "../streams/codec.js";
import type { BookEvent } from "../streams/market.js";
import {
  HlExchangeRequest,
  HlSubscription,
  decodeActionToBatch,
  hlBatchResultToWire,
  hlBookToWire,
  hlFrame,
  hlNum,
  hlOrderUpdateToWire,
  recoverL1Signer,
} from "../streams/wire/index.js";
import { PaperExchange, type PaperExchangeOptions, type SimFeedEvent, type SimTrade, type SimUserEvent } from "./exchange.js";
import type { SimFaultSpec } from "./faults.js";
import { SIM_FAULT_PROFILES } from "./faults.js";
import type { SimMarket } from "./market.js";
import { syntheticMarket } from "./synthetic.js";
import { replayMarket } from "./market.js";
import type { ReferenceQuote, TradeEvent } from "../streams/market.js";
import { simInfoWeight } from "./rateLimits.js";
import { simAllMids, simFillWire, simInfo } from "./serverInfo.js";
import { SIM_TEXT, unknownSignerText } from "./texts.js";

export interface PaperServerOptions extends Omit<PaperExchangeOptions, "scheduler" | "market"> {
  readonly market: SimMarket;
  /** Port to bind; 0 picks a free one. Default 0. */
  readonly port?: number;
  /** Default 127.0.0.1 (loopback only). */
  readonly host?: string;
  /** "announced" (default) or a fixed list of addresses that exist. */
  readonly accounts?: "announced" | readonly string[];
  /** Defaults to asyncScheduler (the server is an edge on the real clock). */
  readonly scheduler?: SchedulerLike;
  /** Largest request body accepted (bytes). Default 1 MiB. */
  readonly maxBodyBytes?: number;
}

export interface PaperServer {
  readonly url: string;
  readonly wsUrl: string;
  readonly host: string;
  readonly port: number;
  readonly exchange: PaperExchange;
  /** Open WebSocket connections. */
  connections(): number;
  close(): Promise<void>;
}

const MALFORMED = SIM_TEXT.malformedBody;

interface Reply {
  readonly status: number;
  readonly json?: unknown;
  readonly text?: string;
}

interface Conn {
  readonly ws: WebSocket;
  readonly ip: string;
  /** canonical key → the subscription as echoed */
  readonly subs: Map<string, Record<string, unknown>>;
}

function subKey(s: Record<string, unknown>): string {
  const type = String(s["type"]);
  if (typeof s["coin"] === "string") return `${type}:${s["coin"]}`;
  if (typeof s["user"] === "string") return `${type}:${(s["user"] as string).toLowerCase()}`;
  return type;
}

/** The server echoes subscriptions normalised (FACTS §2.1): l2Book gains nSigFigs/mantissa/fast. */
function normalised(s: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...s };
  if (typeof out["user"] === "string") out["user"] = (out["user"] as string).toLowerCase();
  if (s["type"] === "l2Book") {
    out["nSigFigs"] = s["nSigFigs"] ?? null;
    out["mantissa"] = s["mantissa"] ?? null;
    out["fast"] = s["fast"] ?? false;
  }
  return out;
}

function bboWire(b: BookEvent): unknown {
  const l = (x: { px: number; sz: number; n: number } | undefined) => (x ? { px: hlNum(x.px), sz: hlNum(x.sz), n: x.n } : null);
  return { coin: b.asset, time: b.time, bbo: [l(b.bids[0]), l(b.asks[0])] };
}

function tradeWire(t: SimTrade): unknown {
  return { coin: t.asset, side: t.side === "buy" ? "B" : "A", px: hlNum(t.px), sz: hlNum(t.sz), hash: t.hash, time: t.time, tid: t.tid, users: t.users };
}

/** Start the paper venue server. Resolves once it listens. */
export async function startPaperServer(options: PaperServerOptions): Promise<PaperServer> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const exchange = new PaperExchange({ ...options, scheduler, stopWithMarket: false });
  const host = options.host ?? "127.0.0.1";
  const maxBody = options.maxBodyBytes ?? 1 << 20;
  const known = new Set<string>((options.accounts === undefined || options.accounts === "announced" ? [] : options.accounts).map((a) => a.toLowerCase()));
  const announced = options.accounts === undefined || options.accounts === "announced";
  const conns = new Set<Conn>();
  const recentTrades = new Map<string, SimTrade[]>();
  const lastBbo = new Map<string, string>();
  let dropoutUntil = -Infinity;
  const subs: Subscription[] = [];

  const announce = (user: unknown): void => {
    if (announced && typeof user === "string" && /^0x[0-9a-fA-F]{40}$/.test(user)) {
      known.add(user.toLowerCase());
      exchange.account(user);
    }
  };

  // ------------------------------------------------------------ request handling (HTTP and WS post)

  const handleInfo = (body: unknown, ip: string): Reply => {
    if (!body || typeof body !== "object" || Array.isArray(body)) return { status: 422, text: `${MALFORMED}: expected a JSON object` };
    const req = body as Record<string, unknown>;
    const ans = simInfo(exchange, req);
    if (!ans.ok) return { status: 422, text: `${MALFORMED}: ${ans.detail}` };
    if (!exchange.chargeIp(ip, simInfoWeight(String(req["type"]), ans.items))) return { status: 429, text: "429 Too Many Requests" };
    announce(req["user"]);
    return { status: 200, json: ans.body };
  };

  const handleExchange = (body: unknown, ip: string, respond: (r: Reply) => void): void => {
    const decoded = decodeWith(HlExchangeRequest, body, "exchange request");
    if (!decoded.ok) {
      respond({ status: 422, text: `${MALFORMED}: ${decoded.error.problems[0] ?? "invalid body"}` });
      return;
    }
    const raw = body as { action: Record<string, unknown> & { type: string }; nonce: number; signature: { r: string; s: string; v: number }; vaultAddress?: string | null; expiresAfter?: number | null };
    let signer: string;
    try {
      signer = recoverL1Signer({
        action: raw.action,
        nonce: raw.nonce,
        vaultAddress: raw.vaultAddress ?? null,
        expiresAfter: raw.expiresAfter ?? null,
        isMainnet: false,
        signature: raw.signature,
      }).toLowerCase();
    } catch {
      respond({ status: 200, json: { status: "err", response: "Unable to recover signer." } });
      return;
    }
    if (!known.has(signer)) {
      respond({ status: 200, json: { status: "err", response: unknownSignerText(signer) } });
      return;
    }
    const action = raw.action;
    if (action.type === "noop" || action.type === "updateLeverage") {
      respond({ status: 200, json: { status: "ok", response: { type: "default" } } });
      return;
    }
    const single = action.type === "modify";
    const asBatch = single ? { type: "batchModify", modifies: [{ oid: action["oid"], order: action["order"] }] } : action;
    const batch = decodeActionToBatch(asBatch as { type: string } & Record<string, unknown>, (id) => exchange.assetById(id)?.name);
    if (!batch.ok) {
      respond({ status: 200, json: { status: "err", response: batch.error.message } });
      return;
    }
    exchange.submit(
      signer,
      batch.value as ActionBatch,
      (reply) => {
        if (reply.http === 429) respond({ status: 429, text: "429 Too Many Requests" });
        else respond({ status: 200, json: single ? modifyWire(reply.result) : hlBatchResultToWire(reply.result) });
      },
      { ip },
    );
  };

  const modifyWire = (r: BatchResult): unknown => {
    if (r.ok && r.type === "batchModify") {
      const s = r.statuses[0];
      if (s?.kind === "rejected") return { status: "err", response: s.error };
      return { status: "ok", response: { type: "default" } };
    }
    return hlBatchResultToWire(r);
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

  const send = (res: ServerResponse, r: Reply): void => {
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

  const out = (c: Conn, text: string): void => {
    if (c.ws.readyState === WebSocket.OPEN) c.ws.send(text);
  };

  const wsError = (c: Conn, data: string): void => out(c, hlFrame("error", data));

  wss.on("connection", (ws: WebSocket, req: IncomingMessage) => {
    const c: Conn = { ws, ip: req.socket.remoteAddress ?? "unknown", subs: new Map() };
    conns.add(c);
    ws.on("error", () => undefined);
    ws.on("close", () => conns.delete(c));
    ws.on("message", (data, isBinary) => {
      const text = isBinary ? "" : data.toString();
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

  const onMessage = (c: Conn, msg: Record<string, unknown>, text: string): void => {
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
        const s = normalised(sub as Record<string, unknown>);
        const key = subKey(s);
        if (msg["method"] === "subscribe") {
          if (c.subs.has(key)) {
            wsError(c, `Already subscribed: ${JSON.stringify(sub)}`);
            return;
          }
          c.subs.set(key, s);
          announce(s["user"]);
          out(c, hlFrame("subscriptionResponse", { method: "subscribe", subscription: s }));
          initial(c, s);
        } else {
          if (!c.subs.delete(key)) {
            wsError(c, `Already unsubscribed: ${JSON.stringify(sub)}`);
            return;
          }
          out(c, hlFrame("subscriptionResponse", { method: "unsubscribe", subscription: s }));
        }
        return;
      }
      case "post": {
        const id = msg["id"];
        const request = msg["request"] as { type?: unknown; payload?: unknown } | undefined;
        if (typeof id !== "number" || !request || (request.type !== "info" && request.type !== "action")) {
          wsError(c, `Error parsing JSON into valid websocket request: ${text.slice(0, 200)}`);
          return;
        }
        const answer = (r: Reply, type: "info" | "action", infoType?: string): void => {
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

  /** What a subscription sends at once: snapshots for time series, current state for books. */
  const initial = (c: Conn, s: Record<string, unknown>): void => {
    const coin = s["coin"] as string | undefined;
    const user = s["user"] as string | undefined;
    switch (s["type"]) {
      case "l2Book": {
        const b = coin ? exchange.currentBook(coin) : undefined;
        if (b) out(c, hlFrame("l2Book", hlBookToWire(b)));
        return;
      }
      case "bbo": {
        const b = coin ? exchange.currentBook(coin) : undefined;
        if (b) out(c, hlFrame("bbo", bboWire(b)));
        return;
      }
      case "trades": {
        const recent = coin ? recentTrades.get(coin) : undefined;
        if (recent && recent.length > 0) out(c, hlFrame("trades", recent.map(tradeWire)));
        return;
      }
      case "allMids":
        out(c, hlFrame("allMids", { mids: simAllMids(exchange) }));
        return;
      case "userFills":
        if (user) out(c, hlFrame("userFills", { isSnapshot: true, user, fills: exchange.account(user).fills.slice(-2000).map(simFillWire) }));
        return;
      default:
        return;
    }
  };

  const broadcast = (key: string, text: string): void => {
    for (const c of conns) if (c.subs.has(key)) out(c, text);
  };

  const onFeed = (e: SimFeedEvent): void => {
    switch (e.kind) {
      case "book": {
        const b = e.book;
        broadcast(`l2Book:${b.asset}`, hlFrame("l2Book", hlBookToWire(b)));
        const bbo = JSON.stringify(bboWire({ ...b, time: 0 }));
        if (lastBbo.get(b.asset) !== bbo) {
          lastBbo.set(b.asset, bbo);
          broadcast(`bbo:${b.asset}`, hlFrame("bbo", bboWire(b)));
        }
        broadcast("allMids", hlFrame("allMids", { mids: simAllMids(exchange) }));
        return;
      }
      case "trades": {
        const ring = recentTrades.get(e.asset) ?? [];
        ring.push(...e.trades);
        if (ring.length > 30) ring.splice(0, ring.length - 30);
        recentTrades.set(e.asset, ring);
        broadcast(`trades:${e.asset}`, hlFrame("trades", e.trades.map(tradeWire)));
        return;
      }
      case "malformed":
        broadcast(`${e.channel}:${e.asset}`, e.text);
        return;
      case "ref":
        return;
    }
  };

  const onUser = (e: SimUserEvent): void => {
    switch (e.kind) {
      case "orderUpdate":
        broadcast(`orderUpdates:${e.user}`, hlFrame("orderUpdates", [hlOrderUpdateToWire(e.update)]));
        return;
      case "fill": {
        const w = simFillWire(e.record);
        broadcast(`userFills:${e.user}`, hlFrame("userFills", { user: e.user, fills: [w] }));
        broadcast(`userEvents:${e.user}`, hlFrame("user", { fills: [w] }));
        return;
      }
      case "nonUserCancel":
        broadcast(`userEvents:${e.user}`, hlFrame("user", { nonUserCancel: [{ coin: e.asset, oid: e.oid }] }));
        return;
    }
  };

  subs.push(
    exchange.feed$.subscribe(onFeed),
    exchange.user$.subscribe(onUser),
    exchange.dropouts$.subscribe((d) => {
      dropoutUntil = d.until;
      for (const c of conns) c.ws.terminate();
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
  const port = (http.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    wsUrl: `ws://${shownHost}:${port}/ws`,
    host,
    port,
    exchange,
    connections: () => conns.size,
    close: async () => {
      exchange.dispose();
      for (const s of subs.splice(0)) s.unsubscribe();
      for (const c of conns) c.ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      });
    },
  };
}

// ------------------------------------------------------------------ CLI entry

/** Recorded events for `--data` (the app reads files with sources/recordings and passes them in). */
export interface SimRecordingInput {
  readonly books?: readonly BookEvent[];
  readonly trades?: readonly TradeEvent[];
  readonly refs?: readonly ReferenceQuote[];
}

export interface SimCommandDeps {
  /** Reads a recording file into domain events; required for `--data` (sim/ does not touch files). */
  readonly loadRecording?: (path: string) => SimRecordingInput;
  /** Used when neither --data nor --synthetic is given and loadRecording is available. */
  readonly defaultDataPath?: string;
}

export interface SimCommandOptions {
  readonly port: number;
  readonly host: string;
  readonly seed: number | string;
  readonly faults: SimFaultSpec;
  readonly data?: string;
  readonly synthetic?: readonly { name: string; startPx: number }[];
}

const START_PX: Readonly<Record<string, number>> = { BTC: 100_000, ETH: 3_500, SOL: 150, DOGE: 0.2, XRP: 2.5 };

/** Parse `--port <n> [--host h] [--seed s] [--faults none|realistic|hostile] [--data <file> | --synthetic A,B:px]`. */
export function parseSimArgs(args: readonly string[]): SimCommandOptions {
  const get = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    if (i < 0) return undefined;
    const v = args[i + 1];
    if (v === undefined || v.startsWith("--")) throw new Error(`sim: ${flag} needs a value`);
    return v;
  };
  const known = new Set(["--port", "--host", "--seed", "--faults", "--data", "--synthetic"]);
  for (let i = 0; i < args.length; i += 2) {
    if (!known.has(args[i]!)) throw new Error(`sim: unknown option ${args[i]} (expected ${[...known].join(", ")})`);
  }
  const port = Number(get("--port") ?? "0");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`sim: --port must be an integer 0–65535, got ${get("--port")}`);
  const faults = get("--faults") ?? "realistic";
  if (!(faults in SIM_FAULT_PROFILES)) throw new Error(`sim: --faults must be none, realistic or hostile, got ${faults}`);
  const data = get("--data");
  const synth = get("--synthetic");
  if (data !== undefined && synth !== undefined) throw new Error("sim: give --data or --synthetic, not both");
  const seedText = get("--seed") ?? "1";
  const synthetic = synth?.split(",").map((part) => {
    const [name = "", px] = part.split(":");
    const startPx = px !== undefined ? Number(px) : (START_PX[name] ?? 10);
    if (!name || !(startPx > 0)) throw new Error(`sim: --synthetic expects NAME[:startPx],… got ${part}`);
    return { name, startPx };
  });
  return {
    port,
    host: get("--host") ?? "127.0.0.1",
    seed: /^\d+$/.test(seedText) ? Number(seedText) : seedText,
    faults: faults as SimFaultSpec,
    ...(data !== undefined ? { data } : {}),
    ...(synthetic !== undefined ? { synthetic } : {}),
  };
}

/** What `npm run sim` runs: parse the flags, build the market, start the server. */
export async function runSimCommand(args: readonly string[], deps: SimCommandDeps = {}): Promise<PaperServer> {
  const o = parseSimArgs(args);
  let market: SimMarket;
  const dataPath = o.data ?? (o.synthetic === undefined ? deps.defaultDataPath : undefined);
  if (dataPath !== undefined) {
    if (!deps.loadRecording) throw new Error("sim: --data needs a recording reader (the CLI passes sources/recordings)");
    market = replayMarket(deps.loadRecording(dataPath), { loop: true, seed: o.seed });
  } else {
    market = syntheticMarket({
      assets: o.synthetic ?? [{ name: "BTC", startPx: START_PX["BTC"]! }],
      seed: o.seed,
    });
  }
  return startPaperServer({ port: o.port, host: o.host, seed: o.seed, faults: o.faults, market });
}
