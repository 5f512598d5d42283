// A seeded fault layer around any Venue's orderUpdates: at seeded times it delivers a false
// terminal status (default `canceled`) for one of the account's resting orders, which in truth
// rests on. Issue 12's "a false terminal orderUpdates status made duplicate orders until the next
// sync": the client must confirm such a status (orderStatus) before it re-places the level.
//
//   orderUpdates$:        -o1---o2-------c1--
//   falseStatusVenue:     -o1---o2--X----c1--    X = { …o1, status: "canceled" } (o1 still rests)
//
// The victim is the oldest order orderUpdates showed `open` and did not end since (and, with
// `stillRests`, that the venue really still rests: an end lost to a dropout is not mistaken for a
// resting order). Each injection is recorded (`injected`) and passed to `onInject` when it fires.
import { Observable, Subscription, share, type SchedulerLike } from "rxjs";
import type { OrderUpdate } from "../streams/orders.js";
import { statusClass } from "../streams/orders.js";
import type { Venue } from "../streams/venue.js";
import { SimRng } from "./prng.js";

export interface FalseStatusOptions {
  readonly seed: number;
  /** Mean gap between injections (ms); each gap is uniform in [0.5, 1.5] × this. */
  readonly everyMs: number;
  /** The false status (default "canceled"). */
  readonly status?: string;
  /** Called as each one fires. */
  readonly onInject?: (f: FalseStatusRecord) => void;
  /** The venue's truth, when the wrapper can see it (a PaperVenue: its exchange's open orders): victims are orders that really still rest. */
  readonly stillRests?: (oid: number) => boolean;
}

export interface FalseStatusRecord {
  readonly time: number;
  readonly asset: string;
  readonly oid: number;
  readonly cloid: string | null;
  readonly status: string;
}

/** `venue` with false terminal statuses in its orderUpdates$ (everything else passes through). */
export function falseStatusVenue(venue: Venue, scheduler: SchedulerLike, o: FalseStatusOptions): { readonly venue: Venue; readonly injected: readonly FalseStatusRecord[] } {
  const injected: FalseStatusRecord[] = [];
  const status = o.status ?? "canceled";
  const updates$ = new Observable<OrderUpdate>((subscriber) => {
    const rng = new SimRng(o.seed, "false-status");
    const open = new Map<number, OrderUpdate>();
    const sub = new Subscription();
    const arm = (): void => {
      sub.add(
        scheduler.schedule(() => {
          // the oldest order shown open and not ended since (Map keeps insertion order)
          let u: OrderUpdate | undefined;
          for (const [oid, c] of open) {
            open.delete(oid);
            if (!o.stillRests || o.stillRests(oid)) {
              u = c;
              break;
            }
          }
          if (u) {
            const f: FalseStatusRecord = { time: scheduler.now(), asset: u.asset, oid: u.oid, cloid: u.cloid, status };
            injected.push(f);
            try {
              o.onInject?.(f);
            } catch (err) {
              subscriber.error(err);
              return;
            }
            subscriber.next({ ...u, status, time: scheduler.now() });
          }
          arm();
        }, o.everyMs * (0.5 + rng.next())),
      );
    };
    sub.add(
      venue.orderUpdates$.subscribe({
        next: (u) => {
          if (statusClass(u.status) === "open") {
            if (!open.has(u.oid)) open.set(u.oid, u);
          } else open.delete(u.oid);
          subscriber.next(u);
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
    arm();
    return sub;
  }).pipe(share());
  const wrapped = new Proxy(venue, {
    get(target, key) {
      if (key === "orderUpdates$") return updates$;
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { venue: wrapped, injected };
}
