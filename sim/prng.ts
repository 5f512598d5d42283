// A small seeded PRNG (mulberry32) with the draws the simulator needs. Every random choice in
// sim/ goes through one of these, so the same seed and inputs replay the same run.

/** 32-bit string/number hash (FNV-1a) used to derive independent sub-streams from one seed. */
export function hashSeed(seed: number | string, stream = ""): number {
  const text = `${String(seed)}/${stream}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Seeded random source. `fork(name)` gives an independent stream so knobs don't reshuffle each other. */
export class SimRng {
  // the 32-bit state in a typed array: a uint32 is past V8's small-integer range, so a number
  // field would take a new heap number at every draw
  private readonly state = new Uint32Array(1);

  constructor(
    readonly seed: number | string,
    readonly stream = "",
  ) {
    this.state[0] = hashSeed(seed, stream);
  }

  fork(name: string): SimRng {
    return new SimRng(this.seed, this.stream === "" ? name : `${this.stream}.${name}`);
  }

  /** Uniform in [0, 1). */
  next(): number {
    // mulberry32
    const state = this.state;
    let t = (state[0]! + 0x6d2b79f5) >>> 0;
    state[0] = t;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    let u = this.next();
    while (u <= 1e-12) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Exponential with the given mean (Poisson inter-arrival times). */
  exponential(mean: number): number {
    let u = this.next();
    while (u <= 1e-12) u = this.next();
    return -Math.log(u) * mean;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("SimRng.pick: empty list");
    return item;
  }

  /** A 50-bit integer (Hyperliquid tids are 50-bit hashes). */
  bits50(): number {
    return Math.floor(this.next() * 2 ** 25) * 2 ** 25 + Math.floor(this.next() * 2 ** 25);
  }

  /** 0x + 64 hex chars, for fake L1 transaction hashes. */
  hash32(): string {
    let s = "0x";
    for (let i = 0; i < 8; i++) s += Math.floor(this.next() * 4294967296).toString(16).padStart(8, "0");
    return s;
  }
}
