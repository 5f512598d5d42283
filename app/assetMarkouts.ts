// Markouts of one asset's fills at its configured horizons (and the journal's 0–60 s curve), from
// the sink's markout inputs and the asset's mids; stale only after the longest horizon.
import { type Observable, type SchedulerLike, type Subscription, filter, map, takeUntil } from "rxjs";
import { journalHorizons } from "../analytics/journal.js";
import { markoutWindow } from "../operators/markoutWindow.js";
import type { ExecutionSink } from "../sinks/executionSink.js";
import type { FillMarkouts } from "../streams/fill.js";
import type { MidEvent } from "../streams/market.js";
import type { AssetConfig } from "./config.js";

export function assetMarkouts(sink: ExecutionSink, mids$: Observable<MidEvent>, config: AssetConfig, scheduler: SchedulerLike, stop$: Observable<void>, onMarkouts: (m: FillMarkouts) => void): Subscription {
  const asset = config.asset;
  const horizonsMs = journalHorizons(config.markouts.horizonsMs);
  const staleAfterMs = Math.max(config.markouts.staleAfterMs, Math.max(...horizonsMs) + 10_000);
  return sink
    .eventsOf("markoutInput")
    .pipe(
      map((e) => e.fill),
      filter((f) => f.asset === asset),
      markoutWindow(mids$.pipe(filter((m) => m.asset === asset)), { horizonsMs, staleAfterMs }, scheduler),
      takeUntil(stop$),
    )
    .subscribe(onMarkouts);
}
