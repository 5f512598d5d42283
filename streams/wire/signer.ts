// The secp256k1 signer behind `signing.ts`: libsecp256k1 (bitcoin-core's C library, the prebuilt
// N-API binary that the `secp256k1` npm package ships for linux-x64, darwin-arm64 and win32-x64 —
// nothing is compiled or downloaded at install) when its binary loads, else the pure-JS signer in
// `secp256k1.ts`. Both are RFC 6979 (HMAC-SHA256) with low-S and the same recovery bit, so they
// produce the same signature bit for bit (test/wire/signing.spec.ts checks it on random keys and
// digests and on the FACTS §8 vectors); the native one costs ~40 µs a signature instead of
// ~200–400 µs. `QF_SECP256K1=js` forces the pure-JS signer (for comparison and for tests of the
// fallback). Neither keeps a string form of the key, and no error carries it.
import { createRequire } from "node:module";
import { Secp256k1Signer } from "./secp256k1.js";

/** A private key prepared for repeated signing of 32-byte digests. */
export interface DigestSigner {
  /** `{ r, s }` as 0x + 64 lower-case hex, `v` 27|28, low-S (RFC 6979). */
  sign(digest: Uint8Array): { r: string; s: string; v: number };
}

/** The part of `secp256k1/bindings` (the native build of secp256k1-node) used here. */
interface NativeSecp256k1 {
  privateKeyVerify(key: Uint8Array): boolean;
  ecdsaSign(msg32: Uint8Array, key: Uint8Array, options?: object, output?: Uint8Array): { signature: Uint8Array; recid: number };
}

export type Secp256k1BackendName = "native" | "js";

export interface Secp256k1Backend {
  readonly name: Secp256k1BackendName;
  /** Why the native binary is not in use (absent when it is). Never contains key material. */
  readonly fallbackReason?: string;
  /** `key`: 32 bytes, 0 < key < N; throws RangeError otherwise (without the key in the message). */
  signer(key: Uint8Array): DigestSigner;
}

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/**
 * The digest as RFC 6979's bits2octets sees it: reduced mod N. libsecp256k1 feeds the raw digest
 * to its nonce function, so for a digest ≥ N (first 15 bytes 0xff; ~2⁻¹²⁸ for a hash) its nonce —
 * and signature — would differ from ethers' and the pure-JS signer's. Reducing first makes both
 * the nonce and the signed scalar equal to theirs.
 */
function reduced(digest: Uint8Array): Uint8Array {
  if (digest[0] !== 0xff) return digest;
  const z = BigInt("0x" + Buffer.from(digest.buffer, digest.byteOffset, 32).toString("hex"));
  return z < N ? digest : Uint8Array.from(Buffer.from((z - N).toString(16).padStart(64, "0"), "hex"));
}

const hex = (b: Uint8Array, from: number): string => "0x" + Buffer.from(b.buffer, b.byteOffset + from, 32).toString("hex");

const NO_OPTIONS = {};

class NativeSigner implements DigestSigner {
  readonly #key: Uint8Array;
  readonly #out = new Uint8Array(64);

  constructor(
    private readonly lib: NativeSecp256k1,
    key: Uint8Array,
  ) {
    if (key.length !== 32 || !lib.privateKeyVerify(key)) throw new RangeError("invalid secp256k1 private key");
    this.#key = Uint8Array.from(key);
  }

  sign(digest: Uint8Array): { r: string; s: string; v: number } {
    if (digest.length !== 32) throw new RangeError("digest must be 32 bytes");
    const { signature, recid } = this.lib.ecdsaSign(reduced(digest), this.#key, NO_OPTIONS, this.#out);
    // recid bit 1 (r ≥ n, probability ~2⁻¹²⁷) is dropped, as the pure-JS signer and ethers do.
    return { r: hex(signature, 0), s: hex(signature, 32), v: 27 + (recid & 1) };
  }
}

const SELF_CHECK = {
  key: "0123456789012345678901234567890123456789012345678901234567890123",
  digest: "e0aabfac88a47d3e7028b6ba6a94b30c8afcfffac26cbce788cf362b1312eafa",
  r: "0x053749d5b30552aeb2fca34b530185976545bb22d0b3ce6f62e31be961a59298",
  s: "0x755c40ba9bf05223521753995abb2f73ab3229be8ec921f350cb447e384d8ed8",
  v: 27,
} as const;

const JS_BACKEND = (fallbackReason?: string): Secp256k1Backend => ({
  name: "js",
  ...(fallbackReason !== undefined ? { fallbackReason } : {}),
  signer: (key) => new Secp256k1Signer(key),
});

/**
 * Choose the backend: the native binary from `load()` (default: `secp256k1/bindings`) if it loads
 * and signs a known vector right, else the pure-JS signer with the reason. Exposed for tests.
 */
export function loadSecp256k1Backend(load: () => unknown = defaultLoad, env: NodeJS.ProcessEnv = process.env): Secp256k1Backend {
  if (env["QF_SECP256K1"] === "js") return JS_BACKEND("QF_SECP256K1=js");
  let lib: NativeSecp256k1;
  try {
    lib = load() as NativeSecp256k1;
    if (typeof lib?.ecdsaSign !== "function" || typeof lib.privateKeyVerify !== "function") return JS_BACKEND("secp256k1 binding has no ecdsaSign");
  } catch (err) {
    return JS_BACKEND(`native secp256k1 unavailable: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
  }
  // A self-check on a published vector (FACTS §8.1 T2, mainnet: the Python SDK's test key, not a
  // secret), so a broken binary is never used; checked against the vector rather than the pure-JS
  // signer, whose comb table (~0.5 MB, ~100 ms to build) is then never built.
  try {
    const sig = new NativeSigner(lib, Buffer.from(SELF_CHECK.key, "hex")).sign(Buffer.from(SELF_CHECK.digest, "hex"));
    if (sig.r !== SELF_CHECK.r || sig.s !== SELF_CHECK.s || sig.v !== SELF_CHECK.v) return JS_BACKEND("native secp256k1 disagreed with the FACTS §8 vector on the self-check");
  } catch (err) {
    return JS_BACKEND(`native secp256k1 failed its self-check: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { name: "native", signer: (key) => new NativeSigner(lib, key) };
}

function defaultLoad(): unknown {
  return createRequire(import.meta.url)("secp256k1/bindings.js");
}

let chosen: Secp256k1Backend | undefined;

/** The process's backend, chosen once on first use. */
export function secp256k1Backend(): Secp256k1Backend {
  return (chosen ??= loadSecp256k1Backend());
}
