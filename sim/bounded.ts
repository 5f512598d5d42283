// Bounded memory for a venue that may run for days: a FIFO set of recent ids (ring + Set) and
// trimming of insertion-ordered maps.

/** Remembers the last `capacity` values; older ones are forgotten in insertion order. */
export class SimRecentSet<T> {
  private readonly ring: T[] = [];
  private readonly set = new Set<T>();
  private next = 0;

  constructor(readonly capacity: number) {}

  has(v: T): boolean {
    return this.set.has(v);
  }

  add(v: T): void {
    if (this.set.has(v)) return;
    if (this.ring.length < this.capacity) {
      this.ring.push(v);
    } else {
      this.set.delete(this.ring[this.next]!);
      this.ring[this.next] = v;
      this.next = (this.next + 1) % this.capacity;
    }
    this.set.add(v);
  }

  get size(): number {
    return this.set.size;
  }
}

/** Drop the oldest entries of an insertion-ordered map beyond `cap` (rarely hit; amortised O(1)). */
export function simTrimMap<K, V>(map: Map<K, V>, cap: number): void {
  if (map.size <= cap) return;
  // trim in chunks so the cost is paid once per cap/10 inserts
  const drop = map.size - Math.floor(cap * 0.9);
  let i = 0;
  for (const k of map.keys()) {
    if (i++ >= drop) break;
    map.delete(k);
  }
}

/**
 * Remembers each value for `horizonMs` after the time it was added (times non-decreasing, as a
 * venue's clock is): what a venue must remember to keep ids unique is bounded by time, not by the
 * length of the run. Older values are forgotten first, O(1) amortised per add.
 */
export class SimRecentByTime<T> {
  private values: T[] = [];
  private times: number[] = [];
  private head = 0;
  private readonly set = new Set<T>();

  constructor(readonly horizonMs: number) {}

  has(v: T): boolean {
    return this.set.has(v);
  }

  add(v: T, time: number): void {
    this.expire(time - this.horizonMs);
    if (this.set.has(v)) return;
    this.values.push(v);
    this.times.push(time);
    this.set.add(v);
  }

  get size(): number {
    return this.set.size;
  }

  private expire(before: number): void {
    while (this.head < this.times.length && this.times[this.head]! < before) {
      this.set.delete(this.values[this.head]!);
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.values = this.values.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}

/** Drop the entries of an insertion-ordered map of times (non-decreasing) that are older than `before`. */
export function simExpireTimes<K>(map: Map<K, number>, before: number): void {
  for (const [k, t] of map) {
    if (t >= before) return;
    map.delete(k);
  }
}
