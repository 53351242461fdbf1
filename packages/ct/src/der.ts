import { CtParseError } from "./ct-parse-error.js";

/**
 * Identifier octets of the universal ASN.1 types this package reads (low-tag-number form,
 * constructed bit included for SEQUENCE/SET).
 */
export const DerTag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  NUMERIC_STRING: 0x12,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  VIDEOTEX_STRING: 0x15,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  GRAPHIC_STRING: 0x19,
  VISIBLE_STRING: 0x1a,
  GENERAL_STRING: 0x1b,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Default bound on ASN.1 nesting depth for {@link DerReader} and {@link validateDer}. */
export const DEFAULT_MAX_DER_DEPTH = 32;

/**
 * One DER element, located by offsets into the buffer it was read from (nothing is copied).
 * `tag` is the first identifier octet (class, constructed bit and tag number, or 0x1f-style
 * marker for high tag numbers, which are read but never match a tag this package expects).
 * The value is `buf[valueStart, end)`, the whole TLV is `buf[start, end)`.
 */
export interface DerElement {
  readonly tag: number;
  readonly start: number;
  readonly valueStart: number;
  readonly end: number;
}

/**
 * Reads the DER element header at `pos`, never looking at or past `limit`.
 * Lengths: definite form only (indefinite is `bad-length`), at most 4 length octets (`too-large`),
 * non-minimal long-form lengths are accepted (as OpenSSL does). Throws {@link CtParseError}
 * (`truncated` when the element does not fit before `limit`).
 */
export function readDer(buf: Uint8Array, pos: number, limit: number, context: string): DerElement {
  if (pos >= limit) throw new CtParseError("truncated", context, pos, "element expected");
  const tag = buf[pos]!;
  let p = pos + 1;
  if ((tag & 0x1f) === 0x1f) {
    // High tag number: up to 4 continuation octets.
    let n = 0;
    for (;;) {
      if (p >= limit) throw new CtParseError("truncated", context, p, "tag");
      const b = buf[p++]!;
      if (++n > 4) throw new CtParseError("too-large", context, pos, "tag number");
      if ((b & 0x80) === 0) break;
    }
  }
  if (p >= limit) throw new CtParseError("truncated", context, p, "length");
  const first = buf[p++]!;
  let len: number;
  if (first < 0x80) {
    len = first;
  } else if (first === 0x80) {
    throw new CtParseError("bad-length", context, p - 1, "indefinite length");
  } else {
    const n = first & 0x7f;
    if (n > 4)
      throw new CtParseError(n === 0x7f ? "bad-length" : "too-large", context, p - 1, "length octets");
    if (p + n > limit) throw new CtParseError("truncated", context, p, "length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
  }
  const end = p + len;
  if (end > limit) throw new CtParseError("truncated", context, pos, `value of ${len} bytes`);
  return { tag, start: pos, valueStart: p, end };
}

/**
 * Sequential reader over the elements of one DER value range `[pos, end)`, with bounded nesting:
 * {@link DerReader.enter} fails with `too-deep` past `maxDepth` levels.
 */
export class DerReader {
  /** Buffer read from (never modified). */
  readonly buf: Uint8Array;
  /** Offset of the next element. */
  pos: number;
  /** Exclusive end of the range. */
  readonly end: number;
  /** Nesting depth of this range (0 for the outermost). */
  readonly depth: number;
  /** Depth bound inherited by nested readers. */
  readonly maxDepth: number;

  constructor(buf: Uint8Array, pos = 0, end = buf.length, depth = 0, maxDepth = DEFAULT_MAX_DER_DEPTH) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.depth = depth;
    this.maxDepth = maxDepth;
  }

  /** True when no element is left. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Identifier octet of the next element, or -1 at the end. */
  peekTag(): number {
    return this.pos < this.end ? this.buf[this.pos]! : -1;
  }

  /** Reads the next element, whatever its tag. */
  read(context: string): DerElement {
    const el = readDer(this.buf, this.pos, this.end, context);
    this.pos = el.end;
    return el;
  }

  /** Reads the next element and checks its identifier octet (`unexpected-tag` otherwise). */
  expect(tag: number, context: string): DerElement {
    if (this.pos < this.end && this.buf[this.pos] !== tag) {
      throw new CtParseError(
        "unexpected-tag",
        context,
        this.pos,
        `expected 0x${tag.toString(16)}, got 0x${this.buf[this.pos]!.toString(16)}`,
      );
    }
    return this.read(context);
  }

  /** Reads the next element if it has identifier octet `tag`, else returns undefined. */
  optional(tag: number, context: string): DerElement | undefined {
    return this.peekTag() === tag ? this.read(context) : undefined;
  }

  /** A reader over the content of `el` one level deeper (`too-deep` past the bound). */
  enter(el: DerElement, context: string): DerReader {
    if (this.depth + 1 > this.maxDepth) throw new CtParseError("too-deep", context, el.start);
    return new DerReader(this.buf, el.valueStart, el.end, this.depth + 1, this.maxDepth);
  }

  /** Throws `trailing-data` unless every element of the range was read. */
  finish(context: string): void {
    if (this.pos !== this.end) throw new CtParseError("trailing-data", context, this.pos);
  }
}

