// A PaperVenue harness: the whole service (your config, your plugins) against the in-process
// paper venue over a seeded synthetic market, on a VirtualTimeScheduler you advance by hand.
import type { Logger } from "pino";
import type { VirtualTimeScheduler } from "rxjs";
import type { ServiceConfig } from "../app/config.js";
import type { QuoteflowPlugin, Registries } from "../app/plugins.js";
import { createQuoteflow, prepareQuoteflow } from "../app/quoteflow.js";
import type { QuoteflowService } from "../app/service.js";
import type { SimFaultSpec } from "../sim/faults.js";
import { PaperVenue } from "../sim/paperVenue.js";
import { SimRng } from "../sim/prng.js";
import { simReplayScheduler } from "../sim/replayScheduler.js";
import { type SyntheticAssetSpec, syntheticMarket } from "../sim/synthetic.js";
import type { OpenOrder } from "../streams/orders.js";
import type { VenueFill } from "../streams/fill.js";

const START_PX: Readonly<Record<string, number>> = { BTC: 42_000, ETH: 2_300, SOL: 100 };

export interface PaperHarnessOptions {
  /** As createQuoteflow: a config file's path, or a config value (sections left out come from the shipped file). */
  readonly config?: string | Record<string, unknown>;
  readonly plugins?: readonly (QuoteflowPlugin | string)[];
  /** The synthetic market's assets (default: the config's assets, BTC 42 000, ETH 2 300, SOL 100, others 10). */
  readonly market?: readonly SyntheticAssetSpec[];
  readonly seed?: number;
  /** The paper venue's fault profile (default `none`). */
  readonly faults?: SimFaultSpec;
  /** Virtual start time (default 2026-01-01T00:00Z). */
  readonly startTime?: number;
  readonly logger?: Logger;
  readonly journal?: { readonly dir: string; readonly stamp: string };
}

export interface PaperHarness {
  readonly scheduler: VirtualTimeScheduler;
  readonly venue: PaperVenue;
  readonly service: QuoteflowService;
  readonly config: ServiceConfig;
  readonly registries: Registries;
  /** Run virtual time forward by `ms` (every timer, feed event and venue answer due in between). */
  advance(ms: number): void;
  /** The venue's resting orders of our account (its truth, not our view). */
  openOrders(asset?: string): readonly OpenOrder[];
  /** Every fill the venue made for us. */
  fills(asset?: string): readonly VenueFill[];
  /** Stop the service (cancel everything, wait for the answers on virtual time) and close the venue. */
  stop(): Promise<void>;
}

/** Build and start the service on a paper venue; nothing runs until you `advance`. */
export async function paperHarness(options: PaperHarnessOptions = {}): Promise<PaperHarness> {
  const seed = options.seed ?? 1;
  const scheduler = simReplayScheduler(options.startTime ?? Date.UTC(2026, 0, 1));
  // The market is made of the config's assets: validate (and load the plugins) first.
  const prepared = await prepareQuoteflow({
    ...(options.config !== undefined ? { config: options.config } : {}),
    ...(options.plugins ? { plugins: options.plugins } : {}),
  });
  const assets = options.market ?? prepared.config.assets.map((a) => ({ name: a.asset, startPx: START_PX[a.asset] ?? 10 }));
  const v = new PaperVenue({ market: syntheticMarket({ assets, seed }), scheduler, seed, faults: options.faults ?? "none" });
  const rng = new SimRng(seed, "quota-jitter");
  const qf = await createQuoteflow({
    venue: v,
    prepared,
    scheduler,
    reference: (a) => v.reference(a),
    cloidSeed: seed,
    executor: { quota: { random: () => rng.next() } },
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.journal ? { journal: options.journal } : {}),
  });
  await qf.start();
  const advance = (ms: number) => {
    scheduler.maxFrames = scheduler.now() + ms;
    scheduler.flush();
  };
  return {
    scheduler,
    venue: v,
    service: qf.service,
    config: qf.config,
    registries: qf.registries,
    advance,
    openOrders: (asset) => v.truth().openOrders.filter((o) => asset === undefined || o.asset === asset),
    fills: (asset) => v.truth().fills.filter((f) => asset === undefined || f.asset === asset),
    async stop() {
      let stopped = false;
      const stopping = qf.stop().then(() => {
        stopped = true;
      });
      for (let i = 0; i < 600 && !stopped; i++) {
        await new Promise<void>((r) => setImmediate(r));
        advance(100);
      }
      await stopping;
      v.close();
    },
  };
}
