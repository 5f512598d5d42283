// CLOIDs: Hyperliquid's 128-bit client order ids (0x + 32 lowercase hex). We key every order by
// one, so they must be unique and never reused. A generator is a 64-bit session seed (high half)
// followed by a 64-bit counter (low half): deterministic for replay (same seed → same ids).
//
// Across sessions of one account the seed comes from something durable, never from random bits
// that can repeat: `sessionCloidSeed` takes the start time in ms and, when the account's journal
// directory names a larger or equal prefix (a clock stepped back, two starts in one ms), the
// largest one + 1. Each session's header records its prefix (`cloidSeed`), so prefixes strictly
// grow from session to session, and a session's ids are its prefix followed by a counter: no id
// of one session can be another's.

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

/**
 * The CLOID prefix of a new session of an account: its start time (ms since the epoch), or one more
 * than the largest prefix an earlier session of the account recorded (its journal header's
 * `cloidSeed`), whichever is larger. Pure: the edge passes the wall clock and the journal history.
 * @throws RangeError for a negative or non-finite time.
 */
export function sessionCloidSeed(nowMs: number, previous: bigint | undefined): bigint {
  if (!Number.isFinite(nowMs) || nowMs < 0) throw new RangeError(`sessionCloidSeed: time must be a non-negative number of ms, got ${nowMs}`);
  const now = BigInt(Math.floor(nowMs));
  const next = previous === undefined ? now : previous + 1n > now ? previous + 1n : now;
  return next & MASK64;
}

/** The prefix as the journal header writes it (16 lowercase hex digits). */
export function cloidSeedHex(seed: number | bigint): string {
  return (BigInt(seed) & MASK64).toString(16).padStart(16, "0");
}
