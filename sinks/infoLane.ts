// The info lane: every /info request the sink makes (account snapshots, orderStatus) waits, in
// FIFO order, until its IP weight fits the window the quota throttle keeps (the same 1200/min the
// actions use, FACTS §9), is charged when it leaves (not when it is asked for), and an HTTP 429 (or
// the venue's rate-limit text) pauses the lane: 2 s, doubling to 60 s, reset by the next answer.
//
//   requests: -a-b-----------      a, b info requests (weight 22 and 2)
//   room:     full ──▶ frees at t
//   output:   ---------(a)(b)      sent when their weight fits, in order; each charged then
//
// Without a `room` function (no throttle: tests, replay without quota) requests leave at once.
import { Observable } from "rxjs";
import type { SchedulerLike, Subscription } from "rxjs";

export interface InfoLaneCounts {
  /** Info requests that had to wait for room in the IP window (or a 429 pause) before leaving. */
  infoDelayed: number;
  /** Info answers that were HTTP 429 / rate limited (each pauses the lane). */
  infoRateLimited: number;
  /** Info requests waiting now. */
  infoWaiting: number;
}

interface Job {
  readonly weight: number;
  readonly start: () => void;
  delayed: boolean;
}

/** An HTTP 429 (or a rate-limit text) in an info failure. */
export function isInfoRateLimited(error: string): boolean {
  return /\b429\b|rate.?limit/i.test(error);
}

export class InfoLane {
  readonly #queue: Job[] = [];
  #timer: Subscription | null = null;
  #timerAt = Infinity;
  #pausedUntil = -Infinity;
  #backoffMs = 0;

  constructor(
    private readonly scheduler: SchedulerLike,
    /** ms until `weight` more fits under the IP limit (0: now); none: always room. */
    private readonly room: ((weight: number, now: number) => number) | undefined,
    /** Charge the IP window when a request leaves. */
    private readonly charge: (weight: number) => void,
    readonly counts: InfoLaneCounts,
  ) {}

  /**
   * `run()` once `weight` fits (subscribed then, charged then). `failedText` reads a value's
   * rate-limit failure text (or null); an error of the request is read the same way.
   */
  request<T>(weight: number, run: () => Observable<T>, failedText: (v: T) => string | null): Observable<T> {
    return new Observable<T>((subscriber) => {
      let inner: Subscription | null = null;
      const job: Job = {
        weight,
        delayed: false,
        start: () => {
          this.charge(weight);
          inner = run().subscribe({
            next: (v) => {
              this.#answered(failedText(v));
              subscriber.next(v);
            },
            error: (err: unknown) => {
              this.#answered(err instanceof Error ? err.message : String(err));
              subscriber.error(err);
            },
            complete: () => subscriber.complete(),
          });
        },
      };
      this.#queue.push(job);
      this.counts.infoWaiting += 1;
      this.#pump();
      return () => {
        const at = this.#queue.indexOf(job);
        if (at >= 0) {
          this.#queue.splice(at, 1);
          this.counts.infoWaiting -= 1;
        }
        inner?.unsubscribe();
      };
    });
  }

  #answered(failure: string | null): void {
    if (failure !== null && isInfoRateLimited(failure)) {
      this.counts.infoRateLimited += 1;
      this.#backoffMs = Math.min(60_000, this.#backoffMs === 0 ? 2000 : this.#backoffMs * 2);
      this.#pausedUntil = this.scheduler.now() + this.#backoffMs;
    } else if (failure === null) this.#backoffMs = 0;
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const now = this.scheduler.now();
      const job = this.#queue[0]!;
      const wait = Math.max(this.#pausedUntil - now, this.room ? this.room(job.weight, now) : 0);
      if (wait > 0) {
        if (!job.delayed) {
          job.delayed = true;
          this.counts.infoDelayed += 1;
        }
        this.#arm(now + wait, now);
        return;
      }
      this.#queue.shift();
      this.counts.infoWaiting -= 1;
      job.start();
    }
  }

  #arm(at: number, now: number): void {
    if (this.#timer !== null && this.#timerAt <= at) return;
    this.#timer?.unsubscribe();
    this.#timerAt = at;
    this.#timer = this.scheduler.schedule(() => {
      this.#timer = null;
      this.#timerAt = Infinity;
      this.#pump();
    }, Math.max(1, at - now));
  }

  /** Stop the timer (the executor's subscription ended). */
  close(): void {
    this.#timer?.unsubscribe();
    this.#timer = null;
  }
}
