// The account's kill switch across processes: a trip anywhere is written to one Redis key (so a
// process that starts, or reconnects, later sees it) and published on one channel (so every
// process hears it within milliseconds); clearing deletes the key and publishes the clear. The
// account-wide loss: each process writes its PnL every second; the sum of the live ones is the
// account's. Redis commands only: no venue weight.
import { Redis } from "ioredis";
import { authorityKeys } from "./redis.js";

export interface ClusterTrip {
  /** The process that tripped (its id) — "operator" for a trip by command. */
  readonly origin: string;
  readonly trigger: string;
  readonly detail: string;
  readonly asset: string | null;
  /** Redis-independent wall time of the trip at its origin (ms). */
  readonly at: number;
}

export type ClusterKillMessage = { readonly kind: "trip"; readonly trip: ClusterTrip } | { readonly kind: "clear"; readonly origin: string };

export interface KillBusHandlers {
  readonly onTrip: (trip: ClusterTrip) => void;
  readonly onClear: (origin: string) => void;
}

const PNL_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local dead = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, p in ipairs(dead) do redis.call('HDEL', KEYS[1], p) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
local all = redis.call('HVALS', KEYS[1])
local sum = 0
for _, v in ipairs(all) do sum = sum + tonumber(v) end
return tostring(sum)
`;

export class KillBus {
  readonly keys: ReturnType<typeof authorityKeys>;
  private readonly cmd: Redis;
  private readonly sub: Redis;
  private handlers: KillBusHandlers | undefined;

  constructor(
    url: string,
    account: string,
    readonly processId: string,
    prefix = "quoteflow",
  ) {
    this.keys = authorityKeys(prefix, "-", account);
    const common = { connectTimeout: 2_000, retryStrategy: (n: number) => Math.min(200 * n, 1_000) };
    this.cmd = new Redis(url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 500 });
    // the subscriber keeps its subscription across reconnects (ioredis resubscribes) and re-reads the key
    this.sub = new Redis(url, common);
    this.cmd.on("error", () => undefined);
    this.sub.on("error", () => undefined);
    this.cmd.defineCommand("qfPnl", { lua: PNL_LUA, numberOfKeys: 2 });
  }

  /** Resolves once the command connection is up (rejects after `ms`). */
  async ready(ms = 5_000): Promise<void> {
    if (this.cmd.status === "ready") return;
    await new Promise<void>((ok, fail) => {
      const t = setTimeout(() => fail(new Error(`kill bus: no connection to the quota store within ${ms} ms`)), ms);
      this.cmd.once("ready", () => {
        clearTimeout(t);
        ok();
      });
    });
  }

  /** Subscribe; then every (re)connect reads the key, so a trip published while away is not missed. */
  async start(handlers: KillBusHandlers): Promise<void> {
    this.handlers = handlers;
    this.sub.on("message", (_channel: string, text: string) => this.deliver(text));
    this.sub.on("ready", () => void this.recheck());
    this.cmd.on("ready", () => void this.recheck());
    await this.sub.subscribe(this.keys.kill);
    await this.recheck();
  }

  private deliver(text: string): void {
    let m: ClusterKillMessage;
    try {
      m = JSON.parse(text) as ClusterKillMessage;
    } catch {
      return;
    }
    if (m.kind === "trip" && m.trip.origin !== this.processId) this.handlers?.onTrip(m.trip);
    else if (m.kind === "clear" && m.origin !== this.processId) this.handlers?.onClear(m.origin);
  }

  private async recheck(): Promise<void> {
    const text = await this.cmd.get(this.keys.kill).catch(() => null);
    if (text !== null) this.deliver(JSON.stringify({ kind: "trip", trip: JSON.parse(text) as ClusterTrip }));
  }

  /** Trip every process of the account. Resolves false when the store did not take it (the local trip stands). */
  async trip(trip: Omit<ClusterTrip, "origin"> & { readonly origin?: string }): Promise<boolean> {
    const full: ClusterTrip = { ...trip, origin: trip.origin ?? this.processId };
    try {
      await this.cmd.multi().set(this.keys.kill, JSON.stringify(full)).publish(this.keys.kill, JSON.stringify({ kind: "trip", trip: full })).exec();
      return true;
    } catch {
      return false;
    }
  }

  async clear(origin = this.processId): Promise<boolean> {
    try {
      await this.ready(2_000);
      await this.cmd.multi().del(this.keys.kill).publish(this.keys.kill, JSON.stringify({ kind: "clear", origin })).exec();
      return true;
    } catch {
      return false;
    }
  }

  /** The trip in force, if any. */
  async current(): Promise<ClusterTrip | null> {
    await this.ready();
    const text = await this.cmd.get(this.keys.kill);
    return text === null ? null : (JSON.parse(text) as ClusterTrip);
  }

  /** Write this process's PnL (live for `ttlMs`) and read the account's: the sum over live processes. undefined when the store is away. */
  async accountPnl(pnl: number, ttlMs = 5_000): Promise<number | undefined> {
    try {
      const r = await (this.cmd as unknown as { qfPnl: (...a: (string | number)[]) => Promise<string> }).qfPnl(this.keys.pnl, this.keys.pnlSeen, this.processId, pnl, ttlMs);
      return Number(r);
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    this.sub.disconnect();
    this.cmd.disconnect();
  }
}
