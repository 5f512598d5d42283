// The venue's channels decode each frame's data on the frame's call stack: the value (or each of
// the values) goes out, a failure goes to `report` (counted as a decode error) and nothing goes
// out. One subscriber per channel, where `mergeMap` built an inner `of` / `from` and subscribed to
// it for every frame (PROFILE.md §17).
import { Observable, type OperatorFunction } from "rxjs";
import type { DecodeFailure, Decoded } from "../../streams/codec.js";
import { SourceSubscriber } from "../../streams/sourceSubscriber.js";

/** Each frame's data decoded to one value; a failure is reported and skipped. */
export function decodedOne<A>(decode: (data: unknown) => Decoded<A>, report: (error: DecodeFailure) => void): OperatorFunction<unknown, A> {
  return (source) =>
    new Observable<A>((subscriber) =>
      source.subscribe(
        new SourceSubscriber<unknown>(subscriber, (data) => {
          const r = decode(data);
          if (r.ok) subscriber.next(r.value);
          else report(r.error);
        }),
      ),
    );
}

/** Each frame's data decoded to a list, its values in order (as `from` would, stopping if unsubscribed); a failure is reported and skipped. */
export function decodedEach<A>(decode: (data: unknown) => Decoded<readonly A[]>, report: (error: DecodeFailure) => void): OperatorFunction<unknown, A> {
  return (source) =>
    new Observable<A>((subscriber) =>
      source.subscribe(
        new SourceSubscriber<unknown>(subscriber, (data) => {
          const r = decode(data);
          if (!r.ok) return report(r.error);
          const values = r.value;
          for (let i = 0; i < values.length && !subscriber.closed; i++) subscriber.next(values[i]!);
        }),
      ),
    );
}
