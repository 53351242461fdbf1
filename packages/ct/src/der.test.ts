import { describe, expect, it } from "@jest/globals";
import { CtParseError, type CtParseErrorCode } from "./ct-parse-error.js";
import {
  DerReader,
  DerTag,
  decodeBoolean,
  decodeOid,
  decodeSmallInteger,
  decodeString,
  decodeTime,
  encodeDer,
  encodeDerLength,
  encodeOid,
  readDer,
  toHex,
  validateDer,
} from "./der.js";
import { fromHex } from "./testing/cert-builder.js";

function codeOf(f: () => unknown): CtParseErrorCode | "no-error" | "other-error" {
  try {
    f();
    return "no-error";
  } catch (e) {
    return e instanceof CtParseError ? e.code : "other-error";
  }
}

describe("readDer", () => {
  const ok: [string, string, { tag: number; valueStart: number; end: number }][] = [
    ["short form", "0403aabbcc", { tag: 0x04, valueStart: 2, end: 5 }],
    ["empty value", "0500", { tag: 0x05, valueStart: 2, end: 2 }],
    ["long form 1 byte", `0481${"80"}${"00".repeat(128)}`, { tag: 0x04, valueStart: 3, end: 131 }],
    ["long form 2 bytes", `30820100${"00".repeat(256)}`, { tag: 0x30, valueStart: 4, end: 260 }],
    ["non-minimal long form accepted", "04810100", { tag: 0x04, valueStart: 3, end: 4 }],
    ["high tag number", "1f81010100", { tag: 0x1f, valueStart: 4, end: 5 }],
  ];
  it.each(ok)("%s", (_n, hex, want) => {
    const el = readDer(fromHex(hex), 0, hex.length / 2, "t");
    expect({ tag: el.tag, valueStart: el.valueStart, end: el.end }).toEqual(want);
  });

  const bad: [string, string, CtParseErrorCode][] = [
    ["empty input", "", "truncated"],
    ["no length", "04", "truncated"],
    ["value cut", "0405aabb", "truncated"],
    ["long length cut", "048201", "truncated"],
    ["indefinite length", "3080", "bad-length"],
    ["reserved 0xff length", "04ff", "bad-length"],
    ["5 length octets", "04850000000001", "too-large"],
    ["length past limit", "0484ffffffff", "truncated"],
    ["high tag unterminated", "1f8181", "truncated"],
    ["high tag too long", "1f818181818101", "too-large"],
  ];
  it.each(bad)("%s → %s", (_n, hex, code) => {
    expect(codeOf(() => readDer(fromHex(hex), 0, hex.length / 2, "t"))).toBe(code);
  });

  it("never reads past the limit", () => {
    const buf = fromHex("0403aabbcc");
    expect(codeOf(() => readDer(buf, 0, 4, "t"))).toBe("truncated");
  });

  it("reports offset and context", () => {
    try {
      readDer(fromHex("300504"), 2, 3, "ctx.here");
      throw new Error("unreachable");
    } catch (e) {
      expect(e).toBeInstanceOf(CtParseError);
      expect((e as CtParseError).context).toBe("ctx.here");
      expect((e as CtParseError).offset).toBe(3);
    }
  });
});

describe("DerReader", () => {
  it("reads a sequence with expect/optional/finish", () => {
    const buf = fromHex("3008020101a003020102");
    const top = new DerReader(buf);
    const s = top.expect(DerTag.SEQUENCE, "s");
    top.finish("s");
    const r = top.enter(s, "s");
    expect(r.optional(DerTag.BOOLEAN, "b")).toBeUndefined();
    expect(decodeSmallInteger(buf, ...span(r.expect(DerTag.INTEGER, "i")), "i")).toBe(1);
    expect(r.peekTag()).toBe(0xa0);
    r.read("x");
    expect(r.done).toBe(true);
    expect(r.peekTag()).toBe(-1);
    r.finish("s");
  });

  const bad: [string, (r: DerReader) => unknown, CtParseErrorCode][] = [
    ["unexpected tag", (r) => r.expect(DerTag.INTEGER, "t"), "unexpected-tag"],
    [
      "expect at end",
      (r) => {
        r.read("a");
        return r.expect(DerTag.INTEGER, "t");
      },
      "truncated",
    ],
    ["trailing data", (r) => r.finish("t"), "trailing-data"],
  ];
  it.each(bad)("%s", (_n, f, code) => {
    expect(codeOf(() => f(new DerReader(fromHex("0500"))))).toBe(code);
  });

  it("bounds nesting depth", () => {
    let der = encodeDer(DerTag.NULL);
    for (let i = 0; i < 5; i++) der = encodeDer(DerTag.SEQUENCE, der);
    let r = new DerReader(der, 0, der.length, 0, 3);
    const descend = (): void => {
      for (;;) {
        const el = r.read("x");
        if (el.tag !== DerTag.SEQUENCE) return;
        r = r.enter(el, "x");
      }
    };
    expect(codeOf(descend)).toBe("too-deep");
  });
});