/** Bounds for {@link validateDer}. */
export interface ValidateDerOptions {
  /** Maximum nesting of constructed elements (default {@link DEFAULT_MAX_DER_DEPTH}). */
  maxDepth?: number;
  /** Maximum number of elements visited (default 1,000,000). */
  maxElements?: number;
}

/**
 * Checks that `buf` is exactly one well-formed DER element whose constructed parts (tag bit 0x20)
 * nest properly, without recursion. Returns the number of elements. Primitive values are not
 * interpreted. Throws {@link CtParseError} (`too-deep`, `too-large` for `maxElements`).
 */
export function validateDer(buf: Uint8Array, opts: ValidateDerOptions = {}): number {
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DER_DEPTH;
  const maxElements = opts.maxElements ?? 1_000_000;
  const top = readDer(buf, 0, buf.length, "der");
  if (top.end !== buf.length) throw new CtParseError("trailing-data", "der", top.end);
  // Stack of open constructed elements: [next child offset, end].
  const stack: number[] = [];
  let count = 1;
  if (top.tag & 0x20) stack.push(top.valueStart, top.end);
  while (stack.length > 0) {
    const end = stack[stack.length - 1]!;
    const pos = stack[stack.length - 2]!;
    if (pos >= end) {
      stack.length -= 2;
      continue;
    }
    const el = readDer(buf, pos, end, "der");
    stack[stack.length - 2] = el.end;
    if (++count > maxElements) throw new CtParseError("too-large", "der", pos, "element count");
    if (el.tag & 0x20) {
      if (stack.length / 2 + 1 > maxDepth) throw new CtParseError("too-deep", "der", pos);
      stack.push(el.valueStart, el.end);
    }
  }
  return count;
}

/**
 * Decodes an OBJECT IDENTIFIER value `buf[start, end)` into dotted form ("1.2.840.113549.1.1.11").
 * Arcs beyond 2^53 are decoded exactly (BigInt). Rejects empty, unterminated and non-minimal
 * encodings (`bad-value`) and values over 128 bytes (`too-large`).
 */
