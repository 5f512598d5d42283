// Deterministic ECDSA over secp256k1 (RFC 6979 with HMAC-SHA256, low-S, recovery id) with the
// two expensive steps done natively by Node's OpenSSL: the HMAC-DRBG (createHmac) and the point
// multiplication k·G (ECDH.setPrivateKey). The result is bit-for-bit what ethers'
// SigningKey.sign (noble-curves) produces — test/wire checks it on random keys and digests and
// on every Python SDK vector — at a fraction of the cost, which is what makes signing a batch
// ≥ 3× faster than the reference SDK.
import { createECDH, createHmac, type ECDH } from "node:crypto";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = N >> 1n;

function toBig(bytes: Uint8Array): bigint {
  return BigInt("0x" + (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)).toString("hex"));
}

function to32(x: bigint): Buffer {
  return Buffer.from(x.toString(16).padStart(64, "0"), "hex");
}

function hex32(x: bigint): string {
  return "0x" + x.toString(16).padStart(64, "0");
}

/** a⁻¹ mod N (extended Euclid; N is prime and 0 < a < N). */
function invN(a: bigint): bigint {
  let [r0, r1] = [N, a % N];
  let [t0, t1] = [0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  return t0 < 0n ? t0 + N : t0;
}

const hmac = (key: Buffer, ...parts: Buffer[]): Buffer => {
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return h.digest();
};

const ZERO = Buffer.from([0]);
const ONE = Buffer.from([1]);

/** A private key prepared for repeated signing. Holds no string form of the key. */
export class Secp256k1Signer {
  private readonly d: bigint;
  private readonly x: Buffer;
  private readonly ecdh: ECDH = createECDH("secp256k1");

  /** `key`: 32 bytes, 0 < key < N (callers validate and keep it out of messages). */
  constructor(key: Uint8Array) {
    const d = toBig(key);
    if (key.length !== 32 || d <= 0n || d >= N) throw new RangeError("invalid secp256k1 private key");
    this.d = d;
    this.x = to32(d);
  }

  /** Sign a 32-byte digest: `{ r, s }` as 0x + 64 hex, `v` 27|28, low-S. */
  sign(digest: Uint8Array): { r: string; s: string; v: number } {
    if (digest.length !== 32) throw new RangeError("digest must be 32 bytes");
    const z = toBig(digest);
    const h1 = to32(z % N); // bits2octets
    let V: Buffer = Buffer.alloc(32, 1);
    let K: Buffer = Buffer.alloc(32, 0);
    K = hmac(K, V, ZERO, this.x, h1);
    V = hmac(K, V);
    K = hmac(K, V, ONE, this.x, h1);
    V = hmac(K, V);
    for (let guard = 0; guard < 1000; guard++) {
      V = hmac(K, V);
      const k = toBig(V);
      if (k > 0n && k < N) {
        this.ecdh.setPrivateKey(V);
        const q = this.ecdh.getPublicKey(); // 0x04 ‖ X ‖ Y
        const qx = toBig(q.subarray(1, 33));
        const r = qx % N;
        if (r !== 0n) {
          let s = (invN(k) * ((z % N) + r * this.d)) % N;
          if (s !== 0n) {
            let recovery = (qx === r ? 0 : 2) | (q[64]! & 1);
            if (s > HALF_N) {
              s = N - s;
              recovery ^= 1;
            }
            return { r: hex32(r), s: hex32(s), v: 27 + (recovery & 1) };
          }
        }
      }
      K = hmac(K, V, ZERO);
      V = hmac(K, V);
    }
    throw new Error("RFC 6979: no valid nonce found");
  }
}
