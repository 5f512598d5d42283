// How our operators subscribe to their sources. Given a partial observer `{ next, error, complete }`,
// RxJS 7 wraps it in a SafeSubscriber and a ConsumerObserver: three calls and a try/catch per value
// per operator before the operator's own code runs (proof/bench/PROFILE.md §12). A Subscriber
// handed to `subscribe` is used as it is, so this one puts the operator's handler one call away.
//
// RxJS 7 marks `new Subscriber(destination)` as an internal detail (its own operators use the
// internal `OperatorSubscriber`, which this mirrors); test/streams/sourceSubscriber.spec.ts checks
// the behaviour it relies on, so an RxJS upgrade that changes it fails there first.
import { Subscriber } from "rxjs";

/**
 * A subscriber to an operator's source (or control stream) on behalf of `destination`, the
 * operator's own subscriber:
 * - each value goes to `onValue`; a throw from it errors `destination` (as RxJS's operators do);
 * - an error errors `destination`, or goes to `onError` when one is given (an operator that
 *   queues its source's end behind the values it holds; a throw from it errors `destination`);
 * - completion completes `destination`; with `onComplete` `"ignore"` it does not (a control
 *   stream whose end does not end the operator), and a function is called instead (an operator
 *   that ends when all of its inputs have; a throw from it errors `destination`);
 * - it is unsubscribed when `destination` is (and by whoever holds it).
 */
export class SourceSubscriber<T> extends Subscriber<T> {
  readonly #onValue: (value: T) => void;
  readonly #onComplete: "forward" | "ignore" | (() => void);
  readonly #onError: ((err: unknown) => void) | undefined;

  constructor(
    destination: Subscriber<unknown>,
    onValue: (value: T) => void,
    onComplete: "forward" | "ignore" | (() => void) = "forward",
    onError?: (err: unknown) => void,
  ) {
    super(destination);
    this.#onValue = onValue;
    this.#onComplete = onComplete;
    this.#onError = onError;
  }

  protected override _next(value: T): void {
    try {
      this.#onValue(value);
    } catch (err) {
      this.destination.error(err);
    }
  }

  protected override _error(err: unknown): void {
    const onError = this.#onError;
    if (onError === undefined) return super._error(err);
    try {
      onError(err);
    } catch (thrown) {
      this.destination.error(thrown);
    }
    this.unsubscribe();
  }

  protected override _complete(): void {
    const onComplete = this.#onComplete;
    if (onComplete === "forward") return super._complete();
    if (onComplete !== "ignore") {
      try {
        onComplete();
      } catch (err) {
        this.destination.error(err);
      }
    }
    this.unsubscribe();
  }
}
