// Fault layer around the matcher: orders refused at load with real texts, and exchange-initiated
// cancels (marginCanceled + nonUserCancel). The matcher's own rules draw nothing; these do.
import type { SimFaultConfig, SimFaultRecord } from "./faults.js";
import type { SimRng } from "./prng.js";

export class SimMatcherFaults {
  constructor(
    private readonly config: SimFaultConfig,
    private readonly rng: SimRng,
    private readonly log: (f: SimFaultRecord) => void,
  ) {}

  /** The refusal text for an order at this load (0–1 of peak), or undefined. */
  reject(load: number, where: Omit<SimFaultRecord, "kind" | "detail">): string | undefined {
    if (!this.rng.chance(this.config.rejectRate * load)) return undefined;
    const text = this.rng.pick(this.config.rejectTexts);
    this.log({ kind: "reject", ...where, detail: text });
    return text;
  }

  /** Which resting order the venue cancels on a margin check. */
  marginCancelVictim<T>(orders: readonly T[]): T {
    return this.rng.pick(orders);
  }
}
