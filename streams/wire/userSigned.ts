// User-signed actions (FACTS §7.2): EIP-712 under the "HyperliquidSignTransaction" domain whose
// chainId is the action's `signatureChainId`; the message is the typed fields of the action.
// The venue recovers the signer of these (approveAgent, approveBuilderFee) with this table.
import { TypedDataEncoder, recoverAddress, type TypedDataField, type Wallet } from "ethers";
import { HlSigningError, signUserSignedActionSync, type HlSignatureParts } from "./signing.js";

/** action type → [primaryType, fields in order] (FACTS §7.2, PY-SIGN). */
export const HL_USER_SIGNED_TYPES: Readonly<Record<string, readonly [string, readonly TypedDataField[]]>> = {
  approveAgent: [
    "HyperliquidTransaction:ApproveAgent",
    [
      { name: "hyperliquidChain", type: "string" },
      { name: "agentAddress", type: "address" },
      { name: "agentName", type: "string" },
      { name: "nonce", type: "uint64" },
    ],
  ],
  approveBuilderFee: [
    "HyperliquidTransaction:ApproveBuilderFee",
    [
      { name: "hyperliquidChain", type: "string" },
      { name: "maxFeeRate", type: "string" },
      { name: "builder", type: "address" },
      { name: "nonce", type: "uint64" },
    ],
  ],
};

export function isHlUserSignedAction(type: string): boolean {
  return type in HL_USER_SIGNED_TYPES;
}

function pad32(hex: string): string {
  const h = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  if (!/^[0-9a-fA-F]{1,64}$/.test(h)) throw new HlSigningError("signature r/s must be hex of at most 32 bytes");
  return "0x" + h.padStart(64, "0").toLowerCase();
}

/** The address that signed a user-signed action (checksummed); throws HlSigningError when none can be recovered. */
export function recoverUserSignedSigner(action: Record<string, unknown> & { type: string }, signature: { r: string; s: string; v: number }): string {
  const entry = HL_USER_SIGNED_TYPES[action.type];
  if (!entry) throw new HlSigningError(`not a user-signed action: ${action.type.slice(0, 40)}`);
  const [primary, fields] = entry;
  const chainId = typeof action["signatureChainId"] === "string" ? Number.parseInt(action["signatureChainId"], 16) : NaN;
  if (!Number.isSafeInteger(chainId)) throw new HlSigningError("signatureChainId must be 0x hex");
  const message: Record<string, unknown> = {};
  for (const f of fields) message[f.name] = f.name === "agentName" ? (action[f.name] ?? "") : action[f.name];
  const domain = { name: "HyperliquidSignTransaction", version: "1", chainId, verifyingContract: "0x0000000000000000000000000000000000000000" };
  const { v } = signature;
  if (v !== 27 && v !== 28) throw new HlSigningError(`signature v must be 27 or 28, got ${String(v)}`);
  try {
    const digest = TypedDataEncoder.hash(domain, { [primary]: [...fields] }, message);
    return recoverAddress(digest, { r: pad32(signature.r), s: pad32(signature.s), v });
  } catch (e) {
    if (e instanceof HlSigningError) throw e;
    throw new HlSigningError("unable to recover signer");
  }
}

/**
 * The /exchange body of an approveAgent signed by the master (FACTS §7.2; PY-EXCH: an unnamed
 * agent is signed with agentName "" and sent without it). The agent key is never involved.
 */
export function signedApproveAgentBody(args: { wallet: Wallet | string; agentAddress: string; agentName?: string | null; nonce: number; isMainnet: boolean; signatureChainId?: string }): {
  action: Record<string, unknown>;
  nonce: number;
  signature: HlSignatureParts;
} {
  const name = args.agentName ?? "";
  const action: Record<string, unknown> = {
    type: "approveAgent",
    signatureChainId: args.signatureChainId ?? "0x66eee",
    hyperliquidChain: args.isMainnet ? "Mainnet" : "Testnet",
    agentAddress: args.agentAddress.toLowerCase(),
    agentName: name,
    nonce: args.nonce,
  };
  const [primary, fields] = HL_USER_SIGNED_TYPES["approveAgent"]!;
  const signature = signUserSignedActionSync({ wallet: args.wallet, action: action as Record<string, unknown> & { signatureChainId: string }, types: { [primary]: [...fields] } });
  if (args.agentName == null) delete action["agentName"];
  return { action, nonce: args.nonce, signature };
}
