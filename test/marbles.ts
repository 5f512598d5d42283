// The one rxjs-marbles entry point for every spec: the generic `configure` wired to vitest's
// `expect`, so diagrams compare with toStrictEqual and failures read as vitest diffs.
import { configure } from "rxjs-marbles";
import { expect } from "vitest";

export const { marbles } = configure({
  assertDeepEqual: (actual: unknown, expected: unknown) => expect(actual).toStrictEqual(expected),
  frameworkMatcher: true,
});
