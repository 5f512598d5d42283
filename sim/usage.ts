// What each IP spends on the paper server, as Hyperliquid limits it (FACTS §9): REST weight (HTTP
// and WebSocket posts alike, 1200/min — charged by PaperExchange.chargeIp), WebSocket messages
// sent to the venue (2000/min across connections), subscriptions (1000) and unique users across
// user-specific subscriptions (10). Served as JSON at GET /usage so a benchmark can read what the
// venue charged, not what the client believes it spent.
//
// Subscriptions past 1000 and an 11th user are refused with an error frame (the live texts are
// not documented; these are the paper venue's). Messages past 2000 in a minute are counted
// (`overLimit`), not refused: what the live venue does then is undocumented.
import type { PaperExchange } from "./exchange.js";
import { SimIpWeightWindow } from "./rateLimits.js";

export const SIM_WS_MESSAGES_PER_MINUTE = 2000;
export const SIM_WS_MAX_SUBSCRIPTIONS = 1000;
export const SIM_WS_MAX_USERS = 10;

class WsIpUsage {
  /** Messages received (every frame: subscribe, post, ping, …). */
  messages = 0;
  posts = 0;
  subscriptions = 0;
  refusedSubscriptions = 0;
  /** Messages that arrived with 2000 already in the last 60 s. */
  overLimit = 0;
  readonly window = new SimIpWeightWindow(Infinity);
  readonly users = new Map<string, number>();
}

export interface SimIpUsageReport {
  readonly ip: string;
  /** REST weight (HTTP + WS post): in the last 60 s, its peak, total charged, 429s answered and the weight they asked for. */
  readonly weight: { readonly lastMinute: number; readonly peakMinute: number; readonly charged: number; readonly refused: number; readonly refusedWeight: number; readonly limit: number };
  readonly ws: {
    readonly messages: number;
    readonly posts: number;
    readonly lastMinute: number;
    readonly peakMinute: number;
    readonly overLimit: number;
    readonly limit: number;
    readonly subscriptions: number;
    readonly refusedSubscriptions: number;
    readonly users: number;
  };
}

export interface SimUsageReport {
  /** The venue's clock (ms). */
  readonly time: number;
  readonly ips: readonly SimIpUsageReport[];
  /** Per address: action requests counted against its budget, its cap, actions refused for it. */
  readonly users: readonly {
    readonly user: string;
    readonly nRequestsUsed: number;
    readonly nRequestsCap: number;
    readonly refused: number;
    /** Resting orders by asset. */
    readonly resting: Readonly<Record<string, number>>;
  }[];
}

export class SimWsUsage {
  private readonly byIp = new Map<string, WsIpUsage>();

  private of(ip: string): WsIpUsage {
    let u = this.byIp.get(ip);
    if (!u) {
      u = new WsIpUsage();
      this.byIp.set(ip, u);
    }
    return u;
  }

  /** One frame received from `ip`. */
  message(ip: string, now: number, isPost: boolean): void {
    const u = this.of(ip);
    u.messages++;
    if (isPost) u.posts++;
    if (u.window.used(now) >= SIM_WS_MESSAGES_PER_MINUTE) u.overLimit++;
    u.window.tryConsume(now, 1);
  }

  /** A new subscription from `ip` (for `user` when user-specific): undefined, or the refusal's text. */
  subscribe(ip: string, user: string | undefined): string | undefined {
    const u = this.of(ip);
    if (u.subscriptions >= SIM_WS_MAX_SUBSCRIPTIONS) {
      u.refusedSubscriptions++;
      return `Cannot track more than ${SIM_WS_MAX_SUBSCRIPTIONS} subscriptions per IP.`;
    }
    if (user !== undefined && !u.users.has(user) && u.users.size >= SIM_WS_MAX_USERS) {
      u.refusedSubscriptions++;
      return `Cannot track more than ${SIM_WS_MAX_USERS} total users.`;
    }
    u.subscriptions++;
    if (user !== undefined) u.users.set(user, (u.users.get(user) ?? 0) + 1);
    return undefined;
  }

  /** A subscription of `ip` ended (unsubscribed, or its connection closed). */
  release(ip: string, user: string | undefined): void {
    const u = this.of(ip);
    u.subscriptions = Math.max(0, u.subscriptions - 1);
    if (user === undefined) return;
    const n = (u.users.get(user) ?? 1) - 1;
    if (n <= 0) u.users.delete(user);
    else u.users.set(user, n);
  }

  report(exchange: PaperExchange): SimUsageReport {
    const now = exchange.now();
    const rest = exchange.ipUsage();
    const ips = new Set([...rest.keys(), ...this.byIp.keys()]);
    return {
      time: now,
      ips: [...ips].sort().map((ip) => {
        const w = rest.get(ip);
        const u = this.byIp.get(ip);
        return {
          ip,
          weight: { lastMinute: w?.used(now) ?? 0, peakMinute: w?.peak ?? 0, charged: w?.charged ?? 0, refused: w?.refused ?? 0, refusedWeight: w?.refusedWeight ?? 0, limit: w?.limit ?? 1200 },
          ws: {
            messages: u?.messages ?? 0,
            posts: u?.posts ?? 0,
            lastMinute: u?.window.used(now) ?? 0,
            peakMinute: u?.window.peak ?? 0,
            overLimit: u?.overLimit ?? 0,
            limit: SIM_WS_MESSAGES_PER_MINUTE,
            subscriptions: u?.subscriptions ?? 0,
            refusedSubscriptions: u?.refusedSubscriptions ?? 0,
            users: u?.users.size ?? 0,
          },
        };
      }),
      users: exchange.users().map((user) => {
        const b = exchange.account(user).budget;
        const s = b.snapshot();
        const resting: Record<string, number> = {};
        for (const o of exchange.restingOrders(user)) resting[o.asset] = (resting[o.asset] ?? 0) + 1;
        return { user, nRequestsUsed: s.nRequestsUsed, nRequestsCap: s.nRequestsCap, refused: b.refused, resting };
      }),
    };
  }
}
