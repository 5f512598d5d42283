// The tearsheet's shape: every figure the HTML report and `quoteflow report --json` show.
import type { OrderTallyRecord } from "./journal.js";

export interface CurvePoint {
  readonly horizonMs: number;
  readonly n: number;
  readonly meanBps: number;
  /** 95% confidence interval of the mean (normal approximation, ±1.96 s/√n); null for n < 2. */
  readonly ciLowBps: number | null;
  readonly ciHighBps: number | null;
  /** Mean weighted by the fill's notional (USD). */
  readonly volumeWeightedBps: number;
}

export type Curve = readonly CurvePoint[];

export interface PnlDecomposition {
  /** Σ side × size × (mid at fill − price): the edge captured against the mid when filled. */
  readonly spreadCaptureUsd: number;
  /** Σ side × size × (mid at +H − mid at fill): how the market moved against (−) or with (+) the fill within H. */
  readonly adverseSelectionUsd: number;
  /** Σ side × size × (final mark − mid at +H): the inventory held after H, marked to the final mid. */
  readonly inventoryUsd: number;
  /** −Σ fee (a rebate is positive). */
  readonly feesUsd: number;
  /** Σ funding payments (received +, paid −). */
  readonly fundingUsd: number;
  readonly totalUsd: number;
}

export interface AssetFigures {
  readonly fills: number;
  readonly fillsBySource: Readonly<Record<string, number>>;
  readonly buys: number;
  readonly sells: number;
  readonly buyVolumeUsd: number;
  readonly sellVolumeUsd: number;
  readonly volumeUsd: number;
  readonly feesUsd: number;
  /** Position from the fills (coins) and the final mark it is valued at. */
  readonly position: number;
  readonly mark: number | null;
  readonly pnlUsd: number;
  readonly pnl: PnlDecomposition;
  /** The PnL the service itself reported in the journal's last sample/summary (for cross-checking), if any. */
  readonly journalPnlUsd: number | null;
  readonly drawdown: Drawdown;
  readonly orders: OrderTallyRecord & { readonly fillRatio: number | null; readonly orderToTrade: number | null; readonly cancelRatio: number | null };
  readonly quoting: QuotingShare | null;
  readonly inventory: InventoryFigures;
  readonly spreads: SpreadFigures;
  readonly queueAhead: Distribution | null;
  readonly orderAgeMs: Distribution | null;
  /** The exchange's state at fill (`ctx` of the fill lines), where the venue provided it. */
  readonly venueState: VenueStateFigures | null;
}

export interface VenueStateFigures {
  /** Fills whose line carries a `ctx`. */
  readonly n: number;
  readonly fundingRateMean: number | null;
  readonly openInterestMedian: number | null;
  /** Mean (mark − mid at fill) / mid, and the same for the oracle price (bps). */
  readonly markVsMidBps: number | null;
  readonly oracleVsMidBps: number | null;
}

export interface Drawdown {
  readonly maxUsd: number;
  readonly peakTime: number | null;
  readonly troughTime: number | null;
}

export interface QuotingShare {
  readonly totalMs: number;
  readonly twoSidedPct: number;
  readonly oneSidedPct: number;
  readonly emptyPct: number;
  readonly gatedPct: Readonly<Record<string, number>>;
  readonly twoSidedMs: number;
  readonly oneSidedMs: number;
  readonly emptyMs: number;
  readonly gatedMs: Readonly<Record<string, number>>;
}

export interface InventoryFigures {
  readonly limitUsd: number | null;
  /** Share of the session (time-weighted between fills) with |position × mid| ≥ the limit. */
  readonly timeAtLimitPct: number | null;
  readonly maxAbsUsd: number;
  readonly meanAbsUsd: number;
  /** Time-weighted histogram of position × mid (USD). */
  readonly histogram: readonly { readonly loUsd: number; readonly hiUsd: number; readonly pct: number }[];
}

export interface SpreadFigures {
  /** Mean quoted half-spread of the filled orders (bps). */
  readonly quotedHalfSpreadBps: number | null;
  /** Mean edge at fill: side × (mid at fill − price) / mid (bps). */
  readonly realisedHalfSpreadBps: number | null;
  /** Mean markout at the adverse-selection horizon (bps): what was kept of the edge. */
  readonly realisedAfterBps: number | null;
}

export interface Distribution {
  readonly n: number;
  readonly mean: number;
  readonly median: number;
  readonly p90: number;
  readonly max: number;
}

export interface SeriesPoint {
  readonly time: number;
  readonly pnl: number;
  readonly position: number;
  readonly mid: number | null;
}

export interface FillPoint {
  readonly time: number;
  readonly price: number;
  readonly side: "buy" | "sell";
  readonly size: number;
  readonly source: string;
  readonly midAtFill: number;
}

export interface Tearsheet {
  readonly title: string;
  readonly file: string;
  readonly run: {
    readonly format: number | null;
    readonly version: string | null;
    readonly mode: string | null;
    readonly venue: string | null;
    readonly account: string | null;
    readonly configDigest: string | null;
    readonly seed: number | string | null;
    readonly faults: string | null;
    readonly recording: string | null;
    readonly startTime: number;
    readonly endTime: number;
    readonly minutes: number;
    readonly journalLines: number;
    readonly badLines: number;
    /** true when the journal ends with a summary line (the run stopped cleanly). */
    readonly complete: boolean;
  };
  readonly assets: readonly string[];
  readonly totals: {
    readonly fills: number;
    readonly volumeUsd: number;
    readonly pnlUsd: number;
    readonly pnl: PnlDecomposition;
    /** Σ terms − total (float rounding only; the report fails a check beyond a cent). */
    readonly decompositionResidualUsd: number;
    readonly journalPnlUsd: number | null;
    readonly drawdown: Drawdown;
    readonly orders: OrderTallyRecord & { readonly fillRatio: number | null; readonly orderToTrade: number | null; readonly cancelRatio: number | null };
  };
  readonly perAsset: Readonly<Record<string, AssetFigures>>;
  readonly adverseHorizonMs: number | null;
  readonly markouts: {
    readonly horizonsMs: readonly number[];
    readonly fills: number;
    /** Horizons left out of the curves because no mid after them was seen (stale or the run stopped). */
    readonly incompleteHorizons: number;
    readonly flushedAtShutdown: number;
    readonly curves: {
      readonly all: Curve;
      readonly byAsset: Readonly<Record<string, Curve>>;
      readonly bySource: Readonly<Record<string, Curve>>;
      /** signal key → bucket → curve (numeric signals in terciles, others by value). */
      readonly bySignal: Readonly<Record<string, Readonly<Record<string, Curve>>>>;
    };
  };
  readonly series: {
    readonly byAsset: Readonly<Record<string, readonly SeriesPoint[]>>;
    readonly quota: Readonly<Record<string, readonly (readonly [number, number])[]>>;
    readonly fills: Readonly<Record<string, readonly FillPoint[]>>;
  };
  readonly notes: readonly string[];
}
