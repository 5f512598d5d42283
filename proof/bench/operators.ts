// ns/event of the market-data gate chain `dedupTid → dataQualityGate → staleGate → crossedBookGate`
// as RxJS operators, beside the same logic as one hand-written loop, over the same ≥ 1M books; and
// `dedupTid` alone beside a hand-written ring buffer + Set loop over the same books.
//
// Time is the process's CPU time (process.cpuUsage: user + system, GC threads included), not the
// wall clock: the machine is shared, and a descheduled process's wall time is noise in both sides.
//
// Harness (identical work on both sides): the book feed is the product's feed subject
// (streams/fanout's FanoutSubject, what the service's books$ and the paper venue's feed are) and the
// share is the product's shareFanout (what app/pipeline shares stages with); deduped and quality-checked
// books are shared to three consumers — staleGate's data$, crossedBookGate's book$, and a `map`
// that derives one quote intent per book (the quoter's stand-in) — and the gated intents land in
// a sink that sums a checksum. The loop does the same checks, keeps the same state, allocates
// the same intent per book, and must produce the same count and checksum.
import { Observable, Subject, asyncScheduler, filter, map, type MonoTypeOperatorFunction, type SchedulerAction, type SchedulerLike, type Subscription } from "rxjs";
import { crossedBookGate } from "../../operators/crossedBookGate.js";
import { dataQualityGate } from "../../operators/dataQualityGate.js";
import { dedupTid } from "../../operators/dedupTid.js";
import { staleGate } from "../../operators/staleGate.js";
import type { BookEvent, BookLevel } from "../../streams/market.js";
import type { QuoteIntent } from "../../streams/intent.js";
import type { BenchRow } from "./table.js";
import { SimRng } from "../../sim/prng.js";
import { FanoutSubject, shareFanout } from "../../streams/fanout.js";

const EVENTS = 1_000_000;
const LEVELS = 20; // Hyperliquid l2Book: up to 20 levels a side
const POOL = 4_096;
const MAX_AGE_MS = 10_000;
const DEDUP_CAPACITY = 10_000;
const MAX_DEVIATION = 0.2;
const REF_MAX_AGE_MS = 10_000;

/** A deterministic random source (the paper venue's mulberry32) so every run sees the same stream. */
function prng(seed: number): () => number {
  const rng = new SimRng(seed);
  return () => rng.next();
}

interface Side {
  readonly bids: BookLevel[];
  readonly asks: BookLevel[];
}

/**
 * A BTC-like book stream: mid on a small random walk, 20 levels a side at one tick apart, pushes
 * every ~80 ms with jitter, and the faults the chain exists for: ~1% replays of earlier books
 * (reconnect), ~0.1% bad levels, ~0.05% timestamp regressions, ~0.2% crossed/locked tops, ~0.05%
 * empty sides. Level arrays come from a pool so 1M books fit in memory.
 */
export function syntheticBooks(n: number, seed = 7): BookEvent[] {
  const rnd = prng(seed);
  const tick = 1;
  const sides: Side[] = [];
  let mid = 97_000;
  for (let i = 0; i < POOL; i++) {
    mid += (rnd() - 0.5) * 4;
    const bestBid = Math.round(mid - tick / 2 - Math.floor(rnd() * 2));
    const bestAsk = bestBid + tick + Math.floor(rnd() * 2);
    const bids: BookLevel[] = [];
    const asks: BookLevel[] = [];
    for (let l = 0; l < LEVELS; l++) {
      bids.push({ px: bestBid - l * tick, sz: Math.round((0.01 + rnd() * 3) * 1e5) / 1e5, n: 1 + Math.floor(rnd() * 12) });
      asks.push({ px: bestAsk + l * tick, sz: Math.round((0.01 + rnd() * 3) * 1e5) / 1e5, n: 1 + Math.floor(rnd() * 12) });
    }
    sides.push({ bids, asks });
  }
  const base = sides[0]!;
  const crossed: Side = { bids: base.asks.map((l) => ({ ...l, px: l.px + 2 })), asks: base.asks };
  const badLevel: Side = { bids: [...base.bids.slice(0, 5), { px: Number.NaN, sz: 1, n: 1 }], asks: base.asks };
  const emptyAsk: Side = { bids: base.bids, asks: [] };

  const out: BookEvent[] = [];
  let time = 1_764_000_000_000;
  let seq = 1;
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.01 && out.length > 50) {
      // a replayed earlier book (same seq): dedup must drop it
      out.push(out[out.length - 1 - Math.floor(rnd() * 50)]!);
      continue;
    }
    time += 40 + Math.floor(rnd() * 80);
    let side = sides[Math.floor(i / 3) % POOL]!;
    let t = time;
    if (r < 0.011) side = badLevel;
    else if (r < 0.0115) t = time - 5_000;
    else if (r < 0.0135) side = crossed;
    else if (r < 0.014) side = emptyAsk;
    out.push({ asset: "BTC", time: t, seq: seq++, bids: side.bids, asks: side.asks });
  }
  return out;
}

