// Builders of the journal's lines: a fill (rounded to the asset's tick and lot, with the market
// snapshot), a markout, the run's header.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FillEvent, FillMarkouts } from "../streams/fill.js";
import { packageRoot } from "../sources/paths.js";
import {
  type AssetContext,
  BPS_DECIMALS,
  type FillSignalSnapshot,
  JOURNAL_FORMAT,
  type JournalFillLine,
  type JournalHeaderLine,
  type JournalMarkoutLine,
  type StrategySignals,
  USD_DECIMALS,
  priceDecimalsOf,
  rn,
  roundTo,
  rounding,
} from "./journalFormat.js";

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
  /** The session's CLOID prefix (16 hex digits). */
  readonly cloidSeed?: string;
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
    ...(o.cloidSeed !== undefined ? { cloidSeed: o.cloidSeed } : {}),
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
