// The fill journal: JSONL, one JSON object per line, `type` first. A `header` line with the run's
// metadata, one `fill` line per fill (with the market at fill time), a self-contained `markout`
// line per fill once its horizons are known (or at shutdown, marked incomplete), periodic `sample`
// lines (marks, positions, PnL, cumulative order and quoting tallies) and a closing `summary`.
// The report (`quoteflow report`) and anyone's notebook read it back with the codecs below; the
// README's "Fill journal" section documents every field.
import { createHash } from "node:crypto";
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import * as t from "io-ts";
import type { Observable, Subscription } from "rxjs";
import { FiniteNumber } from "../streams/codec.js";
import { FillSource, HorizonMarkout, type FillEvent, type FillMarkouts } from "../streams/fill.js";
import type { QuoteIntent } from "../streams/intent.js";
import type { BookEvent, TradeEvent } from "../streams/market.js";
import { scrubSecrets } from "../app/logger.js";
import { packageRoot } from "../sources/paths.js";
import { OrderTally, QuotingClock, type OrderTallyEvent } from "./tally.js";

/** Version of the line format; bumped when a field changes meaning. 1: before the header existed. */
export const JOURNAL_FORMAT = 2;

/**
 * Markout horizons every journal carries, on top of the config's: a curve from 0 to 60 s. The
 * 0 ms point is the edge at fill (price vs the mid at the fill's time).
 */
export const STANDARD_HORIZONS_MS = [0, 250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000] as const;

/** The config's horizons and the standard ones, sorted, without duplicates. */
export function journalHorizons(configured: readonly number[]): number[] {
  return [...new Set([...STANDARD_HORIZONS_MS, ...configured])].sort((a, b) => a - b);
}

const Num = t.union([FiniteNumber, t.null]);
const Side = t.keyof({ buy: null, sell: null });

/** What the market looked like when a fill happened: the features a fill-quality model starts from. */
export const FillSignalSnapshot = t.type(
  {
    /** (Σ bid size − Σ ask size) / Σ over the top 5 levels, −1..1. */
    bookImbalance: Num,
    /** (buy − sell) / (buy + sell) aggressor volume over the last 10 s of trades, −1..1. */
    tradeFlowImbalance: Num,
    spreadBps: Num,
    /** The quoter's volatility estimate (bps per book update). */
    volatilityBps: Num,
    /** Reasons quoting was closed at fill time (empty: all gates open). */
    closedGates: t.array(t.string),
    /**
     * Estimated size (coins) ahead of us in the queue at the fill price: the displayed size at that
     * price on our side in the last book before the fill. An estimate — the book does not show our place.
     */
    queueAheadEstimate: Num,
    source: FillSource,
    midAtPlacement: FiniteNumber,
  },
  "FillSignalSnapshot",
);
export type FillSignalSnapshot = t.TypeOf<typeof FillSignalSnapshot>;

/** A strategy's own signals at fill time (flat: numbers, strings, booleans); the report groups markouts by each key. */
export type StrategySignals = Readonly<Record<string, number | string | boolean>>;

/** The exchange's state for the asset at fill time (Hyperliquid's `activeAssetCtx`), when the venue provides it. */
export const AssetContext = t.partial(
  { openInterest: FiniteNumber, fundingRate: FiniteNumber, markPx: FiniteNumber, oraclePx: FiniteNumber, time: FiniteNumber },
  "AssetContext",
);
export type AssetContext = t.TypeOf<typeof AssetContext>;

export const JournalFillLine = t.intersection(
  [
    t.type({
      type: t.literal("fill"),
      tid: FiniteNumber,
      asset: t.string,
      time: FiniteNumber,
      side: Side,
      price: FiniteNumber,
      size: FiniteNumber,
      fee: FiniteNumber,
      oid: FiniteNumber,
      cloid: t.union([t.string, t.null]),
      flag: t.string,
      midAtFill: FiniteNumber,
      quotedHalfSpreadBps: FiniteNumber,
      signals: FillSignalSnapshot,
    }),
    t.partial({
      /** Our position (coins) right after the fill, as the execution sink holds it (venue truth adopted). */
      positionAfter: FiniteNumber,
      /** Fill time − the time the order (its CLOID) was first placed; null when the order is unknown. */
      orderAgeMs: Num,
      /** Where the order was placed. */
      placementPrice: FiniteNumber,
      /** The venue's state for the asset at fill time; absent when the venue pushes no `activeAssetCtx`. */
      ctx: AssetContext,
      /** The fill took liquidity (the venue's `crossed`): a maker's fills are false. */
      crossed: t.boolean,
    }),
  ],
  "JournalFillLine",
);
export type JournalFillLine = t.TypeOf<typeof JournalFillLine>;

