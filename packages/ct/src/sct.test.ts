import { describe, expect, it } from "@jest/globals";
import { CtParseError, type CtParseErrorCode } from "./ct-parse-error.js";
import { DerTag, encodeDer, toHex } from "./der.js";
import { parseSctList, precertSctSignatureInput } from "./sct.js";
import { concat, fromHex } from "./testing/cert-builder.js";
import { TlsReader } from "./tls-reader.js";

function codeOf(f: () => unknown): CtParseErrorCode | "no-error" | "other-error" {
  try {
    f();
    return "no-error";
  } catch (e) {
    return e instanceof CtParseError ? e.code : "other-error";
  }
}

const u16 = (n: number): Uint8Array => Uint8Array.of(n >> 8, n & 0xff);

function sct(version = 0, extensions = new Uint8Array(0), sig = Uint8Array.of(1, 2, 3)): Uint8Array {
  return concat(
    Uint8Array.of(version),
    new Uint8Array(32).fill(0xab),
    fromHex("0000018f00000001"),
    u16(extensions.length),
    extensions,
    Uint8Array.of(4, 3),
    u16(sig.length),
    sig,
  );
}

function list(...scts: Uint8Array[]): Uint8Array {
  const items = concat(...scts.map((s) => concat(u16(s.length), s)));
  return encodeDer(DerTag.OCTET_STRING, concat(u16(items.length), items));
}

describe("parseSctList", () => {
  it("parses v1 SCTs", () => {
    const out = parseSctList(list(sct(), sct(0, Uint8Array.of(0, 0, 5, 0, 0, 0, 0, 7))));
    expect(out).toHaveLength(2);
    expect(toHex(out[0]!.logId)).toBe("ab".repeat(32));
    expect(out[0]!.timestampMs).toBe(0x18f00000001);
    expect(out[0]!.signature).toEqual({
      hashAlgorithm: 4,
      signatureAlgorithm: 3,
      signature: Uint8Array.of(1, 2, 3),
    });
    expect(out[1]!.extensions.length).toBe(8);
  });

  const table: [string, Uint8Array, CtParseErrorCode][] = [
    ["v2 SCT", list(sct(1)), "unsupported-version"],
    ["empty list", list(), "bad-length"],
    ["not an OCTET STRING", encodeDer(DerTag.BIT_STRING, Uint8Array.of(0)), "unexpected-tag"],
    ["trailing byte in SCT", list(concat(sct(), Uint8Array.of(0))), "trailing-data"],
    ["truncated SCT", list(sct().subarray(0, 40)), "truncated"],
    ["trailing after list", concat(list(sct()), Uint8Array.of(0)), "trailing-data"],
  ];
  it.each(table)("%s", (_n, bytes, code) => {
    expect(codeOf(() => parseSctList(bytes))).toBe(code);
  });

  it("bounds the number of SCTs", () => {
    expect(codeOf(() => parseSctList(list(sct(), sct(), sct()), 2))).toBe("too-large");
  });

  it("builds the RFC 6962 precert signature input", () => {
    const s = parseSctList(list(sct(0, Uint8Array.of(9))))[0]!;
    const input = precertSctSignatureInput(s, {
      issuerKeyHash: new Uint8Array(32).fill(1),
      tbs: Uint8Array.of(0x30, 0),
    });
    expect(toHex(input)).toBe(`0000${"0000018f00000001"}0001${"01".repeat(32)}0000023000000109`);
  });
});

describe("TlsReader", () => {
  it("reads integers and vectors", () => {
    const r = new TlsReader(fromHex("01020304050607080901020aff0003616263"));
    expect(r.u8("a")).toBe(1);
    expect(r.u16("b")).toBe(0x0203);
    expect(r.u24("c")).toBe(0x040506);
    expect(r.uint(5, "d")).toBe(0x0708090102);
    expect(r.u8("e")).toBe(0x0a);
    expect(r.u8("f")).toBe(0xff);
    expect(toHex(r.vector(2, "g"))).toBe("616263");
    expect(r.remaining).toBe(0);
    r.finish("h");
  });
  const table: [string, string, (r: TlsReader) => unknown, CtParseErrorCode][] = [
    ["u16 past end", "01", (r) => r.u16("x"), "truncated"],
    ["vector past end", "0501", (r) => r.vector(1, "x"), "truncated"],
    ["vector under minimum", "0101", (r) => r.vector(1, "x", 2), "bad-length"],
    ["vector over maximum", "0101", (r) => r.vector(1, "x", 0, 0), "bad-length"],
    ["trailing", "01", (r) => r.finish("x"), "trailing-data"],
    ["u64 above 2^53", "0020000000000000", (r) => r.u64("x"), "too-large"],
  ];
  it.each(table)("%s", (_n, hex, f, code) => {
    expect(codeOf(() => f(new TlsReader(fromHex(hex))))).toBe(code);
  });
  it("u64 at 2^53 - 1 is fine", () => {
    expect(new TlsReader(fromHex("001fffffffffffff")).u64("x")).toBe(Number.MAX_SAFE_INTEGER);
  });
});
