// Account-level rules of the venue that are functions of one account and the clock: leverage
// (FACTS §5.6), the scheduleCancel rules (DOC-EXCH, FACTS §13) and hourly funding on positions.
// Pure: the exchange calls them and does the scheduling and delivery.
import type { AssetMeta } from "../streams/market.js";
import type { SimAccount } from "./account.js";
import { SCHEDULE_CANCEL_TOO_EARLY, SCHEDULE_CANCEL_TOO_MANY, scheduleCancelVolumeText } from "./texts.js";

/** Leverage of one asset on one account (FACTS §4: cross, or isolated with its raw USD). */
export interface SimLeverage {
  readonly type: "cross" | "isolated";
  readonly value: number;
}

/** One hourly funding payment (WS userFundings / info userFunding). */
export interface SimFundingRecord {
  readonly time: number;
  readonly coin: string;
  readonly usdc: number;
  readonly szi: number;
  readonly fundingRate: number;
}

const DAY = 86_400_000;
/** Funding payments kept per account (info userFunding answers at most 500 per page). */
const FUNDINGS_KEPT = 10_000;

/** What updateLeverage set, else cross at min(20, max leverage) (UNCONFIRMED default). */
export function simLeverageOf(acct: SimAccount, meta: AssetMeta): SimLeverage {
  return acct.leverage.get(meta.name) ?? { type: "cross", value: Math.min(20, meta.maxLeverage) };
}

/** updateLeverage: undefined when set, else the refusal text. */
export function simSetLeverage(acct: SimAccount, meta: AssetMeta, isCross: boolean, leverage: number): string | undefined {
  if (!Number.isInteger(leverage) || leverage < 1 || leverage > meta.maxLeverage) return `Invalid leverage value. asset=${meta.id}`;
  acct.leverage.set(meta.name, { type: isCross ? "cross" : "isolated", value: leverage });
  return undefined;
}

/** DOC-EXCH: at least 5 s ahead, at most 10 triggers per UTC day; FACTS §13: enough volume traded. */
export function simScheduleCancelRefusal(acct: SimAccount, time: number | null, now: number, minVolume: number): string | undefined {
  if (time === null) return undefined;
  if (acct.budget.cumVlm < minVolume) return scheduleCancelVolumeText(minVolume, acct.budget.cumVlm);
  if (time < now + 5_000) return SCHEDULE_CANCEL_TOO_EARLY;
  const day = Math.floor(now / DAY);
  if (acct.scheduleTriggers.day === day && acct.scheduleTriggers.count >= 10) return SCHEDULE_CANCEL_TOO_MANY;
  return undefined;
}

/** Count one scheduleCancel trigger on the UTC day of `now`. */
export function simCountScheduleTrigger(acct: SimAccount, now: number): void {
  const day = Math.floor(now / DAY);
  acct.scheduleTriggers = { day, count: acct.scheduleTriggers.day === day ? acct.scheduleTriggers.count + 1 : 1 };
}

/** Pay one hour of funding on every open position of `acct`: usdc = −szi × mark × rate. Returns the payments. */
export function simPayFunding(acct: SimAccount, mark: (asset: string) => number | undefined, rate: number, now: number): SimFundingRecord[] {
  const out: SimFundingRecord[] = [];
  for (const [asset, p] of acct.positions) {
    if (p.szi === 0) continue;
    const usdc = Math.round(-p.szi * (mark(asset) ?? p.entryPx) * rate * 1e6) / 1e6;
    acct.balance += usdc;
    acct.fundingPaid(asset, usdc);
    const record: SimFundingRecord = { time: now, coin: asset, usdc, szi: p.szi, fundingRate: rate };
    acct.fundings.push(record);
    out.push(record);
  }
  if (acct.fundings.length > FUNDINGS_KEPT) acct.fundings.splice(0, acct.fundings.length - FUNDINGS_KEPT);
  return out;
}

/** Time until the next hour of exchange time (a full hour when exactly on one). */
export function simMsToNextHour(now: number): number {
  const HOUR = 3_600_000;
  return HOUR - (((now % HOUR) + HOUR) % HOUR) || HOUR;
}
