// Marble tests on virtual time for your own operators and strategies: rxjs-marbles' generic
// `configure`, wired to your test framework's deep equality (or node:assert's, by default).
import { deepStrictEqual } from "node:assert/strict";
import { configure } from "rxjs-marbles";

/** What rxjs-marbles gives back: `marbles(fn)` wraps a test body that receives the context `m`. */
export type Marbles = ReturnType<typeof configure>["marbles"];

/**
 * `marbles` bound to an `expect` (vitest's, jest's): diagrams compare with `toStrictEqual`, and a
 * failure reads as the framework's own diff.
 *
 * ```ts
 * import { expect, it } from "vitest";
 * import { marblesFor } from "quoteflow/testing";
 * const { marbles } = marblesFor(expect);
 * it("…", marbles((m) => { m.expect(source.pipe(myGate(…, m.scheduler))).toBeObservable("-a-b", { … }); }));
 * ```
 */
export function marblesFor(expect: (actual: unknown) => { toStrictEqual(expected: unknown): void }): { readonly marbles: Marbles } {
  const { marbles } = configure({ assertDeepEqual: (a: unknown, e: unknown) => expect(a).toStrictEqual(e), frameworkMatcher: true });
  return { marbles };
}

/** `marbles` with node:assert's deepStrictEqual: works under any runner, `node --test` included. */
export const { marbles } = configure({ assertDeepEqual: (a: unknown, e: unknown) => deepStrictEqual(a, e) });
