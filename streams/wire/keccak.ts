// Keccak-256 (the Ethereum hash, pad 0x01) with an unrolled Keccak-f[1600] on 32-bit lane
// halves. Generated (rotation offsets and round constants computed, not typed in); checked
// against ethers' keccak256 in test/wire. About 3× faster than a looped implementation, and the
// preimage hash is a fifth of the cost of signing a 10-order batch.

const RC_HI = new Int32Array([0, 0, -2147483648, -2147483648, 0, 0, -2147483648, -2147483648, 0, 0, 0, 0, 0, -2147483648, -2147483648, -2147483648, -2147483648, -2147483648, 0, -2147483648, -2147483648, -2147483648, 0, -2147483648]);
const RC_LO = new Int32Array([1, 32898, 32906, -2147450880, 32907, -2147483647, -2147450751, 32777, 138, 136, -2147450871, -2147483638, -2147450741, 139, 32905, 32771, 32770, 128, 32778, -2147483638, -2147450751, 32896, -2147483647, -2147450872]);

/** Keccak-f[1600] in place; lane i is s[2i] (low 32 bits) and s[2i + 1] (high 32 bits). */
function keccakF(s: Int32Array): void {
  let c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, h, l, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27, b28, b29, b30, b31, b32, b33, b34, b35, b36, b37, b38, b39, b40, b41, b42, b43, b44, b45, b46, b47, b48, b49;
  for (let round = 0; round < 24; round++) {
    c0 = s[0]! ^ s[10]! ^ s[20]! ^ s[30]! ^ s[40]!;
    c1 = s[1]! ^ s[11]! ^ s[21]! ^ s[31]! ^ s[41]!;
    c2 = s[2]! ^ s[12]! ^ s[22]! ^ s[32]! ^ s[42]!;
    c3 = s[3]! ^ s[13]! ^ s[23]! ^ s[33]! ^ s[43]!;
    c4 = s[4]! ^ s[14]! ^ s[24]! ^ s[34]! ^ s[44]!;
    c5 = s[5]! ^ s[15]! ^ s[25]! ^ s[35]! ^ s[45]!;
    c6 = s[6]! ^ s[16]! ^ s[26]! ^ s[36]! ^ s[46]!;
    c7 = s[7]! ^ s[17]! ^ s[27]! ^ s[37]! ^ s[47]!;
    c8 = s[8]! ^ s[18]! ^ s[28]! ^ s[38]! ^ s[48]!;
    c9 = s[9]! ^ s[19]! ^ s[29]! ^ s[39]! ^ s[49]!;
    l = c8 ^ ((c2 << 1) | (c3 >>> 31));
    h = c9 ^ ((c3 << 1) | (c2 >>> 31));
    s[0] = s[0]! ^ l;
    s[1] = s[1]! ^ h;
    s[10] = s[10]! ^ l;
    s[11] = s[11]! ^ h;
    s[20] = s[20]! ^ l;
    s[21] = s[21]! ^ h;
    s[30] = s[30]! ^ l;
    s[31] = s[31]! ^ h;
    s[40] = s[40]! ^ l;
    s[41] = s[41]! ^ h;
    l = c0 ^ ((c4 << 1) | (c5 >>> 31));
    h = c1 ^ ((c5 << 1) | (c4 >>> 31));
    s[2] = s[2]! ^ l;
    s[3] = s[3]! ^ h;
    s[12] = s[12]! ^ l;
    s[13] = s[13]! ^ h;
    s[22] = s[22]! ^ l;
    s[23] = s[23]! ^ h;
    s[32] = s[32]! ^ l;
    s[33] = s[33]! ^ h;
    s[42] = s[42]! ^ l;
    s[43] = s[43]! ^ h;
    l = c2 ^ ((c6 << 1) | (c7 >>> 31));
    h = c3 ^ ((c7 << 1) | (c6 >>> 31));
    s[4] = s[4]! ^ l;
    s[5] = s[5]! ^ h;
    s[14] = s[14]! ^ l;
    s[15] = s[15]! ^ h;
    s[24] = s[24]! ^ l;
    s[25] = s[25]! ^ h;
    s[34] = s[34]! ^ l;
    s[35] = s[35]! ^ h;
    s[44] = s[44]! ^ l;
    s[45] = s[45]! ^ h;
    l = c4 ^ ((c8 << 1) | (c9 >>> 31));
    h = c5 ^ ((c9 << 1) | (c8 >>> 31));
    s[6] = s[6]! ^ l;
    s[7] = s[7]! ^ h;
    s[16] = s[16]! ^ l;
    s[17] = s[17]! ^ h;
    s[26] = s[26]! ^ l;
    s[27] = s[27]! ^ h;
    s[36] = s[36]! ^ l;
    s[37] = s[37]! ^ h;
    s[46] = s[46]! ^ l;
    s[47] = s[47]! ^ h;
    l = c6 ^ ((c0 << 1) | (c1 >>> 31));
    h = c7 ^ ((c1 << 1) | (c0 >>> 31));
    s[8] = s[8]! ^ l;
    s[9] = s[9]! ^ h;
    s[18] = s[18]! ^ l;
    s[19] = s[19]! ^ h;
    s[28] = s[28]! ^ l;
    s[29] = s[29]! ^ h;
    s[38] = s[38]! ^ l;
    s[39] = s[39]! ^ h;
    s[48] = s[48]! ^ l;
    s[49] = s[49]! ^ h;
    b0 = s[0]!;
    b1 = s[1]!;
    b32 = (s[11]! << 4) | (s[10]! >>> 28);
    b33 = (s[10]! << 4) | (s[11]! >>> 28);
    b14 = (s[20]! << 3) | (s[21]! >>> 29);
    b15 = (s[21]! << 3) | (s[20]! >>> 29);
    b46 = (s[31]! << 9) | (s[30]! >>> 23);
    b47 = (s[30]! << 9) | (s[31]! >>> 23);
    b28 = (s[40]! << 18) | (s[41]! >>> 14);
    b29 = (s[41]! << 18) | (s[40]! >>> 14);
    b20 = (s[2]! << 1) | (s[3]! >>> 31);
    b21 = (s[3]! << 1) | (s[2]! >>> 31);
    b2 = (s[13]! << 12) | (s[12]! >>> 20);
    b3 = (s[12]! << 12) | (s[13]! >>> 20);
    b34 = (s[22]! << 10) | (s[23]! >>> 22);
    b35 = (s[23]! << 10) | (s[22]! >>> 22);
    b16 = (s[33]! << 13) | (s[32]! >>> 19);
    b17 = (s[32]! << 13) | (s[33]! >>> 19);
    b48 = (s[42]! << 2) | (s[43]! >>> 30);
    b49 = (s[43]! << 2) | (s[42]! >>> 30);
    b40 = (s[5]! << 30) | (s[4]! >>> 2);
    b41 = (s[4]! << 30) | (s[5]! >>> 2);
    b22 = (s[14]! << 6) | (s[15]! >>> 26);
    b23 = (s[15]! << 6) | (s[14]! >>> 26);
    b4 = (s[25]! << 11) | (s[24]! >>> 21);
    b5 = (s[24]! << 11) | (s[25]! >>> 21);
    b36 = (s[34]! << 15) | (s[35]! >>> 17);
    b37 = (s[35]! << 15) | (s[34]! >>> 17);
    b18 = (s[45]! << 29) | (s[44]! >>> 3);
    b19 = (s[44]! << 29) | (s[45]! >>> 3);
    b10 = (s[6]! << 28) | (s[7]! >>> 4);
    b11 = (s[7]! << 28) | (s[6]! >>> 4);
    b42 = (s[17]! << 23) | (s[16]! >>> 9);
    b43 = (s[16]! << 23) | (s[17]! >>> 9);
    b24 = (s[26]! << 25) | (s[27]! >>> 7);
    b25 = (s[27]! << 25) | (s[26]! >>> 7);
    b6 = (s[36]! << 21) | (s[37]! >>> 11);
    b7 = (s[37]! << 21) | (s[36]! >>> 11);
    b38 = (s[47]! << 24) | (s[46]! >>> 8);
    b39 = (s[46]! << 24) | (s[47]! >>> 8);
    b30 = (s[8]! << 27) | (s[9]! >>> 5);
    b31 = (s[9]! << 27) | (s[8]! >>> 5);
    b12 = (s[18]! << 20) | (s[19]! >>> 12);
    b13 = (s[19]! << 20) | (s[18]! >>> 12);
    b44 = (s[29]! << 7) | (s[28]! >>> 25);
    b45 = (s[28]! << 7) | (s[29]! >>> 25);
    b26 = (s[38]! << 8) | (s[39]! >>> 24);
    b27 = (s[39]! << 8) | (s[38]! >>> 24);
    b8 = (s[48]! << 14) | (s[49]! >>> 18);
    b9 = (s[49]! << 14) | (s[48]! >>> 18);
    s[0] = b0 ^ (~b2 & b4);
    s[1] = b1 ^ (~b3 & b5);
    s[2] = b2 ^ (~b4 & b6);
    s[3] = b3 ^ (~b5 & b7);
    s[4] = b4 ^ (~b6 & b8);
    s[5] = b5 ^ (~b7 & b9);
    s[6] = b6 ^ (~b8 & b0);
    s[7] = b7 ^ (~b9 & b1);
    s[8] = b8 ^ (~b0 & b2);
    s[9] = b9 ^ (~b1 & b3);
    s[10] = b10 ^ (~b12 & b14);
    s[11] = b11 ^ (~b13 & b15);
    s[12] = b12 ^ (~b14 & b16);
    s[13] = b13 ^ (~b15 & b17);
    s[14] = b14 ^ (~b16 & b18);
    s[15] = b15 ^ (~b17 & b19);
    s[16] = b16 ^ (~b18 & b10);
    s[17] = b17 ^ (~b19 & b11);
    s[18] = b18 ^ (~b10 & b12);
    s[19] = b19 ^ (~b11 & b13);
    s[20] = b20 ^ (~b22 & b24);
    s[21] = b21 ^ (~b23 & b25);
    s[22] = b22 ^ (~b24 & b26);
    s[23] = b23 ^ (~b25 & b27);
    s[24] = b24 ^ (~b26 & b28);
    s[25] = b25 ^ (~b27 & b29);
    s[26] = b26 ^ (~b28 & b20);
    s[27] = b27 ^ (~b29 & b21);
    s[28] = b28 ^ (~b20 & b22);
    s[29] = b29 ^ (~b21 & b23);
    s[30] = b30 ^ (~b32 & b34);
    s[31] = b31 ^ (~b33 & b35);
    s[32] = b32 ^ (~b34 & b36);
    s[33] = b33 ^ (~b35 & b37);
    s[34] = b34 ^ (~b36 & b38);
    s[35] = b35 ^ (~b37 & b39);
    s[36] = b36 ^ (~b38 & b30);
    s[37] = b37 ^ (~b39 & b31);
    s[38] = b38 ^ (~b30 & b32);
    s[39] = b39 ^ (~b31 & b33);
    s[40] = b40 ^ (~b42 & b44);
    s[41] = b41 ^ (~b43 & b45);
    s[42] = b42 ^ (~b44 & b46);
    s[43] = b43 ^ (~b45 & b47);
    s[44] = b44 ^ (~b46 & b48);
    s[45] = b45 ^ (~b47 & b49);
    s[46] = b46 ^ (~b48 & b40);
    s[47] = b47 ^ (~b49 & b41);
    s[48] = b48 ^ (~b40 & b42);
    s[49] = b49 ^ (~b41 & b43);
    s[0] = s[0]! ^ RC_LO[round]!;
    s[1] = s[1]! ^ RC_HI[round]!;
  }
}

