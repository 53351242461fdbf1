import { describe, expect, it } from "@jest/globals";
import { parseWatchedDomain } from "./parse-watched-domain.js";

describe("parseWatchedDomain", () => {
  it.each([
    ["paypal.com", "paypal", "com"],
    ["bbc.co.uk", "bbc", "co.uk"],
    ["Example.COM.", "example", "com"],
    ["myproject.github.io", "myproject", "github.io"],
    ["blogspot.com", "blogspot", "com"],
    ["b\u00fccher.de", "xn--bcher-kva", "de"],
  ])("accepts %s", (input, label, suffix) => {
    const r = parseWatchedDomain(input);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.label).toBe(label);
      expect(r.value.suffix).toBe(suffix);
    }
  });

  it.each([
    ["com", "public-suffix"],
    ["co.uk", "public-suffix"],
    ["foo.bar.com", "not-registrable"],
    ["-bad-.com", "hyphen-at-label-edge"],
    ["", "empty"],
    ["*.example.com", "wildcard"],
    ["example.internal", "unknown-suffix"],
    ["xn--zz.com", "invalid-punycode"],
    ["ex_ample.com", "invalid-characters"],
    ["10.0.0.1", "ip-address"],
  ])("refuses %j (%s) with a message", (input, reason) => {
    const r = parseWatchedDomain(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe(reason);
      expect(r.message.length).toBeGreaterThan(10);
    }
  });

  it("names the registrable domain of a subdomain", () => {
    const r = parseWatchedDomain("foo.bar.com");
    expect(!r.ok && r.message).toContain("bar.com");
  });
});
