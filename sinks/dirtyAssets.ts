// The assets waiting for a reconcile. A Set did this, but `flushDirty` emptied it with `clear()`
// at every flush — a call into V8's runtime that allocates a new table each time, about three
// quarters of flushDirty's time in a soak's profile (proof/bench/PROFILE.md §12). This keeps a
// Set's behaviour for what the sink does with it (add, size, take everything in insertion order)
// and empties itself by bumping a generation instead. test/sinks/dirtyAssets.spec.ts checks it
// against a Set.

/** An insertion-ordered set of asset names, emptied by `drain()` without reallocating. */
export class DirtyAssets {
  /** The generation each asset was last marked in; marked now when it equals `#generation`. */
  readonly #marked = new Map<string, number>();
  #generation = 1;
  readonly #order: string[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  add(asset: string): this {
    if (this.#marked.get(asset) !== this.#generation) {
      this.#marked.set(asset, this.#generation);
      this.#order[this.#size++] = asset;
    }
    return this;
  }

  has(asset: string): boolean {
    return this.#marked.get(asset) === this.#generation;
  }

  /** Everything marked, in the order first marked, and empty afterwards (as `[...set]` then `set.clear()`). */
  drain(): string[] {
    const out = this.#order.slice(0, this.#size);
    this.#size = 0;
    this.#generation++;
    return out;
  }
}