export const JournalMarkoutLine = t.intersection(
  [
    t.type({ type: t.literal("markout"), tid: FiniteNumber, asset: t.string, source: FillSource, complete: t.boolean, horizons: t.array(HorizonMarkout) }),
    t.partial({
      time: FiniteNumber,
      side: Side,
      price: FiniteNumber,
      size: FiniteNumber,
      midAtFill: FiniteNumber,
      midAtPlacement: FiniteNumber,
      /** Why it is incomplete: `stale` (no mid after a horizon in time) or `shutdown` (flushed when the run stopped). */
      incomplete: t.keyof({ stale: null, shutdown: null }),
    }),
  ],
  "JournalMarkoutLine",
);
export type JournalMarkoutLine = t.TypeOf<typeof JournalMarkoutLine>;

export const JournalAssetInfo = t.intersection(
  [t.type({ asset: t.string, szDecimals: FiniteNumber, priceDecimals: FiniteNumber }), t.partial({ maxPositionUsd: FiniteNumber, maxLossUsd: FiniteNumber })],
  "JournalAssetInfo",
);
export type JournalAssetInfo = t.TypeOf<typeof JournalAssetInfo>;

export const JournalHeaderLine = t.intersection(
  [
    t.type({
      type: t.literal("header"),
      format: FiniteNumber,
      version: t.string,
      mode: t.string,
      venue: t.string,
      account: t.union([t.string, t.null]),
      configDigest: t.string,
      seed: t.union([FiniteNumber, t.string, t.null]),
      faults: t.union([t.string, t.null]),
      startTime: FiniteNumber,
      assets: t.array(JournalAssetInfo),
      markoutHorizonsMs: t.array(FiniteNumber),
    }),
    t.partial({ recording: t.union([t.string, t.null]), startIso: t.string, notes: t.array(t.string) }),
  ],
  "JournalHeaderLine",
);
export type JournalHeaderLine = t.TypeOf<typeof JournalHeaderLine>;

export const SampleAsset = t.type(
  { mid: Num, position: FiniteNumber, pnl: FiniteNumber, realized: FiniteNumber, fees: FiniteNumber, volumeUsd: FiniteNumber, fills: FiniteNumber },
  "SampleAsset",
);
export type SampleAsset = t.TypeOf<typeof SampleAsset>;

export const OrderTallyRecord = t.type(
  { placed: FiniteNumber, modified: FiniteNumber, cancelled: FiniteNumber, rejected: FiniteNumber, failed: FiniteNumber, refused: FiniteNumber, rejectReasons: t.record(t.string, FiniteNumber) },
  "OrderTallyRecord",
);
export type OrderTallyRecord = t.TypeOf<typeof OrderTallyRecord>;

export const QuotingRecord = t.type(
  { twoSidedMs: FiniteNumber, oneSidedMs: FiniteNumber, emptyMs: FiniteNumber, gatedMs: t.record(t.string, FiniteNumber) },
  "QuotingRecord",
);
export type QuotingRecord = t.TypeOf<typeof QuotingRecord>;

/** A periodic snapshot (`sample`) or the last one, written at shutdown (`summary`). Tallies are cumulative since the start. */
export const JournalSampleLine = t.intersection(
  [
    t.type({
      type: t.keyof({ sample: null, summary: null }),
      time: FiniteNumber,
      assets: t.record(t.string, SampleAsset),
      quota: t.record(t.string, FiniteNumber),
      orders: t.record(t.string, OrderTallyRecord),
      quoting: t.record(t.string, QuotingRecord),
    }),
    t.partial({ flushedMarkouts: FiniteNumber, lines: FiniteNumber }),
  ],
  "JournalSampleLine",
);
export type JournalSampleLine = t.TypeOf<typeof JournalSampleLine>;

