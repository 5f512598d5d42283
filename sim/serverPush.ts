// The WebSocket side of the paper server: subscriptions keyed by their identity (streams/wire
// hlSubscriptionIdentity: "Already subscribed" respects nSigFigs, mantissa, interval, dex), what
// each sends on subscribe, what the market and user events push, and the periodic re-pushes of
// the full-state channels (FACTS §2.7, §13): clearinghouseState / openOrders / webData3 /
// spotState / activeAssetData / allDexsClearinghouseState every `statePushMs` (~4.5 s, also on an
// empty account), activeAssetCtx every `ctxPushMs` (~1 s).
import type { SchedulerLike, Subscription } from "rxjs";
import { WebSocket } from "ws";
import type { BookEvent } from "../streams/market.js";
import { hlBookToWire, hlFrame, hlNum, hlOrderUpdateToWire } from "../streams/wire/serve.js";
import { hlNormalisedSubscription, hlSubscriptionIdentity } from "../streams/wire/subscriptions.js";
import type { HlSubscription } from "../streams/wire/ws.js";
import { simAggregateBook } from "./bookAggregate.js";
import { simCandleWire } from "./candles.js";
import type { SimFeedEvent, SimUserEvent } from "./exchange.js";
import { simActiveAssetData, simClearinghouseState, simFillWire, simFundingWire, simOpenOrdersWire, simSpotState, simWebData3 } from "./infoAccount.js";
import { simAllMids, simAssetCtx, simTradeWire } from "./infoMarket.js";
import { simRecordTrades, type SimServerState } from "./serverState.js";

export interface SimConn {
  readonly ws: WebSocket;
  readonly ip: string;
  /** identity → the decoded subscription */
  readonly subs: Map<string, HlSubscription>;
}

export interface SimPushOptions {
  readonly statePushMs?: number;
  readonly ctxPushMs?: number;
  readonly startingBalance: number;
}

function bboWire(b: BookEvent): unknown {
  const l = (x: { px: number; sz: number; n: number } | undefined) => (x ? { px: hlNum(x.px), sz: hlNum(x.sz), n: x.n } : null);
  return { coin: b.asset, time: b.time, bbo: [l(b.bids[0]), l(b.asks[0])] };
}

export class SimPushes {
  readonly conns = new Set<SimConn>();
  private readonly lastBbo = new Map<string, string>();
  private readonly timers = new Map<number, Subscription>();

  constructor(
    private readonly state: SimServerState,
    private readonly scheduler: SchedulerLike,
    private readonly options: SimPushOptions,
  ) {}

  private out(c: SimConn, text: string): void {
    if (c.ws.readyState === WebSocket.OPEN) c.ws.send(text);
  }

  /** subscribe: false when this connection already holds the same subscription. */
  subscribe(c: SimConn, s: HlSubscription): boolean {
    const id = hlSubscriptionIdentity(s);
    if (c.subs.has(id)) return false;
    c.subs.set(id, s);
    this.out(c, hlFrame("subscriptionResponse", { method: "subscribe", subscription: hlNormalisedSubscription(s) }));
    this.initial(c, s);
    return true;
  }

  unsubscribe(c: SimConn, s: HlSubscription): boolean {
    if (!c.subs.delete(hlSubscriptionIdentity(s))) return false;
    this.out(c, hlFrame("subscriptionResponse", { method: "unsubscribe", subscription: hlNormalisedSubscription(s) }));
    return true;
  }

  /** Start the periodic re-pushes. */
  start(): void {
    const every = (ms: number, work: () => void): void => {
      const slot = this.timers.size;
      const loop = (): void => {
        this.timers.set(
          slot,
          this.scheduler.schedule(() => {
            work();
            loop();
          }, ms),
        );
      };
      loop();
    };
    every(this.options.statePushMs ?? 4_500, () => this.pushStates());
    every(this.options.ctxPushMs ?? 1_000, () => this.pushCtxs());
  }

