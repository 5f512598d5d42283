import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Subject, type MonoTypeOperatorFunction, observeOn, queueScheduler, type Subscription } from "rxjs";
import { trampoline } from "../../streams/trampoline.js";
import { marbles } from "../marbles.js";

// A script of values pushed into a subject; the subscriber, on some values, pushes more values
// into the same subject from inside next() (re-entry), completes or errors it, or unsubscribes.
// trampoline() must deliver exactly what observeOn(queueScheduler) delivers, in the same order.
interface Step {
  v: number;
  reenter: number[];
  end: "none" | "complete" | "error" | "unsubscribe";
}
const stepArb: fc.Arbitrary<Step> = fc.record({
  v: fc.integer({ min: 0, max: 99 }),
  reenter: fc.array(fc.integer({ min: 100, max: 199 }), { maxLength: 3 }),
  end: fc.constantFrom("none" as const, "none" as const, "none" as const, "complete" as const, "error" as const, "unsubscribe" as const),
});

function run(op: MonoTypeOperatorFunction<number>, steps: readonly Step[]): string[] {
  const src = new Subject<number>();
  const log: string[] = [];
  const byValue = new Map(steps.map((s) => [s.v, s]));
  let sub: Subscription | undefined = undefined;
  let depth = 0;
  sub = src.pipe(op).subscribe({
    next: (v) => {
      log.push(`next ${v} at depth ${depth}`);
      const s = byValue.get(v);
      if (!s) return;
      depth++;
      for (const r of s.reenter) src.next(r);
      if (s.end === "complete") src.complete();
      else if (s.end === "error") src.error(`boom ${v}`);
      else if (s.end === "unsubscribe") sub?.unsubscribe();
      depth--;
      log.push(`returned from ${v}`);
    },
    error: (e: unknown) => log.push(`error ${String(e)}`),
    complete: () => log.push("complete"),
  });
  for (const s of steps) src.next(s.v);
  src.complete();
  return log;
}

describe("trampoline", () => {
  it("delivers what observeOn(queueScheduler) delivers, in the same order, for any re-entrant script", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 12 }), (steps) => {
        expect(run(trampoline(), steps)).toEqual(run(observeOn(queueScheduler), steps));
      }),
      { numRuns: 3000 },
    );
  });

  it("passes values, error and complete through on their frames when nothing re-enters", marbles((m) => {
    const src = m.hot("  -a-b-#", { a: 1, b: 2 });
    m.expect(src.pipe(trampoline())).toBeObservable("-a-b-#", { a: 1, b: 2 });
    const done = m.cold(" -a--|", { a: 3 });
    m.expect(done.pipe(trampoline())).toBeObservable("-a--|", { a: 3 });
  }));

  it("holds a value pushed from inside next() until next() returns", () => {
    const src = new Subject<number>();
    const log: string[] = [];
    src.pipe(trampoline()).subscribe((v) => {
      log.push(`in ${v}`);
      if (v === 1) src.next(2);
      log.push(`out ${v}`);
    });
    src.next(1);
    expect(log).toEqual(["in 1", "out 1", "in 2", "out 2"]);
  });
});
