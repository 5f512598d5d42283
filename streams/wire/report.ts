// io-ts error reporting for wire shapes: paths without the member indices that intersection
// and union codecs add (`$.levels.0.1.px`, not `$.0.levels.0.1.0.px`), and one line per path
// with the alternatives a union allowed (`expected Cloid(0x+32hex) | null`).
import type * as t from "io-ts";
import { isLeft } from "fp-ts/lib/Either.js";
import { DecodeFailure, type Decoded } from "../codec.js";

function isWrapper(type: t.Decoder<unknown, unknown>): boolean {
  const tag = (type as { _tag?: string })._tag;
  return tag === "IntersectionType" || tag === "UnionType" || tag === "ExactType" || tag === "RefinementType";
}

/** `$.fills.0.cloid` for one io-ts context. */
export function wirePath(context: t.Context): string {
  let path = "$";
  for (let i = 1; i < context.length; i++) {
    const parent = context[i - 1];
    const entry = context[i];
    if (entry === undefined || parent === undefined || isWrapper(parent.type) || entry.key === "") continue;
    path += "." + entry.key;
  }
  return path;
}

function show(value: unknown): string {
  if (value === undefined) return "undefined (missing)";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // JSON.stringify throws on cycles and on nesting deeper than the stack (RangeError); String()
    // of a deeply nested array recurses too, so describe such values without walking them.
    text = Array.isArray(value) ? "an array (too deeply nested to show)" : typeof value === "object" && value !== null ? "an object (too deeply nested to show)" : String(value);
  }
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}

/** One line per failing path: `$.levels.0.1.px: expected DecimalString, got 100.5`. */
export function wireErrors(errors: t.Errors): string[] {
  const byPath = new Map<string, { expected: string[]; value: unknown }>();
  for (const e of errors) {
    const path = wirePath(e.context);
    const last = e.context[e.context.length - 1];
    const expected = e.message ?? last?.type.name ?? "a valid value";
    const entry = byPath.get(path);
    if (entry === undefined) byPath.set(path, { expected: [expected], value: e.value });
    else if (!entry.expected.includes(expected)) entry.expected.push(expected);
  }
  return [...byPath].map(([path, { expected, value }]) => `${path}: expected ${expected.join(" | ")}, got ${show(value)}`);
}

/** Decode a wire shape; never throws. Like streams/codec.ts `decodeWith`, with wire-readable paths. */
export function wireDecode<A>(codec: t.Decoder<unknown, A>, input: unknown, what: string): Decoded<A> {
  const r = codec.decode(input);
  if (isLeft(r)) return { ok: false, error: new DecodeFailure(what, wireErrors(r.left)) };
  return { ok: true, value: r.right };
}
