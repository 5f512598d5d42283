// Shared io-ts helpers: every boundary decodes with `decodeWith`, which turns io-ts's
// error list into one message naming each failing path and what was expected there.
import * as t from "io-ts";
import { isLeft } from "fp-ts/lib/Either.js";

/** An io-ts codec that accepts only finite numbers (JSON cannot carry NaN/Infinity, hand-made values can). */
export const FiniteNumber = new t.Type<number, number, unknown>(
  "FiniteNumber",
  (u): u is number => typeof u === "number" && Number.isFinite(u),
  (u, c) => (typeof u === "number" && Number.isFinite(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);

/** `exact` + `type` + `partial` in one: unknown keys are errors (config, journal). */
export function strictStruct<R extends t.Props, O extends t.Props>(required: R, optional: O, name?: string) {
  return t.exact(t.intersection([t.type(required), t.partial(optional)]), name);
}

/**
 * io-ts adds intersection/union/exact member indices ("0", "1") to a context; only the keys of
 * objects, arrays and records are the user's.
 */
function isUserKey(key: string, parent: t.Decoder<unknown, unknown> | undefined): boolean {
  if (key === "") return false;
  const tag = (parent as { _tag?: string } | undefined)?._tag;
  if (tag === "IntersectionType" || tag === "UnionType" || tag === "ExactType" || tag === "RefinementType") return false;
  return true;
}

/** A readable path for one io-ts context: `$.assets.BTC.staleGate.maxAgeMs`, `$.levels.0.1.px`. */
export function contextPath(context: t.Context): string {
  let path = "$";
  for (let i = 1; i < context.length; i++) {
    const entry = context[i];
    if (entry === undefined || !isUserKey(entry.key, context[i - 1]?.type)) continue;
    path += "." + entry.key;
  }
  return path;
}

/** A short rendering of a bad value; never walks a structure too deep to stringify. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined (missing)";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // JSON.stringify throws on cycles and on nesting deeper than the stack (RangeError); String()
    // of a deeply nested array recurses too, so describe such values without walking them.
    text = Array.isArray(value)
      ? "an array (too deeply nested to show)"
      : typeof value === "object" && value !== null
        ? "an object (too deeply nested to show)"
        : String(value);
  }
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}

/**
 * One line per failing path, with the alternatives a union allowed:
 * `$.levels.0.1.px: expected DecimalString, got 100.5`, `$.cloid: expected Cloid | null, got 7`.
 */
export function formatErrors(errors: t.Errors): string[] {
  const byPath = new Map<string, { expected: string[]; value: unknown }>();
  for (const e of errors) {
    const path = contextPath(e.context);
    const last = e.context[e.context.length - 1];
    const expected = e.message ?? last?.type.name ?? "a valid value";
    const entry = byPath.get(path);
    if (entry === undefined) byPath.set(path, { expected: [expected], value: e.value });
    else if (!entry.expected.includes(expected)) entry.expected.push(expected);
  }
  return [...byPath].map(([path, { expected, value }]) => `${path}: expected ${expected.join(" | ")}, got ${describeValue(value)}`);
}

/** The error a boundary throws or reports when input does not decode. Names what and where. */
export class DecodeFailure extends Error {
  override readonly name = "DecodeFailure";
  constructor(
    readonly what: string,
    readonly problems: string[],
  ) {
    super(`${what}: ${problems.slice(0, 5).join("; ")}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ""}`);
  }
}

export type Decoded<A> = { ok: true; value: A } | { ok: false; error: DecodeFailure };

/** Decode `input` with `codec`; never throws. `what` names the input in the error ("l2Book frame", "config file x.yaml"). */
export function decodeWith<A>(codec: t.Decoder<unknown, A>, input: unknown, what: string): Decoded<A> {
  const result = codec.decode(input);
  if (isLeft(result)) return { ok: false, error: new DecodeFailure(what, formatErrors(result.left)) };
  return { ok: true, value: result.right };
}
