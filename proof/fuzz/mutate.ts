// Malformed inputs from well-formed ones. A mutation is drawn with fast-check (seeded, so a run
// is reproducible) and rendered to text or bytes. Each mutation says what a correct boundary must
// do with it:
//   "reject" — bad by construction (not JSON, a number that is NaN/Infinity/not a number, a value
//              of the wrong type, …): must fail with a message;
//   "same"   — harmless (an extra field, a duplicated key the JSON parser resolves to the
//              original): must decode to exactly what the original decodes to;
//   "either" — may be valid or not (a missing field may be optional): must not crash.
import fc from "fast-check";

export type MutationKind =
  | "truncated"
  | "garbage"
  | "invalidUtf8"
  | "badNumericString"
  | "badNumber"
  | "wrongType"
  | "nullified"
  | "missingField"
  | "extraField"
  | "duplicatedKey"
  | "deepNesting"
  | "hugeString"
  | "hugeNumber";

export type Expectation = "reject" | "same" | "either";

export interface Mutation {
  readonly kind: MutationKind;
  readonly expect: Expectation;
  /** Where in the value ("$.levels.0.3.px"). */
  readonly path: string;
  /** The input as a string (what a text boundary sees). */
  readonly text: string;
  /** The input as bytes when they are not valid UTF-8 (what a socket boundary sees). */
  readonly bytes?: Uint8Array;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

const NUMERIC = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

function nodes(v: Json, at: Path = [], out: [Path, Json][] = []): [Path, Json][] {
  if (at.length > 0) out.push([at, v]);
  if (Array.isArray(v)) v.forEach((x, i) => nodes(x, [...at, i], out));
  else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) nodes(x, [...at, k], out);
  return out;
}

function pathText(p: Path): string {
  return "$" + p.map((k) => `.${k}`).join("");
}

/** Replace the node at `p` (structural copy along the path). `undefined` removes it. */
function setAt(v: Json, p: Path, value: Json | undefined, i = 0): Json {
  if (i === p.length) return value as Json;
  const k = p[i]!;
  if (Array.isArray(v)) {
    const copy = v.slice();
    if (value === undefined && i === p.length - 1) copy.splice(k as number, 1);
    else copy[k as number] = setAt(v[k as number]!, p, value, i + 1);
    return copy;
  }
  const obj = v as { [k: string]: Json };
  const copy: { [k: string]: Json } = {};
  for (const [kk, x] of Object.entries(obj)) {
    if (kk !== k) copy[kk] = x;
    else if (!(value === undefined && i === p.length - 1)) copy[kk] = setAt(x, p, value, i + 1);
  }
  return copy;
}

const RAW = "\u0000raw\u0000";
/** A placeholder string that the renderer swaps for raw JSON text (Infinity literals, deep nesting). */
function raw(text: string, table: string[]): string {
  table.push(text);
  return `${RAW}${table.length - 1}`;
}

function render(v: Json, table: string[]): string {
  let s = JSON.stringify(v);
  if (table.length > 0) s = s.replace(/"\\u0000raw\\u0000(\d+)"/g, (_, i: string) => table[Number(i)]!);
  return s;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function typeOf(v: Json): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

function wrongValue(v: Json, pick: number): Json {
  const options: Json[] = [{ x: 1 }, [1, "2"], true, "not-a-value", 12345.678];
  const other = options.filter((o) => typeOf(o) !== typeOf(v) && !(typeof v === "string" && NUMERIC.test(v) && typeof o === "number"));
  return other[pick % other.length]!;
}

const BAD_NUMERIC_STRINGS = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "", "abc", "0x1F", " 1", "1,5", "1.2.3", "--1", "+-1", "∞", "١٢"];
const INVALID_UTF8: readonly number[][] = [[0xff], [0xc3, 0x28], [0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]];

/**
 * Mutations of one well-formed value. `strictKeys`: unknown keys must be rejected (config files),
 * not ignored (wire decoders).
 */
