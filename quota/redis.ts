// The Redis backend of the quota authority (ioredis): every decision is one Lua script on the
// server (quota/scripts.ts). A store that does not answer within `commandTimeoutMs` is `down`:
// reserve answers `unavailable` at once (no offline queue: a placement must not wait on a guess),
// and ioredis reconnects by itself; the first answer after that is `up` again.
import { Redis } from "ioredis";
import { BehaviorSubject, distinctUntilChanged, type Observable } from "rxjs";
import type { RateLimitSnapshot } from "../streams/orders.js";
import {
  type AuthorityStatus,
  DEFAULT_AUTHORITY_LIMITS,
  type QuotaAuthority,
  type QuotaAuthorityLimits,
  type QuotaUsage,
  type ReserveAnswer,
  type ReserveRequest,
  type WsAnswer,
  authorityCancelLimit,
} from "./authority.js";
import { ADD_IP_LUA, RESERVE_LUA, SEED_IP_LUA, SETTLE_LUA, SNAPSHOT_LUA, USAGE_LUA, WS_LUA } from "./scripts.js";

export interface RedisAuthorityOptions {
  /** redis://host:port/db (checked by app/config.ts). */
  readonly url: string;
  /** The IP scope: processes behind one public IP share one name (default "default"). */
  readonly scope: string;
  /** The account (master address): its ledger is shared by every process that trades it. */
  readonly account: string;
  readonly limits?: Partial<QuotaAuthorityLimits>;
  /** Default 1500 ms (a loaded host's event loop can stall a few hundred ms; a slow answer is not a guess). */
  readonly commandTimeoutMs?: number;
  /** Key prefix (default "quoteflow"). */
  readonly prefix?: string;
}

type Script = (...args: (string | number)[]) => Promise<unknown>;

/** The key names of one scope and account (also used by the kill-switch bus and the cluster tool). */
export function authorityKeys(prefix: string, scope: string, account: string) {
  const ip = `${prefix}:ip:{${scope}}`;
  const acct = `${prefix}:acct:{${account.toLowerCase()}}`;
  return {
    ip: `${ip}:window`,
    ipSum: `${ip}:sum`,
    wsProc: `${ip}:ws`,
    wsSeen: `${ip}:wsseen`,
    ledger: `${acct}:ledger`,
    resv: `${acct}:resv`,
    resvN: `${acct}:resvn`,
    kill: `${acct}:kill`,
    pnl: `${acct}:pnl`,
    pnlSeen: `${acct}:pnlseen`,
  };
}

export class RedisQuotaAuthority implements QuotaAuthority {
  readonly kind = "redis";
  readonly limits: QuotaAuthorityLimits;
  readonly redis: Redis;
  readonly keys: ReturnType<typeof authorityKeys>;
  /** Commands that failed (timeout, connection) since start. */
  failures = 0;
  private readonly statusSubject = new BehaviorSubject<AuthorityStatus>("down");
  readonly status$: Observable<AuthorityStatus> = this.statusSubject.pipe(distinctUntilChanged());
  private ipCounter = 0;
  private consecutiveFailures = 0;