  stop(): void {
    for (const t of this.timers.values()) t.unsubscribe();
    this.timers.clear();
  }

  private each(work: (c: SimConn, s: HlSubscription) => string | undefined): void {
    for (const c of this.conns) {
      for (const s of c.subs.values()) {
        const text = work(c, s);
        if (text !== undefined) this.out(c, text);
      }
    }
  }

  /** The full-state frame of a user-state subscription (also its first message). */
  private stateFrame(s: HlSubscription): string | undefined {
    const ex = this.state.exchange;
    switch (s.type) {
      case "clearinghouseState":
        return hlFrame("clearinghouseState", { dex: s.dex ?? "", user: s.user.toLowerCase(), clearinghouseState: simClearinghouseState(ex, s.user.toLowerCase(), s.dex) });
      case "openOrders":
        return hlFrame("openOrders", { dex: s.dex ?? "", user: s.user.toLowerCase(), orders: simOpenOrdersWire(ex, s.user.toLowerCase(), true, s.dex) });
      case "allDexsClearinghouseState":
        return hlFrame("allDexsClearinghouseState", {
          user: s.user.toLowerCase(),
          clearinghouseStates: ["", ...ex.hip3.dexes.map((d) => d.name)].map((d) => [d, simClearinghouseState(ex, s.user.toLowerCase(), d)]),
        });
      case "spotState":
        return hlFrame("spotState", { user: s.user.toLowerCase(), spotState: simSpotState() });
      case "webData3":
        return hlFrame("webData3", simWebData3(this.state, s.user, this.options.startingBalance));
      case "activeAssetData": {
        const d = simActiveAssetData(ex, s.user.toLowerCase(), s.coin);
        return d ? hlFrame("activeAssetData", d) : undefined;
      }
      default:
        return undefined;
    }
  }

  private ctxFrame(coin: string): string | undefined {
    const meta = this.state.exchange.assetMeta(coin);
    return meta ? hlFrame("activeAssetCtx", { coin, ctx: simAssetCtx(this.state, meta) }) : undefined;
  }

  pushStates(): void {
    this.each((_c, s) => this.stateFrame(s));
  }

  pushCtxs(): void {
    this.each((_c, s) => (s.type === "activeAssetCtx" ? this.ctxFrame(s.coin) : undefined));
  }

  /** What a subscription sends at once: snapshots for time series, current state for books and accounts. */
  private initial(c: SimConn, s: HlSubscription): void {
    const ex = this.state.exchange;
    const send = (text: string | undefined) => (text !== undefined ? this.out(c, text) : undefined);
    switch (s.type) {
      case "l2Book": {
        const b = ex.currentBook(s.coin);
        if (b) send(hlFrame("l2Book", hlBookToWire(simAggregateBook(b, s))));
        return;
      }
      case "bbo": {
        const b = ex.currentBook(s.coin);
        if (b) send(hlFrame("bbo", bboWire(b)));
        return;
      }
      case "trades": {
        const recent = this.state.recentTrades.get(s.coin);
        if (recent && recent.length > 0) send(hlFrame("trades", recent.map(simTradeWire)));
        return;
      }
      case "allMids":
        send(hlFrame("allMids", s.dex ? { dex: s.dex, mids: simAllMids(ex, s.dex) } : { mids: simAllMids(ex) }));
        return;
      case "candle": {
        const bar = this.state.candles.latest(s.coin, s.interval);
        if (bar) send(hlFrame("candle", simCandleWire(s.coin, s.interval, bar)));
        return;
      }
      case "activeAssetCtx":
        send(this.ctxFrame(s.coin));
        return;
      case "userFills":
        send(hlFrame("userFills", { isSnapshot: true, user: s.user.toLowerCase(), fills: ex.account(s.user).fills.slice(-2000).map(simFillWire) }));
        return;
      case "userFundings":
        send(hlFrame("userFundings", { isSnapshot: true, user: s.user.toLowerCase(), fundings: ex.account(s.user).fundings.slice(-500).map(simFundingWire) }));
        return;
      case "userNonFundingLedgerUpdates":
        send(hlFrame("userNonFundingLedgerUpdates", { isSnapshot: true, user: s.user.toLowerCase(), nonFundingLedgerUpdates: [] }));
        return;
      case "twapStates":
        send(hlFrame("twapStates", { dex: "", user: s.user.toLowerCase(), states: [] }));
        return;
      default:
        send(this.stateFrame(s));
    }
  }