/** A funding payment (Hyperliquid `userFundings`): `usdc` > 0 received, < 0 paid. */
export const JournalFundingLine = t.type(
  { type: t.literal("funding"), asset: t.string, time: FiniteNumber, usdc: FiniteNumber, szi: FiniteNumber, fundingRate: FiniteNumber },
  "JournalFundingLine",
);
export type JournalFundingLine = t.TypeOf<typeof JournalFundingLine>;

export const JournalLine = t.union([JournalHeaderLine, JournalFillLine, JournalMarkoutLine, JournalSampleLine, JournalFundingLine], "JournalLine");
export type JournalLine = t.TypeOf<typeof JournalLine>;

// ---------- rounding ---------------------------------------------------------------------------

/** Round to `decimals` places and drop float noise (2281.3500000000004 → 2281.35). */
export function roundTo(v: number, decimals: number): number {
  if (!Number.isFinite(v)) return v;
  const d = Math.max(0, Math.min(12, Math.round(decimals)));
  const r = Number(v.toFixed(d));
  return Object.is(r, -0) ? 0 : r;
}

/** Hyperliquid perps: prices carry at most 6 − szDecimals decimals (FACTS §6); a mid one more. */
export function priceDecimalsOf(szDecimals: number): number {
  return Math.max(0, 6 - szDecimals);
}

const USD_DECIMALS = 6;
const BPS_DECIMALS = 4;

interface Rounding {
  readonly px: number;
  readonly sz: number;
}

function rounding(szDecimals: number | undefined): Rounding | undefined {
  return szDecimals === undefined ? undefined : { px: priceDecimalsOf(szDecimals), sz: szDecimals };
}

const rn = (v: number | null, d: number): number | null => (v === null ? null : roundTo(v, d));

// ---------- signals at fill ----------------------------------------------------------------------

const TRADE_WINDOW_MS = 10_000;
const MAX_TRADES = 4096;

/** Per-asset market features for the fill snapshot, fed from the book and trade streams. */
export class SignalTracker {
  private book: BookEvent | undefined;
  /** The last MAX_TRADES trades, oldest first from `head` (a ring: no array shift per trade). */
  private readonly trades: (TradeEvent | undefined)[] = new Array<TradeEvent | undefined>(MAX_TRADES);
  private head = 0;
  private count = 0;

  observeBook(book: BookEvent): void {
    this.book = book;
  }

  observeTrade(trade: TradeEvent): void {
    if (this.count === MAX_TRADES) {
      this.trades[this.head] = trade; // overwrite the oldest
      this.head = this.head + 1 === MAX_TRADES ? 0 : this.head + 1;
    } else {
      this.trades[(this.head + this.count) % MAX_TRADES] = trade;
      this.count++;
    }
  }

  lastBook(): BookEvent | undefined {
    return this.book;
  }

  snapshot(fill: FillEvent, closedGates: readonly string[], volatilityBps: number | undefined): FillSignalSnapshot {
    const book = this.book;
    let bookImbalance: number | null = null;
    let spreadBps: number | null = null;
    let queueAheadEstimate: number | null = null;
    if (book) {
      const b = book.bids.slice(0, 5).reduce((s, l) => s + l.sz, 0);
      const a = book.asks.slice(0, 5).reduce((s, l) => s + l.sz, 0);
      bookImbalance = b + a > 0 ? (b - a) / (b + a) : null;
      const bb = book.bids[0]?.px;
      const ba = book.asks[0]?.px;
      if (bb !== undefined && ba !== undefined) spreadBps = ((ba - bb) / ((ba + bb) / 2)) * 1e4;
      const side = fill.isBuy ? book.bids : book.asks;
      queueAheadEstimate = side.find((l) => Math.abs(l.px - fill.price) < 1e-9)?.sz ?? 0;
    }
    const cutoff = fill.time - TRADE_WINDOW_MS;
    while (this.count > 0 && this.trades[this.head]!.time < cutoff) {
      this.trades[this.head] = undefined;
      this.head = this.head + 1 === MAX_TRADES ? 0 : this.head + 1;
      this.count--;
    }
    let buy = 0;
    let sell = 0;
    for (let i = 0; i < this.count; i++) {
      const tr = this.trades[(this.head + i) % MAX_TRADES]!;
      if (tr.time > fill.time) continue;
      if (tr.side === "buy") buy += tr.sz;
      else sell += tr.sz;
    }
    return {
      bookImbalance,
      tradeFlowImbalance: buy + sell > 0 ? (buy - sell) / (buy + sell) : null,
      spreadBps,
      volatilityBps: volatilityBps ?? null,
      closedGates: [...closedGates],
      queueAheadEstimate,
      source: fill.source,
      midAtPlacement: fill.midAtPlacement,
    };
  }
}