/** The quoter's stand-in: one intent per book, a level inside the spread on each side. */
function deriveIntent(book: BookEvent): QuoteIntent {
  const bid = book.bids[0];
  const ask = book.asks[0];
  return {
    asset: book.asset,
    time: book.time,
    bids: bid === undefined ? [] : [{ px: bid.px, sz: 0.01, source: "base_ladder" }],
    asks: ask === undefined ? [] : [{ px: ask.px, sz: 0.01, source: "base_ladder" }],
  };
}

interface Outcome {
  readonly ns: number;
  readonly count: number;
  readonly checksum: number;
}

/** CPU time of this process so far, in ms. */
function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/** A scheduler whose clock is the harness's: "now" is the arrival time of the current book. */
class FeedClock implements SchedulerLike {
  t = 0;
  now(): number {
    return this.t;
  }
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
    return asyncScheduler.schedule(work, delay, state);
  }
}

export function runOperators(events: readonly BookEvent[]): Outcome {
  const clock = new FeedClock();
  const feed = new FanoutSubject<BookEvent>();
  const clean$ = feed.pipe(
    dedupTid<BookEvent>({ capacity: DEDUP_CAPACITY, key: (b) => b.seq ?? b.time }),
    dataQualityGate({ maxDeviationFromMid: MAX_DEVIATION, referenceMaxAgeMs: REF_MAX_AGE_MS }),
    shareFanout(),
  );
  const gated$ = clean$.pipe(map(deriveIntent), staleGate(clean$, { maxAgeMs: MAX_AGE_MS }, clock), crossedBookGate(clean$));
  let count = 0;
  let checksum = 0;
  const sub = gated$.subscribe((intent) => {
    count++;
    checksum += intent.time % 1_000 + intent.bids.length;
  });
  const t0 = cpuMs();
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    clock.t = ev.time < clock.t ? clock.t : ev.time;
    feed.next(ev);
  }
  const t1 = cpuMs();
  feed.complete();
  sub.unsubscribe();
  return { ns: ((t1 - t0) * 1e6) / events.length, count, checksum };
}

/** A gate's skeleton: subscribes its control stream (ignored) first, then forwards the intents. */
function passGate<C>(control$: Observable<C>): MonoTypeOperatorFunction<QuoteIntent> {
  return (source) =>
    new Observable<QuoteIntent>((subscriber) => {
      const c = control$.subscribe({ next: () => undefined, error: (e: unknown) => subscriber.error(e) });
      const s = source.subscribe({ next: (v) => subscriber.next(v), error: (e: unknown) => subscriber.error(e), complete: () => subscriber.complete() });
      return () => {
        s.unsubscribe();
        c.unsubscribe();
      };
    });
}

/**
 * The RxJS skeleton of the chain: the same feed, subscriptions, share and intent derivation, with
 * every one of our operators replaced by a pass-through (two `filter(() => true)`, two gates
 * that forward). What it costs beyond the hand loop is the framework's, not our operators'.
 */
