import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { type Observable, ReplaySubject, Subject, type Subscription, filter, of } from "rxjs";
import { FanoutSubject, ReplayLastSubject, TypedFanoutSubject, shareFanout } from "../../streams/fanout.js";

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

/**
 * Run `ops` against `subject`: observer `id` listens to `source(id)`; values are `value(v)`, logged
 * as `show(e)`, and an observer reacts on the one whose number (`numberOf`) is its `on`.
 */
function runScript<E>(subject: Subject<E>, ops: readonly Op[], source: (id: number) => Observable<E>, value: (v: number) => E, show: (e: E) => string, numberOf: (e: E) => number): string[] {
  const s = subject;
  const log: string[] = [];
  const subs: Subscription[] = [];
  let ids = 0;
  const subscribe = (react: Extract<Op, { op: "sub" }>["react"], on: number): void => {
    const id = ids++;
    let self: Subscription | undefined;
    const sub = source(id).subscribe({
      next: (e) => {
        log.push(`${id} next ${show(e)}`);
        if (numberOf(e) !== on) return;
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
      else if (o.op === "next") s.next(value(o.v));
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

function run(make: () => Subject<number>, ops: readonly Op[]): string[] {
  const s = make();
  const same = (v: number): number => v;
  return runScript(s, ops, () => s, same, String, same);
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

// The same scripts with typed events: each observer takes all of them (a plain subscribe) or some
// types; ofType must deliver what filter on the type delivers, in the same order among all.
type Ev = { readonly type: "a"; readonly v: number } | { readonly type: "b"; readonly v: number } | { readonly type: "c"; readonly v: number };
const TYPES = ["a", "b", "c"] as const;
const typedOpArb: fc.Arbitrary<{ ops: Op[]; wants: (readonly ("a" | "b" | "c")[] | null)[] }> = fc.record({
  ops: fc.array(opArb, { maxLength: 40 }),
  wants: fc.array(fc.option(fc.subarray([...TYPES], { minLength: 1 }), { nil: null }), { minLength: 12, maxLength: 12 }),
});

function runTyped(subject: Subject<Ev>, select: (s: Subject<Ev>, types: readonly Ev["type"][]) => Observable<Ev>, ops: readonly Op[], wants: readonly (readonly Ev["type"][] | null)[]): string[] {
  const source = (id: number): Observable<Ev> => {
    const want = wants[id % wants.length] ?? null;
    return want === null ? subject : select(subject, want);
  };
  return runScript(subject, ops, source, (v) => ({ type: TYPES[v % 3]!, v }), (e) => `${e.type}${e.v}`, (e) => e.v);
}

describe("TypedFanoutSubject", () => {
  it("ofType delivers what Subject + filter on the type delivers, in the same order, for any script", () => {
    fc.assert(
      fc.property(typedOpArb, ({ ops, wants }) => {
        const ours = runTyped(new TypedFanoutSubject<Ev>(), (s, types) => (s as TypedFanoutSubject<Ev>).ofType(...types), ops, wants);
        const theirs = runTyped(new Subject<Ev>(), (s, types) => s.pipe(filter((e) => types.includes(e.type))), ops, wants);
        expect(ours).toEqual(theirs);
      }),
      { numRuns: 2000 },
    );
  });

  it("hands each type to its observers in subscription order, and no longer to one that left", () => {
    const s = new TypedFanoutSubject<Ev>();
    const seen: string[] = [];
    s.ofType("a").subscribe((e) => seen.push(`A${e.v}`));
    const b = s.ofType("b").subscribe((e) => seen.push(`B${e.v}`));
    s.subscribe((e) => seen.push(`*${e.type}${e.v}`));
    s.next({ type: "a", v: 1 });
    s.next({ type: "b", v: 2 });
    b.unsubscribe();
    s.next({ type: "b", v: 3 });
    s.next({ type: "c", v: 4 });
    expect(seen).toEqual(["A1", "*a1", "B2", "*b2", "*b3", "*c4"]);
  });
});
