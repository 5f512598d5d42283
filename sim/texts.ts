// The venue's error strings, verbatim from FACTS.md §5.7 / §9 / §5.4 (live suffixes included
// where they were observed), so clients are tested against the texts they will meet.
import type { ExchangeErrorCode } from "../streams/actions.js";

export const SIM_TEXT = {
  tick: "Price must be divisible by tick size.",
  minNotional: "Order must have minimum value of $10.",
  margin: "Insufficient margin to place order.",
  reduceOnly: "Reduce only order would increase position.",
  iocCancel: "Order could not immediately match against any resting orders.",
  missingOrder: "Order was never placed, already canceled, or filled.",
  cannotModify: "Cannot modify canceled or filled order",
  oracle: "Order price too far from oracle",
  oiIncrease: "Order would increase open interest too quickly",
  maxPosition: "Order would cause position to exceed margin tier limit at current leverage",
  invalidSize: "Order has invalid size.",
  unknownAsset: "Unknown asset.",
  malformedBody: "Failed to deserialize the JSON body into the target type",
} as const;

/** `Post only order would have immediately matched, bbo was 90901@90902. asset=0` (live form). */
export function badAloText(bid: string, ask: string, assetId: number): string {
  return `Post only order would have immediately matched, bbo was ${bid}@${ask}. asset=${assetId}`;
}

/** Live cancel texts carry ` asset=N`; clients match by prefix. */
export function withAsset(text: string, assetId: number): string {
  return `${text} asset=${assetId}`;
}

/** FACTS §9, measured raw body text of the address budget refusal. */
export function addressLimitText(used: number, cap: number, cumVlm: number): string {
  return `Too many cumulative requests sent (${used} > ${cap}) for cumulative volume traded $${cumVlm.toFixed(2)}. Place taker orders to free up 1 request per USDC traded.`;
}

/** FACTS §5.7 (DOC-SIGN): what testnet answers when the recovered signer has no account. */
export function unknownSignerText(address: string): string {
  return `L1 error: User or API Wallet ${address} does not exist.`;
}

/** Classify a venue text into the domain's error codes (prefix match, as live suffixes vary). */
export function simErrorCode(text: string): ExchangeErrorCode {
  if (text.startsWith("Price must be divisible")) return "Tick";
  if (text.startsWith("Order must have minimum value")) return "MinTradeNtl";
  if (text.startsWith("Insufficient margin")) return "PerpMargin";
  if (text.startsWith("Reduce only order")) return "ReduceOnly";
  if (text.startsWith("Post only order")) return "BadAloPx";
  if (text.startsWith("Order could not immediately match")) return "IocCancel";
  if (text.startsWith("Order was never placed")) return "MissingOrder";
  if (text.startsWith("Cannot modify")) return "CannotModify";
  if (text.startsWith("Too many cumulative requests")) return "RateLimited";
  if (text.startsWith("Order price too far from oracle")) return "Oracle";
  if (text.startsWith("Order would increase open interest")) return "OpenInterestCap";
  if (text.startsWith("Order would cause position")) return "PerpMaxPosition";
  if (text.startsWith("L1 error") || text.startsWith("Unable to recover signer")) return "Signature";
  return "Other";
}

// ------------------------------------------------------------------ account-level refusals
// Sources: FACTS §13 (scheduleCancel volume), third-party captures of live answers quoted in SDK
// issues and fixtures (nonce texts, the reference-price band, builder fee). Marked UNCONFIRMED
// where no capture of the live text was found; the sim's README lists them.

/** 3P captured: `Invalid nonce: duplicate nonce 1741107452532`. */
export function duplicateNonceText(nonce: number): string {
  return `Invalid nonce: duplicate nonce ${nonce}`;
}

/** 3P captured: `Invalid nonce: nonce too low 1 < 2` (below the least of the 100 kept, or before T − 2 d). */
export function nonceTooLowText(nonce: number, least: number): string {
  return `Invalid nonce: nonce too low ${nonce} < ${least}`;
}

/** UNCONFIRMED text (same family): a nonce past T + 1 day. */
export function nonceTooHighText(nonce: number, most: number): string {
  return `Invalid nonce: nonce too high ${nonce} > ${most}`;
}

/** UNCONFIRMED text: an action whose `expiresAfter` has passed when it reaches the block. */
export function expiredText(expiresAfter: number, blockTime: number): string {
  return `Action expired: expiresAfter ${expiresAfter} < block time ${blockTime}`;
}

/** 3P captured (with and without ` asset=N`): the band around the reference price, 80 %. */
export function priceBandText(pct: number, assetId: number): string {
  return `Order price cannot be more than ${pct}% away from the reference price asset=${assetId}`;
}

/** 3P captured. */
export const BUILDER_NOT_APPROVED = "Builder fee has not been approved.";

/** FACTS §13 (3P): young accounts may not arm the dead man's switch. */
export function scheduleCancelVolumeText(required: number, traded: number): string {
  return `Cannot set scheduled cancel time until enough volume traded. Required: $${required.toFixed(2)}. Traded: $${traded.toFixed(2)}.`;
}

/** UNCONFIRMED text: DOC-EXCH "The time must be at least 5 seconds after the current time". */
export const SCHEDULE_CANCEL_TOO_EARLY = "Scheduled cancel time too early, must be at least 5 seconds after the current time.";

/** UNCONFIRMED text: DOC-EXCH "The max number of triggers per day is 10". */
export const SCHEDULE_CANCEL_TOO_MANY = "Too many scheduled cancel triggers today.";

/** DOC-SIGN: what the venue says when the account signing has never deposited. */
export function mustDepositText(address: string): string {
  return `Must deposit before performing actions. User: ${address}`;
}

/** UNCONFIRMED text: a vaultAddress that is neither a sub-account of the signer's master nor a vault it leads. */
export function vaultNotRegisteredText(address: string): string {
  return `Vault not registered: ${address}`;
}