export function runSkeleton(events: readonly BookEvent[]): Outcome {
  const feed = new FanoutSubject<BookEvent>();
  const clean$ = feed.pipe(
    filter(() => true),
    filter(() => true),
    shareFanout(),
  );
  const gated$ = clean$.pipe(map(deriveIntent), passGate(clean$), passGate(clean$));
  let count = 0;
  let checksum = 0;
  const sub = gated$.subscribe((intent) => {
    count++;
    checksum += intent.time % 1_000 + intent.bids.length;
  });
  const t0 = cpuMs();
  for (let i = 0; i < events.length; i++) feed.next(events[i]!);
  const t1 = cpuMs();
  feed.complete();
  sub.unsubscribe();
  return { ns: ((t1 - t0) * 1e6) / events.length, count, checksum };
}

function badLevels(levels: readonly BookLevel[]): boolean {
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    if (!(l.px > 0) || l.px === Infinity || !(l.sz > 0) || l.sz === Infinity) return true;
  }
  return false;
}

export function runLoop(events: readonly BookEvent[]): Outcome {
  // dedup
  const ring: number[] = new Array<number>(DEDUP_CAPACITY);
  const seen = new Set<number>();
  let ringNext = 0;
  let ringSize = 0;
  // data quality (one asset)
  let lastTime = -Infinity;
  let lastSeq: number | undefined;
  let selfMid = Number.NaN;
  let selfMidTime = -Infinity;
  // stale gate
  let staleOpen = false;
  let staleUnannounced = true;
  let latestForStale: QuoteIntent | undefined;
  let staleAsset: string | undefined;
  // crossed gate
  let crossOpen = false;
  let crossUnannounced = true;
  let latestForCross: QuoteIntent | undefined;
  let crossAsset: string | undefined;
  let now = 0;
  let count = 0;
  let checksum = 0;
  const sink = (intent: QuoteIntent): void => {
    count++;
    checksum += intent.time % 1_000 + intent.bids.length;
  };
  const crossedIn = (intent: QuoteIntent): void => {
    latestForCross = intent;
    crossAsset = intent.asset;
    if (crossOpen) sink(intent);
    else if (crossUnannounced) {
      crossUnannounced = false;
      sink({ asset: intent.asset, time: intent.time, bids: [], asks: [], reason: { kind: "NoDataReceived" } });
    }
  };

  const t0 = cpuMs();
  for (let i = 0; i < events.length; i++) {
    const book = events[i]!;
    now = book.time < now ? now : book.time;
    // dedupTid
    const key = book.seq ?? book.time;
    if (seen.has(key)) continue;
    if (ringSize === DEDUP_CAPACITY) seen.delete(ring[ringNext]!);
    else ringSize++;
    ring[ringNext] = key;
    ringNext = ringNext + 1 === DEDUP_CAPACITY ? 0 : ringNext + 1;
    seen.add(key);
    // dataQualityGate
    if (badLevels(book.bids) || badLevels(book.asks)) continue;
    if (!(book.time >= lastTime)) continue;
    const seq = book.seq;
    if (seq !== undefined && lastSeq !== undefined) {
      if (seq <= lastSeq) continue;
      if (seq !== lastSeq + 1) {
        lastSeq = seq;
        continue;
      }
    }
    const bid = book.bids[0];
    const ask = book.asks[0];
    if (book.time - selfMidTime <= REF_MAX_AGE_MS) {
      const limit = selfMid * MAX_DEVIATION;
      if ((bid !== undefined && Math.abs(bid.px - selfMid) > limit) || (ask !== undefined && Math.abs(ask.px - selfMid) > limit)) continue;
    }
    lastTime = book.time;
    if (seq !== undefined) lastSeq = seq;
    if (bid !== undefined && ask !== undefined) {
      selfMid = (bid.px + ask.px) / 2;
      selfMidTime = book.time;
    }
    // crossedBookGate's book$ (subscribed first)
    const why =
      bid === undefined
        ? { kind: "EmptyBookSide" as const, side: "bid" as const }
        : ask === undefined
          ? { kind: "EmptyBookSide" as const, side: "ask" as const }
          : bid.px >= ask.px
            ? { kind: "CrossedBook" as const, bestBid: bid.px, bestAsk: ask.px }
            : undefined;
    if (why === undefined) {
      if (!crossOpen) {
        crossOpen = true;
        crossUnannounced = false;
        if (latestForCross !== undefined) sink(latestForCross);
      }
    } else if (crossOpen || crossUnannounced) {
      crossOpen = false;
      crossUnannounced = false;
      sink({ asset: crossAsset ?? book.asset, time: book.time, bids: [], asks: [], reason: why });
    }
    // staleGate's data$
    if (now - book.time >= MAX_AGE_MS) {
      if (staleOpen) {
        staleOpen = false;
        if (staleAsset !== undefined) crossedIn({ asset: staleAsset, time: now, bids: [], asks: [], reason: { kind: "StaleData", ageMs: now - book.time, thresholdMs: MAX_AGE_MS } });
      }
    } else if (!staleOpen) {
      staleOpen = true;
      staleUnannounced = false;
      if (latestForStale !== undefined) crossedIn(latestForStale);
    }
    // the intent, through staleGate then crossedBookGate
    const intent = deriveIntent(book);
    latestForStale = intent;
    staleAsset = intent.asset;
    if (staleOpen) crossedIn(intent);
    else if (staleUnannounced) {
      staleUnannounced = false;
      crossedIn({ asset: intent.asset, time: now, bids: [], asks: [], reason: { kind: "NoDataReceived" } });
    }
  }
  const t1 = cpuMs();
  return { ns: ((t1 - t0) * 1e6) / events.length, count, checksum };
}

