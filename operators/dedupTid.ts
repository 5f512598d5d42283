import { defer, filter, type MonoTypeOperatorFunction } from "rxjs";
import { TidWindow, checkedTidCapacity } from "../streams/tidWindow.js";

export interface DedupTidOptions<T> {
  /** How many distinct keys are remembered (FIFO). Default 10,000. */
  readonly capacity?: number;
  /** The identity of a value. Default `v.tid` (a string or number). */
  readonly key?: (value: T) => string | number;
  /**
   * `"number"`: every key is a number (fill tids, sequence numbers), remembered in a typed-array
   * ring and hash table sized at subscription (streams/tidWindow.ts: ~22 B per key of capacity,
   * outside the V8 heap, flat from the first value) instead of a ring and a Set that grows as keys
   * arrive; a key that is not a number errors the stream. Default `"any"`.
   */
  readonly keys?: "any" | "number";
}

function defaultKey(value: unknown): string | number {
  const tid = (value as { tid?: unknown } | null)?.tid;
  if (typeof tid === "number" || typeof tid === "string") return tid;
  throw new TypeError(`dedupTid: value has no string or number \`tid\` (got ${typeof tid}); pass options.key`);
}

/** Number keys in the typed-array window (streams/tidWindow.ts): memory taken once. */
function numberWindow(capacity: number): (key: string | number) => boolean {
  const window = new TidWindow(capacity);
  return (key) => {
    if (typeof key !== "number") throw new TypeError(`dedupTid: keys "number", but a key is a ${typeof key} (${JSON.stringify(key)})`);
    return window.add(key);
  };
}

/** Any keys in a ring buffer + Set. */
function anyWindow(capacity: number): (key: string | number) => boolean {
  const ring: (string | number)[] = new Array<string | number>(capacity);
  const seen = new Set<string | number>();
  let next = 0;
  let size = 0;
  return (key) => {
    // add, then look at the size: one hash lookup for a new key (has + add made two). With
    // the set full, the new key sits beside the oldest for a moment, then the oldest goes.
    const known = seen.size;
    seen.add(key);
    if (seen.size === known) return false;
    if (size === capacity) {
      seen.delete(ring[next]!);
    } else {
      size++;
    }
    ring[next] = key;
    next = next + 1 === capacity ? 0 : next + 1;
    return true;
  };
}

/**
 * Drops a value whose key was among the last `capacity` distinct keys seen.
 *
 * ```
 * source:        -a-b-a-c-a-|        (keys; capacity 2)
 * dedupTid():    -a-b---c-a-|        (second a: seen, dropped; c evicts a, the oldest, so the third a passes)
 * ```
 *
 * Why a ring buffer + Set: eviction is FIFO by first sight (a repeat does not refresh its slot,
 * so a replayed snapshot cannot keep old keys alive), and both the membership test and the
 * eviction are O(1). A Set used as a queue (delete its first entry) is ~50× slower in V8.
 * The seen-set lives per subscription: two subscribers never share it.
 *
 * Fills: Hyperliquid replays an `isSnapshot` batch on every (re)subscribe; flatten the batches
 * and run them through one `dedupTid` before any consumer. FACTS §10 calls `(coin, tid)` the key
 * of a fill: pass `key: (f) => `${f.asset}:${f.tid}`` when one stream carries several assets.
 *
 * @param options.capacity distinct keys remembered, default 10,000 (an integer ≥ 1; otherwise RangeError at once).
 * @param options.key identity of a value, default `v.tid`.
 * @param options.keys `"number"` for number keys kept in memory taken once (see DedupTidOptions).
 * Errors downstream: a key function that throws (or a value without `tid` under the default key)
 * errors the stream; source errors pass through.
 */
export function dedupTid<T>(options: DedupTidOptions<T> = {}): MonoTypeOperatorFunction<T> {
  const capacity = checkedTidCapacity(options.capacity ?? 10_000);
  const keyOf: (value: T) => string | number = options.key ?? defaultKey;
  const numbers = options.keys === "number";
  // built-in filter inside defer (per-subscription state): the operator subscriber is handed to
  // the source as is, one hop fewer per value than a partial observer; a throwing key function
  // (or a non-number key under keys "number") errors the stream through filter's own guard
  return (source) =>
    defer(() => {
      const isNew = numbers ? numberWindow(capacity) : anyWindow(capacity);
      return source.pipe(filter((value) => isNew(keyOf(value))));
    });
}
