import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Observable, TimeoutError, VirtualTimeScheduler, catchError, map, of, take, timeout } from "rxjs";
import type { SchedulerLike } from "rxjs";
import { firstAnswer } from "../../streams/firstAnswer.js";
import { marbles } from "../marbles.js";

const project = (v: string): string => v.toUpperCase();
const onError = (err: unknown): string => (err instanceof TimeoutError ? "T" : "E");

describe("firstAnswer", () => {
  it(
    "answers with the first value, projected, and completes",
    marbles((m) => {
      const src = m.cold("----a--b--|");
      const subs = "       ^---!";
      m.expect(firstAnswer(src, 10, m.scheduler, project, onError)).toBeObservable("----(A|)");
      m.expect(src).toHaveSubscriptions(subs);
    }),
  );

  it(
    "a silent source times out at exactly timeoutMs: unsubscribed, onError(TimeoutError), complete",
    marbles((m) => {
      const src = m.cold("-------------a--");
      m.expect(firstAnswer(src, 10, m.scheduler, project, onError)).toBeObservable("----------(T|)");
      m.expect(src).toHaveSubscriptions("^---------!");
    }),
  );

  it(
    "an answer due at exactly timeoutMs wins over the timer (the source is subscribed first)",
    marbles((m) => {
      const src = m.cold("----------a");
      m.expect(firstAnswer(src, 10, m.scheduler, project, onError)).toBeObservable("----------(A|)");
    }),
  );

  it(
    "an error is answered through onError; a source that completes empty completes empty",
    marbles((m) => {
      m.expect(firstAnswer(m.cold("---#"), 10, m.scheduler, project, onError)).toBeObservable("---(E|)");
      m.expect(firstAnswer(m.cold("---|"), 10, m.scheduler, project, onError)).toBeObservable("---|");
    }),
  );

  it(
    "a throw from project goes to onError; a throw from onError is the error",
    marbles((m) => {
      const boom = (): string => {
        throw new Error("project");
      };
      m.expect(firstAnswer(m.cold("--a"), 10, m.scheduler, boom, (e) => (e instanceof Error ? e.message : "?"))).toBeObservable("--(p|)", { p: "project" });
      const bad = (): string => {
        throw new Error("onError");
      };
      m.expect(firstAnswer(m.cold("--#"), 10, m.scheduler, project, bad)).toBeObservable("--#", undefined, new Error("onError"));
    }),
  );

  it(
    "unsubscribing before the answer drops the source and the timer",
    marbles((m) => {
      const src = m.cold("--------a");
      m.expect(firstAnswer(src, 10, m.scheduler, project, onError), "^---!").toBeObservable("-----");
      m.expect(src).toHaveSubscriptions("^---!");
    }),
  );

  // Against the chain it replaces, on a virtual clock: the same notifications at the same frames,
  // and the same order of the side effects (project, onError, source unsubscribed) among each
  // other and against other work queued at the same frames.
  interface Script {
    readonly events: readonly { readonly at: number; readonly kind: "v" | "e" | "c" }[];
    readonly timeoutMs: number;
    readonly throwIn: "none" | "project" | "onError";
    readonly unsubAt: number | null;
  }
  const scriptArb: fc.Arbitrary<Script> = fc.record({
    events: fc.array(fc.record({ at: fc.integer({ min: 0, max: 20 }), kind: fc.constantFrom("v" as const, "v" as const, "e" as const, "c" as const) }), { maxLength: 4 }),
    timeoutMs: fc.integer({ min: 0, max: 15 }),
    throwIn: fc.constantFrom("none" as const, "none" as const, "project" as const, "onError" as const),
    unsubAt: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
  });

  function run(script: Script, make: (src: Observable<number>, ms: number, sch: SchedulerLike, p: (v: number) => string, e: (err: unknown) => string) => Observable<string>): string[] {
    const sch = new VirtualTimeScheduler();
    const log: string[] = [];
    const src = new Observable<number>((sub) => {
      log.push(`subscribed@${sch.now()}`);
      const timers = [...script.events].sort((a, b) => a.at - b.at).map((ev, i) =>
        sch.schedule(() => {
          if (ev.kind === "v") sub.next(i);
          else if (ev.kind === "e") sub.error(new Error(`err${i}`));
          else sub.complete();
        }, ev.at),
      );
      return () => {
        log.push(`source unsubscribed@${sch.now()}`);
        for (const t of timers) t.unsubscribe();
      };
    });
    const p = (v: number): string => {
      log.push(`project ${v}@${sch.now()}`);
      if (script.throwIn === "project") throw new Error(`project ${v}`);
      return `A${v}`;
    };
    const e = (err: unknown): string => {
      log.push(`onError ${err instanceof TimeoutError ? "timeout" : String(err)}@${sch.now()}`);
      if (script.throwIn === "onError") throw new Error("onError");
      return "F";
    };
    // a bystander at every frame: its place among the answer's work shows the order of the queue
    for (let f = 0; f <= 25; f++) sch.schedule(() => log.push(`tick@${f}`), f);
    const sub = make(src, script.timeoutMs, sch, p, e).subscribe({
      next: (v) => log.push(`next ${v}@${sch.now()}`),
      error: (err: unknown) => log.push(`error ${String(err)}@${sch.now()}`),
      complete: () => log.push(`complete@${sch.now()}`),
    });
    if (script.unsubAt !== null) sch.schedule(() => sub.unsubscribe(), script.unsubAt);
    sch.flush();
    return log;
  }

  it("does what take(1) + timeout({ first }) + map + catchError(of) does, in the same order, for any source", () => {
    fc.assert(
      fc.property(scriptArb, (script) => {
        const chain = run(script, (src, ms, sch, p, e) =>
          src.pipe(
            take(1),
            timeout({ first: ms, scheduler: sch }),
            map(p),
            catchError((err: unknown) => of(e(err))),
          ),
        );
        const fused = run(script, (src, ms, sch, p, e) => firstAnswer(src, ms, sch, p, e));
        expect(fused).toEqual(chain);
      }),
      { numRuns: 500 },
    );
  });
});
