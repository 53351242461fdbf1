import { describe, expect, it } from "@jest/globals";
import { normalizeName } from "./normalize-name.js";

function ok(input: string) {
  const r = normalizeName(input);
  if (!r.ok) throw new Error(`expected ${input} to normalise, got ${r.reason}`);
  return r.name;
}

function reason(input: string): string | undefined {
  const r = normalizeName(input);
  return r.ok ? undefined : r.reason;
}

describe("normalizeName", () => {
  it("lowercases, trims and drops one trailing dot", () => {
    expect(ok("  WWW.PayPal.COM. ").ascii).toBe("www.paypal.com");
  });

  it("strips a leading wildcard label and remembers it", () => {
    const n = ok("*.Login.Example.com");
    expect(n.ascii).toBe("login.example.com");
    expect(n.wildcard).toBe(true);
    expect(n.labels).toEqual(["login", "example", "com"]);
  });

  it("decodes valid punycode to Unicode labels", () => {
    const n = ok("xn--pypal-4ve.com");
    expect(n.hasIdn).toBe(true);
    expect(n.unicode).toBe("p\u0430ypal.com");
    expect(n.unicodeLabels).toEqual(["p\u0430ypal", "com"]);
  });

  it("converts Unicode input to A-labels", () => {
    const n = ok("P\u0430YPAL.com");
    expect(n.ascii).toBe("xn--pypal-4ve.com");
    expect(n.unicode).toBe("p\u0430ypal.com");
  });

  it("refuses invalid punycode, including labels that do not round-trip", () => {
    expect(reason("xn--zz.com")).toBe("invalid-punycode");
    expect(reason("xn--x-5da.com")).toBe("invalid-punycode"); // decodes to "Äx": not IDNA-valid
    expect(reason("xn--x-yq0i.com")).toBe("invalid-punycode"); // fullwidth a: UTS #46 maps it away
  });

  it("refuses names that are not LDH hostnames", () => {
    expect(reason("")).toBe("empty");
    expect(reason("*.")).toBe("misplaced-wildcard");
    expect(reason("*")).toBe("misplaced-wildcard");
    expect(reason("a..b.com")).toBe("empty-label");
    expect(reason(".a.com")).toBe("empty-label");
    expect(reason(`${"a".repeat(64)}.com`)).toBe("label-too-long");
    expect(reason(`${"abcdefghi.".repeat(26)}com`)).toBe("name-too-long");
    expect(reason("-bad.com")).toBe("hyphen-at-label-edge");
    expect(reason("bad-.com")).toBe("hyphen-at-label-edge");
    expect(reason("a b.com")).toBe("invalid-characters");
    expect(reason("a/b.com")).toBe("invalid-characters");
    expect(reason("foo.*.com")).toBe("misplaced-wildcard");
    expect(reason("*.*.example.com")).toBe("misplaced-wildcard");
    expect(reason("192.168.1.10")).toBe("ip-address");
  });

  it("accepts a 63-octet label and tolerates underscores seen in CT", () => {
    expect(ok(`${"a".repeat(63)}.com`).labels[0]).toHaveLength(63);
    expect(ok("_dmarc.example.com").labels[0]).toBe("_dmarc");
  });
});
