import { Observable, type MonoTypeOperatorFunction, type SchedulerLike, type Subscription, asyncScheduler } from "rxjs";
import type { BookEvent, BookLevel, MidEvent } from "../streams/market.js";
import { SourceSubscriber } from "../streams/sourceSubscriber.js";

/** Why `dataQualityGate` dropped a book. */
export type DataQualityRejectReason =
  | "BadPrice"
  | "BadSize"
  | "TimestampRegression"
  | "SequenceGap"
  | "SequenceRegression"
  | "FarFromReference"
  | "FutureTimestamp";

export const DATA_QUALITY_REJECT_REASONS: readonly DataQualityRejectReason[] = [
  "BadPrice",
  "BadSize",
  "TimestampRegression",
  "SequenceGap",
  "SequenceRegression",
  "FarFromReference",
  "FutureTimestamp",
];

/** Caller-owned counters: the gate increments them, metrics read them whenever they like. */
export interface DataQualityStats {
  accepted: number;
  rejected: number;
  readonly byReason: Record<DataQualityRejectReason, number>;
}

export function createDataQualityStats(): DataQualityStats {
  return {
    accepted: 0,
    rejected: 0,
    byReason: { BadPrice: 0, BadSize: 0, TimestampRegression: 0, SequenceGap: 0, SequenceRegression: 0, FarFromReference: 0, FutureTimestamp: 0 },
  };
}

export interface DataQualityGateOptions {
  /** Largest accepted |best price − reference mid| / reference mid. Default 0.2 (20%). */
  readonly maxDeviationFromMid?: number;
  /**
   * Reference mids (e.g. Binance or allMids), matched to books by `asset`. Without it (or before
   * it has a fresh value) the reference is the mid of the last accepted book of the same asset.
   */
  readonly reference?: Observable<MidEvent>;
  /** A reference older than this, by data time against the book's `time`, is not used. Default 10,000 ms. */
  readonly referenceMaxAgeMs?: number;
  /**
   * Largest accepted lead of a book's `time` over the local clock (`scheduler.now()`), ms. A book
   * stamped further ahead is dropped (`FutureTimestamp`) and never becomes the asset's "latest":
   * otherwise one book stamped an hour ahead makes every true book after it a timestamp regression
   * and freezes the asset. Default: no bound (the registry's `dataQualityGate` sets 5000).
   */
  readonly maxClockSkewMs?: number;
  /** Counters to increment (shared by every subscription that is given the same object). */
  readonly stats?: DataQualityStats;
  /** Called for each dropped book, before the next book is looked at. A throw errors the stream. */
  readonly onReject?: (reason: DataQualityRejectReason, book: BookEvent) => void;
}

interface AssetState {
  time: number;
  seq: number | undefined;
  selfMid: number;
  selfMidTime: number;
  refMid: number;
  refTime: number;
}

function newAssetState(): AssetState {
  return { time: -Infinity, seq: undefined, selfMid: Number.NaN, selfMidTime: -Infinity, refMid: Number.NaN, refTime: -Infinity };
}

function badLevels(levels: readonly BookLevel[]): DataQualityRejectReason | undefined {
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    // `!(x > 0)` is true for NaN, ±0 and negatives; the second test catches +Infinity.
    if (!(level.px > 0) || level.px === Infinity) return "BadPrice";
    if (!(level.sz > 0) || level.sz === Infinity) return "BadSize";
  }
  return undefined;
}

/**
 * Drops books that cannot be true, counting each drop by reason.
 *
 * ```
 * source:           -a-b-c-d-e-f-|   b: time < a.time, d: best bid 30% from the reference mid,
 * dataQualityGate:  -a---c---e---|   f: time 1 h ahead of scheduler.now() (with maxClockSkewMs)
 *                                    stats.byReason: TimestampRegression 1, FarFromReference 1, FutureTimestamp 1
 * ```
 *
 * Checks, in order (the first failure names the reason; a dropped book changes no state except
 * as noted):
 * 1. `BadPrice` / `BadSize`: any level with a price or size that is non-finite, zero or negative.
 * 2. `FutureTimestamp` (with `maxClockSkewMs`): `time` more than `maxClockSkewMs` ahead of
 *    `scheduler.now()`. `TimestampRegression`: `time` earlier than the last accepted book of the
 *    same asset, or NaN (equal times pass: several pushes can share a block millisecond).
 * 3. Sequence, only when both this book and the last accepted one carry `seq`:
 *    `SequenceRegression` when seq ≤ the last (a replay; no state change), `SequenceGap` when
 *    seq > last + 1. A gap re-synchronises the expected sequence to this book's, otherwise every
 *    later book would be a gap too; the book after it is judged normally.
 * 4. `FarFromReference`: best bid or best ask more than `maxDeviationFromMid` (20%) away from the
 *    reference mid. Only the top of book is compared: a thin book's deep levels can legitimately be
 *    far, and only the top feeds the quoter. The reference is the latest `reference` mid of that
 *    asset when it is at most `referenceMaxAgeMs` older than the book, else the mid of the last
 *    accepted book when that is that fresh, else none (the check is skipped). The self-reference
 *    expires on purpose: a real 20% gap then stops quoting for at most `referenceMaxAgeMs`
 *    instead of forever.
 *
 * State (last time, sequence, mids) is per subscription and per asset; the counters are the
 * caller's `stats` object, so a metrics exporter can read them without subscribing to anything.
 *
 * @param options.maxDeviationFromMid default 0.2.
 * @param options.reference reference mids; default none (self-reference).
 * @param options.referenceMaxAgeMs default 10,000 ms.
 * @param options.stats counters to increment; default none.
 * @param options.onReject per-drop callback; default none.
 * @param options.maxClockSkewMs default none (no bound).
 * @param scheduler the local clock for `maxClockSkewMs`; default asyncScheduler.
 * Errors downstream: source errors, `reference` errors, and a throwing `onReject`.
 */
