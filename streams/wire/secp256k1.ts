// Deterministic ECDSA over secp256k1 (RFC 6979 with HMAC-SHA256, low-S, recovery id), built for
// the signing hot path: the HMAC-DRBG runs natively (node:crypto createHmac) and k·G uses a
// fixed-base comb — 32 windows of 8 bits, each a table of the 255 affine multiples
// j·256^i·G, built once on first use — so a signature costs 32 mixed Jacobian additions, one
// field inversion and one scalar inversion. Output is bit-for-bit what ethers'
// SigningKey.sign (noble-curves) produces; test/wire checks it on random keys and digests and
// on every Python SDK vector. Every window performs exactly one addition (a zero digit adds
// into a scratch accumulator), so the operation count does not depend on the nonce; BigInt
// arithmetic itself is not constant-time in JS (nor in noble), which is acceptable for a key
// that signs on its own host.
import { createHmac } from "node:crypto";

const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = N >> 1n;
const GX = 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n;
const GY = 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n;

const modP = (a: bigint): bigint => {
  const r = a % P;
  return r < 0n ? r + P : r;
};

/** a⁻¹ mod m by the extended Euclidean algorithm (m prime, a ≠ 0 mod m). */
function invMod(a: bigint, m: bigint): bigint {
  let r0 = m;
  let r1 = a % m;
  if (r1 < 0n) r1 += m;
  let t0 = 0n;
  let t1 = 1n;
  while (r1 !== 0n) {
    const q = r0 / r1;
    const r2 = r0 - q * r1;
    r0 = r1;
    r1 = r2;
    const t2 = t0 - q * t1;
    t0 = t1;
    t1 = t2;
  }
  return t0 < 0n ? t0 + m : t0;
}

/** Jacobian point (X, Y, Z); Z = 0 is the point at infinity. */
type Jac = [bigint, bigint, bigint];
const INF: Jac = [0n, 1n, 0n];

function dbl(p: Jac): Jac {
  const [X, Y, Z] = p;
  if (Z === 0n || Y === 0n) return INF;
  const A = modP(X * X);
  const B = modP(Y * Y);
  const C = modP(B * B);
  const XB = X + B;
  const D = modP(2n * (XB * XB - A - C));
  const E = 3n * A;
  const X3 = modP(E * E - 2n * D);
  const Y3 = modP(E * (D - X3) - 8n * C);
  const Z3 = modP(2n * Y * Z);
  return [X3, Y3, Z3];
}

/** p + (x2, y2) with (x2, y2) affine. */
function addAffine(p: Jac, x2: bigint, y2: bigint): Jac {
  const [X1, Y1, Z1] = p;
  if (Z1 === 0n) return [x2, y2, 1n];
  const Z1Z1 = modP(Z1 * Z1);
  const U2 = modP(x2 * Z1Z1);
  const S2 = modP(y2 * Z1 * Z1Z1);
  const H = modP(U2 - X1);
  const R = modP(S2 - Y1);
  if (H === 0n) return R === 0n ? dbl(p) : INF;
  const HH = modP(H * H);
  const HHH = modP(H * HH);
  const V = modP(X1 * HH);
  const X3 = modP(R * R - HHH - 2n * V);
  const Y3 = modP(R * (V - X3) - Y1 * HHH);
  const Z3 = modP(Z1 * H);
  return [X3, Y3, Z3];
}

/** table[i][j − 1] = j·256^i·G as affine [x, y] pairs, flattened: x at 2k, y at 2k + 1. */
let table: bigint[][] | undefined;

function buildTable(): bigint[][] {
  const rows: bigint[][] = [];
  let bx = GX;
  let by = GY;
  for (let i = 0; i < 32; i++) {
    const jac: Jac[] = [];
    let acc: Jac = [bx, by, 1n];
    jac.push(acc);
    for (let j = 2; j <= 256; j++) {
      acc = addAffine(acc, bx, by);
      jac.push(acc);
    }
    // batch-normalise the 256 points (the 256th is the next window's base)
    const prefix: bigint[] = new Array(jac.length);
    let all = 1n;
    for (let k = 0; k < jac.length; k++) {
      prefix[k] = all;
      all = modP(all * jac[k]![2]);
    }
    let inv = invMod(all, P);
    const flat: bigint[] = new Array(2 * jac.length);
    for (let k = jac.length - 1; k >= 0; k--) {
      const pt = jac[k]!;
      const zi = modP(inv * prefix[k]!);
      inv = modP(inv * pt[2]);
      const zi2 = modP(zi * zi);
      flat[2 * k] = modP(pt[0] * zi2);
      flat[2 * k + 1] = modP(pt[1] * zi2 * zi);
    }
    bx = flat[2 * 255]!;
    by = flat[2 * 255 + 1]!;
    rows.push(flat.slice(0, 2 * 255));
  }
  return rows;
}

/** k·G (0 < k < N) as affine [x, y]. */
export function mulBase(k: bigint): [bigint, bigint] {
  const rows = (table ??= buildTable());
  let acc: Jac = INF;
  let scratch: Jac = INF;
  let e = k;
  for (let i = 0; i < 32; i++) {
    const d = Number(e & 255n);
    e >>= 8n;
    const row = rows[i]!;
    if (d !== 0) acc = addAffine(acc, row[2 * d - 2]!, row[2 * d - 1]!);
    else scratch = addAffine(scratch, row[0]!, row[1]!);
  }
  void scratch;
  const zi = invMod(acc[2], P);
  const zi2 = modP(zi * zi);
  return [modP(acc[0] * zi2), modP(acc[1] * zi2 * zi)];
}

function toBig(bytes: Uint8Array): bigint {
  return BigInt("0x" + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex"));
}
const to32 = (x: bigint): Buffer => Buffer.from(x.toString(16).padStart(64, "0"), "hex");
const hex32 = (x: bigint): string => "0x" + x.toString(16).padStart(64, "0");

function hmac(key: Buffer, ...parts: Buffer[]): Buffer {
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return h.digest();
}
const ZERO = Buffer.from([0]);
const ONE = Buffer.from([1]);

/** A private key prepared for repeated signing. Holds no string form of the key. */
export class Secp256k1Signer {
  private readonly d: bigint;
  private readonly x: Buffer;

  /** `key`: 32 bytes, 0 < key < N (callers validate and keep it out of messages). */
  constructor(key: Uint8Array) {
    const d = key.length === 32 ? toBig(key) : 0n;
    if (d <= 0n || d >= N) throw new RangeError("invalid secp256k1 private key");
    this.d = d;
    this.x = to32(d);
  }

  /** Sign a 32-byte digest: `{ r, s }` as 0x + 64 hex, `v` 27|28, low-S. */
  sign(digest: Uint8Array): { r: string; s: string; v: number } {
    if (digest.length !== 32) throw new RangeError("digest must be 32 bytes");
    const z = toBig(digest) % N;
    const h1 = to32(z); // bits2octets
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
        const [qx, qy] = mulBase(k);
        const r = qx % N;
        if (r !== 0n) {
          let s = (invMod(k, N) * (z + ((r * this.d) % N))) % N;
          if (s !== 0n) {
            let recovery = (qx === r ? 0 : 2) | Number(qy & 1n);
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
