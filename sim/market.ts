// Market inputs of the simulator: a time-ordered stream of book snapshots, trades and
// reference-venue quotes, opened fresh for each run. Replay of recordings (the caller reads the
// files with sources/recordings and passes domain events in) or a synthetic market.
import type { BookEvent, ReferenceQuote, TradeEvent } from "../streams/market.js";
import { SimRng } from "./prng.js";
import { inferTakerFlow, type SimTakerFlowOptions } from "./takerFlow.js";

export type SimMarketEvent =
  | { readonly kind: "book"; readonly book: BookEvent }
  | { readonly kind: "trade"; readonly trade: TradeEvent }
  | { readonly kind: "ref"; readonly quote: ReferenceQuote };

export interface SimMarketAsset {
  readonly name: string;
  readonly szDecimals?: number;
}

export interface SimMarket {
  readonly kind: "replay" | "synthetic";
  readonly assets: readonly SimMarketAsset[];
  /**
   * Every event `open` yields is a new object (its payload too) that the market keeps no reference
   * to, so the pump may restamp its time in place instead of copying it (a recording's events are
   * yielded again on every loop and every open: not fresh). Default false.
   */
  readonly freshEvents?: boolean;
  /** Events in time order. `startTime` is the exchange clock at opening (synthetic markets start there). */
  open(startTime: number): Iterator<SimMarketEvent>;
}

export function simEventTime(e: SimMarketEvent): number {
  return e.kind === "book" ? e.book.time : e.kind === "trade" ? e.trade.time : e.quote.time;
}

// At one timestamp: reference first (it leads), then trades, then the book that shows their result.
const RANK: Record<SimMarketEvent["kind"], number> = { ref: 0, trade: 1, book: 2 };

/** Merge inputs into one time-ordered array (stable within a kind). */
export function simMergeEvents(input: {
  readonly books?: readonly BookEvent[];
  readonly trades?: readonly TradeEvent[];
  readonly refs?: readonly ReferenceQuote[];
}): SimMarketEvent[] {
  const events: SimMarketEvent[] = [];
  for (const quote of input.refs ?? []) events.push({ kind: "ref", quote });
  for (const trade of input.trades ?? []) events.push({ kind: "trade", trade });
  for (const book of input.books ?? []) events.push({ kind: "book", book });
  const idx = new Map<SimMarketEvent, number>();
  events.forEach((e, i) => idx.set(e, i));
  events.sort((a, b) => simEventTime(a) - simEventTime(b) || RANK[a.kind] - RANK[b.kind] || idx.get(a)! - idx.get(b)!);
  return events;
}

export interface ReplayMarketOptions {
  /** Start again from the beginning when the recording ends (times shifted to continue). Default false. */
  readonly loop?: boolean;
  /** szDecimals per asset name, when not in the cassette universe. */
  readonly szDecimals?: Readonly<Record<string, number>>;
  /**
   * For assets that have books but no trades (the S3 archive): infer taker flow (sim/takerFlow.ts).
   * `true` uses the defaults; an object overrides knobs. Default: infer when an asset has no trades.
   */
  readonly inferTakers?: boolean | Partial<SimTakerFlowOptions>;
  /** Seed for the inferred flow. Default 1. */
  readonly seed?: number | string;
}

/**
 * Replay recorded events. Exchange time drives the clock: the exchange schedules each event at
 * its recorded time relative to the first one (see PaperExchange's clock offset).
 */
export function replayMarket(
  input: {
    readonly books?: readonly BookEvent[];
    readonly trades?: readonly TradeEvent[];
    readonly refs?: readonly ReferenceQuote[];
  },
  options: ReplayMarketOptions = {},
): SimMarket {
  const inferred: TradeEvent[] = [];
  if (options.inferTakers !== false) {
    const traded = new Set((input.trades ?? []).map((t) => t.asset));
    const byAsset = new Map<string, BookEvent[]>();
    for (const b of input.books ?? []) {
      if (traded.has(b.asset)) continue;
      const list = byAsset.get(b.asset);
      if (list) list.push(b);
      else byAsset.set(b.asset, [b]);
    }
    for (const [asset, books] of byAsset) {
      const knobs = typeof options.inferTakers === "object" ? options.inferTakers : {};
      const sd = options.szDecimals?.[asset];
      inferred.push(...inferTakerFlow(books, new SimRng(options.seed ?? 1, `takers.${asset}`), sd === undefined ? knobs : { szDecimals: sd, ...knobs }));
    }
  }
  const events = simMergeEvents({ ...input, trades: [...(input.trades ?? []), ...inferred] });
  const names = new Set<string>();
  for (const e of events) names.add(e.kind === "book" ? e.book.asset : e.kind === "trade" ? e.trade.asset : e.quote.asset);
  const assets = [...names].map((name) => {
    const sd = options.szDecimals?.[name];
    return sd === undefined ? { name } : { name, szDecimals: sd };
  });
  const first = events[0] ? simEventTime(events[0]) : 0;
  const last = events.length > 0 ? simEventTime(events[events.length - 1]!) : 0;
  const span = last - first + 1_000;
  return {
    kind: "replay",
    assets,
    open(): Iterator<SimMarketEvent> {
      let i = 0;
      let shift = 0;
      return {
        next(): IteratorResult<SimMarketEvent> {
          if (i >= events.length) {
            if (!options.loop || events.length === 0) return { done: true, value: undefined };
            i = 0;
            shift += span;
          }
          const e = events[i++]!;
          return { done: false, value: shift === 0 ? e : shiftEvent(e, shift) };
        },
      };
    },
  };
}

function shiftEvent(e: SimMarketEvent, dt: number): SimMarketEvent {
  switch (e.kind) {
    case "book":
      return { kind: "book", book: { ...e.book, time: e.book.time + dt } };
    case "trade":
      return { kind: "trade", trade: { ...e.trade, time: e.trade.time + dt } };
    case "ref":
      return { kind: "ref", quote: { ...e.quote, time: e.quote.time + dt } };
  }
}
