// The fill journal's writer: JSONL, one JSON object per line, `type` first. A `header` line with the run's
// metadata, one `fill` line per fill (with the market at fill time), a self-contained `markout`
// line per fill once its horizons are known (or at shutdown, marked incomplete), periodic `sample`
// lines (marks, positions, PnL, cumulative order and quoting tallies) and a closing `summary`.
// The report (`quoteflow report`) and anyone's notebook read it back with the codecs in
// `journalFormat.ts` (re-exported here); the README's "Fill journal" section documents every field.
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import type { Observable, Subscription } from "rxjs";
import type { FillEvent, FillMarkouts, VenueFill } from "../streams/fill.js";
import type { QuoteIntent } from "../streams/intent.js";
import { scrubSecrets } from "../app/logger.js";
import { OrderTally, QuotingClock, type OrderTallyEvent } from "./tally.js";
import {
  type AssetContext,
  type FillSignalSnapshot,
  type JournalHeaderLine,
  type JournalLine,
  type JournalSampleLine,
  type SampleAsset,
  STANDARD_HORIZONS_MS,
  USD_DECIMALS,
  roundTo,
  rounding,
} from "./journalFormat.js";
import { type FillLineExtra, fillLine, markoutLine } from "./journalLines.js";
import { type JournalHistory, fillKey } from "./journalHistory.js";

export * from "./journalFormat.js";
export * from "./journalLines.js";
export { SignalTracker } from "./journalSignals.js";
export * from "./journalHistory.js";

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
  /** Every fill journaled on the account (earlier sessions' from the history, then this one's), as `asset:tid`. */
  private readonly journaled: Set<string>;
  /** Fills not written because a line for them exists already (and their markouts, dropped with them). */
  private readonly skipped = new Set<string>();
  /** Fills offered twice (this session or an earlier one journaled them): not written again. */
  duplicatesSkipped = 0;
  /** Recovered fills written (made while no session ran, or before this one started). */
  recoveredFills = 0;

  /** @param history what earlier sessions of the account journaled: a fill among it is not written again. */
  constructor(dir: string, stamp: string, history?: Pick<JournalHistory, "fills">) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `fills-${stamp}.jsonl`);
    this.stream = createWriteStream(this.path, { flags: "a" });
    this.journaled = new Set(history?.fills ?? []);
  }

  /** A line for this fill exists (this session's or an earlier one's). */
  hasFill(asset: string, tid: number): boolean {
    return this.journaled.has(fillKey(asset, tid));
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
  fill(fill: FillEvent, flag: string, signals: FillSignalSnapshot, extra: Omit<FillLineExtra, "szDecimals"> = {}): boolean {
    const key = fillKey(fill.asset, fill.tid);
    if (this.journaled.has(key)) {
      this.duplicatesSkipped++;
      this.skipped.add(key);
      return false;
    }
    this.journaled.add(key);
    const sz = this.decimals.get(fill.asset);
    const ctx = extra.ctx ?? this.ctx.get(fill.asset);
    this.write(fillLine(fill, flag, signals, { ...extra, ...(sz !== undefined ? { szDecimals: sz } : {}), ...(ctx ? { ctx } : {}) }));
    this.pending.set(key, { fill });
    return true;
  }

  /**
   * Journal a fill the venue made while no session of the account ran (or before this one started),
   * found by the start's recovery: marked `recovered: true`, flag `recovered`, the market fields
   * the fill's own price (no snapshot exists), no markout. False when a line for it exists already.
   */
  recovered(fill: VenueFill): boolean {
    const key = fillKey(fill.asset, fill.tid);
    if (this.journaled.has(key)) {
      this.duplicatesSkipped++;
      return false;
    }
    this.journaled.add(key);
    const event: FillEvent = { ...fill, midAtFill: fill.price, placementPrice: fill.price, midAtPlacement: fill.price, quotedHalfSpreadBps: 0, source: "unmatched" };
    const signals: FillSignalSnapshot = { bookImbalance: null, tradeFlowImbalance: null, spreadBps: null, volatilityBps: null, closedGates: [], queueAheadEstimate: null, source: "unmatched", midAtPlacement: fill.price };
    const sz = this.decimals.get(fill.asset);
    const line = fillLine(event, "recovered", signals, sz !== undefined ? { szDecimals: sz } : {});
    line.recovered = true;
    this.write(line);
    this.recoveredFills++;
    return true;
  }

  markout(m: FillMarkouts): void {
    if (this.skipped.has(fillKey(m.fill.asset, m.fill.tid))) return;
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