export function decodeOid(buf: Uint8Array, start: number, end: number, context: string): string {
  if (end <= start) throw new CtParseError("bad-value", context, start, "empty OID");
  if (end - start > 128) throw new CtParseError("too-large", context, start, "OID");
  if (buf[end - 1]! & 0x80) throw new CtParseError("bad-value", context, end - 1, "unterminated OID");
  let out = "";
  let first = true;
  let p = start;
  while (p < end) {
    if (buf[p] === 0x80) throw new CtParseError("bad-value", context, p, "non-minimal OID arc");
    let v = 0;
    let big: bigint | undefined;
    for (;;) {
      const b = buf[p++]!;
      if (big !== undefined) big = (big << 7n) | BigInt(b & 0x7f);
      else if (v >= 2 ** 45) big = (BigInt(v) << 7n) | BigInt(b & 0x7f);
      else v = v * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    if (first) {
      first = false;
      if (big !== undefined) out = `2.${big - 80n}`;
      else if (v < 40) out = `0.${v}`;
      else if (v < 80) out = `1.${v - 40}`;
      else out = `2.${v - 80}`;
    } else {
      out += `.${big !== undefined ? big : v}`;
    }
  }
  return out;
}

/**
 * Encodes a dotted OID string into OBJECT IDENTIFIER content octets (no tag/length).
 * Throws {@link CtParseError} `bad-value` for malformed strings.
 */
export function encodeOid(oid: string): Uint8Array {
  const parts = oid.split(".");
  if (parts.length < 2 || parts.some((p) => !/^(0|[1-9][0-9]*)$/.test(p))) {
    throw new CtParseError("bad-value", "oid", -1, oid);
  }
  const arcs = parts.map((p) => BigInt(p));
  const a0 = arcs[0]!;
  const a1 = arcs[1]!;
  if (a0 > 2n || (a0 < 2n && a1 >= 40n)) throw new CtParseError("bad-value", "oid", -1, oid);
  const out: number[] = [];
  const push = (v: bigint): void => {
    const bytes: number[] = [Number(v & 0x7fn)];
    for (let x = v >> 7n; x > 0n; x >>= 7n) bytes.unshift(Number(x & 0x7fn) | 0x80);
    out.push(...bytes);
  };
  push(a0 * 40n + a1);
  for (const a of arcs.slice(2)) push(a);
  return Uint8Array.from(out);
}

/**
 * Decodes a small two's-complement INTEGER value (at most 6 content bytes) as a number.
 * Throws `bad-value` when empty, `too-large` when longer.
 */
export function decodeSmallInteger(buf: Uint8Array, start: number, end: number, context: string): number {
  const len = end - start;
  if (len <= 0) throw new CtParseError("bad-value", context, start, "empty INTEGER");
  if (len > 6) throw new CtParseError("too-large", context, start, "INTEGER");
  let v = buf[start]! & 0x80 ? -1 : 0;
  for (let i = start; i < end; i++) v = v * 256 + buf[i]!;
  return v;
}

/** Decodes a DER BOOLEAN value (exactly one octet; any non-zero is true, as BER readers do). */
export function decodeBoolean(buf: Uint8Array, start: number, end: number, context: string): boolean {
  if (end - start !== 1) throw new CtParseError("bad-length", context, start, "BOOLEAN");
  return buf[start] !== 0;
}

const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Days from 1970-01-01 to year-month-day (proleptic Gregorian), for any year 0..9999. */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = y - 1;
  const daysBeforeYear = yy * 365 + Math.floor(yy / 4) - Math.floor(yy / 100) + Math.floor(yy / 400);
  const leapAdj = m > 2 && isLeap(y) ? 1 : 0;
  // 719162 = days from 0001-01-01 to 1970-01-01.
  return daysBeforeYear + DAYS_BEFORE_MONTH[m - 1]! + leapAdj + d - 1 - 719162;
}

function digits(buf: Uint8Array, p: number, n: number, end: number, context: string): number {
  if (p + n > end) throw new CtParseError("bad-value", context, p, "time too short");
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = buf[p + i]! - 0x30;
    if (c < 0 || c > 9) throw new CtParseError("bad-value", context, p + i, "time digit");
    v = v * 10 + c;
  }
  return v;
}

/**
 * Decodes a UTCTime (tag 0x17) or GeneralizedTime (0x18) value to milliseconds since the Unix epoch.
 * UTCTime years 50..99 are 19xx, 00..49 are 20xx (RFC 5280). Accepted beyond strict DER, as
 * OpenSSL does: missing seconds, GeneralizedTime fractions (truncated to ms), "+hhmm"/"-hhmm"
 * offsets. Fields are range-checked (`bad-value`).
 */
