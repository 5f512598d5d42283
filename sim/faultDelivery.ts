// Fault layer around delivery (matcher → client): a fill before its order's update, the response
// carrying the OID held back past the updates, a modify's new order shown before the old one's
// cancel. The matcher decides what happened; this decides the order the client learns it in.
import type { SimFaultConfig, SimFaultRecord, SimRange } from "./faults.js";
import type { SimRng } from "./prng.js";

function sample(rng: SimRng, r: SimRange): number {
  return r[0] === r[1] ? r[0] : Math.round(rng.uniform(r[0], r[1]));
}

export class SimDeliveryFaults {
  constructor(
    private readonly config: SimFaultConfig,
    private readonly rng: SimRng,
    private readonly log: (f: SimFaultRecord) => void,
  ) {}

  /** Whether this fill goes out before its order's update. */
  fillFirst(where: Omit<SimFaultRecord, "kind">): boolean {
    const fire = this.rng.chance(this.config.fillBeforeUpdateProb);
    if (fire) this.log({ kind: "fillBeforeUpdate", ...where });
    return fire;
  }

  /** Extra hold of a placing response past its updates (ms), or undefined. */
  oidLate(): number | undefined {
    return this.rng.chance(this.config.oidLateProb) ? sample(this.rng, this.config.oidLateExtraMs) : undefined;
  }

  /** Whether a modify's new order is shown before the old one's cancel (drawn before matching, logged only when it shows). */
  modifyNewFirst(): boolean {
    return this.rng.chance(this.config.modifyNewFirstProb);
  }
}
