// One request's answer as one event: the first value of `source$` through `project`, or — when
// the source errors, stays silent for `timeoutMs`, or `project` throws — the error through
// `onError`; then complete. The same as
//
//   source$.pipe(take(1), timeout({ first: timeoutMs, scheduler }), map(project), catchError((e) => of(onError(e))))
//
// in one subscriber instead of five operators and an inner `of`: the executor builds such a chain
// for every request it sends (orders, orderStatus, account snapshots: ~100 000 in a 24 h soak),
// and their RxJS plumbing was ~3% of the soak's CPU (proof/bench/PROFILE.md §16). It subscribes
// the source before it arms the timer, as timeout does, so on a virtual clock the answer and the
// timer keep their order (an answer due at exactly `timeoutMs` wins), and a timeout unsubscribes
// the source before `onError` runs. test/streams/firstAnswer.spec.ts checks it against the chain.
//
//   source:  ----a--b--|          timeoutMs 10:   ----(A|)
//   source:  -------------a--     timeoutMs 10:   ----------(T|)     T = onError(TimeoutError)
//   source:  ---#                 timeoutMs 10:   ---(E|)            E = onError(error)
import { Observable, TimeoutError } from "rxjs";
import type { SchedulerLike, Subscription } from "rxjs";
import { SourceSubscriber } from "./sourceSubscriber.js";

/**
 * The first value of `source$` projected, or its failure (error, no value within `timeoutMs` on
 * `scheduler`: a TimeoutError, a throw from `project`) through `onError`; one value, then complete.
 * A source that completes with no value completes with none. A throw from `onError` is the error.
 */
export function firstAnswer<T, R>(source$: Observable<T>, timeoutMs: number, scheduler: SchedulerLike, project: (value: T) => R, onError: (err: unknown) => R): Observable<R> {
  return new Observable<R>((subscriber) => {
    let done = false;
    let timer: Subscription | null = null;
    const end = (): void => {
      done = true;
      timer?.unsubscribe();
      timer = null;
    };
    const fail = (err: unknown): void => {
      if (done) return;
      end();
      let event: R;
      try {
        event = onError(err);
      } catch (thrown) {
        subscriber.error(thrown);
        return;
      }
      // catchError's order: the source is let go before the failure's answer goes out
      inner.unsubscribe();
      subscriber.next(event);
      subscriber.complete();
    };
    const inner = new SourceSubscriber<T>(
      subscriber,
      (value) => {
        if (done) return;
        // timeout's order: the timer goes before the value is handled
        timer?.unsubscribe();
        timer = null;
        let event: R;
        try {
          event = project(value);
        } catch (err) {
          fail(err);
          return;
        }
        end();
        subscriber.next(event);
        subscriber.complete();
      },
      () => {
        if (done) return;
        end();
        subscriber.complete();
      },
      fail,
    );
    source$.subscribe(inner);
    if (!done) {
      timer = scheduler.schedule(() => {
        timer = null;
        inner.unsubscribe();
        fail(new TimeoutError());
      }, timeoutMs);
    }
    return () => {
      timer?.unsubscribe();
      timer = null;
      inner.unsubscribe();
    };
  });
}