export function dataQualityGate(options: DataQualityGateOptions = {}, scheduler: SchedulerLike = asyncScheduler): MonoTypeOperatorFunction<BookEvent> {
  const maxDeviation = options.maxDeviationFromMid ?? 0.2;
  const maxSkew = options.maxClockSkewMs;
  if (maxSkew !== undefined && !(maxSkew >= 0)) throw new RangeError(`dataQualityGate: maxClockSkewMs must be ≥ 0, got ${String(maxSkew)}`);
  const maxRefAge = options.referenceMaxAgeMs ?? 10_000;
  if (!(maxDeviation > 0)) throw new RangeError(`dataQualityGate: maxDeviationFromMid must be > 0, got ${String(maxDeviation)}`);
  if (!(maxRefAge >= 0)) throw new RangeError(`dataQualityGate: referenceMaxAgeMs must be ≥ 0, got ${String(maxRefAge)}`);
  const { stats, onReject, reference } = options;
  return (source) =>
    new Observable<BookEvent>((subscriber) => {
      const states = new Map<string, AssetState>();
      // One-entry cache: a per-asset pipeline sees one asset, so the Map is rarely consulted.
      let cachedAsset: string | undefined;
      let cached: AssetState = newAssetState();
      const stateOf = (asset: string): AssetState => {
        if (asset === cachedAsset) return cached;
        let s = states.get(asset);
        if (s === undefined) {
          s = newAssetState();
          states.set(asset, s);
        }
        cachedAsset = asset;
        cached = s;
        return s;
      };

      const reject = (reason: DataQualityRejectReason, book: BookEvent): void => {
        if (stats !== undefined) {
          stats.rejected++;
          stats.byReason[reason]++;
        }
        if (onReject !== undefined) {
          try {
            onReject(reason, book);
          } catch (err) {
            subscriber.error(err);
          }
        }
      };

      let referenceSubscription: Subscription | undefined;
      if (reference !== undefined) {
        referenceSubscription = reference.subscribe(
          new SourceSubscriber<MidEvent>(
            subscriber,
            (mid) => {
              const s = stateOf(mid.asset);
              if (Number.isFinite(mid.mid) && mid.mid > 0 && mid.time >= s.refTime) {
                s.refMid = mid.mid;
                s.refTime = mid.time;
              }
            },
            "ignore",
          ),
        );
      }

      const onBook = (book: BookEvent): void => {
        const structural = badLevels(book.bids) ?? badLevels(book.asks);
        if (structural !== undefined) return reject(structural, book);
        const s = stateOf(book.asset);
        if (maxSkew !== undefined && book.time - scheduler.now() > maxSkew) return reject("FutureTimestamp", book);
        if (!(book.time >= s.time)) return reject("TimestampRegression", book);
        const seq = book.seq;
        let resync = false;
        if (seq !== undefined && s.seq !== undefined) {
          if (seq <= s.seq) return reject("SequenceRegression", book);
          if (seq !== s.seq + 1) resync = true;
        }
        if (resync) {
          s.seq = seq;
          return reject("SequenceGap", book);
        }
        const bid = book.bids[0];
        const ask = book.asks[0];
        let ref = Number.NaN;
        if (book.time - s.refTime <= maxRefAge) ref = s.refMid;
        else if (book.time - s.selfMidTime <= maxRefAge) ref = s.selfMid;
        if (!Number.isNaN(ref)) {
          const limit = ref * maxDeviation;
          if ((bid !== undefined && Math.abs(bid.px - ref) > limit) || (ask !== undefined && Math.abs(ask.px - ref) > limit)) {
            return reject("FarFromReference", book);
          }
        }
        s.time = book.time;
        if (seq !== undefined) s.seq = seq;
        if (bid !== undefined && ask !== undefined) {
          s.selfMid = (bid.px + ask.px) / 2;
          s.selfMidTime = book.time;
        }
        if (stats !== undefined) stats.accepted++;
        subscriber.next(book);
      };
      const sourceSubscription = source.subscribe(new SourceSubscriber<BookEvent>(subscriber, onBook));

      return () => {
        sourceSubscription.unsubscribe();
        referenceSubscription?.unsubscribe();
      };
    });
}
