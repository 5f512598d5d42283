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

/**
 * A closed object: `type` + `partial` in one, where every key not declared is an error at its own
 * path (`$.defaults.staleGate.maxAgeMS: expected no key "maxAgeMS" here (known keys: maxAgeMs)`).
 * io-ts `exact` alone strips unknown keys silently; config and journal lines must reject them.
 */
export function strictStruct<R extends t.Props, O extends t.Props>(required: R, optional: O, name = "a closed object") {
  const inner = t.exact(t.intersection([t.type(required), t.partial(optional)]), name);
  const known = [...Object.keys(required), ...Object.keys(optional)];
  return new t.Type<t.TypeOf<typeof inner>, t.OutputOf<typeof inner>, unknown>(
    name,
    inner.is,
    (u, c) => {
      const checked = inner.validate(u, c);
      if (typeof u !== "object" || u === null || Array.isArray(u)) return checked;
      const extra = Object.keys(u).filter((k) => !known.includes(k));
      if (extra.length === 0) return checked;
      const errors: t.ValidationError[] = extra.map((k) => {
        const value = (u as Record<string, unknown>)[k];
        return {
          value,
          context: [...c, { key: k, type: t.never, actual: value }],
          message: `no key "${k}" here (known keys: ${known.join(", ")})`,
        };
      });
      return t.failures(checked._tag === "Left" ? [...errors, ...checked.left] : errors);
    },
    inner.encode,
  );
}

/**
 * io-ts adds intersection/union member indices ("0", "1") to a context; a numeric key is the
 * user's only under an array, a tuple or a record.
 */
function isUserKey(key: string, parent: t.Decoder<unknown, unknown> | undefined): boolean {
  if (key === "") return false;
  if (!/^\d+$/.test(key)) return true;
  const tag = (parent as { _tag?: string } | undefined)?._tag;
  return tag === "ArrayType" || tag === "ReadonlyArrayType" || tag === "TupleType" || tag === "DictionaryType";
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