// ---------- line builders ----------------------------------------------------------------------

/** What the service knows about a fill beyond the fill itself. */
export interface FillLineExtra {
  /** The asset's size decimals: prices, sizes and mids are rounded to the asset's tick and lot. */
  readonly szDecimals?: number;
  readonly positionAfter?: number;
  /** When the order (CLOID) was first placed (service clock), if known. */
  readonly placedAt?: number | undefined;
  readonly ctx?: AssetContext | undefined;
  /** A strategy's own signals at fill time: merged into `signals` beside the market snapshot. */
  readonly strategySignals?: StrategySignals | undefined;
}

export function fillLine(fill: FillEvent, flag: string, signals: FillSignalSnapshot, extra: FillLineExtra = {}): JournalFillLine {
  const r = rounding(extra.szDecimals);
  const px = (v: number) => (r ? roundTo(v, r.px) : v);
  const mid = (v: number) => (r ? roundTo(v, r.px + 1) : v);
  const sz = (v: number) => (r ? roundTo(v, r.sz) : v);
  const bps = (v: number | null) => (r ? rn(v, BPS_DECIMALS) : v);
  const market: FillSignalSnapshot = r
    ? {
        ...signals,
        bookImbalance: rn(signals.bookImbalance, BPS_DECIMALS),
        tradeFlowImbalance: rn(signals.tradeFlowImbalance, BPS_DECIMALS),
        spreadBps: bps(signals.spreadBps),
        volatilityBps: bps(signals.volatilityBps),
        queueAheadEstimate: signals.queueAheadEstimate === null ? null : sz(signals.queueAheadEstimate),
        midAtPlacement: mid(signals.midAtPlacement),
      }
    : signals;
  // Strategy keys never overwrite the market snapshot's.
  const strategy = Object.fromEntries(Object.entries(extra.strategySignals ?? {}).filter(([k]) => !(k in market)));
  const line: JournalFillLine = {
    type: "fill",
    tid: fill.tid,
    asset: fill.asset,
    time: fill.time,
    side: fill.isBuy ? "buy" : "sell",
    price: px(fill.price),
    size: sz(fill.size),
    fee: r ? roundTo(fill.fee, USD_DECIMALS) : fill.fee,
    oid: fill.oid,
    cloid: fill.cloid,
    flag,
    midAtFill: mid(fill.midAtFill),
    quotedHalfSpreadBps: r ? roundTo(fill.quotedHalfSpreadBps, BPS_DECIMALS) : fill.quotedHalfSpreadBps,
    signals: { ...market, ...strategy },
    placementPrice: px(fill.placementPrice),
    crossed: fill.crossed,
  };
  if (extra.positionAfter !== undefined) line.positionAfter = sz(extra.positionAfter);
  if ("placedAt" in extra) line.orderAgeMs = extra.placedAt === undefined ? null : fill.time - extra.placedAt;
  if (extra.ctx !== undefined && Object.keys(extra.ctx).length > 0) line.ctx = extra.ctx;
  return line;
}

export function markoutLine(m: FillMarkouts, szDecimals?: number, incomplete?: "stale" | "shutdown"): JournalMarkoutLine {
  const r = rounding(szDecimals);
  const f = m.fill;
  const px = (v: number) => (r ? roundTo(v, r.px) : v);
  const mid = (v: number) => (r ? roundTo(v, r.px + 1) : v);
  const line: JournalMarkoutLine = {
    type: "markout",
    tid: f.tid,
    asset: f.asset,
    source: f.source,
    complete: m.complete,
    horizons: m.horizons.map((h) =>
      r ? { horizonMs: h.horizonMs, mid: h.mid === null ? null : mid(h.mid), markoutBps: rn(h.markoutBps, BPS_DECIMALS), adverseBps: rn(h.adverseBps, BPS_DECIMALS), complete: h.complete } : h,
    ),
    time: f.time,
    side: f.isBuy ? "buy" : "sell",
    price: px(f.price),
    size: r ? roundTo(f.size, r.sz) : f.size,
    midAtFill: mid(f.midAtFill),
    midAtPlacement: mid(f.midAtPlacement),
  };
  if (!m.complete) line.incomplete = incomplete ?? "stale";
  return line;
}

