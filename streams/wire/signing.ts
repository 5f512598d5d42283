// L1 action signing (FACTS §7.1): connectionId = keccak256(msgpack(action) ‖ nonce ‖ vault ‖
// [0x00 ‖ expiresAfter]); the EIP-712 "Agent" message {source: "a"|"b", connectionId} under the
// fixed domain (Exchange, 1, 1337, 0x0). The domain separator, type hash and source hashes are
// computed once; each signature costs one msgpack, three keccaks (keccak.ts, unrolled) and one
// secp256k1 signature (signer.ts: libsecp256k1's prebuilt binary when it loads, else the pure-JS
// secp256k1.ts, RFC 6979 with a fixed-base comb; both identical to ethers').
// Private keys never reach a message, an error or a thrown object's fields.
import { SigningKey, TypedDataEncoder, Wallet, getBytes, hexlify, keccak256, recoverAddress, toUtf8Bytes, type TypedDataField } from "ethers";
import { ByteWriter, msgpackInto } from "./msgpack.js";
import { secp256k1Backend, type DigestSigner } from "./signer.js";
import { keccak256Bytes, keccak256Hex } from "./keccak.js";

/** An error from signing or verification. Its message never contains key material. */
export class HlSigningError extends Error {
  override readonly name = "HlSigningError";
}

export interface HlSignatureParts {
  readonly r: string;
  readonly s: string;
  readonly v: number;
}

export const HL_L1_DOMAIN = { name: "Exchange", version: "1", chainId: 1337, verifyingContract: "0x0000000000000000000000000000000000000000" } as const;
/** The EIP-712 types of the phantom agent (for cross-checks with ethers TypedDataEncoder). */
export const HL_AGENT_TYPES: Record<string, TypedDataField[]> = {
  Agent: [
    { name: "source", type: "string" },
    { name: "connectionId", type: "bytes32" },
  ],
};

/** keccak256 of the L1 EIP-712 domain (FACTS §7.1: 0xd79297fc…4040). */
export const HL_L1_DOMAIN_SEPARATOR: string = TypedDataEncoder.hashDomain(HL_L1_DOMAIN);
/** keccak256("Agent(string source,bytes32 connectionId)") (FACTS §7.1: 0x26f05c2f…f508). */
export const HL_AGENT_TYPE_HASH: string = keccak256(toUtf8Bytes("Agent(string source,bytes32 connectionId)"));

const DOMAIN_BYTES = getBytes(HL_L1_DOMAIN_SEPARATOR);
const TYPE_HASH_BYTES = getBytes(HL_AGENT_TYPE_HASH);
const SOURCE_A = getBytes(keccak256(toUtf8Bytes("a")));
const SOURCE_B = getBytes(keccak256(toUtf8Bytes("b")));

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const writer = new ByteWriter(1024);

