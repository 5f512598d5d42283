// Positions and PnL from the (deduped) fill stream, and the adoption of venue truth.
//
// Adopting a snapshot must neither lose nor double-count a fill that is in flight: the snapshot is
// the venue's position at `snapshot.time`, and fills travel separately. Venue times have
// millisecond resolution, so a fill's time alone places it on one side of the snapshot only when
// it differs from the snapshot's:
//   - fills with time < the adopted snapshot's time are already in it: they do not move the
//     position again (they still reach the order record, PnL, markouts);
//   - fills with time > snapshot.time are not in it: applied ones are added back on adoption;
//   - fills stamped in the snapshot's very millisecond can be on either side (the venue may fill
//     us in that millisecond before or after it answers). Their `startPosition` (the venue's
//     position just before the fill) decides: the fills after the snapshot are the chain of
//     startPositions that begins at the snapshot's position (P, then P + first fill, …). A fill
//     that is not on that chain, or carries no startPosition, is taken as inside the snapshot.
//     The chain is recomputed whenever such a fill arrives, so arrival order does not matter.
// Drift = venue − (ours without the fills after the snapshot): what the venue knew and we did not.
import type { AccountSnapshot } from "../streams/orders.js";
import type { FillEvent, VenueFill } from "../streams/fill.js";

export interface DriftRecord {
  readonly asset: string;
  /** Our position at the snapshot's time, before adopting. */
  readonly ours: number;
  readonly venue: number;
  /** venue − ours (coins). */
  readonly drift: number;
  readonly time: number;
}

export interface PositionBookOptions {
  /** How long applied fills are remembered for adoption (default 120 000 ms of venue time). */
  readonly recentWindowMs?: number;
  readonly sizeEpsilon?: number;
}

/** A fill as the position book remembers it: whether it is counted in the position now. */
interface HeldFill {
  readonly time: number;
  readonly signed: number;
  readonly start: number | undefined;
  counted: boolean;
}

interface AssetPosition {
  szi: number;
  /** The adopted snapshot: the venue's position `venue` at time `asOf`. */
  asOf: number | undefined;
  venue: number;
  /** Fills received with time ≥ asOf (all of them before the first adoption), in arrival order. */
  recent: HeldFill[];
}

export class PositionBook {
  readonly #assets = new Map<string, AssetPosition>();
  #assetList: readonly string[] | null = null;
  readonly #window: number;
  readonly #eps: number;

  constructor(options: PositionBookOptions = {}) {
    this.#window = options.recentWindowMs ?? 120_000;
    this.#eps = options.sizeEpsilon ?? 1e-9;
  }

  position(asset: string): number {
    return this.#assets.get(asset)?.szi ?? 0;
  }

  /** The assets with a position record, in the order they were first seen (kept until one is added: asked per snapshot and margin check). */
  assets(): readonly string[] {
    return (this.#assetList ??= [...this.#assets.keys()]);
  }

  #state(asset: string): AssetPosition {
    let st = this.#assets.get(asset);
    if (!st) {
      this.#assets.set(asset, (st = { szi: 0, asOf: undefined, venue: 0, recent: [] }));
      this.#assetList = null;
    }
    return st;
  }