  onFeed(e: SimFeedEvent): void {
    switch (e.kind) {
      case "book": {
        const b = e.book;
        const bboText = JSON.stringify(bboWire({ ...b, time: 0 }));
        const bboChanged = this.lastBbo.get(b.asset) !== bboText;
        if (bboChanged) this.lastBbo.set(b.asset, bboText);
        const books = new Map<string, string>();
        const mids = new Map<string, string>();
        this.each((_c, s) => {
          if (s.type === "l2Book" && s.coin === b.asset) {
            const k = `${s.nSigFigs ?? ""}:${s.mantissa ?? ""}`;
            let text = books.get(k);
            if (text === undefined) {
              text = hlFrame("l2Book", hlBookToWire(simAggregateBook(b, s)));
              books.set(k, text);
            }
            return text;
          }
          if (s.type === "bbo" && s.coin === b.asset && bboChanged) return hlFrame("bbo", bboWire(b));
          if (s.type === "allMids") {
            const dex = s.dex ?? "";
            let text = mids.get(dex);
            if (text === undefined) {
              text = hlFrame("allMids", dex ? { dex, mids: simAllMids(this.state.exchange, dex) } : { mids: simAllMids(this.state.exchange) });
              mids.set(dex, text);
            }
            return text;
          }
          return undefined;
        });
        return;
      }
      case "trades": {
        simRecordTrades(this.state, e.asset, e.trades);
        const text = hlFrame("trades", e.trades.map(simTradeWire));
        this.each((_c, s) => {
          if (s.type === "trades" && s.coin === e.asset) return text;
          if (s.type === "candle" && s.coin === e.asset) {
            const bar = this.state.candles.latest(s.coin, s.interval);
            return bar ? hlFrame("candle", simCandleWire(s.coin, s.interval, bar)) : undefined;
          }
          return undefined;
        });
        return;
      }
      case "malformed":
        this.each((_c, s) => (s.type === e.channel && "coin" in s && s.coin === e.asset ? e.text : undefined));
        return;
      case "ref":
        return;
    }
  }

  onUser(e: SimUserEvent): void {
    const is = (s: HlSubscription, type: HlSubscription["type"]): boolean => s.type === type && "user" in s && s.user.toLowerCase() === e.user;
    switch (e.kind) {
      case "orderUpdate": {
        const text = hlFrame("orderUpdates", [hlOrderUpdateToWire(e.update)]);
        this.each((_c, s) => (is(s, "orderUpdates") ? text : undefined));
        return;
      }
      case "fill": {
        const w = simFillWire(e.record);
        const fills = hlFrame("userFills", { user: e.user, fills: [w] });
        const user = hlFrame("user", { fills: [w] });
        this.each((_c, s) => (is(s, "userFills") ? fills : is(s, "userEvents") ? user : undefined));
        return;
      }
      case "nonUserCancel": {
        const text = hlFrame("user", { nonUserCancel: [{ coin: e.asset, oid: e.oid }] });
        this.each((_c, s) => (is(s, "userEvents") ? text : undefined));
        return;
      }
      case "funding": {
        const w = simFundingWire(e.record);
        const fundings = hlFrame("userFundings", { user: e.user, fundings: [w] });
        const user = hlFrame("user", { funding: w });
        this.each((_c, s) => (is(s, "userFundings") ? fundings : is(s, "userEvents") ? user : undefined));
        return;
      }
    }
  }
}