const bookKey = (b: BookEvent): number => b.seq ?? b.time;

/** `dedupTid` alone: the book feed (the product's FanoutSubject) → dedupTid → a checksum sink. */
export function runDedup(events: readonly BookEvent[]): Outcome {
  const feed = new FanoutSubject<BookEvent>();
  let count = 0;
  let checksum = 0;
  const sub = feed.pipe(dedupTid<BookEvent>({ capacity: DEDUP_CAPACITY, key: bookKey })).subscribe((b) => {
    count++;
    checksum += b.time % 1_000;
  });
  const t0 = cpuMs();
  for (let i = 0; i < events.length; i++) feed.next(events[i]!);
  const t1 = cpuMs();
  feed.complete();
  sub.unsubscribe();
  return { ns: ((t1 - t0) * 1e6) / events.length, count, checksum };
}

/** The feed alone: the feed subject (the product's FanoutSubject, or RxJS's own Subject) straight into the checksum sink. */
export function runFeed(events: readonly BookEvent[], feed: Subject<BookEvent> = new FanoutSubject<BookEvent>()): Outcome {
  let count = 0;
  let checksum = 0;
  const sub = feed.subscribe((b) => {
    count++;
    checksum += b.time % 1_000;
  });
  const t0 = cpuMs();
  for (let i = 0; i < events.length; i++) feed.next(events[i]!);
  const t1 = cpuMs();
  sub.unsubscribe();
  return { ns: ((t1 - t0) * 1e6) / events.length, count, checksum };
}

