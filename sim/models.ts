// The models a researcher swaps (STYLE "Simulator models", hftbacktest backtest/models): latency
// (request → matcher, matcher → response, matcher → user feed) and fees, as interfaces with
// today's behaviour as the defaults. The queue model is sim/queueModel.ts (SimQueueFunction).
// The matcher itself draws nothing: randomness lives in these defaults and the fault layers.
import type { SimFaultConfig, SimRange } from "./faults.js";
import type { SimRng } from "./prng.js";

/** Latency of one request's legs, drawn per request (ms). */
export interface SimLatencyModel {
  /** Request → matcher. `cancel` for cancels (and noop), which may travel on their own path. */
  entry(kind: "order" | "cancel"): number;
  /** Matcher → the request's response. */
  ack(): number;
  /** Matcher → the user feed (orderUpdates, fills, userEvents). */
  userFeed(): number;
}

/** The fee of one fill (USDC; negative = rebate). */
export interface SimFeeModel {
  fee(fill: { readonly asset: string; readonly user: string; readonly px: number; readonly sz: number; readonly maker: boolean }): number;
  /** The rates /info userFees reports. */
  readonly makerRate: number;
  readonly takerRate: number;
}

function sample(rng: SimRng, r: SimRange): number {
  return r[0] === r[1] ? r[0] : Math.round(rng.uniform(r[0], r[1]));
}

/** Default latency: uniform in the fault profile's ranges, from the exchange's seeded latency stream. */
export class SimUniformLatency implements SimLatencyModel {
  constructor(
    private readonly config: SimFaultConfig,
    private readonly rng: SimRng,
  ) {}

  entry(kind: "order" | "cancel"): number {
    return sample(this.rng, kind === "cancel" ? this.config.cancelEntryMs : this.config.orderEntryMs);
  }

  ack(): number {
    return sample(this.rng, this.config.ackMs);
  }

  userFeed(): number {
    return sample(this.rng, this.config.userFeedMs);
  }
}

/** Default fees: flat maker / taker rates on notional (Hyperliquid tier 0: 0.015 % / 0.045 %), rounded to 1e-6 USDC. */
export class SimFlatFees implements SimFeeModel {
  constructor(
    readonly makerRate = 0.00015,
    readonly takerRate = 0.00045,
  ) {}

  fee(f: { readonly px: number; readonly sz: number; readonly maker: boolean }): number {
    return Math.round(f.px * f.sz * (f.maker ? this.makerRate : this.takerRate) * 1e6) / 1e6;
  }
}
