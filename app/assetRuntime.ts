// One asset inside the service: its book feed, its (re-composable) pipeline, its signals and counts.
import type { BehaviorSubject, Observable, Subject } from "rxjs";
import type { SignalTracker } from "../analytics/journal.js";
import type { AssetMeta, BookEvent } from "../streams/market.js";
import type { AssetPipeline } from "./pipeline.js";

export interface AssetRuntime {
  readonly asset: string;
  readonly meta: AssetMeta;
  readonly book$: Observable<BookEvent>;
  readonly pipeline$: BehaviorSubject<AssetPipeline>;
  readonly signals: SignalTracker;
  readonly stop$: Subject<void>;
  fills: number;
  readonly fillsBySource: Record<string, number>;
}
