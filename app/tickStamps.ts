// Tick-to-action by cause. Every order the core plans while a book is being handled (placements,
// modifies, cancels: by CLOID, or by OID for a cancel by OID) is stamped with that book's arrival;
// the request that later carries it takes the stamp. So a batch the coalescer or the throttle held
// is timed from the book that caused it, not from whichever book came last, and a batch no book
// caused (a fill's replacement, the stale sweep, a timer) is not timed at all. A stamp whose order
// never leaves (a closed gate dropped it, the throttle refused it) is forgotten after `maxAgeMs`.
// Time is whatever clock the caller reads (the service: performance.now(), wall time).

export class TickStamps {
  #tickAt: number | null = null;
  readonly #byCloid = new Map<string, number>();
  readonly #byOid = new Map<number, number>();

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

  /** Stamp an order planned now (kept as it is if already stamped: the earliest cause counts). */
  stampCloid(cloid: string): void {
    const at = this.#tickAt;
    if (at === null) return;
    evict(this.#byCloid, at - this.maxAgeMs);
    if (!this.#byCloid.has(cloid)) this.#byCloid.set(cloid, at);
  }

  stampOid(oid: number): void {
    const at = this.#tickAt;
    if (at === null) return;
    evict(this.#byOid, at - this.maxAgeMs);
    if (!this.#byOid.has(oid)) this.#byOid.set(oid, at);
  }

  /** The stamp of an order leaving now (and forget it), or undefined: no book caused it. */
  takeCloid(cloid: string): number | undefined {
    const t = this.#byCloid.get(cloid);
    if (t !== undefined) this.#byCloid.delete(cloid);
    return t;
  }

  takeOid(oid: number): number | undefined {
    const t = this.#byOid.get(oid);
    if (t !== undefined) this.#byOid.delete(oid);
    return t;
  }

  /** Stamps held (orders planned by a book and not yet sent). */
  get size(): number {
    return this.#byCloid.size + this.#byOid.size;
  }
}

/** Drop the stamps older than `before` (a Map keeps insertion order, and stamps are inserted in time order). */
function evict<K>(m: Map<K, number>, before: number): void {
  for (const [k, t] of m) {
    if (t >= before) return;
    m.delete(k);
  }
}