  constructor(readonly options: RedisAuthorityOptions) {
    this.limits = { ...DEFAULT_AUTHORITY_LIMITS, ...options.limits };
    this.keys = authorityKeys(options.prefix ?? "quoteflow", options.scope, options.account);
    this.redis = new Redis(options.url, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 1_500,
      connectTimeout: 2_000,
      // reconnect every 200 ms … 1 s while the store is away
      retryStrategy: (times) => Math.min(200 * times, 1_000),
    });
    this.redis.on("ready", () => this.statusSubject.next("up"));
    this.redis.on("close", () => this.statusSubject.next("down"));
    this.redis.on("end", () => this.statusSubject.next("down"));
    // errors surface as "down" and failed commands; ioredis would otherwise print them
    this.redis.on("error", () => undefined);
    for (const [name, lua, keys] of [
      ["qfReserve", RESERVE_LUA, 5],
      ["qfSettle", SETTLE_LUA, 5],
      ["qfAddIp", ADD_IP_LUA, 5],
      ["qfSnapshot", SNAPSHOT_LUA, 1],
      ["qfUsage", USAGE_LUA, 5],
      ["qfWs", WS_LUA, 2],
      ["qfSeedIp", SEED_IP_LUA, 2],
    ] as const) {
      this.redis.defineCommand(name, { lua, numberOfKeys: keys });
    }
  }

  get status(): AuthorityStatus {
    return this.statusSubject.value;
  }

  /** Resolves once connected (or rejects after `ms`). */
  async ready(ms = 5_000): Promise<void> {
    if (this.redis.status === "ready") return;
    await new Promise<void>((ok, fail) => {
      const t = setTimeout(() => fail(new Error(`quota.store ${redactUrl(this.options.url)}: no connection within ${ms} ms`)), ms);
      this.redis.once("ready", () => {
        clearTimeout(t);
        ok();
      });
    });
  }

  private script(name: string): Script {
    return (this.redis as unknown as Record<string, Script>)[name]!.bind(this.redis);
  }

  private ledgerKeys(): string[] {
    const k = this.keys;
    return [k.ip, k.ipSum, k.ledger, k.resv, k.resvN];
  }

  private async call<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      const v = await fn();
      this.consecutiveFailures = 0;
      this.statusSubject.next("up");
      return v;
    } catch {
      // the connection gone, or two commands in a row without an answer: down until the next answer
      this.failures++;
      this.consecutiveFailures++;
      if (this.redis.status !== "ready" || this.consecutiveFailures >= 2) this.statusSubject.next("down");
      return undefined;
    }
  }

  private usageOf(ip: number, used: number, reserved: number, cap: number): QuotaUsage {
    return { ipUsed: ip, used, reserved, cap, cancelLimit: authorityCancelLimit(cap, this.limits) };
  }

  async reserve(req: ReserveRequest): Promise<ReserveAnswer> {
    const l = this.limits;
    const r = await this.call(
      () =>
        this.script("qfReserve")(...this.ledgerKeys(), req.id, req.weight, req.requests, req.cancel ? 1 : 0, l.ipWeightLimit, l.ipWindowMs, l.reserveFraction, l.reservationTtlMs, l.addressInitialBuffer, l.ipReserveFraction, l.cancelIpReserveFraction) as Promise<
          [number, string, number, number, number, number]
        >,
    );
    if (r === undefined) return { ok: false, reason: "unavailable" };
    const usage = this.usageOf(Number(r[2]), Number(r[3]), Number(r[4]), Number(r[5]));
    return r[0] === 1 ? { ok: true, usage } : { ok: false, reason: r[1] === "ip" ? "ip" : "address", usage };
  }

  async commit(id: string): Promise<void> {
    await this.call(() => this.script("qfSettle")(...this.ledgerKeys(), id, 1));
  }

  async release(id: string): Promise<void> {
    await this.call(() => this.script("qfSettle")(...this.ledgerKeys(), id, 0));
  }

  async addIpWeight(weight: number): Promise<void> {
    if (!Number.isFinite(weight) || weight <= 0) return;
    const id = `info:${process.pid}:${++this.ipCounter}:${Math.random().toString(36).slice(2, 8)}`;
    await this.call(() => this.script("qfAddIp")(...this.ledgerKeys(), id, Math.round(weight), this.limits.ipWindowMs));
  }

  async seed(usage: QuotaUsage): Promise<void> {
    await this.call(() => this.script("qfSeedIp")(this.keys.ip, this.keys.ipSum, `seed:${process.pid}:${++this.ipCounter}`, Math.max(1, Math.round(usage.ipUsed)), this.limits.ipWindowMs));
    await this.applySnapshot({ nRequestsCap: usage.cap, nRequestsSurplus: 0, nRequestsUsed: usage.used, cumVlm: 0 } as RateLimitSnapshot);
  }

  async applySnapshot(s: RateLimitSnapshot): Promise<void> {
    if (![s.nRequestsCap, s.nRequestsSurplus, s.nRequestsUsed].every((v) => Number.isFinite(v) && v >= 0)) return;
    await this.call(() => this.script("qfSnapshot")(this.keys.ledger, Math.floor(s.nRequestsCap + s.nRequestsSurplus), Math.floor(s.nRequestsUsed)));
  }

  async addVolume(usdc: number): Promise<void> {
    if (!Number.isFinite(usdc) || usdc <= 0) return;
    await this.call(() => this.redis.hincrbyfloat(this.keys.ledger, "vol", usdc));
  }

  async usage(): Promise<QuotaUsage | undefined> {
    const r = await this.call(() => this.script("qfUsage")(...this.ledgerKeys(), this.limits.ipWindowMs, this.limits.addressInitialBuffer) as Promise<[number, number, number, number]>);
    return r === undefined ? undefined : this.usageOf(Number(r[0]), Number(r[1]), Number(r[2]), Number(r[3]));
  }

  async wsAcquire(proc: string, connections: number, users: readonly string[]): Promise<WsAnswer> {
    const l = this.limits;
    const r = await this.call(
      () => this.script("qfWs")(this.keys.wsProc, this.keys.wsSeen, proc, connections, users.map((u) => u.toLowerCase()).join(","), l.wsConnections, l.wsUsers, 15_000) as Promise<[number, string, number, number]>,
    );
    if (r === undefined) return { ok: false, reason: "quota store unreachable" };
    return r[0] === 1 ? { ok: true, connections: Number(r[2]), users: Number(r[3]) } : { ok: false, reason: `${r[1]}: ${r[1] === "users" ? `${r[3]} unique users > ${l.wsUsers}` : `${r[2]} connections > ${l.wsConnections}`} on this IP` };
  }

  async wsRelease(proc: string): Promise<void> {
    await this.call(() => this.script("qfWs")(this.keys.wsProc, this.keys.wsSeen, proc, 0, "", 0, 0, 0));
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    this.statusSubject.next("down");
  }
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, "//***@");
}
