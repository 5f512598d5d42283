// What a QuoteflowService is built from: the venue, the clock, the config, the journal, the
// executor's knobs, the registries, and what a scaled-out process adds (app/clusterWiring.ts).
import type { Logger } from "pino";
import type { Observable, SchedulerLike } from "rxjs";
import type { JournalHistory, JournalRunInfo } from "../analytics/journal.js";
import type { ExecutionSinkConfig } from "../sinks/executionSink.js";
import type { ReferenceQuote } from "../streams/market.js";
import type { QuotaThrottleState } from "../streams/quota.js";
import type { Venue } from "../streams/venue.js";
import type { ServiceConfig } from "./config.js";
import type { ServiceMetrics } from "./metrics.js";
import type { Registries } from "./plugins.js";
import type { OperatorRegistry } from "./registry.js";
import type { ServiceExecutorOptions } from "./sinkConfig.js";

export interface ServiceOptions {
  readonly venue: Venue;
  /** Reference-venue quotes per asset, when the venue has them (the paper venue's synthetic markets do). */
  readonly reference?: (asset: string) => Observable<ReferenceQuote>;
  readonly scheduler: SchedulerLike;
  readonly config: ServiceConfig;
  readonly log: Logger;
  readonly metrics: ServiceMetrics;
  /** Directory of the fill journal (created), the file stamp, and what the header says about the run. Omit to keep no journal. */
  readonly journal?: {
    readonly dir: string;
    readonly stamp: string;
    readonly run?: JournalRunInfo;
    /** What earlier sessions of the account journaled (`readJournalHistory`): no fill is written twice, and fills since the last one are recovered before quoting. */
    readonly history?: JournalHistory;
  };
  /** CLOID seed for this session (fresh per run at the edge). */
  readonly cloidSeed: number | bigint;
  /** Executor/quota knobs that depend on the mode (a seeded random for replay). */
  readonly executor?: ServiceExecutorOptions;
  readonly registry?: OperatorRegistry;
  /** Operators and strategies incl. plugins' (app/plugins.ts); takes precedence over `registry`. */
  readonly registries?: Registries;
  /** Hold placements the account's margin does not cover (sinks/margin.ts). Default true; false lets the venue reject them (a spec of the venue's reject path does). */
  readonly marginCheck?: boolean;
  /** After a reconnect, ask the venue for the fills since the last one seen (`app/gapFill.ts`; run.ts sets it for the live client). Default false. */
  readonly gapFill?: boolean;
  /** Report samples period (service clock). Default 5000 ms. */
  readonly sampleMs?: number;
  /** Scale-out (quota.store redis://…): the shared authority, the venue scoped to this process's assets (app/clusterWiring.ts). */
  readonly cluster?: ServiceCluster;
}

/** What app/clusterWiring.ts contributes to a service (absent: one process, as before). */
export interface ServiceCluster {
  scopeVenue(venue: Venue): Venue;
  sinkConfig(config: ExecutionSinkConfig): ExecutionSinkConfig;
  quotaState(local$: Observable<QuotaThrottleState>): Observable<QuotaThrottleState>;
  healthReasons(): string[];
}