function checkUint64(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative safe integer, got ${String(n)}`);
}

/** The L1 preimage bytes (exposed for tests and the paper venue's verification). */
export function actionPreimage(action: object, vaultAddress: string | null | undefined, nonce: number, expiresAfter?: number | null): Uint8Array {
  checkUint64("nonce", nonce);
  writer.reset();
  msgpackInto(writer, action);
  writer.u64(nonce);
  if (vaultAddress == null) writer.u8(0);
  else {
    if (!ADDRESS_RE.test(vaultAddress)) throw new TypeError(`vaultAddress must be 0x + 40 hex, got ${JSON.stringify(vaultAddress).slice(0, 60)}`);
    writer.u8(1);
    writer.raw(getBytes(vaultAddress));
  }
  if (expiresAfter != null) {
    checkUint64("expiresAfter", expiresAfter);
    writer.u8(0);
    writer.u64(expiresAfter);
  }
  return writer.bytes();
}

/** 0x-prefixed keccak256 of msgpack(action) ‖ nonce ‖ vault flag/address ‖ optional expiresAfter. */
export function actionHash(action: object, vaultAddress: string | null | undefined, nonce: number, expiresAfter?: number | null): string {
  return keccak256Hex(actionPreimage(action, vaultAddress, nonce, expiresAfter));
}

const structBuf = new Uint8Array(96);
const digestBuf = new Uint8Array(66);
structBuf.set(TYPE_HASH_BYTES, 0);
digestBuf[0] = 0x19;
digestBuf[1] = 0x01;
digestBuf.set(DOMAIN_BYTES, 2);

function digestBytes(connectionId: Uint8Array, isMainnet: boolean): Uint8Array {
  structBuf.set(isMainnet ? SOURCE_A : SOURCE_B, 32);
  structBuf.set(connectionId, 64);
  digestBuf.set(keccak256Bytes(structBuf), 34);
  return keccak256Bytes(digestBuf);
}

/** The EIP-712 digest of the phantom agent {source, connectionId} (what the key signs). */
export function l1Digest(connectionId: string, isMainnet: boolean): string {
  return hexlify(digestBytes(getBytes(connectionId), isMainnet));
}

// ------------------------------------------------------------------ keys

const PRIVATE_KEY_RE = /^(0x)?[0-9a-fA-F]{64}$/;
const keyCache = new Map<string, DigestSigner>();
const walletCache = new WeakMap<Wallet, DigestSigner>();

function signerFromHex(hex: string): DigestSigner {
  try {
    // ethers validates the scalar (0 < k < n) on publicKey; our signer re-checks the range.
    void new SigningKey(hex).publicKey;
    return secp256k1Backend().signer(getBytes(hex));
  } catch {
    // the library's error may carry the argument; drop it (no cause) so the key cannot leak
    throw new HlSigningError("invalid private key: not a valid secp256k1 scalar");
  }
}

function signerOf(wallet: Wallet | string): DigestSigner {
  if (typeof wallet !== "string") {
    // any ethers BaseWallet (Wallet, HDNodeWallet from Wallet.createRandom()) carries privateKey
    const pk = typeof wallet === "object" && wallet !== null ? (wallet as { privateKey?: unknown }).privateKey : undefined;
    if (typeof pk !== "string") throw new HlSigningError("wallet must be an ethers Wallet or a private key string");
    let cached = walletCache.get(wallet);
    if (cached === undefined) {
      cached = signerFromHex(pk);
      walletCache.set(wallet, cached);
    }
    return cached;
  }
  const cached = keyCache.get(wallet);
  if (cached !== undefined) return cached;
  if (!PRIVATE_KEY_RE.test(wallet)) throw new HlSigningError("invalid private key: expected 0x + 64 hex digits");
  const signer = signerFromHex(wallet.startsWith("0x") ? wallet : "0x" + wallet);
  if (keyCache.size >= 16) keyCache.delete(keyCache.keys().next().value as string);
  keyCache.set(wallet, signer);
  return signer;
}

/** The 0x address of a wallet or private key (checksummed). */
export function hlWalletAddress(wallet: Wallet | string): string {
  if (typeof wallet !== "string") return wallet.address;
  signerOf(wallet); // validates without echoing the key
  try {
    return new Wallet(wallet.startsWith("0x") ? wallet : "0x" + wallet).address;
  } catch {
    throw new HlSigningError("invalid private key");
  }
}

function signDigest(signer: DigestSigner, digest: Uint8Array): HlSignatureParts {
  try {
    return signer.sign(digest);
  } catch {
    throw new HlSigningError("signing failed");
  }
}

export interface SignL1ActionArgs {
  readonly wallet: Wallet | string;
  readonly action: object;
  readonly nonce: number;
  readonly vaultAddress?: string | null;
  readonly expiresAfter?: number | null;
  readonly isMainnet: boolean;
}

/** Synchronous L1 signing (pure CPU): for virtual-time replay and the executor's hot path. */
export function signL1ActionSync(args: SignL1ActionArgs): HlSignatureParts {
  const key = signerOf(args.wallet);
  const connectionId = keccak256Bytes(actionPreimage(args.action, args.vaultAddress, args.nonce, args.expiresAfter));
  return signDigest(key, digestBytes(connectionId, args.isMainnet));
}

/** EIP-712 phantom-agent signature of an L1 action; `r`/`s` are 32-byte 0x hex, `v` 27|28. */
export async function signL1Action(args: {
  wallet: Wallet | string;
  action: object;
  nonce: number;
  vaultAddress?: string | null;
  expiresAfter?: number | null;
  isMainnet: boolean;
}): Promise<{ r: string; s: string; v: number }> {
  return signL1ActionSync(args);
}

function pad32(hex: string): string {
  const h = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  if (!/^[0-9a-fA-F]{1,64}$/.test(h)) throw new HlSigningError("signature r/s must be hex of at most 32 bytes");
  return "0x" + h.padStart(64, "0").toLowerCase();
}

/**
 * The address that signed an L1 action (checksummed). Accepts Python-style unpadded r/s.
 * Throws HlSigningError when no signer can be recovered (the venue answers "Unable to recover signer.").
 */
export function recoverL1Signer(args: {
  action: object;
  nonce: number;
  vaultAddress?: string | null;
  expiresAfter?: number | null;
  isMainnet: boolean;
  signature: { r: string; s: string; v: number };
}): string {
  const digest = l1Digest(actionHash(args.action, args.vaultAddress, args.nonce, args.expiresAfter), args.isMainnet);
  const { v } = args.signature;
  if (v !== 27 && v !== 28) throw new HlSigningError(`signature v must be 27 or 28, got ${String(v)}`);
  try {
    return recoverAddress(digest, { r: pad32(args.signature.r), s: pad32(args.signature.s), v });
  } catch (e) {
    if (e instanceof HlSigningError) throw e;
    throw new HlSigningError("unable to recover signer");
  }
}

// ------------------------------------------------------------------ user-signed actions (FACTS §7.2)

/** Sign a user-signed action (usdSend, withdraw3, approveAgent, …): domain HyperliquidSignTransaction. */
export function signUserSignedActionSync(args: {
  wallet: Wallet | string;
  action: Record<string, unknown> & { signatureChainId: string };
  types: Record<string, TypedDataField[]>;
}): HlSignatureParts {
  const key = signerOf(args.wallet);
  const chainId = Number.parseInt(args.action.signatureChainId, 16);
  const domain = { name: "HyperliquidSignTransaction", version: "1", chainId, verifyingContract: "0x0000000000000000000000000000000000000000" };
  return signDigest(key, getBytes(TypedDataEncoder.hash(domain, args.types, args.action)));
}

/** Primary types used by the Python SDK vectors (T8, T9). */
export const HL_USD_SEND_TYPES: Record<string, TypedDataField[]> = {
  "HyperliquidTransaction:UsdSend": [
    { name: "hyperliquidChain", type: "string" },
    { name: "destination", type: "string" },
    { name: "amount", type: "string" },
    { name: "time", type: "uint64" },
  ],
};
export const HL_WITHDRAW_TYPES: Record<string, TypedDataField[]> = {
  "HyperliquidTransaction:Withdraw": [
    { name: "hyperliquidChain", type: "string" },
    { name: "destination", type: "string" },
    { name: "amount", type: "string" },
    { name: "time", type: "uint64" },
  ],
};

/** 0x hex of bytes (re-exported convenience for tests and the paper venue). */
export const hlHex = (bytes: Uint8Array): string => hexlify(bytes);

/** Which secp256k1 implementation signs in this process ("native" libsecp256k1, or the "js" fallback and why). */
export { secp256k1Backend, type Secp256k1Backend, type Secp256k1BackendName } from "./signer.js";