  /**
   * Move the position by one fill. False when the fill is inside the adopted snapshot (it does not
   * move the position). A fill stamped in the snapshot's millisecond can also move fills of that
   * millisecond that arrived before it (it completes their chain).
   */
  applyFill(fill: VenueFill): boolean {
    const st = this.#state(fill.asset);
    if (st.asOf !== undefined && fill.time < st.asOf) return false;
    const held: HeldFill = { time: fill.time, signed: fill.isBuy ? fill.size : -fill.size, start: fill.startPosition, counted: false };
    st.recent.push(held);
    if (st.asOf !== undefined && fill.time === st.asOf) {
      this.#classifyTies(st);
    } else {
      held.counted = true;
      st.szi += held.signed;
    }
    if (st.asOf === undefined) {
      while (st.recent.length > 0 && st.recent[0]!.time < fill.time - this.#window) st.recent.shift();
    }
    return held.counted;
  }

  /** Venue truth wins: adopt every position of the snapshot; returns the drift found per asset (non-zero only). */
  adopt(snapshot: AccountSnapshot): DriftRecord[] {
    const venue = new Map(snapshot.positions.map((p) => [p.asset, p.szi] as const));
    for (const asset of venue.keys()) this.#state(asset);
    const drifts: DriftRecord[] = [];
    for (const [asset, st] of this.#assets) {
      // an answer older than the one adopted says nothing new (and its time cannot place our fills)
      if (st.asOf !== undefined && snapshot.time < st.asOf) continue;
      const v = venue.get(asset) ?? 0;
      const kept = st.recent.filter((f) => f.time >= snapshot.time);
      const after = this.#afterSnapshot(kept, snapshot.time, v);
      let countedAfter = 0;
      let laterSum = 0;
      kept.forEach((f, i) => {
        if (f.counted && after[i]) countedAfter += f.signed;
        if (after[i]) laterSum += f.signed;
        f.counted = after[i]!;
      });
      const ours = st.szi - countedAfter;
      const drift = v - ours;
      if (Math.abs(drift) > this.#eps) drifts.push({ asset, ours, venue: v, drift, time: snapshot.time });
      st.szi = v + laterSum;
      st.asOf = snapshot.time;
      st.venue = v;
      st.recent = kept;
    }
    return drifts;
  }

  /** Re-place the fills stamped exactly at the adopted snapshot's time (see the header); adjust the position. */
  #classifyTies(st: AssetPosition): void {
    const after = this.#afterSnapshot(st.recent, st.asOf!, st.venue);
    st.recent.forEach((f, i) => {
      if (f.counted === after[i]) return;
      st.szi += after[i] ? f.signed : -f.signed;
      f.counted = after[i]!;
    });
  }

  /**
   * Which of `fills` (all with time ≥ `time`) came after the snapshot (`venue` at `time`): every
   * later-stamped one, and of those stamped `time`, the chain of startPositions from `venue`.
   */
  #afterSnapshot(fills: readonly HeldFill[], time: number, venue: number): boolean[] {
    const after = fills.map((f) => f.time > time);
    let cursor = venue;
    for (;;) {
      const i = fills.findIndex((f, k) => !after[k] && f.time === time && f.start !== undefined && Math.abs(f.start - cursor) <= this.#eps * Math.max(1, Math.abs(cursor)));
      if (i < 0) return after;
      after[i] = true;
      cursor += fills[i]!.signed;
    }
  }
}

export interface PnlSnapshot {
  readonly asset: string;
  readonly position: number;
  readonly avgEntry: number;
  readonly realized: number;
  readonly fees: number;
  readonly volumeUsd: number;
}

/** Average-cost PnL per asset from our fills (fees subtracted separately). */
export class PnlBook {
  readonly #books = new Map<string, { position: number; avgEntry: number; realized: number; fees: number; volumeUsd: number }>();
  readonly #day = new Map<string, { closedPnl: number; fees: number }>();
  /** Venue time of the last correction per asset (see `correct`). */
  readonly #correctedAt = new Map<string, number>();
  /** assets()'s answer until a book or a day baseline is added (null: to be rebuilt). */
  #assetList: readonly string[] | null = null;

  applyFill(fill: FillEvent | VenueFill): void {
    const asOf = this.#correctedAt.get(fill.asset);
    if (asOf !== undefined && fill.time < asOf) {
      // inside the corrected position already (it was in flight when the venue's was adopted):
      // its fee, volume and the venue's closed PnL count; its size and price are in the adopted entry
      const b = this.#book(fill.asset);
      b.fees += fill.fee;
      b.volumeUsd += fill.size * fill.price;
      b.realized += fill.closedPnl ?? 0;
      return;
    }
    this.#apply(fill);
  }

  /**
   * Reconciliation found this book's position persistently off the venue's (sinks/pnlCorrection.ts):
   * adopt the venue's position and entry price as of venue time `asOf`. Realised PnL and fees stay;
   * fills stamped before `asOf` that arrive later are inside the adopted position (see applyFill).
   * Returns the book's position and entry before.
   */
  correct(asset: string, position: number, entryPx: number, asOf: number): { readonly position: number; readonly avgEntry: number } {
    const b = this.#book(asset);
    const before = { position: b.position, avgEntry: b.avgEntry };
    b.position = Math.abs(position) < 1e-12 ? 0 : position;
    b.avgEntry = b.position === 0 ? 0 : entryPx > 0 ? entryPx : b.avgEntry;
    this.#correctedAt.set(asset, Math.max(asOf, this.#correctedAt.get(asset) ?? -Infinity));
    return before;
  }

  #book(asset: string): { position: number; avgEntry: number; realized: number; fees: number; volumeUsd: number } {
    let b = this.#books.get(asset);
    if (!b) {
      this.#books.set(asset, (b = { position: 0, avgEntry: 0, realized: 0, fees: 0, volumeUsd: 0 }));
      this.#assetList = null;
    }
    return b;
  }

