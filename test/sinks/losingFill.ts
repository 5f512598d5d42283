// A venue whose fill feed loses one fill for good (live and in every snapshot): the drift and
// PnL-correction specs' way to make a gap no fill in flight explains.
import { map } from "rxjs";
import type { VenueFill, VenueFillBatch } from "../../streams/fill.js";
import type { Venue } from "../../streams/venue.js";

/** `venue` whose fill feed never delivers the `nth` fill (live or in any snapshot). */
export function losingFill(venue: Venue, nth: number): { venue: Venue; lost: () => VenueFill | undefined } {
  let seen = 0;
  let lost: VenueFill | undefined;
  const fills$ = venue.fills$.pipe(
    map((b): VenueFillBatch => ({
      ...b,
      fills: b.fills.filter((f) => {
        if (lost) return !(f.tid === lost.tid && f.asset === lost.asset);
        if (!b.isSnapshot && ++seen === nth) {
          lost = f;
          return false;
        }
        return true;
      }),
    })),
  );
  const wrapped = new Proxy(venue, {
    get(target, key) {
      if (key === "fills$") return fills$;
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { venue: wrapped, lost: () => lost };
}