function span(el: { valueStart: number; end: number }): [number, number] {
  return [el.valueStart, el.end];
}

describe("validateDer", () => {
  it("counts elements of a well-formed tree", () => {
    expect(validateDer(fromHex("3008020101a003020102"))).toBe(4);
  });
  it("rejects 10,000-deep nesting without recursion", () => {
    let der = encodeDer(DerTag.NULL);
    for (let i = 0; i < 10_000; i++) der = encodeDer(DerTag.SEQUENCE, der);
    expect(codeOf(() => validateDer(der))).toBe("too-deep");
    expect(validateDer(der, { maxDepth: 20_000 })).toBe(10_001);
  });
  const bad: [string, string, CtParseErrorCode][] = [
    ["trailing bytes", "050000", "trailing-data"],
    ["child overruns parent", "30040404aabb", "truncated"],
    ["indefinite inside", "30023080", "bad-length"],
  ];
  it.each(bad)("%s", (_n, hex, code) => {
    expect(codeOf(() => validateDer(fromHex(hex)))).toBe(code);
  });
  it("bounds element count", () => {
    const der = encodeDer(DerTag.SEQUENCE, ...Array.from({ length: 100 }, () => encodeDer(DerTag.NULL)));
    expect(codeOf(() => validateDer(der, { maxElements: 50 }))).toBe("too-large");
  });
});

describe("OIDs", () => {
  const table: [string, string][] = [
    ["2a864886f70d01010b", "1.2.840.113549.1.1.11"],
    ["550403", "2.5.4.3"],
    ["2b0601040182371902", "1.3.6.1.4.1.311.25.2"],
    ["0027", "0.0.39"],
    ["8837", "2.999"],
    // Encoding cross-checked with `openssl asn1parse -genstr OID:2.25.329800735698586629295641978511506172918`.
    ["6983f09da7ebcfdee0c7a1a7b2c0948cc8f9d776", "2.25.329800735698586629295641978511506172918"],
    ["2a8648ce3d030107", "1.2.840.10045.3.1.7"],
  ];
  it.each(table)("%s ↔ %s", (hex, dotted) => {
    const b = fromHex(hex);
    expect(decodeOid(b, 0, b.length, "oid")).toBe(dotted);
    expect(toHex(encodeOid(dotted))).toBe(hex);
  });
  const bad: [string, string, CtParseErrorCode][] = [
    ["empty", "", "bad-value"],
    ["unterminated", "2a86", "bad-value"],
    ["non-minimal arc", "2a80864886", "bad-value"],
    ["too long", "2a".repeat(129), "too-large"],
  ];
  it.each(bad)("%s", (_n, hex, code) => {
    const b = fromHex(hex);
    expect(codeOf(() => decodeOid(b, 0, b.length, "oid"))).toBe(code);
  });
  it.each(["1", "3.1", "1.40", "1.2.03", "a.b"])("encodeOid rejects %s", (s) => {
    expect(codeOf(() => encodeOid(s))).toBe("bad-value");
  });
});

describe("decodeTime", () => {
  const utc = DerTag.UTC_TIME;
  const gen = DerTag.GENERALIZED_TIME;
  const ok: [number, string, string][] = [
    [utc, "250101000000Z", "2025-01-01T00:00:00.000Z"],
    [utc, "491231235959Z", "2049-12-31T23:59:59.000Z"],
    [utc, "500101000000Z", "1950-01-01T00:00:00.000Z"],
    [utc, "960229120000Z", "1996-02-29T12:00:00.000Z"],
    [utc, "2501010000Z", "2025-01-01T00:00:00.000Z"],
    [utc, "250101000000+0130", "2024-12-31T22:30:00.000Z"],
    [utc, "250101000000-0200", "2025-01-01T02:00:00.000Z"],
    [gen, "20500101000000Z", "2050-01-01T00:00:00.000Z"],
    [gen, "99991231235959Z", "9999-12-31T23:59:59.000Z"],
    [gen, "20000229000000Z", "2000-02-29T00:00:00.000Z"],
    [gen, "20250101000000.5Z", "2025-01-01T00:00:00.500Z"],
    [gen, "20250101000000.123456Z", "2025-01-01T00:00:00.123Z"],
    [gen, "00010101000000Z", "0001-01-01T00:00:00.000Z"],
  ];
  it.each(ok)("%i %s", (tag, s, iso) => {
    const b = Uint8Array.from(s, (c) => c.charCodeAt(0));
    const ms = decodeTime(tag, b, 0, b.length, "t");
    expect(ms).toBe(new Date(iso).getTime());
  });
  const bad: [number, string][] = [
    [utc, "251301000000Z"],
    [utc, "250230000000Z"],
    [utc, "250101240000Z"],
    [utc, "250101006000Z"],
    [utc, "250101000060Z"],
    [utc, "250101000000"],
    [utc, "25010100000aZ"],
    [utc, "250101000000Zjunk"],
    [utc, "2501"],
    [gen, "19000229000000Z"],
    [gen, "20250101000000.Z"],
    [gen, "20250101000000+2400"],
    [DerTag.INTEGER, "250101000000Z"],
  ];
  it.each(bad)("%i %s is rejected", (tag, s) => {
    const b = Uint8Array.from(s, (c) => c.charCodeAt(0));
    expect(["bad-value", "unexpected-tag"]).toContain(codeOf(() => decodeTime(tag, b, 0, b.length, "t")));
  });
});

