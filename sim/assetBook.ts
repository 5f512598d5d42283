// One asset's book in the simulator: the last market snapshot (recorded or synthetic), the
// liquidity our simulated takers consumed since it, and the simulated accounts' resting orders
// with their queue position. Produces executions; accounts and events are the exchange's job.
import type { BookEvent, BookLevel, TradeEvent } from "../streams/market.js";
import type { Tif } from "../streams/actions.js";
import { SimProbQueue, type SimQueueModel } from "./queueModel.js";

export interface SimRestingOrder {
  readonly oid: number;
  readonly cloid: string | null;
  readonly user: string;
  readonly asset: string;
  readonly isBuy: boolean;
  readonly px: number;
  sz: number;
  readonly origSz: number;
  readonly tif: Tif;
  readonly reduceOnly: boolean;
  /** Placement time (ms). */
  readonly time: number;
  /** Market size ahead of us at our price. */
  ahead: number;
  /** Traded at our level since the last snapshot (so the depth change isn't counted twice). */
  tradedSinceBook: number;
  /** Arrival sequence: FIFO among simulated orders at one price. */
  readonly seq: number;
}

/** One match. `maker`/`taker` absent = the recorded/synthetic market on that side. */
export interface SimExecution {
  readonly px: number;
  readonly sz: number;
  readonly aggressorIsBuy: boolean;
  readonly maker?: SimRestingOrder;
  readonly takerUser?: string;
}

export interface SimTakeResult {
  readonly executions: SimExecution[];
  /** Our own resting orders met by our taker: canceled instead of filled (FACTS §10). */
  readonly selfTradeCanceled: SimRestingOrder[];
  readonly filled: number;
}

const EPS = 1e-9;

function levelQty(levels: readonly BookLevel[], px: number): number | undefined {
  for (const l of levels) if (l.px === px) return l.sz;
  return undefined;
}

/** Size at px on one side of a snapshot; undefined when px is beyond the visible depth. */
function visibleQty(levels: readonly BookLevel[], px: number, isBid: boolean): number | undefined {
  const q = levelQty(levels, px);
  if (q !== undefined) return q;
  const worst = levels[levels.length - 1];
  if (!worst) return undefined;
  return (isBid ? px >= worst.px : px <= worst.px) ? 0 : undefined;
}

/** Price a is ahead of price b in priority on a side (higher bid, lower ask). */
function better(isBid: boolean, a: number, b: number): boolean {
  return isBid ? a > b : a < b;
}

export class SimAssetBook {
  market: BookEvent | undefined;
  readonly bids: SimRestingOrder[] = [];
  readonly asks: SimRestingOrder[] = [];
  private readonly consumedBid = new Map<number, number>();
  private readonly consumedAsk = new Map<number, number>();
  /** 10 ** szDecimals, computed once (roundSz runs several times per book, trade and fill). */
  private readonly szFactor: number;

  constructor(
    readonly asset: string,
    readonly szDecimals: number,
    readonly queue: SimQueueModel = new SimProbQueue(),
  ) {
    this.szFactor = 10 ** szDecimals;
  }

  roundSz(x: number): number {
    const f = this.szFactor;
    return Math.floor(x * f + 1e-6) / f;
  }

  /** Market (not simulated) size left at px on a side after our takers' consumption. */
  marketQty(isBid: boolean, px: number): number {
    if (!this.market) return 0;
    const q = levelQty(isBid ? this.market.bids : this.market.asks, px) ?? 0;
    const used = (isBid ? this.consumedBid : this.consumedAsk).get(px) ?? 0;
    return Math.max(0, q - used);
  }

  /** The book as published: market levels (minus consumption) merged with simulated resting orders. */
  displayed(time: number): BookEvent {
    return { asset: this.asset, time, bids: this.displayedSide(true), asks: this.displayedSide(false) };
  }

