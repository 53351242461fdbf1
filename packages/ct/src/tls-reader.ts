import { CtParseError } from "./ct-parse-error.js";

/**
 * Bounded reader for TLS presentation-language structures (RFC 8446 section 3 / RFC 5246 section 4):
 * big-endian integers and length-prefixed vectors, returned as views (no copying).
 * Every read past `end` throws {@link CtParseError} `truncated`.
 */
export class TlsReader {
  /** Buffer read from (never modified). */
  readonly buf: Uint8Array;
  /** Offset of the next byte. */
  pos: number;
  /** Exclusive end of the readable range. */
  readonly end: number;

  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  /** Bytes left. */
  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, context: string): void {
    if (this.end - this.pos < n) throw new CtParseError("truncated", context, this.pos, `${n} bytes needed`);
  }

  /** uint8. */
  u8(context: string): number {
    this.need(1, context);
    return this.buf[this.pos++]!;
  }

  /** uint16, big-endian. */
  u16(context: string): number {
    this.need(2, context);
    const b = this.buf;
    const p = this.pos;
    this.pos += 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  /** uint24, big-endian. */
  u24(context: string): number {
    this.need(3, context);
    const b = this.buf;
    const p = this.pos;
    this.pos += 3;
    return (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  }

  /** Unsigned big-endian integer of `n` (<= 8) bytes as a number; `too-large` above 2^53 - 1. */
  uint(n: number, context: string): number {
    this.need(n, context);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.buf[this.pos + i]!;
    if (v > Number.MAX_SAFE_INTEGER)
      throw new CtParseError("too-large", context, this.pos, "integer above 2^53");
    this.pos += n;
    return v;
  }

  /** uint64 as a number (`too-large` above 2^53 - 1). */
  u64(context: string): number {
    return this.uint(8, context);
  }

  /** The next `n` bytes, as a view. */
  bytes(n: number, context: string): Uint8Array {
    this.need(n, context);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /**
   * A vector `<min..max>` whose length prefix has `lenBytes` (1, 2 or 3) bytes, as a view.
   * Lengths outside `[min, max]` are `bad-length`.
   */
  vector(lenBytes: 1 | 2 | 3, context: string, min = 0, max = 2 ** (8 * lenBytes) - 1): Uint8Array {
    const len = lenBytes === 1 ? this.u8(context) : lenBytes === 2 ? this.u16(context) : this.u24(context);
    if (len < min || len > max)
      throw new CtParseError("bad-length", context, this.pos - lenBytes, `length ${len}`);
    return this.bytes(len, context);
  }

  /** Throws `trailing-data` unless all bytes were read. */
  finish(context: string): void {
    if (this.pos !== this.end) throw new CtParseError("trailing-data", context, this.pos);
  }
}
