// What the Hyperliquid decoders share (decode.ts, decodeUser.ts, decodeInfo.ts; not public API):
// Decoded constructors, the fast numeric checks of the hand-written passes, and the io-ts path.
import type * as t from "io-ts";
import { DecodeFailure, decodeWith, type Decoded } from "../codec.js";

export const ok = <A>(value: A): Decoded<A> => ({ ok: true, value });
export const fail = (what: string, problem: string): Decoded<never> => ({ ok: false, error: new DecodeFailure(what, [problem]) });

// ------------------------------------------------------------------ fast numeric parsing

/** `+s` for a decimal string ("-12.5", "1e-5"), NaN for anything DecimalString would reject. */
export function dec(s: unknown): number {
  if (typeof s !== "string") return NaN;
  const len = s.length;
  if (len === 0 || len > 64) return NaN;
  const c0 = s.charCodeAt(0);
  // first char: digit, '-' or '.'; rules out "+1", " 1", "0x" is caught below
  if (!((c0 >= 48 && c0 <= 57) || c0 === 45 || c0 === 46)) return NaN;
  for (let i = 1; i < len; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 48 && c <= 57) || c === 46) continue;
    if (c === 101 || c === 69) continue; // e E
    if ((c === 43 || c === 45) && (s.charCodeAt(i - 1) === 101 || s.charCodeAt(i - 1) === 69)) continue;
    return NaN;
  }
  const n = +s;
  return Number.isFinite(n) ? n : NaN;
}

export const isNum = (u: unknown): u is number => typeof u === "number" && Number.isFinite(u);

/** Decode with io-ts and map; for the non-hot shapes. */
export function via<A, B>(codec: t.Type<A, unknown, unknown>, data: unknown, what: string, map: (a: A) => B): Decoded<B> {
  const r = decodeWith(codec, data, what);
  return r.ok ? ok(map(r.value)) : r;
}

/** Each element through a hand-written pass, or undefined as soon as one is not for it (then the codec names it). */
export function eachFast<A>(list: readonly unknown[], one: (u: unknown) => A | undefined): A[] | undefined {
  const n = list.length;
  const out: A[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const a = one(list[i]);
    if (a === undefined) return undefined;
    out[i] = a;
  }
  return out;
}