  /** One side of `displayed` (methods, not closures made per book). */
  private displayedSide(isBid: boolean): BookLevel[] {
    // the common case: none of our orders on this side and nothing consumed → the market as is
    const ours = isBid ? this.bids : this.asks;
    const used = isBid ? this.consumedBid : this.consumedAsk;
    if (ours.length === 0 && used.size === 0) {
      const levels = (isBid ? this.market?.bids : this.market?.asks) ?? [];
      return levels.length > 20 ? levels.slice(0, 20) : levels;
    }
    const merged = this.mergedSide(isBid);
    if (merged) return merged;
    const m = new Map<number, { sz: number; n: number }>();
    for (const l of (isBid ? this.market?.bids : this.market?.asks) ?? []) {
      const sz = this.marketQty(isBid, l.px);
      if (sz > EPS) m.set(l.px, { sz, n: l.n });
    }
    for (const o of ours) {
      const cur = m.get(o.px) ?? { sz: 0, n: 0 };
      m.set(o.px, { sz: cur.sz + o.sz, n: cur.n + 1 });
    }
    const levels = [...m.entries()].map(([px, v]) => ({ px, sz: this.roundSz(v.sz + 1e-12), n: v.n }));
    levels.sort((a, b) => (isBid ? b.px - a.px : a.px - b.px));
    return levels.slice(0, 20);
  }

  /**
   * `displayed`'s side as a merge of two sorted lists, when they are (the usual case): the market
   * levels strictly in price priority (so each price once) and our orders in priority order. The
   * same levels, sizes (summed in the same order) and counts as the general path's map + sort,
   * without the map, its entries and the sort; undefined when either list is out of order.
   */
  private mergedSide(isBid: boolean): BookLevel[] | undefined {
    const market = (isBid ? this.market?.bids : this.market?.asks) ?? [];
    const ours = isBid ? this.bids : this.asks;
    for (let i = 1; i < market.length; i++) if (!better(isBid, market[i - 1]!.px, market[i]!.px)) return undefined;
    for (let i = 1; i < ours.length; i++) if (better(isBid, ours[i]!.px, ours[i - 1]!.px)) return undefined;
    const used = isBid ? this.consumedBid : this.consumedAsk;
    const out: BookLevel[] = [];
    let i = 0;
    let j = 0;
    while (out.length < 20 && (i < market.length || j < ours.length)) {
      const l = market[i];
      const o = ours[j];
      const px = l === undefined ? o!.px : o === undefined ? l.px : better(isBid, o.px, l.px) ? o.px : l.px;
      let sz = 0;
      let n = 0;
      let any = false;
      // the market's own level, when nothing of ours or consumed changes it (the market side is
      // published as is in the common case too: nobody changes a level)
      let asIs: BookLevel | undefined;
      if (l !== undefined && l.px === px) {
        i++;
        const u = used.size === 0 ? 0 : (used.get(px) ?? 0);
        const q = Math.max(0, l.sz - u);
        if (q > EPS) {
          sz = q;
          n = l.n;
          any = true;
          if (u === 0) asIs = l;
        }
      }
      for (let o2 = ours[j]; o2 !== undefined && o2.px === px; o2 = ours[++j]) {
        sz += o2.sz;
        n += 1;
        any = true;
        asIs = undefined;
      }
      if (any) {
        const rounded = this.roundSz(sz + 1e-12);
        out.push(asIs !== undefined && asIs.sz === rounded ? asIs : { px, sz: rounded, n });
      }
    }
    return out;
  }

  bbo(): { bid: number | undefined; ask: number | undefined } {
    let bid: number | undefined;
    let ask: number | undefined;
    for (const l of this.market?.bids ?? []) if (this.marketQty(true, l.px) > EPS) { bid = l.px; break; }
    for (const l of this.market?.asks ?? []) if (this.marketQty(false, l.px) > EPS) { ask = l.px; break; }
    const sb = this.bids[0]?.px;
    const sa = this.asks[0]?.px;
    if (sb !== undefined && (bid === undefined || sb > bid)) bid = sb;
    if (sa !== undefined && (ask === undefined || sa < ask)) ask = sa;
    return { bid, ask };
  }

  /** Would a limit order at px immediately match anything (market or simulated)? */
  wouldCross(isBuy: boolean, px: number): boolean {
    const { bid, ask } = this.bbo();
    return isBuy ? ask !== undefined && px >= ask : bid !== undefined && px <= bid;
  }