const RATE = 136;
const state = new Int32Array(50);
const block = new Uint8Array(RATE);
const blockWords = new Int32Array(block.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function absorb(bytes: Uint8Array, offset: number): void {
  if (LITTLE_ENDIAN && (bytes.byteOffset + offset) % 4 === 0) {
    const words = new Int32Array(bytes.buffer, bytes.byteOffset + offset, RATE / 4);
    for (let i = 0; i < RATE / 4; i++) state[i] = state[i]! ^ words[i]!;
  } else {
    for (let i = 0; i < RATE / 4; i++) {
      const j = offset + 4 * i;
      state[i] = state[i]! ^ (bytes[j]! | (bytes[j + 1]! << 8) | (bytes[j + 2]! << 16) | (bytes[j + 3]! << 24));
    }
  }
  keccakF(state);
}

/** keccak256(data) as 32 bytes (the returned array is fresh). */
export function keccak256Bytes(data: Uint8Array): Uint8Array {
  state.fill(0);
  const full = data.length - (data.length % RATE);
  for (let off = 0; off < full; off += RATE) absorb(data, off);
  block.fill(0);
  block.set(data.subarray(full));
  block[data.length - full] = block[data.length - full]! ^ 0x01;
  block[RATE - 1] = block[RATE - 1]! ^ 0x80;
  if (LITTLE_ENDIAN) {
    for (let i = 0; i < RATE / 4; i++) state[i] = state[i]! ^ blockWords[i]!;
    keccakF(state);
  } else absorb(block, 0);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = state[i]!;
    out[4 * i] = v & 0xff;
    out[4 * i + 1] = (v >>> 8) & 0xff;
    out[4 * i + 2] = (v >>> 16) & 0xff;
    out[4 * i + 3] = (v >>> 24) & 0xff;
  }
  return out;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** keccak256(data) as 0x-prefixed lowercase hex. */
export function keccak256Hex(data: Uint8Array): string {
  const b = keccak256Bytes(data);
  let s = "0x";
  for (let i = 0; i < 32; i++) s += HEX[b[i]!]!;
  return s;
}
