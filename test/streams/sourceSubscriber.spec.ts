import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Observable, Subject, type Observer, type Subscriber } from "rxjs";
import { SourceSubscriber } from "../../streams/sourceSubscriber.js";

// An operator with a source and a control stream, written twice: with SourceSubscriber, and the
// way our operators were written before it — partial observers `{ next, error, complete }`. Over
// random scripts of source/control values, errors, completions and an unsubscribe, both must
// deliver the same values, errors and completions in the same order and tear down the same.
type Wrap = (destination: Subscriber<unknown>, onValue: (v: number) => void, onComplete: "forward" | "ignore") => Partial<Observer<number>>;

const viaSourceSubscriber: Wrap = (destination, onValue, onComplete) => new SourceSubscriber<number>(destination, onValue, onComplete);
const viaPartialObserver: Wrap = (destination, onValue, onComplete) => ({
  next: onValue,
  error: (err: unknown) => destination.error(err),
  ...(onComplete === "forward" ? { complete: () => destination.complete() } : {}),
});

function withControl(wrap: Wrap, control$: Observable<number>, log: string[]) {
  return (source: Observable<number>) =>
    new Observable<number>((subscriber) => {
      let factor = 1;
      const c = control$.subscribe(wrap(subscriber, (v) => (factor = v), "ignore"));
      const s = source.subscribe(wrap(subscriber, (v) => subscriber.next(v * factor), "forward"));
      return () => {
        log.push("teardown");
        s.unsubscribe();
        c.unsubscribe();
      };
    });
}

type Step = { to: "source" | "control"; what: "next" | "error" | "complete"; v: number } | { to: "consumer"; what: "unsubscribe"; v: number };
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ to: fc.constantFrom("source" as const, "control" as const), what: fc.constant("next" as const), v: fc.integer({ min: 1, max: 9 }) }) },
  { weight: 1, arbitrary: fc.record({ to: fc.constantFrom("source" as const, "control" as const), what: fc.constantFrom("error" as const, "complete" as const), v: fc.constant(0) }) },
  { weight: 1, arbitrary: fc.record({ to: fc.constant("consumer" as const), what: fc.constant("unsubscribe" as const), v: fc.constant(0) }) },
);

function run(wrap: Wrap, steps: readonly Step[]): string[] {
  const source = new Subject<number>();
  const control = new Subject<number>();
  const log: string[] = [];
  const sub = source.pipe(withControl(wrap, control, log)).subscribe({
    next: (v) => log.push(`next ${v}`),
    error: (e: unknown) => log.push(`error ${String(e)}`),
    complete: () => log.push("complete"),
  });
  for (const step of steps) {
    if (step.to === "consumer") sub.unsubscribe();
    else {
      const target = step.to === "source" ? source : control;
      if (step.what === "next") target.next(step.v);
      else if (step.what === "error") target.error(`${step.to} failed`);
      else target.complete();
    }
    log.push(`observed: source ${String(source.observed)}, control ${String(control.observed)}`);
  }
  return log;
}

describe("SourceSubscriber", () => {
  it("delivers, errors, completes and tears down exactly as the partial observers it replaced", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 30 }), (steps) => {
        expect(run(viaSourceSubscriber, steps)).toEqual(run(viaPartialObserver, steps));
      }),
      { numRuns: 2000 },
    );
  });

  it("a control stream's completion does not end the operator; the source's does", () => {
    const log = run(viaSourceSubscriber, [
      { to: "source", what: "next", v: 2 },
      { to: "control", what: "next", v: 3 },
      { to: "control", what: "complete", v: 0 },
      { to: "source", what: "next", v: 2 },
      { to: "source", what: "complete", v: 0 },
    ]);
    expect(log.filter((l) => !l.startsWith("observed"))).toEqual(["next 2", "next 6", "complete", "teardown"]);
  });

  it("a completion callback is called instead of completing (an operator that ends when all its inputs have); its throw errors", () => {
    const a = new Subject<number>();
    const b = new Subject<number>();
    const seen: string[] = [];
    const both = new Observable<number>((subscriber) => {
      let active = 2;
      const done = () => {
        seen.push(`input done, ${--active} left`);
        if (active === 0) subscriber.complete();
        if (active < 0) throw new Error("completed twice");
      };
      const sa = a.subscribe(new SourceSubscriber<number>(subscriber, (v) => subscriber.next(v), done));
      const sb = b.subscribe(new SourceSubscriber<number>(subscriber, (v) => subscriber.next(v * 10), done));
      return () => {
        sa.unsubscribe();
        sb.unsubscribe();
      };
    });
    both.subscribe({ next: (v) => seen.push(`next ${v}`), complete: () => seen.push("complete") });
    a.next(1);
    a.complete();
    b.next(2);
    expect(a.observed).toBe(false);
    b.complete();
    expect(seen).toEqual(["next 1", "input done, 1 left", "next 20", "input done, 0 left", "complete"]);
    expect(b.observed).toBe(false);

    const c = new Subject<number>();
    const errors: string[] = [];
    new Observable<number>((subscriber) => {
      const s = c.subscribe(
        new SourceSubscriber<number>(subscriber, () => undefined, () => {
          throw new Error("callback failed");
        }),
      );
      return () => s.unsubscribe();
    }).subscribe({ error: (e: unknown) => errors.push((e as Error).message), complete: () => errors.push("complete") });
    c.complete();
    expect(errors).toEqual(["callback failed"]);
  });

  it("an error goes to onError when one is given (instead of the operator's subscriber), and the source is let go", () => {
    const src = new Subject<number>();
    const seen: string[] = [];
    new Observable<number>((subscriber) => {
      const s = src.subscribe(
        new SourceSubscriber<number>(
          subscriber,
          (v) => subscriber.next(v),
          "forward",
          (err) => {
            seen.push(`held ${String(err)}`);
            subscriber.error(`late ${String(err)}`);
          },
        ),
      );
      return () => s.unsubscribe();
    }).subscribe({ next: (v) => seen.push(`next ${v}`), error: (e: unknown) => seen.push(`error ${String(e)}`) });
    src.next(1);
    src.error("boom");
    expect(seen).toEqual(["next 1", "held boom", "error late boom"]);
    expect(src.observed).toBe(false);
  });

  it("a throw from the handler errors the operator's subscriber (as RxJS's own operators do) and unsubscribes the source", () => {
    const source = new Subject<number>();
    const seen: string[] = [];
    source
      .pipe(
        (src: Observable<number>) =>
          new Observable<number>((subscriber) => {
            const s = src.subscribe(
              new SourceSubscriber<number>(subscriber, (v) => {
                if (v === 2) throw new Error("handler failed on 2");
                subscriber.next(v);
              }),
            );
            return () => s.unsubscribe();
          }),
      )
      .subscribe({ next: (v) => seen.push(`next ${v}`), error: (e: unknown) => seen.push(`error ${(e as Error).message}`) });
    source.next(1);
    source.next(2);
    source.next(3);
    expect(seen).toEqual(["next 1", "error handler failed on 2"]);
    expect(source.observed).toBe(false);
  });
});