  /** Rest an order: queue ahead = the displayed market size at its price on arrival. */
  rest(order: Omit<SimRestingOrder, "ahead" | "tradedSinceBook">): SimRestingOrder {
    // field by field, not `{ ...order, ahead, tradedSinceBook }`: in Node 20's V8 an object literal
    // that starts with a spread and adds a key gets a hidden class of its own, so every read of
    // resting orders (applyBook, displayed, applyTrade, take) would go megamorphic
    const o: SimRestingOrder = {
      oid: order.oid,
      cloid: order.cloid,
      user: order.user,
      asset: order.asset,
      isBuy: order.isBuy,
      px: order.px,
      sz: order.sz,
      origSz: order.origSz,
      tif: order.tif,
      reduceOnly: order.reduceOnly,
      time: order.time,
      seq: order.seq,
      ahead: this.marketQty(order.isBuy, order.px),
      tradedSinceBook: 0,
    };
    const list = order.isBuy ? this.bids : this.asks;
    let i = list.length;
    while (i > 0) {
      const prev = list[i - 1]!;
      const better = order.isBuy ? prev.px < o.px : prev.px > o.px;
      if (!better) break;
      i--;
    }
    list.splice(i, 0, o);
    return o;
  }

  remove(order: SimRestingOrder): boolean {
    const list = order.isBuy ? this.bids : this.asks;
    const i = list.indexOf(order);
    if (i < 0) return false;
    list.splice(i, 1);
    return true;
  }

  /** A new market snapshot: update queues (probabilistic cancel share), then fill orders the market now crosses. */
  applyBook(book: BookEvent): SimExecution[] {
    const prev = this.market;
    this.market = book;
    // clear() allocates a fresh table even for an empty map: most books follow no consumption
    if (this.consumedBid.size > 0) this.consumedBid.clear();
    if (this.consumedAsk.size > 0) this.consumedAsk.clear();
    for (const o of this.bids) this.requeue(o, prev, book);
    for (const o of this.asks) this.requeue(o, prev, book);
    // Market orders now on the other side of ours would have matched us: we are the maker at our price.
    const out: SimExecution[] = [];
    this.crossOurs(true, book, out);
    this.crossOurs(false, book, out);
    return out;
  }

  /** A new snapshot's queue ahead of one resting order (probabilistic cancel share). */
  private requeue(o: SimRestingOrder, prev: BookEvent | undefined, book: BookEvent): void {
    const newQty = visibleQty(o.isBuy ? book.bids : book.asks, o.px, o.isBuy);
    if (newQty === undefined) {
      o.tradedSinceBook = 0;
      return;
    }
    const prevQty = prev ? visibleQty(o.isBuy ? prev.bids : prev.asks, o.px, o.isBuy) : undefined;
    o.ahead =
      prevQty === undefined
        ? Math.min(o.ahead, newQty)
        : this.queue.afterDepthChange(o.ahead, prevQty, newQty, o.tradedSinceBook);
    o.tradedSinceBook = 0;
  }

  /** Our orders on one side that the snapshot's other side crosses, as maker executions (in priority order). */
  private crossOurs(isBuy: boolean, book: BookEvent, out: SimExecution[]): void {
    const ours = isBuy ? this.bids : this.asks;
    const theirs = isBuy ? book.asks : book.bids;
    const consumed = isBuy ? this.consumedAsk : this.consumedBid;
    for (const o of ours) {
      let want = o.sz;
      for (const l of theirs) {
        if (isBuy ? l.px > o.px : l.px < o.px) break;
        const avail = l.sz - (consumed.get(l.px) ?? 0);
        const take = this.roundSz(Math.min(avail, want));
        if (take <= 0) continue;
        consumed.set(l.px, (consumed.get(l.px) ?? 0) + take);
        want -= take;
        if (want <= EPS) break;
      }
      const filled = this.roundSz(o.sz - want + 1e-12);
      if (filled > 0) out.push({ px: o.px, sz: filled, aggressorIsBuy: !isBuy, maker: o });
    }
  }

