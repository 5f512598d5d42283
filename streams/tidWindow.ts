// The last `capacity` distinct numbers, in memory taken once: the seen-state of
// `dedupTid({ keys: "number" })` (the fill dedup, app/fillDedup.ts). dedupTid's default state is
// a ring and a Set; the Set's table grows by doubling as keys arrive (and once full, with the
// evicted keys' holes, to twice the capacity: ~0.8 MB per 10,000 fill tids), so a service's heap
// grew for two days of fills before it was flat. Here the ring and the hash table are typed
// arrays sized at the start (~0.22 MB per 10,000 keys, ArrayBuffer memory) and the keys are not
// boxed.

/** Power of two ≥ 1.5 × capacity + 2: at most two thirds full, and a free slot even while a new key sits beside the oldest. */
function tableSize(capacity: number): number {
  let n = 4;
  while (n < capacity + (capacity >> 1) + 2) n *= 2;
  return n;
}

/** `capacity` when it is an integer ≥ 1; a RangeError (dedupTid's) otherwise. */
export function checkedTidCapacity(capacity: number): number {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`dedupTid: capacity must be an integer ≥ 1, got ${String(capacity)}`);
  }
  return capacity;
}

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/**
 * Remembers the last `capacity` distinct numbers, FIFO by first sight (a repeat does not refresh
 * its slot) — operators/dedupTid's rule for number keys, with the same equality (SameValueZero:
 * 0 and -0 are one key, NaN is one key).
 */
export class TidWindow {
  readonly #ring: Float64Array;
  readonly #keys: Float64Array;
  /** 1 where `#keys` holds a key. */
  readonly #used: Uint8Array;
  readonly #mask: number;
  readonly #capacity: number;
  #next = 0;
  #size = 0;

  constructor(capacity: number) {
    this.#capacity = checkedTidCapacity(capacity);
    this.#ring = new Float64Array(capacity);
    const n = tableSize(capacity);
    this.#keys = new Float64Array(n);
    this.#used = new Uint8Array(n);
    this.#mask = n - 1;
  }

  /** Adds `key`: true when it is new (not among the last `capacity` distinct keys), false when it is a repeat. */
  add(key: number): boolean {
    const k = key === 0 ? 0 : key; // -0 → 0
    const slot = this.#find(k);
    if (this.#used[slot] === 1) return false;
    this.#used[slot] = 1;
    this.#keys[slot] = k;
    if (this.#size === this.#capacity) this.#remove(this.#ring[this.#next]!);
    else this.#size++;
    this.#ring[this.#next] = k;
    this.#next = this.#next + 1 === this.#capacity ? 0 : this.#next + 1;
    return true;
  }

  /** The slot holding `k`, or the empty slot where it would go (linear probing). */
  #find(k: number): number {
    const keys = this.#keys;
    const used = this.#used;
    const nan = k !== k;
    let i = this.#home(k);
    while (used[i] === 1) {
      const at = keys[i]!;
      if (at === k || (nan && at !== at)) return i;
      i = (i + 1) & this.#mask;
    }
    return i;
  }

  /** Takes `k` (present) out; the entries after it in its run move back so every key stays reachable from its home slot. */
  #remove(k: number): void {
    const keys = this.#keys;
    const used = this.#used;
    const mask = this.#mask;
    let hole = this.#find(k);
    let j = hole;
    for (;;) {
      j = (j + 1) & mask;
      if (used[j] === 0) break;
      const home = this.#home(keys[j]!);
      // the entry at j stays when its home lies cyclically in (hole, j]
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!stays) {
        keys[hole] = keys[j]!;
        hole = j;
      }
    }
    used[hole] = 0;
  }

  #home(k: number): number {
    if (k !== k) return 0;
    bits[0] = k;
    let h = words[0]! ^ Math.imul(words[1]!, 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) & this.#mask;
  }
}
