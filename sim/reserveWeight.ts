// reserveRequestWeight at the paper venue (FACTS §5.6, §9, §13): `weight` more address requests
// for 0.0005 USDC each, "paid from the Perps balance" — here from what the account could withdraw
// (account value less the margin its positions use, the clearinghouseState `withdrawable`), so a
// purchase never eats margin that holds a position. The payer is the acting account; the requests
// go to `destination` when given (FACTS §13), else to the payer. One implementation for the
// in-process venue (ActionBatch) and the wire server (POST /exchange, WS post).
import type { BatchResult } from "../streams/actions.js";
import type { SimAccount } from "./account.js";
import type { SimLedger } from "./ledger.js";

/** DOC-EXCH: 0.0005 USDC per request. */
export const SIM_RESERVE_USDC_PER_REQUEST = 0.0005;
/** The most one action may reserve (@nktkas/hyperliquid's bound: max uint64 / 1e4, truncated). */
export const SIM_RESERVE_MAX_WEIGHT = 1_844_674_407_370_955;

/**
 * The venue's refusal when the perps balance cannot pay. The live text is not documented anywhere
 * we could read (UNCONFIRMED); clients should treat any `err` answer as "not bought".
 */
export const SIM_RESERVE_FUNDS_TEXT = "Insufficient USDC balance to reserve request weight.";
export const SIM_RESERVE_WEIGHT_TEXT = "Invalid reserve request weight.";

/** What `user` could withdraw: account value less the initial margin of its positions (never negative). */
export function simWithdrawable(ex: SimLedger, user: string): number {
  let margin = 0;
  for (const p of ex.positions(user)) {
    const meta = ex.assetMeta(p.asset);
    const mark = ex.mark(p.asset) ?? p.entryPx;
    const lev = meta ? ex.leverageOf(user, meta).value : 20;
    margin += (Math.abs(p.szi) * mark) / Math.max(1, lev);
  }
  return Math.max(0, ex.accountValueOf(user) - margin);
}

/**
 * Charge `payer` and credit `target` (default the payer) with `weight` requests; the refusal text
 * (and no change at all) when the weight is not a positive integer or the balance cannot pay.
 */
export function simReserveRequestWeight(ex: SimLedger, payer: SimAccount, weight: number, target: SimAccount = payer): string | undefined {
  if (!Number.isSafeInteger(weight) || weight <= 0 || weight > SIM_RESERVE_MAX_WEIGHT) return SIM_RESERVE_WEIGHT_TEXT;
  // integer micro-USDC: 1000 requests cost exactly 0.5
  const cost = Math.round(weight * SIM_RESERVE_USDC_PER_REQUEST * 1e6) / 1e6;
  if (simWithdrawable(ex, payer.user) + 1e-9 < cost) return SIM_RESERVE_FUNDS_TEXT;
  payer.balance -= cost;
  payer.budget.reservePaidUsd = Math.round((payer.budget.reservePaidUsd + cost) * 1e6) / 1e6;
  target.budget.reserve(weight);
  return undefined;
}

/**
 * The purchase as an action of the account (in-process ActionBatch, or the wire server's action
 * for itself): it counts one address request, but the address budget never refuses it — it is the
 * way out of an exhausted budget (UNCONFIRMED live; the docs say only "reserving additional actions
 * for 0.0005 USDC per request").
 */
export function simReserveBatch(ex: SimLedger, acct: SimAccount, weight: number): BatchResult {
  acct.budget.charge(1);
  const refusal = simReserveRequestWeight(ex, acct, weight);
  return refusal === undefined ? { ok: true, type: "reserveRequestWeight" } : { ok: false, code: "Other", error: refusal, rateLimited: false };
}
