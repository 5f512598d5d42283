// Tick-to-action by cause. Every order the core plans while a book is being handled (placements,
// modifies, cancels: by CLOID, or by OID for a cancel by OID) is stamped with that book's arrival;
// the request that later carries it takes the stamp. So a batch the coalescer or the throttle held
// is timed from the book that caused it, not from whichever book came last, and a batch no book
// caused (a fill's replacement, the stale sweep, a timer) is not timed at all. A stamp whose order
// never leaves (a closed gate dropped it, the throttle refused it) is forgotten after `maxAgeMs`.
// Time is whatever clock the caller reads (the service: performance.now(), wall time).

export class TickStamps {
  #tickAt: number | null = null;
  /** CLOID (or OID, for a cancel by OID) → the arrival of the book that planned it. */
  readonly #stamps = new Map<string | number, number>();

  /** @param maxAgeMs a stamp older than this (against the newest book) is dropped (default 60 000). */
  constructor(private readonly maxAgeMs = 60_000) {}

  /** A book that arrived `at` is being handled from now until end(previous). Returns the previous state (books nest only by re-entry). */
  begin(at: number): number | null {
    const prev = this.#tickAt;
    this.#tickAt = at;
    return prev;
  }

  end(previous: number | null): void {
    this.#tickAt = previous;
  }

  /** The arrival of the book being handled, or null outside one. */
  get current(): number | null {
    return this.#tickAt;
  }

  /** Stamp an order planned now, by CLOID or (a cancel by OID) OID; kept as it is if already stamped: the earliest cause counts. */
  stamp(key: string | number): void {
    const at = this.#tickAt;
    if (at === null) return;
    evict(this.#stamps, at - this.maxAgeMs);
    if (!this.#stamps.has(key)) this.#stamps.set(key, at);
  }

  /** The stamp of an order leaving now (and forget it), or undefined: no book caused it. */
  take(key: string | number): number | undefined {
    const t = this.#stamps.get(key);
    if (t !== undefined) this.#stamps.delete(key);
    return t;
  }

  /** Stamps held (orders planned by a book and not yet sent). */
  get size(): number {
    return this.#stamps.size;
  }
}

/** Drop the stamps older than `before` (a Map keeps insertion order, and stamps are inserted in time order). */
function evict<K>(m: Map<K, number>, before: number): void {
  for (const [k, t] of m) {
    if (t >= before) return;
    m.delete(k);
  }
}