export function decodeTime(
  tag: number,
  buf: Uint8Array,
  start: number,
  end: number,
  context: string,
): number {
  let p = start;
  let year: number;
  if (tag === DerTag.UTC_TIME) {
    const yy = digits(buf, p, 2, end, context);
    year = yy < 50 ? 2000 + yy : 1900 + yy;
    p += 2;
  } else if (tag === DerTag.GENERALIZED_TIME) {
    year = digits(buf, p, 4, end, context);
    p += 4;
  } else {
    throw new CtParseError("unexpected-tag", context, start, "time");
  }
  const month = digits(buf, p, 2, end, context);
  const day = digits(buf, p + 2, 2, end, context);
  const hour = digits(buf, p + 4, 2, end, context);
  const minute = digits(buf, p + 6, 2, end, context);
  p += 8;
  let second = 0;
  if (p < end && buf[p]! >= 0x30 && buf[p]! <= 0x39) {
    second = digits(buf, p, 2, end, context);
    p += 2;
  }
  let ms = 0;
  if (tag === DerTag.GENERALIZED_TIME && p < end && (buf[p] === 0x2e || buf[p] === 0x2c)) {
    p++;
    let scale = 100;
    const fracStart = p;
    while (p < end && buf[p]! >= 0x30 && buf[p]! <= 0x39) {
      ms += (buf[p]! - 0x30) * scale;
      scale /= 10;
      p++;
    }
    if (p === fracStart) throw new CtParseError("bad-value", context, p, "empty fraction");
    ms = Math.floor(ms);
  }
  let offsetMin = 0;
  if (p < end && buf[p] === 0x5a) {
    p++;
  } else if (p < end && (buf[p] === 0x2b || buf[p] === 0x2d)) {
    const sign = buf[p] === 0x2b ? 1 : -1;
    const oh = digits(buf, p + 1, 2, end, context);
    const om = digits(buf, p + 3, 2, end, context);
    if (oh > 23 || om > 59) throw new CtParseError("bad-value", context, p, "time offset");
    offsetMin = sign * (oh * 60 + om);
    p += 5;
  } else {
    throw new CtParseError("bad-value", context, p, "time zone");
  }
  if (p !== end) throw new CtParseError("bad-value", context, p, "time trailing characters");
  const dim = month === 2 ? (isLeap(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  if (month < 1 || month > 12 || day < 1 || day > dim || hour > 23 || minute > 59 || second > 59) {
    throw new CtParseError("bad-value", context, start, "time field out of range");
  }
  const days = daysFromCivil(year, month, day);
  return (((days * 24 + hour) * 60 + minute - offsetMin) * 60 + second) * 1000 + ms;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Lower-case hex of `buf[start, end)`. */
export function toHex(buf: Uint8Array, start = 0, end = buf.length): string {
  let s = "";
  for (let i = start; i < end; i++) s += HEX[buf[i]!]!;
  return s;
}

/** Decodes `buf[start, end)` as ISO-8859-1 (each byte one code point). */
export function latin1(buf: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let p = start; p < end; p += 4096) {
    const chunk = buf.subarray(p, Math.min(end, p + 4096));
    s += String.fromCharCode.apply(null, chunk as unknown as number[]);
  }
  return s;
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

function isAscii(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return false;
  return true;
}

/**
 * Decodes an ASN.1 character string value to a JavaScript string: UTF8String as UTF-8 (invalid
 * sequences become U+FFFD), BMPString as UTF-16BE, UniversalString as UTF-32BE, the other
 * string types (Printable, IA5, Teletex, Visible, Numeric, ...) byte-per-code-point (Latin-1,
 * as OpenSSL does for T61String). Returns undefined for non-string tags.
 */
export function decodeString(
  tag: number,
  buf: Uint8Array,
  start: number,
  end: number,
  context: string,
): string | undefined {
  switch (tag) {
    case DerTag.UTF8_STRING:
      return isAscii(buf, start, end)
        ? latin1(buf, start, end)
        : utf8Decoder.decode(buf.subarray(start, end));
    case DerTag.PRINTABLE_STRING:
    case DerTag.IA5_STRING:
    case DerTag.T61_STRING:
    case DerTag.VIDEOTEX_STRING:
    case DerTag.VISIBLE_STRING:
    case DerTag.NUMERIC_STRING:
    case DerTag.GRAPHIC_STRING:
    case DerTag.GENERAL_STRING:
      return latin1(buf, start, end);
    case DerTag.BMP_STRING: {
      if ((end - start) % 2 !== 0) throw new CtParseError("bad-length", context, start, "BMPString");
      let s = "";
      for (let i = start; i < end; i += 2) s += String.fromCharCode((buf[i]! << 8) | buf[i + 1]!);
      return s;
    }
    case DerTag.UNIVERSAL_STRING: {
      if ((end - start) % 4 !== 0) throw new CtParseError("bad-length", context, start, "UniversalString");
      let s = "";
      for (let i = start; i < end; i += 4) {
        const cp = ((buf[i]! << 24) | (buf[i + 1]! << 16) | (buf[i + 2]! << 8) | buf[i + 3]!) >>> 0;
        s += cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : "\ufffd";
      }
      return s;
    }
    default:
      return undefined;
  }
}

/** DER length octets for a content length `len` (0 <= len < 2^32). */
export function encodeDerLength(len: number): Uint8Array {
  if (!Number.isInteger(len) || len < 0 || len > 0xffffffff) {
    throw new CtParseError("too-large", "der-length", -1, String(len));
  }
  if (len < 0x80) return Uint8Array.of(len);
  const bytes: number[] = [];
  for (let v = len; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

/** Encodes one DER element: identifier octet `tag`, length, and the concatenated `contents`. */
export function encodeDer(tag: number, ...contents: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const c of contents) len += c.length;
  const l = encodeDerLength(len);
  const out = new Uint8Array(1 + l.length + len);
  out[0] = tag;
  out.set(l, 1);
  let p = 1 + l.length;
  for (const c of contents) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}
