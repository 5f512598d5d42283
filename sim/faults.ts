// The latency and fault model: every knob seeded and configurable, three named profiles.
// Each injected fault is appended to the exchange's fault log (kind + time + detail) so tests
// and the soak can check that the client survived exactly what was thrown at it.
import { SIM_TEXT } from "./texts.js";

export type SimRange = readonly [min: number, max: number];

export interface SimFaultConfig {
  /** Request → matcher, for orders and modifies (ms). */
  readonly orderEntryMs: SimRange;
  /** Request → matcher, for cancels (ms). A fill landing inside this window wins the race. */
  readonly cancelEntryMs: SimRange;
  /** Matcher → post/HTTP response (ms): the ack latency. */
  readonly ackMs: SimRange;
  /** Matcher → orderUpdates / fills / userEvents delivery (ms). */
  readonly userFeedMs: SimRange;
  /** Probability that a fill is delivered before its order's orderUpdate. */
  readonly fillBeforeUpdateProb: number;
  /** Probability that the response (carrying the OID) is held back until after updates and fills. */
  readonly oidLateProb: number;
  readonly oidLateExtraMs: SimRange;
  /** Rejection probability per order at peak load, with real texts. */
  readonly rejectRate: number;
  /** Requests per second (venue-wide, last second) that count as peak; 0 = always at peak. */
  readonly peakRequestsPerSec: number;
  readonly rejectTexts: readonly string[];
  /** Exchange-initiated cancels (marginCanceled + userEvents nonUserCancel) per hour. */
  readonly marginCancelsPerHour: number;
  /** WebSocket dropouts per hour; user events during one are lost to the connection. */
  readonly dropoutsPerHour: number;
  readonly dropoutMs: SimRange;
  /** Stale market-feed periods per hour (the matcher keeps trading; the feed goes silent). */
  readonly stalePerHour: number;
  readonly staleMs: SimRange;
  /** Probability that a published book snapshot is a crossed glitch. */
  readonly crossedBookProb: number;
  /** Probability that a published market frame is malformed. */
  readonly malformedFrameProb: number;
  /** Probability that a modify shows the new order's `open` before the old one's `canceled`. */
  readonly modifyNewFirstProb: number;
}

export type SimFaultProfileName = "none" | "realistic" | "hostile";

const NONE: SimFaultConfig = {
  orderEntryMs: [0, 0],
  cancelEntryMs: [0, 0],
  ackMs: [0, 0],
  userFeedMs: [0, 0],
  fillBeforeUpdateProb: 0,
  oidLateProb: 0,
  oidLateExtraMs: [0, 0],
  rejectRate: 0,
  peakRequestsPerSec: 0,
  rejectTexts: [SIM_TEXT.oracle, SIM_TEXT.oiIncrease, SIM_TEXT.margin],
  marginCancelsPerHour: 0,
  dropoutsPerHour: 0,
  dropoutMs: [500, 10_000],
  stalePerHour: 0,
  staleMs: [2_000, 15_000],
  crossedBookProb: 0,
  malformedFrameProb: 0,
  modifyNewFirstProb: 0,
};

export const SIM_FAULT_PROFILES: Readonly<Record<SimFaultProfileName, SimFaultConfig>> = {
  none: NONE,
  realistic: {
    ...NONE,
    orderEntryMs: [20, 80],
    cancelEntryMs: [20, 80],
    ackMs: [100, 300],
    userFeedMs: [5, 60],
    fillBeforeUpdateProb: 0.3,
    oidLateProb: 0.02,
    oidLateExtraMs: [200, 1_500],
    rejectRate: 0.02,
    peakRequestsPerSec: 20,
    marginCancelsPerHour: 1,
    dropoutsPerHour: 1,
    stalePerHour: 1,
    crossedBookProb: 0.0005,
    malformedFrameProb: 0.0002,
    modifyNewFirstProb: 0.5,
  },
  hostile: {
    ...NONE,
    orderEntryMs: [50, 250],
    cancelEntryMs: [50, 400],
    ackMs: [150, 600],
    userFeedMs: [5, 400],
    fillBeforeUpdateProb: 0.5,
    oidLateProb: 0.15,
    oidLateExtraMs: [500, 4_000],
    rejectRate: 0.05,
    peakRequestsPerSec: 5,
    marginCancelsPerHour: 20,
    dropoutsPerHour: 12,
    stalePerHour: 12,
    crossedBookProb: 0.01,
    malformedFrameProb: 0.005,
    modifyNewFirstProb: 0.5,
  },
};

/** A profile name, or a profile with some knobs overridden. */
export type SimFaultSpec = SimFaultProfileName | (Partial<SimFaultConfig> & { readonly profile?: SimFaultProfileName });

export function simFaultConfig(spec: SimFaultSpec = "none"): SimFaultConfig {
  if (typeof spec === "string") {
    const p = SIM_FAULT_PROFILES[spec];
    if (!p) throw new Error(`unknown fault profile "${String(spec)}" (expected none, realistic or hostile)`);
    return p;
  }
  const { profile, ...knobs } = spec;
  const base = SIM_FAULT_PROFILES[profile ?? "none"];
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(knobs)) if (v !== undefined) out[k] = v;
  return out as unknown as SimFaultConfig;
}

export type SimFaultKind =
  | "reject"
  | "marginCancel"
  | "dropout"
  | "staleFeed"
  | "crossedBook"
  | "malformedFrame"
  | "fillBeforeUpdate"
  | "oidLate"
  | "updateBeforeResponse"
  | "cancelFillRace"
  | "modifyNewFirst";

export interface SimFaultRecord {
  readonly kind: SimFaultKind;
  /** Exchange time the fault was injected (ms). */
  readonly time: number;
  readonly user?: string;
  readonly asset?: string;
  readonly oid?: number;
  /** For periods (dropout, staleFeed): when it ends. */
  readonly until?: number;
  readonly detail?: string;
}
