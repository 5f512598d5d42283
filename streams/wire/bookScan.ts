// The l2Book frame's fast lane: one pass over the text as the venue writes it (compact JSON,
// keys in the venue's order) straight to a BookEvent, with no intermediate objects. The books are
// the feed every tick starts from, and on a machine where a path goes cold between ticks
// JSON.parse + decode of a 20+20-level frame costs ~6× its back-to-back time (PROFILE.md §17); the
// scan touches a fraction of the memory. Anything it does not expect — whitespace, another key
// order, an escape, a number it cannot convert exactly, a missing or extra field, more levels
// than HL_MAX_BOOK_LEVELS — makes it answer undefined, and the frame takes the general path
// (parseHlWsFrameJson + decodeHlBook), which stays the specification: test/wire/bookScan.spec.ts
// checks that whenever the scan answers, it answers what that path does.
import type { BookEvent, BookLevel } from "../market.js";

const HEAD = '{"channel":"l2Book","data":{"coin":"';
const TIME = '","time":';
const LEVELS = ',"levels":[';
const PX = '{"px":"';
const SZ = ',"sz":"';
const N = ',"n":';
const TAIL = "]}}";
/** The venue sends at most 20 levels a side; decodeHlBook rejects more than this many (HL_MAX_BOOK_LEVELS). */
const MAX_LEVELS = 1000;
/** Powers of ten up to 10^15, exact doubles: m / 10^k is then correctly rounded for an integer m < 2^53. */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * An l2Book frame's `data` as the scan read it: `coin` (for routing) and the decoded `book`.
 * Read as the wire object (`time`, `levels`, JSON.stringify), it parses the frame's text on
 * first use, so a consumer of the raw channel still sees exactly what the venue sent.
 */
export class HlScannedBook {
  #wire: { time: unknown; levels: unknown } | undefined;
  constructor(
    readonly coin: string,
    readonly book: BookEvent,
    readonly text: string,
  ) {}
  #data(): { time: unknown; levels: unknown } {
    return (this.#wire ??= (JSON.parse(this.text) as { data: { time: unknown; levels: unknown } }).data);
  }
  get time(): unknown {
    return this.#data().time;
  }
  get levels(): unknown {
    return this.#data().levels;
  }
  toJSON(): unknown {
    return this.#data();
  }
}

/** Where the last number read ended (one past its closing quote, or its last digit). */
let at = 0;

/** A quoted decimal at s[i] (just past the opening quote): -?digits[.digits], ≤ 15 digits, converted exactly; NaN otherwise. */
function decimal(s: string, i: number): number {
  let neg = false;
  if (s.charCodeAt(i) === 45) {
    neg = true;
    i++;
  }
  let m = 0;
  let digits = 0;
  let frac = -1;
  let c = 0;
  for (; ; i++) {
    c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      if (frac >= 0) frac++;
    } else if (c === 46 && frac < 0) frac = 0;
    else break;
  }
  if (c !== 34 || digits === 0 || digits > 15) return NaN; // frac ≤ digits ≤ 15: 10^frac is exact
  at = i + 1;
  const v = frac > 0 ? m / POW10[frac]! : m;
  return neg ? -v : v;
}

/** A non-negative JSON integer at s[i], ≤ 15 digits, no leading zero unless it is 0; NaN otherwise. */
function integer(s: string, i: number): number {
  const start = i;
  let m = 0;
  for (; ; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) m = m * 10 + (c - 48);
    else break;
  }
  const digits = i - start;
  if (digits === 0 || digits > 15 || (digits > 1 && s.charCodeAt(start) === 48)) return NaN;
  const c = s.charCodeAt(i);
  if (c === 46 || c === 101 || c === 69) return NaN; // a fraction or an exponent: not ours to read
  at = i;
  return m;
}

/** One side `[{"px":"…","sz":"…","n":…},…]` at s[i] into `out`; the index past its `]`, or -1. */
function side(s: string, i: number, out: BookLevel[]): number {
  if (s.charCodeAt(i) !== 91) return -1;
  i++;
  if (s.charCodeAt(i) === 93) return i + 1;
  for (;;) {
    if (!s.startsWith(PX, i)) return -1;
    const px = decimal(s, i + PX.length);
    if (px !== px || !s.startsWith(SZ, at)) return -1;
    const sz = decimal(s, at + SZ.length);
    if (sz !== sz || !s.startsWith(N, at)) return -1;
    const n = integer(s, at + N.length);
    if (n !== n) return -1;
    i = at;
    if (s.charCodeAt(i) !== 125 || out.length === MAX_LEVELS) return -1;
    out.push({ px, sz, n });
    const c = s.charCodeAt(i + 1);
    if (c === 44) i += 2;
    else if (c === 93) return i + 2;
    else return -1;
  }
}

/**
 * The frame's book when `text` is an l2Book frame in the venue's compact form that the scan reads
 * exactly; undefined otherwise (then parse it with parseHlWsFrameJson and decode with decodeHlBook).
 * parseHlWsFrame tries this first.
 */
export function scanHlBookFrame(text: string): HlScannedBook | undefined {
  if (!text.startsWith(HEAD)) return undefined;
  let i = HEAD.length;
  const q = text.indexOf('"', i);
  if (q < 0) return undefined;
  for (let k = i; k < q; k++) {
    const c = text.charCodeAt(k);
    if (c < 0x20 || c === 92) return undefined; // a control character (not JSON) or an escape
  }
  const coin = text.slice(i, q);
  if (!text.startsWith(TIME, q)) return undefined;
  const time = integer(text, q + TIME.length);
  if (time !== time || !text.startsWith(LEVELS, at)) return undefined;
  const bids: BookLevel[] = [];
  const asks: BookLevel[] = [];
  i = side(text, at + LEVELS.length, bids);
  if (i < 0 || text.charCodeAt(i) !== 44) return undefined;
  i = side(text, i + 1, asks);
  if (i < 0 || i + TAIL.length !== text.length || !text.endsWith(TAIL)) return undefined;
  return new HlScannedBook(coin, { asset: coin, time, bids, asks }, text);
}
