// Subjects for the hot paths: RxJS 7's `Subject.next` wraps each value in an `errorContext`
// closure and walks its observers with `for…of`, whose array iterator and `{ value, done }`
// results V8 (Node 20) does not elide there — about an eighth of what a soak allocates
// (proof/bench/PROFILE.md §11). These subclasses keep Subject's semantics and change only `next`:
// the same observer snapshot (taken when the observer list changed, as Subject does), walked with
// an index. Everything else — subscribe, unsubscribe, error, complete, `observed`,
// `asObservable` — is Subject's own. test/streams/fanout.spec.ts checks them event for event
// against Subject and ReplaySubject(1), re-entrant subscriptions and unsubscriptions included.
//
// `currentObservers` is private in rxjs 7.8's typings; it is read and written here exactly as
// Subject.next does. If a future rxjs renames it, the spec fails (the snapshot is then rebuilt on
// every value — still correct — and the spec's "reuses the snapshot" case says so).
import { Observable, ObjectUnsubscribedError, type Observer, ReplaySubject, Subject, Subscriber, config, share, type MonoTypeOperatorFunction } from "rxjs";

interface SubjectInternals<T> {
  closed: boolean;
  isStopped: boolean;
  observers: Observer<T>[];
  currentObservers: Observer<T>[] | null;
}

/** Subject.next's observer snapshot (taken when the list changed); null once stopped; throws once closed. */
function snapshotOf<T>(subject: Subject<T>): Observer<T>[] | null {
  const s = subject as unknown as SubjectInternals<T>;
  if (s.closed) throw new ObjectUnsubscribedError();
  if (s.isStopped) return null;
  return s.currentObservers ?? (s.currentObservers = s.observers.slice());
}

function fanOut<T>(subject: Subject<T>, value: T): void {
  const list = snapshotOf(subject);
  if (list === null) return;
  for (let i = 0; i < list.length; i++) list[i]!.next(value);
}

/** A Subject whose `next` allocates nothing per value. */
export class FanoutSubject<T> extends Subject<T> {
  override next(value: T): void {
    if (config.useDeprecatedSynchronousErrorHandling) super.next(value);
    else fanOut(this, value);
  }
}

/** An observer of some event types only (TypedFanoutSubject.ofType): passes values on as they are. */
class TypedSubscriber<T> extends Subscriber<T> {
  constructor(
    destination: Subscriber<T>,
    readonly types: ReadonlySet<string>,
  ) {
    super(destination);
  }
}

/**
 * A FanoutSubject of events with a `type`, whose `ofType(...)` subscribers are handed only the
 * events of their types — what `subject.pipe(filter((e) => e.type === t))` delivers, in the same
 * order among all the subject's observers, without a filter call per observer per event that
 * rejects it. Per type, the observers that take it are listed once from the snapshot and again only
 * when an observer comes or goes (the sink publishes ~20 types to ~20 observers, most of which take
 * one or two: proof/bench/PROFILE.md §16).
 */
export class TypedFanoutSubject<T extends { readonly type: string }> extends Subject<T> {
  #snapshot: Observer<T>[] | null = null;
  readonly #byType = new Map<string, Observer<T>[]>();

  override next(value: T): void {
    if (config.useDeprecatedSynchronousErrorHandling) {
      super.next(value);
      return;
    }
    const list = snapshotOf(this);
    if (list === null) return;
    if (list !== this.#snapshot) {
      this.#snapshot = list;
      this.#byType.clear();
    }
    let typed = this.#byType.get(value.type);
    if (typed === undefined) {
      typed = list.filter((o) => !(o instanceof TypedSubscriber) || o.types.has(value.type));
      this.#byType.set(value.type, typed);
    }
    for (let i = 0; i < typed.length; i++) typed[i]!.next(value);
  }

  /** The events of these types, as `filter` on the type would pass them (errors and completion too). */
  ofType<K extends T["type"]>(...types: K[]): Observable<Extract<T, { readonly type: K }>> {
    const set: ReadonlySet<string> = new Set<string>(types);
    return new Observable<Extract<T, { readonly type: K }>>((subscriber) => {
      this.subscribe(new TypedSubscriber<T>(subscriber as unknown as Subscriber<T>, set));
    });
  }
}

interface ReplayInternals<T> {
  _buffer: T[];
}

/**
 * `ReplaySubject<T>(1)` (no time window) with the fan-out above: the latest value is replayed to
 * each new subscriber, then every value as it comes.
 */
export class ReplayLastSubject<T> extends ReplaySubject<T> {
  constructor() {
    super(1);
  }

  override next(value: T): void {
    if (config.useDeprecatedSynchronousErrorHandling) {
      super.next(value);
      return;
    }
    if (!this.isStopped) {
      // ReplaySubject pushes, then trims to the last one: the same as overwriting slot 0
      const buffer = (this as unknown as ReplayInternals<T>)._buffer;
      if (buffer.length === 0) buffer.push(value);
      else {
        buffer[0] = value;
        if (buffer.length > 1) buffer.length = 1;
      }
    }
    fanOut(this, value);
  }
}

/** `share()` through a FanoutSubject (the other share options at their defaults). */
export function shareFanout<T>(): MonoTypeOperatorFunction<T> {
  return share<T>({ connector: () => new FanoutSubject<T>() });
}