export function mutationArb(
  base: unknown,
  options: { readonly strictKeys?: boolean; readonly yamlDupKeys?: boolean; /** Cap on nesting depth and huge-string length (slow parsers). */ readonly maxSize?: number } = {},
): fc.Arbitrary<Mutation> {
  const cap = (n: number) => Math.min(n, options.maxSize ?? Infinity);
  const sized = (min: number, mid: number, max: number) =>
    fc.oneof({ arbitrary: fc.integer({ min: cap(min), max: cap(mid) }), weight: 9 }, { arbitrary: fc.integer({ min: cap(mid), max: cap(max) }), weight: 1 });
  const value = base as Json;
  const all = nodes(value);
  const leaves = all.filter(([, v]) => v === null || typeof v !== "object");
  const objects: [Path, { [k: string]: Json }][] = [[[], value as { [k: string]: Json }] as [Path, Json], ...all.filter(([, v]) => v !== null && typeof v === "object" && !Array.isArray(v))].filter(
    (e): e is [Path, { [k: string]: Json }] => e[1] !== null && typeof e[1] === "object" && !Array.isArray(e[1]),
  );
  const numericStrings = leaves.filter(([, v]) => typeof v === "string" && NUMERIC.test(v));
  const numbers = leaves.filter(([, v]) => typeof v === "number");
  const plainStrings = leaves.filter(([, v]) => typeof v === "string" && !NUMERIC.test(v));
  const baseText = JSON.stringify(value);
  const pickNode = <T>(list: readonly T[]) => fc.nat({ max: Math.max(0, list.length - 1) }).map((i) => list[i]!);
  const arbs: fc.Arbitrary<Mutation>[] = [];

  arbs.push(
    fc.integer({ min: 1, max: Math.max(1, baseText.length - 1) }).map((n) => ({ kind: "truncated" as const, expect: "reject" as const, path: `text[0:${n}]`, text: baseText.slice(0, n) })),
    fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom("", "null", "[]", "{}", "0", '"x"', "true", "{\"channel\":", "]]]", "\ufeff{}")).map((g) => ({
      kind: "garbage" as const,
      // not JSON: must be rejected; a bare JSON value ("[]", "{}", …) may be a valid (empty) body
      expect: isJson(g) ? ("either" as const) : ("reject" as const),
      path: "$",
      text: g,
    })),
    fc.tuple(fc.nat({ max: INVALID_UTF8.length - 1 }), fc.nat({ max: 1 }), fc.nat()).map(([b, where, at]) => {
      const bad = Buffer.from(INVALID_UTF8[b]!);
      // structural: right after the opening brace; or inside a numeric string, when there is one
      const num = numericStrings.length > 0 && where === 1 ? numericStrings[at % numericStrings.length]! : undefined;
      let before: string;
      let after: string;
      if (num) {
        const marked = JSON.stringify(setAt(value, num[0], `${String(num[1])}\u0001`));
        const j = marked.indexOf("\\u0001");
        before = marked.slice(0, j);
        after = marked.slice(j + 6);
      } else {
        before = baseText.slice(0, 1);
        after = baseText.slice(1);
      }
      const bytes = Buffer.concat([Buffer.from(before, "utf8"), bad, Buffer.from(after, "utf8")]);
      return { kind: "invalidUtf8" as const, expect: "reject" as const, path: num ? pathText(num[0]) : "$ (structural)", text: bytes.toString("utf8"), bytes: new Uint8Array(bytes) };
    })
  );
  if (objects.length > 0) {
    arbs.push(
    fc.tuple(pickNode(objects), fc.constantFrom("zz_extra", "unexpectedKey", "__proto__x"), fc.constantFrom<Json>(1, "x", null, [1], { a: 1 })).map(([[p, obj], key, v]) => {
      const copy: { [k: string]: Json } = { ...obj, [key]: v };
      return {
        kind: "extraField" as const,
        expect: options.strictKeys ? ("reject" as const) : ("same" as const),
        path: pathText([...p, key]),
        text: JSON.stringify(setAt(value, p, copy)),
      };
    }),
    );
  }
  const withKeys = objects.filter(([, o]) => Object.keys(o).length > 0);
  if (withKeys.length > 0) {
    arbs.push(
      fc.tuple(pickNode(withKeys), fc.nat()).map(([[p, obj], k]) => {
        const keys = Object.keys(obj);
        const key = keys[k % keys.length]!;
        // the duplicate comes first with a wrong value; JSON.parse keeps the last (the original)
        const table: string[] = [];
        const dupe = JSON.stringify(wrongValue(obj[key]!, k));
        const entries: [string, Json][] = [[`${RAW}dup`, null], ...Object.entries(obj)];
        const copy = Object.fromEntries(entries) as { [k: string]: Json };
        const text = render(setAt(value, p, copy), table).replace(`"\\u0000raw\\u0000dup":null`, `${JSON.stringify(key)}:${dupe}`);
        return { kind: "duplicatedKey" as const, expect: options.yamlDupKeys ? ("reject" as const) : ("same" as const), path: pathText([...p, key]), text };
      }),
      fc.tuple(pickNode(withKeys), fc.nat()).map(([[p, obj], k]) => {
        const keys = Object.keys(obj);
        const key = keys[k % keys.length]!;
        return { kind: "missingField" as const, expect: "either" as const, path: pathText([...p, key]), text: JSON.stringify(setAt(value, [...p, key], undefined)) };
      }),
    );
  }
  if (numericStrings.length > 0) {
    arbs.push(
      fc.tuple(pickNode(numericStrings), fc.constantFrom(...BAD_NUMERIC_STRINGS)).map(([[p], s]) => ({ kind: "badNumericString" as const, expect: "reject" as const, path: pathText(p), text: JSON.stringify(setAt(value, p, s)) })),
      fc.tuple(pickNode(numericStrings), sized(400, 10_000, 200_000)).map(([[p], n]) => ({
        kind: "hugeString" as const,
        expect: "reject" as const,
        path: pathText(p),
        text: JSON.stringify(setAt(value, p, "9".repeat(n))),
      })),
    );
  }
  if (numbers.length > 0) {
    arbs.push(
      fc.tuple(pickNode(numbers), fc.constantFrom("1e999", "-1e999", "1e400")).map(([[p], lit]) => {
        const table: string[] = [];
        return { kind: "badNumber" as const, expect: "reject" as const, path: pathText(p), text: render(setAt(value, p, raw(lit, table)), table) };
      }),
      fc.tuple(pickNode(numbers), fc.constantFrom(2 ** 53 + 2, 1e300, -1e300, 2 ** 64, Number.MAX_VALUE)).map(([[p], n]) => ({
        kind: "hugeNumber" as const,
        expect: "either" as const,
        path: pathText(p),
        text: JSON.stringify(setAt(value, p, n)),
      })),
    );
  }
  if (plainStrings.length > 0) {
    arbs.push(
      fc.tuple(pickNode(plainStrings), sized(1_000, 10_000, 200_000)).map(([[p], n]) => ({
        kind: "hugeString" as const,
        expect: "either" as const,
        path: pathText(p),
        text: JSON.stringify(setAt(value, p, "x".repeat(n))),
      })),
    );
  }
  if (all.length > 0) {
    arbs.push(
      fc.tuple(pickNode(all), fc.nat()).map(([[p, v], k]) => ({ kind: "wrongType" as const, expect: "reject" as const, path: pathText(p), text: JSON.stringify(setAt(value, p, wrongValue(v, k))) })),
      pickNode(all.filter(([, v]) => v !== null)).map(([p]) => ({ kind: "nullified" as const, expect: "either" as const, path: pathText(p), text: JSON.stringify(setAt(value, p, null)) })),
      fc.tuple(pickNode(all), sized(100, 2_000, 20_000)).map(([[p], depth]) => {
        const table: string[] = [];
        return { kind: "deepNesting" as const, expect: "reject" as const, path: pathText(p), text: render(setAt(value, p, raw("[".repeat(depth) + "]".repeat(depth), table)), table) };
      }),
    );
  }
  return fc.oneof(...arbs);
}