  #apply(fill: Pick<VenueFill, "asset" | "isBuy" | "size" | "price" | "fee">): void {
    const b = this.#book(fill.asset);
    const signed = fill.isBuy ? fill.size : -fill.size;
    b.fees += fill.fee;
    b.volumeUsd += fill.size * fill.price;
    if (b.position === 0 || Math.sign(b.position) === Math.sign(signed)) {
      const total = b.position + signed;
      b.avgEntry = (b.avgEntry * Math.abs(b.position) + fill.price * Math.abs(signed)) / Math.abs(total);
      b.position = total;
      return;
    }
    const closing = Math.min(Math.abs(signed), Math.abs(b.position));
    b.realized += closing * (fill.price - b.avgEntry) * Math.sign(b.position);
    const total = b.position + signed;
    if (Math.abs(total) < 1e-12) {
      b.position = 0;
      b.avgEntry = 0;
    } else if (Math.sign(total) !== Math.sign(b.position)) {
      b.position = total;
      b.avgEntry = fill.price;
    } else {
      b.position = total;
    }
  }

  /**
   * A position held before this session (the venue's, at its entry price): opened in the book like
   * a fill without fee or volume, so unrealised PnL and later closes are measured from the venue's
   * entry, not from zero.
   */
  adoptInherited(asset: string, position: number, entryPx: number): void {
    if (!(Math.abs(position) > 0) || !Number.isFinite(position) || !(entryPx > 0)) return;
    const volume = this.get(asset).volumeUsd;
    this.#apply({ asset, isBuy: position > 0, size: Math.abs(position), price: entryPx, fee: 0 });
    this.#books.get(asset)!.volumeUsd = volume;
  }

  /**
   * The day's closed PnL and fees before this session (the venue's fills since 00:00 UTC up to the
   * start, their `closedPnl` and `fee`): the loss limit counts from them (`dayTotal`), so a restart
   * does not reset it to zero. The session's own figures (`total`, the journal's samples) leave them out.
   */
  adoptDayBaseline(asset: string, closedPnl: number, fees: number): void {
    if (!Number.isFinite(closedPnl) || !Number.isFinite(fees)) return;
    this.#day.set(asset, { closedPnl, fees });
    this.#assetList = null;
  }

  /**
   * 00:00 UTC passed (sinks/dayRoll.ts): the day's PnL restarts — the baseline becomes minus this
   * session's realised PnL and fees so far, so `dayTotal` counts only what is realised and paid from
   * now on, plus the unrealised PnL of what is held (measured from its entry, as at a start).
   * The session's own figures (`total`) are untouched.
   */
  rollDay(asset: string): void {
    const b = this.get(asset);
    this.#day.set(asset, { closedPnl: -b.realized, fees: -b.fees });
    this.#assetList = null;
  }

  dayBaseline(asset: string): { readonly closedPnl: number; readonly fees: number } {
    return this.#day.get(asset) ?? { closedPnl: 0, fees: 0 };
  }

  /** What the loss limit measures: the day's closed PnL − fees before this session, plus `total` (this session's realised − fees + unrealised). */
  dayTotal(asset: string, mark: number | undefined): number {
    const d = this.#day.get(asset) ?? NO_BASELINE;
    return d.closedPnl - d.fees + this.total(asset, mark);
  }

  get(asset: string): PnlSnapshot {
    const b = this.#books.get(asset) ?? { position: 0, avgEntry: 0, realized: 0, fees: 0, volumeUsd: 0 };
    return { asset, ...b };
  }

  /** Realised − fees + unrealised at `mark` (USD). */
  total(asset: string, mark: number | undefined): number {
    // asked per asset on every tick (the loss limit): the book itself, not get()'s copy
    const b = this.#books.get(asset) ?? NO_BOOK;
    const unrealized = mark === undefined || b.position === 0 ? 0 : b.position * (mark - b.avgEntry);
    return b.realized - b.fees + unrealized;
  }

  /** Assets with a book or a day baseline (asked on every tick: kept until one is added). */
  assets(): readonly string[] {
    return (this.#assetList ??= [...new Set([...this.#books.keys(), ...this.#day.keys()])]);
  }
}

const NO_BOOK = { position: 0, avgEntry: 0, realized: 0, fees: 0, volumeUsd: 0 } as const;
const NO_BASELINE = { closedPnl: 0, fees: 0 } as const;
