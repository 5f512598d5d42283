// The store's live (not terminal) records, all and by asset, each in the store's own order. The
// open-order scans (every reconcile's, the margin check's, the sweep's, the duplicate check's)
// read these and skip the terminal records kept for the retention (at 20 assets, thousands: the
// margin check's scan of them was 86 ms of the latency bench client's profile, PROFILE.md §18,
// second among our functions only to the frame parse). A record leaves at its terminal
// transition; a revival rebuilds both maps from the store's, so the order stays the store's.
import { isTerminalOrderState } from "../streams/execution.js";
import type { Rec } from "./orderTypes.js";

const EMPTY = new Map<string, Rec>();

export class LiveRecords {
  readonly #all = new Map<string, Rec>();
  readonly #byAsset = new Map<string, Map<string, Rec>>();

  /** A new record (pending-new: live, and last in both orders). */
  add(r: Rec): void {
    this.#all.set(r.cloid, r);
    let of = this.#byAsset.get(r.asset);
    if (!of) this.#byAsset.set(r.asset, (of = new Map()));
    of.set(r.cloid, r);
  }

  /** A record became terminal. */
  remove(r: Rec): void {
    this.#all.delete(r.cloid);
    this.#byAsset.get(r.asset)?.delete(r.cloid);
  }

  /** A record came back (a revival): both maps again from the store's, its asset's only. */
  rebuild(asset: string, all: Iterable<Rec>, ofAsset: Iterable<Rec>): void {
    this.#all.clear();
    for (const r of all) if (!isTerminalOrderState(r.state)) this.#all.set(r.cloid, r);
    const of = new Map<string, Rec>();
    for (const r of ofAsset) if (!isTerminalOrderState(r.state)) of.set(r.cloid, r);
    this.#byAsset.set(asset, of);
  }

  /** The live records of `asset` (every asset when omitted). */
  of(asset: string | undefined): IterableIterator<Rec> {
    if (asset === undefined) return this.#all.values();
    return (this.#byAsset.get(asset) ?? EMPTY).values();
  }
}
