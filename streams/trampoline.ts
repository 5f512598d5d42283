// trampoline() — deliver each notification only after the one before it has been fully handled
// downstream: a value that arrives while the subscriber is still inside next() (a synchronous
// re-entry, e.g. a venue answering inside `submit` and its answer coming back into the same fold)
// waits in a queue and is delivered when that next() returns, in arrival order.
//
//   inputs$.pipe(trampoline(), map(step))      // step is never entered twice
//
// This is what `observeOn(queueScheduler)` does for one stream, without a scheduled action, a
// Subscription and a closure per value (the sink's fold saw ~100 MB of them in a 6 h soak,
// proof/bench/PROFILE.md §11). Unlike queueScheduler, the queue is this subscription's own: a
// value is held only while this stream's own subscriber is busy, never behind another stream
// that happens to use queueScheduler at the same moment. error and complete queue behind the
// values before them. After unsubscribe nothing queued is delivered.
import { Observable, type MonoTypeOperatorFunction } from "rxjs";
import { SourceSubscriber } from "./sourceSubscriber.js";

/** error and complete as queue entries; a private class, so no value can be mistaken for one */
class Ending {
  constructor(
    readonly failed: boolean,
    readonly error: unknown,
  ) {}
}

export function trampoline<T>(): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      // queued values and Endings, in arrival order
      const queue: unknown[] = [];
      let busy = false;
      const deliver = (item: unknown): void => {
        if (!(item instanceof Ending)) subscriber.next(item as T);
        else if (item.failed) subscriber.error(item.error);
        else subscriber.complete();
      };
      const run = (item: unknown): void => {
        if (busy) {
          queue.push(item);
          return;
        }
        busy = true;
        try {
          deliver(item);
          for (let i = 0; i < queue.length && !subscriber.closed; i++) deliver(queue[i]);
        } finally {
          if (queue.length !== 0) queue.length = 0;
          busy = false;
        }
      };
      return source.subscribe(
        new SourceSubscriber<T>(
          subscriber,
          run,
          () => run(new Ending(false, undefined)),
          (error) => run(new Ending(true, error)),
        ),
      );
    });
}
