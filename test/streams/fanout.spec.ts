import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ReplaySubject, Subject, type Subscription, of } from "rxjs";
import { FanoutSubject, ReplayLastSubject, shareFanout } from "../../streams/fanout.js";

// One script of operations, run against RxJS's own subject and ours; the two logs must be equal.
// Observers can act re-entrantly on a value: subscribe a new observer, unsubscribe themselves or
// another, or complete the subject from inside next().
type Op =
  | { op: "sub"; react: "none" | "subOther" | "unsubSelf" | "unsubFirst" | "complete"; on: number }
  | { op: "unsub"; which: number }
  | { op: "next"; v: number }
  | { op: "error" }
  | { op: "complete" }
  | { op: "close" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("sub" as const), react: fc.constantFrom("none" as const, "subOther" as const, "unsubSelf" as const, "unsubFirst" as const, "complete" as const), on: fc.integer({ min: 0, max: 9 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("unsub" as const), which: fc.nat(8) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant("next" as const), v: fc.integer({ min: 0, max: 9 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: "error" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "complete" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "close" as const }) },
);

function run(make: () => Subject<number>, ops: readonly Op[]): string[] {
  const s = make();
  const log: string[] = [];
  const subs: Subscription[] = [];
  let ids = 0;
  const subscribe = (react: Extract<Op, { op: "sub" }>["react"], on: number): void => {
    const id = ids++;
    let self: Subscription | undefined;
    const sub = s.subscribe({
      next: (v) => {
        log.push(`${id} next ${v}`);
        if (v !== on) return;
        if (react === "subOther") subscribe("none", -1);
        else if (react === "unsubSelf") self?.unsubscribe();
        else if (react === "unsubFirst") subs[0]?.unsubscribe();
        else if (react === "complete") s.complete();
      },
      error: (e: unknown) => log.push(`${id} error ${String(e)}`),
      complete: () => log.push(`${id} complete`),
    });
    self = sub;
    subs.push(sub);
  };
  for (const o of ops) {
    try {
      if (o.op === "sub") subscribe(o.react, o.on);
      else if (o.op === "unsub") subs[o.which]?.unsubscribe();
      else if (o.op === "next") s.next(o.v);
      else if (o.op === "error") s.error("boom");
      else if (o.op === "complete") s.complete();
      else s.unsubscribe();
    } catch (e) {
      log.push(`threw ${(e as Error).name}`);
    }
    log.push(`observed ${s.observed} closed ${s.closed}`);
  }
  return log;
}

describe("FanoutSubject", () => {
  it("behaves as Subject for any script of subscribe/unsubscribe/next/error/complete, re-entrant ones included", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        expect(run(() => new FanoutSubject<number>(), ops)).toEqual(run(() => new Subject<number>(), ops));
      }),
      { numRuns: 2000 },
    );
  });

  it("reuses its observer snapshot between values and rebuilds it when an observer comes or goes", () => {
    const s = new FanoutSubject<number>();
    const seen: number[] = [];
    const a = s.subscribe((v) => seen.push(v));
    s.next(1);
    const snap = (s as unknown as { currentObservers: unknown }).currentObservers;
    expect(Array.isArray(snap)).toBe(true);
    s.next(2);
    expect((s as unknown as { currentObservers: unknown }).currentObservers).toBe(snap);
    a.unsubscribe();
    expect((s as unknown as { currentObservers: unknown }).currentObservers).toBeNull();
    s.next(3);
    expect(seen).toEqual([1, 2]);
  });

  it("shareFanout multicasts like share()", () => {
    const got: string[] = [];
    const src = of(1, 2, 3).pipe(shareFanout());
    src.subscribe((v) => got.push(`a${v}`));
    src.subscribe((v) => got.push(`b${v}`));
    // of() completes synchronously: each subscriber gets its own run, as with share()
    expect(got).toEqual(["a1", "a2", "a3", "b1", "b2", "b3"]);
  });
});

describe("ReplayLastSubject", () => {
  it("behaves as ReplaySubject(1) for any script, late subscribers replayed the latest value", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        expect(run(() => new ReplayLastSubject<number>(), ops)).toEqual(run(() => new ReplaySubject<number>(1), ops));
      }),
      { numRuns: 2000 },
    );
  });
});