/** The same FIFO dedup as a hand loop: a ring buffer of keys + a Set, the same key function and sink. */
export function runDedupLoop(events: readonly BookEvent[]): Outcome {
  const ring: number[] = new Array<number>(DEDUP_CAPACITY);
  const seen = new Set<number>();
  let next = 0;
  let size = 0;
  let count = 0;
  let checksum = 0;
  const sink = (b: BookEvent): void => {
    count++;
    checksum += b.time % 1_000;
  };
  const t0 = cpuMs();
  for (let i = 0; i < events.length; i++) {
    const book = events[i]!;
    const key = bookKey(book);
    if (seen.has(key)) continue;
    if (size === DEDUP_CAPACITY) seen.delete(ring[next]!);
    else size++;
    ring[next] = key;
    next = next + 1 === DEDUP_CAPACITY ? 0 : next + 1;
    seen.add(key);
    sink(book);
  }
  const t1 = cpuMs();
  return { ns: ((t1 - t0) * 1e6) / events.length, count, checksum };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Warm both up, then `rounds` rounds over all the events, alternating which side goes first; the
 * ratio is the median of the per-round ratios (robust when other processes share the CPU), the
 * ns figures are the medians of each side. Both sides must agree on count and checksum.
 */
function paired(
  what: string,
  events: readonly BookEvent[],
  rx: (e: readonly BookEvent[]) => Outcome,
  loop: (e: readonly BookEvent[]) => Outcome,
  rounds: number,
): { rx: number; loop: number; ratio: number; count: number } {
  const warm = events.slice(0, 200_000);
  for (let i = 0; i < 3; i++) {
    rx(warm);
    loop(warm);
  }
  const rxs: number[] = [];
  const loops: number[] = [];
  const ratios: number[] = [];
  let count = 0;
  for (let i = 0; i < rounds; i++) {
    const first = i % 2 === 0 ? rx(events) : loop(events);
    const second = i % 2 === 0 ? loop(events) : rx(events);
    const [a, b] = i % 2 === 0 ? [first, second] : [second, first];
    if (a.count !== b.count || a.checksum !== b.checksum) {
      throw new Error(`bench/operators: ${what}: operators and loop disagree (count ${a.count} vs ${b.count}, checksum ${a.checksum} vs ${b.checksum})`);
    }
    count = a.count;
    rxs.push(a.ns);
    loops.push(b.ns);
    ratios.push(a.ns / b.ns);
  }
  return { rx: median(rxs), loop: median(loops), ratio: median(ratios), count };
}

export async function run(): Promise<BenchRow[]> {
  const ROUNDS = 9;
  const events = syntheticBooks(EVENTS);
  const chain = paired("gate chain", events, runOperators, runLoop, ROUNDS);
  const dedup = paired("dedupTid", events, runDedup, runDedupLoop, ROUNDS);
  const skeletonNs: number[] = [];
  const feedNs: number[] = [];
  const rxFeedNs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    skeletonNs.push(runSkeleton(events).ns);
    feedNs.push(runFeed(events).ns);
    rxFeedNs.push(runFeed(events, new Subject<BookEvent>()).ns);
  }
  const skeleton = median(skeletonNs);
  const feedOnly = median(feedNs);
  const rxFeedOnly = median(rxFeedNs);
  return [
    {
      name: `gate chain dedupTid→dataQualityGate→staleGate→crossedBookGate (${(EVENTS / 1e6).toFixed(0)}M books → ${chain.count} intents; CPU time)`,
      value: chain.rx,
      unit: "ns/event",
      baseline: { name: "same logic, hand-written loop", value: chain.loop, unit: "ns/event" },
      ratio: chain.ratio,
      ratioLabel: `median of ${ROUNDS} paired rounds`,
      goal: "≤ 1.5",
      met: chain.ratio <= 1.5,
    },
    {
      name: "the chain's RxJS skeleton: same feed, subscriptions, share and intents, our operators replaced by pass-throughs",
      value: skeleton,
      unit: "ns/event",
      baseline: { name: "the chain's cost over the hand loop (above)", value: chain.rx - chain.loop, unit: "ns/event" },
      ratio: skeleton / (chain.rx - chain.loop),
      ratioLabel: "skeleton / gap; the skeleton also pays the loop's iteration and intent allocation",
    },
    {
      name: `dedupTid alone, capacity ${DEDUP_CAPACITY} (${(EVENTS / 1e6).toFixed(0)}M books, ~1% replays → ${dedup.count} passed; CPU time)`,
      value: dedup.rx,
      unit: "ns/event",
      baseline: { name: "ring buffer + Set, hand-written loop", value: dedup.loop, unit: "ns/event" },
      ratio: dedup.ratio,
      ratioLabel: `median of ${ROUNDS} paired rounds`,
      goal: "≤ 1.5",
      met: dedup.ratio <= 1.5,
    },
    {
      name: "the feed alone: the product's FanoutSubject → subscriber, nothing between (what the dedupTid row pays before dedupTid)",
      value: feedOnly,
      unit: "ns/event",
      baseline: { name: "dedupTid's cost over the hand loop (above)", value: dedup.rx - dedup.loop, unit: "ns/event" },
    },
    {
      name: "the same feed through RxJS's own Subject (what the rows above paid per book before the product's feeds became FanoutSubjects)",
      value: rxFeedOnly,
      unit: "ns/event",
      baseline: { name: "the FanoutSubject feed (above)", value: feedOnly, unit: "ns/event" },
      ratio: rxFeedOnly / feedOnly,
      ratioLabel: "× the FanoutSubject feed",
    },
  ];
}
