// A tiny Hyperliquid-shaped server for loopback tests: real http (POST /info, /exchange) and
// real ws (/ws) on 127.0.0.1, port 0. Each test scripts the answers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

export interface HttpReply {
  status: number;
  body: unknown;
}

export interface LoopbackHandlers {
  /** A ws client message (parsed); `reply` sends a frame on that socket. */
  onWs?: (msg: Record<string, unknown>, socket: WebSocket, server: LoopbackServer) => void;
  onConnection?: (socket: WebSocket, server: LoopbackServer) => void;
  /** HTTP POST; return undefined to never answer. */
  onHttp?: (path: string, body: Record<string, unknown>) => HttpReply | undefined;
}

export class LoopbackServer {
  readonly http: Server;
  readonly wss: WebSocketServer;
  readonly wsMessages: Array<Record<string, unknown>> = [];
  readonly httpRequests: Array<{ path: string; body: Record<string, unknown> }> = [];
  connections = 0;
  readonly sockets = new Set<WebSocket>();
  private readonly hanging = new Set<ServerResponse>();

  constructor(public handlers: LoopbackHandlers = {}) {
    this.http = createServer((req, res) => this.onRequest(req, res));
    this.wss = new WebSocketServer({ server: this.http, path: "/ws" });
    this.wss.on("connection", (socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      socket.on("message", (data) => {
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(data.toString()) as Record<string, unknown>;
        } catch {
          return;
        }
        this.wsMessages.push(msg);
        this.handlers.onWs?.(msg, socket, this);
      });
      this.handlers.onConnection?.(socket, this);
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.http.listen(0, "127.0.0.1", resolve));
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
      const path = req.url ?? "/";
      this.httpRequests.push({ path, body });
      const reply = this.handlers.onHttp?.(path, body);
      if (reply === undefined) {
        this.hanging.add(res);
        return;
      }
      res.writeHead(reply.status, { "content-type": "application/json" });
      res.end(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body));
    });
  }

  /** Send a frame to every connected client. */
  broadcast(frame: unknown): void {
    const text = typeof frame === "string" ? frame : JSON.stringify(frame);
    for (const s of this.sockets) s.send(text);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    for (const s of this.sockets) s.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

/** Poll until `cond()` holds (real time; loopback tests only). */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