// ---------- header -----------------------------------------------------------------------------

/** What the caller (run / replay / soak) knows about the run and the service does not. */
export interface JournalRunInfo {
  /** live, paper, replay, soak, … */
  readonly mode: string;
  readonly account?: string | null;
  readonly seed?: number | string | null;
  readonly faults?: string | null;
  /** The recording replayed, relative to the package root (never an absolute path). */
  readonly recording?: string | null;
  /** What the run's report should say (e.g. "ETH is a synthetic market"). */
  readonly notes?: readonly string[];
}

let cachedVersion: string | undefined;
/** quoteflow's version from its package.json. */
export function packageVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  try {
    cachedVersion = String((JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version?: unknown }).version ?? "unknown");
  } catch {
    cachedVersion = "unknown";
  }
  return cachedVersion;
}

/** sha256 (first 16 hex) of the config's canonical JSON (keys sorted): two runs with one digest ran one config. */
export function configDigest(config: unknown): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canon) : v !== null && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])])) : v;
  return createHash("sha256").update(JSON.stringify(canon(config))).digest("hex").slice(0, 16);
}

export function headerLine(o: {
  readonly run: JournalRunInfo;
  readonly venue: string;
  readonly config: unknown;
  readonly startTime: number;
  readonly assets: readonly { readonly asset: string; readonly szDecimals: number; readonly maxPositionUsd?: number; readonly maxLossUsd?: number }[];
  readonly markoutHorizonsMs: readonly number[];
}): JournalHeaderLine {
  return {
    type: "header",
    format: JOURNAL_FORMAT,
    version: packageVersion(),
    mode: o.run.mode,
    venue: o.venue,
    account: o.run.account ?? null,
    configDigest: configDigest(o.config),
    seed: o.run.seed ?? null,
    faults: o.run.faults ?? null,
    startTime: o.startTime,
    startIso: new Date(o.startTime).toISOString(),
    recording: o.run.recording ?? null,
    ...(o.run.notes?.length ? { notes: [...o.run.notes] } : {}),
    assets: o.assets.map((a) => ({
      asset: a.asset,
      szDecimals: a.szDecimals,
      priceDecimals: priceDecimalsOf(a.szDecimals),
      ...(a.maxPositionUsd !== undefined ? { maxPositionUsd: a.maxPositionUsd } : {}),
      ...(a.maxLossUsd !== undefined ? { maxLossUsd: a.maxLossUsd } : {}),
    })),
    markoutHorizonsMs: [...o.markoutHorizonsMs],
  };
}

// ---------- the writer -------------------------------------------------------------------------

/** What a sample needs from the service, per asset. */
export interface SampleSource {
  readonly mid: number | undefined;
  readonly position: number;
  readonly pnl: number;
  readonly realized: number;
  readonly fees: number;
  readonly volumeUsd: number;
  readonly fills: number;
}

/** The service's streams the journal watches for its tallies and for flushing markouts at shutdown. */
export interface JournalFeeds {
  /** The sink's execution events (sent, result, failed, refused): order tallies and rejects by reason. */
  readonly actions$?: Observable<OrderTallyEvent>;
  /** The sink's own gates (OrderStale, KillSwitch). */
  readonly sinkGates$?: Observable<{ readonly asset: string; readonly reason: { readonly kind: string } | null }>;
  /** Mids (to complete markouts of fills still waiting when the run stops). */
  readonly mids$?: Observable<{ readonly asset: string; readonly time: number; readonly mid: number }>;
  /**
   * The venue's per-asset state (Hyperliquid `activeAssetCtx`: open interest, funding rate, mark and
   * oracle price), when the venue exposes it: the latest is written into each fill line's `ctx`.
   */
  readonly assetCtx$?: Observable<{ readonly asset: string } & AssetContext>;
  /** Funding payments (Hyperliquid `userFundings`), when the venue exposes them: one `funding` line each. */
  readonly fundings$?: Observable<{ readonly asset: string; readonly time: number; readonly usdc: number; readonly szi: number; readonly fundingRate: number }>;
}

