// A small msgpack encoder that writes exactly what Python's `msgpack.packb` writes for JSON-like
// values (FACTS §7.1): maps in insertion order, undefined keys dropped, integers in their
// minimal form (positive fixint, 0xcc/0xcd/0xce/0xcf uint64; negative fixint, 0xd0–0xd3),
// other numbers as float64, strings as fixstr/str8/16/32 UTF-8. It never takes the float64
// detour that `@msgpack/msgpack` with `useBigInt64: true` takes for a JS number ≥ 2^32.

const textEncoder = new TextEncoder();

/** A growable byte buffer; `bytes()` returns a view of what was written. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(initial = 512) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  reset(): void {
    this.length = 0;
  }

  private ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }
  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.length, v);
    this.length += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.length, v);
    this.length += 4;
  }
  /** Big-endian 64-bit unsigned from a non-negative safe integer (nonces, oids). */
  u64(v: number): void {
    this.ensure(8);
    this.view.setUint32(this.length, Math.floor(v / 0x100000000));
    this.view.setUint32(this.length + 4, v >>> 0);
    this.length += 8;
  }
  i64(v: number): void {
    this.ensure(8);
    this.view.setBigInt64(this.length, BigInt(v));
    this.length += 8;
  }
  f64(v: number): void {
    this.ensure(9);
    this.buf[this.length++] = 0xcb;
    this.view.setFloat64(this.length, v);
    this.length += 8;
  }
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }
  /** Writes an ASCII string's bytes directly; returns false (writing nothing) if it is not ASCII. */
  ascii(s: string): boolean {
    const n = s.length;
    this.ensure(n);
    const start = this.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) {
        this.length = start;
        return false;
      }
      this.buf[start + i] = c;
    }
    this.length = start + n;
    return true;
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

function strHeader(w: ByteWriter, n: number): void {
  if (n < 32) w.u8(0xa0 | n);
  else if (n < 0x100) {
    w.u8(0xd9);
    w.u8(n);
  } else if (n < 0x10000) {
    w.u8(0xda);
    w.u16(n);
  } else {
    w.u8(0xdb);
    w.u32(n);
  }
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function writeString(w: ByteWriter, s: string): void {
  if (isAscii(s)) {
    strHeader(w, s.length);
    w.ascii(s);
    return;
  }
  const bytes = textEncoder.encode(s);
  strHeader(w, bytes.length);
  w.raw(bytes);
}

function writeNumber(w: ByteWriter, v: number): void {
  if (!Number.isSafeInteger(v)) {
    w.f64(v);
    return;
  }
  if (v >= 0) {
    if (v < 0x80) w.u8(v);
    else if (v < 0x100) {
      w.u8(0xcc);
      w.u8(v);
    } else if (v < 0x10000) {
      w.u8(0xcd);
      w.u16(v);
    } else if (v < 0x100000000) {
      w.u8(0xce);
      w.u32(v);
    } else {
      w.u8(0xcf);
      w.u64(v);
    }
  } else if (v >= -0x20) w.u8(v & 0xff);
  else if (v >= -0x80) {
    w.u8(0xd0);
    w.u8(v & 0xff);
  } else if (v >= -0x8000) {
    w.u8(0xd1);
    w.u16(v & 0xffff);
  } else if (v >= -0x80000000) {
    w.u8(0xd2);
    w.u32(v >>> 0);
  } else {
    w.u8(0xd3);
    w.i64(v);
  }
}

function writeValue(w: ByteWriter, v: unknown, depth: number): void {
  if (depth > 64) throw new RangeError("msgpack: nesting deeper than 64 levels");
  switch (typeof v) {
    case "string":
      writeString(w, v);
      return;
    case "number":
      writeNumber(w, v);
      return;
    case "boolean":
      w.u8(v ? 0xc3 : 0xc2);
      return;
    case "bigint":
      if (v >= 0n && v < 2n ** 64n) {
        w.u8(0xcf);
        w.u32(Number(v >> 32n));
        w.u32(Number(v & 0xffffffffn));
        return;
      }
      throw new RangeError("msgpack: bigint out of uint64 range");
    case "object": {
      if (v === null) {
        w.u8(0xc0);
        return;
      }
      if (Array.isArray(v)) {
        const n = v.length;
        if (n < 16) w.u8(0x90 | n);
        else if (n < 0x10000) {
          w.u8(0xdc);
          w.u16(n);
        } else {
          w.u8(0xdd);
          w.u32(n);
        }
        for (let i = 0; i < n; i++) writeValue(w, v[i], depth + 1);
        return;
      }
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj);
      let n = 0;
      for (const k of keys) if (obj[k] !== undefined) n++;
      if (n < 16) w.u8(0x80 | n);
      else if (n < 0x10000) {
        w.u8(0xde);
        w.u16(n);
      } else {
        w.u8(0xdf);
        w.u32(n);
      }
      for (const k of keys) {
        const x = obj[k];
        if (x === undefined) continue;
        writeString(w, k);
        writeValue(w, x, depth + 1);
      }
      return;
    }
    default:
      throw new TypeError(`msgpack: cannot encode a ${typeof v}`);
  }
}

/** Append msgpack(value) to `w`. */
export function msgpackInto(w: ByteWriter, value: unknown): void {
  writeValue(w, value, 0);
}

/** msgpack(value) as a fresh Uint8Array. */
export function msgpackEncode(value: unknown): Uint8Array {
  const w = new ByteWriter(256);
  writeValue(w, value, 0);
  return w.bytes().slice();
}
