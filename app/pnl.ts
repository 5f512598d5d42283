// Per-asset PnL from our fills: cash flow + position marked to the mid, net of fees. The sink's
// reconciler decides the position we trade on; this is the view a person and the report read.
import type { FillEvent } from "../streams/fill.js";

export interface AssetBook {
  position: number;
  cash: number;
  fees: number;
  volumeUsd: number;
  fills: number;
  readonly fillsBySource: Record<string, number>;
}

export class PnlTracker {
  private readonly books = new Map<string, AssetBook>();

  private book(asset: string): AssetBook {
    let b = this.books.get(asset);
    if (!b) {
      b = { position: 0, cash: 0, fees: 0, volumeUsd: 0, fills: 0, fillsBySource: {} };
      this.books.set(asset, b);
    }
    return b;
  }

  apply(fill: FillEvent): void {
    const b = this.book(fill.asset);
    const side = fill.isBuy ? 1 : -1;
    b.position += side * fill.size;
    b.cash -= side * fill.size * fill.price;
    b.fees += fill.fee;
    b.volumeUsd += fill.size * fill.price;
    b.fills += 1;
    b.fillsBySource[fill.source] = (b.fillsBySource[fill.source] ?? 0) + 1;
  }

  position(asset: string): number {
    return this.books.get(asset)?.position ?? 0;
  }

  /** Cash + position × mid − fees (USD). Without a mid, the position is valued at 0 change. */
  pnl(asset: string, mid: number | undefined): number {
    const b = this.books.get(asset);
    if (!b) return 0;
    return b.cash + (mid !== undefined ? b.position * mid : 0) - b.fees;
  }

  snapshot(asset: string): Readonly<AssetBook> {
    return { ...this.book(asset), fillsBySource: { ...this.book(asset).fillsBySource } };
  }
}
