// Positions and PnL from the (deduped) fill stream, and the adoption of venue truth.
//
// Adopting a snapshot must neither lose nor double-count a fill that is in flight: the snapshot is
// the venue's position at `snapshot.time`, and fills travel separately. So
//   - fills with time ≤ the adopted snapshot's time are already in it: they do not move the
//     position again (they still reach the order record, PnL, markouts);
//   - fills we applied with time > snapshot.time are not in it: they are added back on adoption.
// Drift = venue − (ours without those later fills): what the venue knew and we did not.
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

export class PositionBook {
  readonly #szi = new Map<string, number>();
  readonly #asOf = new Map<string, number>();
  readonly #recent = new Map<string, { time: number; signed: number }[]>();
  readonly #window: number;
  readonly #eps: number;

  constructor(options: PositionBookOptions = {}) {
    this.#window = options.recentWindowMs ?? 120_000;
    this.#eps = options.sizeEpsilon ?? 1e-9;
  }

  position(asset: string): number {
    return this.#szi.get(asset) ?? 0;
  }

  assets(): string[] {
    return [...this.#szi.keys()];
  }

  /** Move the position by one fill. False when the fill is already inside an adopted snapshot. */
  applyFill(fill: VenueFill): boolean {
    const asOf = this.#asOf.get(fill.asset);
    if (asOf !== undefined && fill.time <= asOf) return false;
    const signed = fill.isBuy ? fill.size : -fill.size;
    this.#szi.set(fill.asset, this.position(fill.asset) + signed);
    let list = this.#recent.get(fill.asset);
    if (!list) this.#recent.set(fill.asset, (list = []));
    list.push({ time: fill.time, signed });
    while (list.length > 0 && list[0]!.time < fill.time - this.#window) list.shift();
    return true;
  }

  /** Venue truth wins: adopt every position of the snapshot; returns the drift found per asset (non-zero only). */
  adopt(snapshot: AccountSnapshot): DriftRecord[] {
    const venue = new Map(snapshot.positions.map((p) => [p.asset, p.szi] as const));
    const assets = new Set([...this.#szi.keys(), ...venue.keys()]);
    const drifts: DriftRecord[] = [];
    for (const asset of assets) {
      const list = this.#recent.get(asset) ?? [];
      const later = list.filter((f) => f.time > snapshot.time);
      const laterSum = later.reduce((s, f) => s + f.signed, 0);
      const ours = this.position(asset) - laterSum;
      const v = venue.get(asset) ?? 0;
      const drift = v - ours;
      if (Math.abs(drift) > this.#eps) drifts.push({ asset, ours, venue: v, drift, time: snapshot.time });
      this.#szi.set(asset, v + laterSum);
      this.#asOf.set(asset, Math.max(this.#asOf.get(asset) ?? -Infinity, snapshot.time));
      this.#recent.set(asset, later);
    }
    return drifts;
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

  applyFill(fill: FillEvent | VenueFill): void {
    let b = this.#books.get(fill.asset);
    if (!b) this.#books.set(fill.asset, (b = { position: 0, avgEntry: 0, realized: 0, fees: 0, volumeUsd: 0 }));
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

  get(asset: string): PnlSnapshot {
    const b = this.#books.get(asset) ?? { position: 0, avgEntry: 0, realized: 0, fees: 0, volumeUsd: 0 };
    return { asset, ...b };
  }

  /** Realised − fees + unrealised at `mark` (USD). */
  total(asset: string, mark: number | undefined): number {
    const b = this.get(asset);
    const unrealized = mark === undefined || b.position === 0 ? 0 : b.position * (mark - b.avgEntry);
    return b.realized - b.fees + unrealized;
  }

  assets(): string[] {
    return [...this.#books.keys()];
  }
}