describe("decodeString", () => {
  const table: [string, number, string, string | undefined][] = [
    ["UTF8String ascii", DerTag.UTF8_STRING, "616263", "abc"],
    ["UTF8String non-ascii", DerTag.UTF8_STRING, "c39c20e29c93", "Ü ✓"],
    ["UTF8String invalid → U+FFFD", DerTag.UTF8_STRING, "61ff", "a\ufffd"],
    ["PrintableString", DerTag.PRINTABLE_STRING, "4142", "AB"],
    ["T61String latin-1", DerTag.T61_STRING, "ffe9", "ÿé"],
    ["IA5String", DerTag.IA5_STRING, "782e79", "x.y"],
    ["BMPString", DerTag.BMP_STRING, "00412713", "A✓"],
    ["UniversalString", DerTag.UNIVERSAL_STRING, "000000410001f600", "A😀"],
    ["INTEGER is not a string", DerTag.INTEGER, "01", undefined],
  ];
  it.each(table)("%s", (_n, tag, hex, want) => {
    const b = fromHex(hex);
    expect(decodeString(tag, b, 0, b.length, "s")).toBe(want);
  });
  it.each([
    [DerTag.BMP_STRING, "004100"],
    [DerTag.UNIVERSAL_STRING, "000041"],
  ])("odd-length %i is bad-length", (tag, hex) => {
    const b = fromHex(hex);
    expect(codeOf(() => decodeString(tag, b, 0, b.length, "s"))).toBe("bad-length");
  });
});

describe("small values and encoding", () => {
  it.each([
    ["00", 0],
    ["02", 2],
    ["7f", 127],
    ["0080", 128],
    ["ff", -1],
    ["ff7f", -129],
    ["7fffffffffff", 2 ** 47 - 1],
  ])("INTEGER %s = %d", (hex, v) => {
    const b = fromHex(hex);
    expect(decodeSmallInteger(b, 0, b.length, "i")).toBe(v);
  });
  it("INTEGER bounds", () => {
    expect(codeOf(() => decodeSmallInteger(new Uint8Array(0), 0, 0, "i"))).toBe("bad-value");
    expect(codeOf(() => decodeSmallInteger(new Uint8Array(7), 0, 7, "i"))).toBe("too-large");
  });
  it("BOOLEAN", () => {
    expect(decodeBoolean(fromHex("ff"), 0, 1, "b")).toBe(true);
    expect(decodeBoolean(fromHex("00"), 0, 1, "b")).toBe(false);
    expect(codeOf(() => decodeBoolean(fromHex("0000"), 0, 2, "b"))).toBe("bad-length");
  });
  it.each([
    [0, "00"],
    [127, "7f"],
    [128, "8180"],
    [255, "81ff"],
    [256, "820100"],
    [65_535, "82ffff"],
    [65_536, "83010000"],
    [2 ** 32 - 1, "84ffffffff"],
  ])("encodeDerLength(%d) = %s", (n, hex) => {
    expect(toHex(encodeDerLength(n))).toBe(hex);
  });
  it("encodeDerLength rejects out-of-range values", () => {
    expect(codeOf(() => encodeDerLength(-1))).toBe("too-large");
    expect(codeOf(() => encodeDerLength(2 ** 32))).toBe("too-large");
  });
  it("encodeDer round-trips through readDer", () => {
    for (const n of [0, 1, 127, 128, 255, 256, 70_000]) {
      const der = encodeDer(DerTag.OCTET_STRING, new Uint8Array(n));
      const el = readDer(der, 0, der.length, "x");
      expect(el.end - el.valueStart).toBe(n);
      expect(el.end).toBe(der.length);
    }
  });
});
