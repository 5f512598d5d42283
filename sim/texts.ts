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