interface PendingFill {
  readonly fill: FillEvent;
}

/** Mids kept per asset for the shutdown flush: enough for the longest horizon. */
const MID_HISTORY_MS = 70_000;
const MAX_MIDS = 50_000;

/**
 * Appends journal lines to `<dir>/fills-<stamp>.jsonl`. With `open`, it also keeps what the
 * report needs and the fill stream does not carry: quoting time by state, order tallies, and the
 * fills whose markouts are still open (flushed, incomplete, by `finish`).
 */
export class FillJournal {
  readonly path: string;
  private readonly stream: WriteStream;
  private lines = 0;
  private readonly decimals = new Map<string, number>();
  private readonly pending = new Map<string, PendingFill>();
  private readonly mids = new Map<string, { times: number[]; mids: number[] }>();
  private readonly ctx = new Map<string, AssetContext>();
  private horizons: readonly number[] = [];
  private now: () => number = () => 0;
  readonly orders = new OrderTally();
  quoting: QuotingClock | undefined;
  private finished = false;

  constructor(dir: string, stamp: string) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `fills-${stamp}.jsonl`);
    this.stream = createWriteStream(this.path, { flags: "a" });
  }

  get count(): number {
    return this.lines;
  }

  /** Write the header and start the tallies (time from `now`, the service's scheduler). */
  open(header: JournalHeaderLine, now: () => number): void {
    this.now = now;
    this.horizons = header.markoutHorizonsMs;
    for (const a of header.assets) this.decimals.set(a.asset, a.szDecimals);
    this.quoting = new QuotingClock(now);
    this.write(header);
  }

  /** Subscribe the tallies to the service's feeds; the returned subscription ends them. */
  watch(feeds: JournalFeeds, add: (s: Subscription) => void): void {
    if (feeds.actions$) add(feeds.actions$.subscribe((e) => this.orders.observe(e)));
    if (feeds.sinkGates$) add(feeds.sinkGates$.subscribe((g) => this.quoting?.sinkGate(g.asset, g.reason?.kind)));
    if (feeds.mids$) add(feeds.mids$.subscribe((m) => this.observeMid(m.asset, m.time, m.mid)));
    if (feeds.assetCtx$) add(feeds.assetCtx$.subscribe(({ asset, ...ctx }) => this.ctx.set(asset, ctx)));
    if (feeds.fundings$) add(feeds.fundings$.subscribe((f) => this.write({ type: "funding", asset: f.asset, time: f.time, usdc: roundTo(f.usdc, USD_DECIMALS), szi: f.szi, fundingRate: f.fundingRate })));
  }

  /** Every gated intent of every asset (quote uptime: two-sided, one-sided, gated by reason). */
  observeIntent(intent: QuoteIntent): void {
    this.quoting?.intent(intent);
  }

  /** The market is over (a replay's recording ended): quoting time stops here; marks, PnL and markouts go on. */
  marketEnded(): void {
    this.quoting?.freeze();
  }

  szDecimals(asset: string): number | undefined {
    return this.decimals.get(asset);
  }

  /** Journal a fill (rounded to the asset's tick and lot) and remember it until its markout line. */
  fill(fill: FillEvent, flag: string, signals: FillSignalSnapshot, extra: Omit<FillLineExtra, "szDecimals"> = {}): void {
    const sz = this.decimals.get(fill.asset);
    const ctx = extra.ctx ?? this.ctx.get(fill.asset);
    this.write(fillLine(fill, flag, signals, { ...extra, ...(sz !== undefined ? { szDecimals: sz } : {}), ...(ctx ? { ctx } : {}) }));
    this.pending.set(`${fill.asset}:${fill.tid}`, { fill });
  }

  markout(m: FillMarkouts): void {
    if (!this.pending.delete(`${m.fill.asset}:${m.fill.tid}`) && this.finished) return;
    this.write(markoutLine(m, this.decimals.get(m.fill.asset)));
  }

  private observeMid(asset: string, time: number, mid: number): void {
    let b = this.mids.get(asset);
    if (!b) this.mids.set(asset, (b = { times: [], mids: [] }));
    const last = b.times[b.times.length - 1];
    if (last !== undefined && time < last) return;
    b.times.push(time);
    b.mids.push(mid);
    // Keep the last MID_HISTORY_MS (and the mid just before it), at most MAX_MIDS.
    let drop = 0;
    while (drop < b.times.length - 1 && (b.times[drop + 1]! <= time - MID_HISTORY_MS || b.times.length - drop > MAX_MIDS)) drop++;
    if (drop > 256 || (drop > 0 && b.times.length < 512)) {
      b.times.splice(0, drop);
      b.mids.splice(0, drop);
    }
  }

  /** The markouts of a fill from the mids seen so far: horizons after the newest mid are provisional (incomplete). */
  private provisional(fill: FillEvent): FillMarkouts {
    const b = this.mids.get(fill.asset);
    const newest = b?.times[b.times.length - 1] ?? -Infinity;
    const midAt = (t: number): number | null => {
      if (!b) return null;
      let v: number | null = null;
      for (let i = b.times.length - 1; i >= 0; i--) {
        if (b.times[i]! <= t) {
          v = b.mids[i]!;
          break;
        }
      }
      return v;
    };
    const side = fill.isBuy ? 1 : -1;
    const horizons = (this.horizons.length ? this.horizons : STANDARD_HORIZONS_MS).map((h) => {
      const mid = midAt(fill.time + h);
      const bps = (ref: number) => (mid === null ? null : (side * (mid - ref)) / ref * 1e4);
      const markoutBps = bps(fill.price);
      const adverseBps = bps(fill.midAtPlacement);
      return {
        horizonMs: h,
        mid,
        markoutBps: markoutBps !== null && Number.isFinite(markoutBps) ? markoutBps : null,
        adverseBps: adverseBps !== null && Number.isFinite(adverseBps) ? adverseBps : null,
        complete: mid !== null && newest > fill.time + h,
      };
    });
    return { fill, horizons, complete: horizons.every((h) => h.complete) };
  }

  /** A `sample` line: marks, positions, PnL, and the cumulative tallies. */
  sample(assets: Readonly<Record<string, SampleSource>>, quota: Readonly<Record<string, number>>, type: "sample" | "summary" = "sample"): void {
    this.write(this.sampleLine(assets, quota, type));
  }

  private sampleLine(assets: Readonly<Record<string, SampleSource>>, quota: Readonly<Record<string, number>>, type: "sample" | "summary"): JournalSampleLine {
    const out: Record<string, SampleAsset> = {};
    for (const [asset, s] of Object.entries(assets)) {
      const r = rounding(this.decimals.get(asset));
      out[asset] = {
        mid: s.mid === undefined ? null : r ? roundTo(s.mid, r.px + 1) : s.mid,
        position: r ? roundTo(s.position, r.sz) : s.position,
        pnl: roundTo(s.pnl, USD_DECIMALS),
        realized: roundTo(s.realized, USD_DECIMALS),
        fees: roundTo(s.fees, USD_DECIMALS),
        volumeUsd: roundTo(s.volumeUsd, USD_DECIMALS),
        fills: s.fills,
      };
    }
    return {
      type,
      time: this.now(),
      assets: out,
      quota: Object.fromEntries(Object.entries(quota).map(([k, v]) => [k, roundTo(v, 6)])),
      orders: this.orders.snapshot(),
      quoting: this.quoting?.snapshot() ?? {},
    };
  }

  /**
   * The run is stopping: journal the fills still waiting for a horizon (markouts from the mids
   * seen so far, marked incomplete: `incomplete: "shutdown"`), then a `summary` line.
   */
  finish(assets: Readonly<Record<string, SampleSource>>, quota: Readonly<Record<string, number>>): void {
    if (this.finished) return;
    this.finished = true;
    let flushed = 0;
    for (const { fill } of this.pending.values()) {
      const m = this.provisional(fill);
      this.write(markoutLine(m, this.decimals.get(fill.asset), m.complete ? undefined : "shutdown"));
      flushed++;
    }
    this.pending.clear();
    const line = this.sampleLine(assets, quota, "summary");
    line.flushedMarkouts = flushed;
    line.lines = this.lines + 1;
    this.write(line);
  }

  write(line: JournalLine): void {
    this.lines++;
    this.stream.write(scrubSecrets(JSON.stringify(line)) + "\n");
  }

  /** Flush and close; resolves when every line is on disk. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
  }
}

/** A file-name-safe wall-clock stamp: 20261126-004512. */
export function fileStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
}
