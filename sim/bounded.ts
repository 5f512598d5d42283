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