  /** A market trade: sweeps orders priced through it, and eats the queue at its price. */
  applyTrade(trade: TradeEvent): SimExecution[] {
    const hitsBids = trade.side === "sell";
    const list = hitsBids ? this.bids : this.asks;
    const out: SimExecution[] = [];
    let usedAtLevel = 0;
    // A print beyond our price means the aggressor went through our price. Its volume was at
    // least this print plus the market size it must have taken on the way (levels better than
    // the print); with our order there it would have met, by price priority, the market levels
    // better than ours, the queue ahead of us, then us. That bounds our fill (an order improving
    // the spread does not fill whole on a tiny print at the touch).
    const marketLevels = (hitsBids ? this.market?.bids : this.market?.asks) ?? [];
    // "beyond" the print is ahead of it in the hit side's priority
    let volume = trade.sz;
    for (const l of marketLevels) if (better(hitsBids, l.px, trade.px)) volume += this.marketQty(hitsBids, l.px);
    let usedThrough = 0;
    for (const o of list) {
      const through = better(hitsBids, o.px, trade.px);
      if (through) {
        let betterQty = 0;
        for (const l of marketLevels) if (better(hitsBids, l.px, o.px)) betterQty += this.marketQty(hitsBids, l.px);
        const fill = this.roundSz(Math.min(o.sz, Math.max(0, volume - betterQty - o.ahead - usedThrough)));
        if (fill > 0) {
          usedThrough += fill;
          out.push({ px: o.px, sz: fill, aggressorIsBuy: !hitsBids, maker: o });
        }
        continue;
      }
      if (o.px !== trade.px) break;
      const avail = trade.sz - o.ahead - usedAtLevel;
      const fill = this.roundSz(Math.min(Math.max(avail, 0), o.sz));
      if (fill > 0) {
        usedAtLevel += fill;
        out.push({ px: o.px, sz: fill, aggressorIsBuy: !hitsBids, maker: o });
      }
    }
    for (const o of list) {
      if (o.px === trade.px) {
        o.ahead = Math.max(0, o.ahead - trade.sz);
        o.tradedSinceBook += trade.sz;
      }
    }
    return out;
  }

  /**
   * A simulated taker walks the other side up to its limit: market size ahead of each simulated
   * order first, then that order (our own → self-trade prevention cancels it), then the rest.
   */
  take(isBuy: boolean, limitPx: number, sz: number, user: string): SimTakeResult {
    const executions: SimExecution[] = [];
    const stp: SimRestingOrder[] = [];
    const marketLevels = (isBuy ? this.market?.asks : this.market?.bids) ?? [];
    const sims = isBuy ? this.asks : this.bids;
    const prices = new Set<number>();
    for (const l of marketLevels) prices.add(l.px);
    for (const o of sims) prices.add(o.px);
    const ordered = [...prices].filter((p) => (isBuy ? p <= limitPx : p >= limitPx)).sort((a, b) => (isBuy ? a - b : b - a));
    const consumed = isBuy ? this.consumedAsk : this.consumedBid;
    let rem = sz;
    for (const p of ordered) {
      if (rem <= EPS) break;
      const m = this.marketQty(!isBuy, p);
      let mTaken = 0;
      const takeMarket = (upTo: number): void => {
        const t = this.roundSz(Math.min(rem, upTo - mTaken));
        if (t <= 0) return;
        executions.push({ px: p, sz: t, aggressorIsBuy: isBuy, takerUser: user });
        mTaken += t;
        rem = this.roundSz(rem - t + 1e-12);
      };
      for (const o of sims.filter((s) => s.px === p)) {
        takeMarket(Math.min(o.ahead, m));
        if (rem <= EPS) break;
        if (o.user === user) {
          stp.push(o);
          continue;
        }
        const f = this.roundSz(Math.min(rem, o.sz));
        if (f > 0) {
          executions.push({ px: p, sz: f, aggressorIsBuy: isBuy, maker: o, takerUser: user });
          rem = this.roundSz(rem - f + 1e-12);
        }
      }
      if (rem > EPS) takeMarket(m);
      if (mTaken > 0) {
        consumed.set(p, (consumed.get(p) ?? 0) + mTaken);
        for (const o of sims) if (o.px === p) o.ahead = Math.max(0, o.ahead - mTaken);
      }
    }
    return { executions, selfTradeCanceled: stp, filled: this.roundSz(sz - rem + 1e-12) };
  }
}
