// The config file's building blocks: bounded numbers and how an error names a section.
import * as t from "io-ts";

export function numberWhere(name: string, ok: (n: number) => boolean) {
  return new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === "number" && ok(u),
    (u, c) => (typeof u === "number" && Number.isFinite(u) && ok(u) ? t.success(u) : t.failure(u, c)),
    t.identity,
  );
}

export const PositiveNumber = numberWhere("a positive number", (n) => Number.isFinite(n) && n > 0);
export const NonNegativeNumber = numberWhere("a number ≥ 0", (n) => Number.isFinite(n) && n >= 0);
export const PositiveInt = numberWhere("a positive integer", (n) => Number.isInteger(n) && n > 0);
export const Fraction = numberWhere("a number between 0 and 1", (n) => n >= 0 && n <= 1);
export const Percent = numberWhere("a percentage between 0 and 100", (n) => n >= 0 && n <= 100);

/** What an error says a section should be: `the quota section (an object with reservePct, breakerPct)`. */
export function section(title: string, ...props: t.Props[]): string {
  return `${title} (an object with ${props.flatMap((p) => Object.keys(p)).join(", ")})`;
}
