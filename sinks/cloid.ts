// CLOIDs: Hyperliquid's 128-bit client order ids (0x + 32 lowercase hex). We key every order by
// one, so they must be unique and never reused. A generator is a 64-bit session seed (high half)
// followed by a 64-bit counter (low half): deterministic for replay (same seed → same ids), and
// unique across restarts as long as the app edge picks a fresh seed per session (e.g. its start
// time in ms, or random bits) — never Math.random in a deterministic path.

const MASK64 = (1n << 64n) - 1n;

export const CLOID_PATTERN = /^0x[0-9a-f]{32}$/;

export function isCloid(value: string): boolean {
  return CLOID_PATTERN.test(value);
}

export interface CloidGenerator {
  /** The next unused CLOID. */
  next(): string;
  /** How many ids were handed out. */
  readonly issued: number;
}

/**
 * A CLOID generator. `seed` fills the high 64 bits, a counter starting at `start` (default 1) the low 64.
 * @throws RangeError for a negative or non-integer seed.
 */
export function createCloidGenerator(seed: number | bigint, start: number | bigint = 1): CloidGenerator {
  if (typeof seed === "number" && (!Number.isSafeInteger(seed) || seed < 0)) {
    throw new RangeError(`createCloidGenerator: seed must be a non-negative safe integer, got ${seed}`);
  }
  const hi = BigInt(seed) & MASK64;
  if (BigInt(seed) < 0n) throw new RangeError(`createCloidGenerator: seed must be non-negative, got ${seed}`);
  const prefix = hi.toString(16).padStart(16, "0");
  let counter = BigInt(start) & MASK64;
  let issued = 0;
  return {
    next(): string {
      const id = `0x${prefix}${counter.toString(16).padStart(16, "0")}`;
      counter = (counter + 1n) & MASK64;
      issued += 1;
      return id;
    },
    get issued() {
      return issued;
    },
  };
}
