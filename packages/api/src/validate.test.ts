import { describe, expect, it } from "@jest/globals";
import { ApiError } from "./api-error.js";
import {
  alertId,
  allowedName,
  brandDomain,
  caaIssuerDomain,
  email,
  list,
  optionalTimeMs,
  ownedDomain,
  pageSize,
  tenantId,
  text,
} from "./validate.js";

function outcome(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ApiError) return `${err.code}: ${err.message}`;
    throw err;
  }
}

describe("domain validation", () => {
  it.each([
    ["example.com", "example.com"],
    ["Example.COM.", "example.com"],
    ["shop.example.co.uk", "shop.example.co.uk"],
    ["bücher.de", "xn--bcher-kva.de"],
    ["myproject.github.io", "myproject.github.io"],
  ])("owned domain %s -> %s", (input, want) => {
    expect(ownedDomain("value", input)).toBe(want);
  });

  it.each([
    ["com", "public suffix"],
    ["co.uk", "public suffix"],
    ["*.example.com", "wildcard"],
    ["exa mple.com", "characters"],
    ["-bad-.com", "hyphen"],
    ["", "empty"],
    [`${"a".repeat(64)}.com`, "longer than 63"],
    ["example.notatld", "known public suffix"],
    ["10.0.0.1", "IP address"],
  ])("refuses owned domain %j (%s)", (input, why) => {
    const r = outcome(() => ownedDomain("entries[0].value", input));
    expect(String(r)).toMatch(/^invalid-argument: entries\[0\]\.value: /);
    expect(String(r)).toContain(why);
  });

  it("takes brands as registrable domains only", () => {
    expect(brandDomain("value", "Contoso.com")).toBe("contoso.com");
    expect(String(outcome(() => brandDomain("value", "login.contoso.com")))).toContain("subdomain");
  });

  it("takes allowlisted names with an optional wildcard", () => {
    expect(allowedName("value", "*.Login-Contoso.com")).toBe("*.login-contoso.com");
    expect(allowedName("value", "a.b.example.com")).toBe("a.b.example.com");
    expect(String(outcome(() => allowedName("value", "localhost")))).toContain("two labels");
  });

  it("takes CAA issuer domains", () => {
    expect(caaIssuerDomain("value", "LetsEncrypt.org")).toBe("letsencrypt.org");
    expect(String(outcome(() => caaIssuerDomain("value", "*.digicert.com")))).toContain("issuer domain");
  });
});

describe("identifiers and text", () => {
  it.each([
    ["acme", true],
    ["acme-soc-2", true],
    ["a", true],
    ["Acme", false],
    ["acme_soc", false],
    ["-acme", false],
    ["a".repeat(33), false],
  ])("tenant ID %j valid=%s", (id, ok) => {
    expect(outcome(() => tenantId("tenant_id", id)) === id).toBe(ok);
  });

  it("normalises alert IDs and refuses others", () => {
    expect(alertId("alert_id", "ABCDEF0123456789abcdef0123456789")).toBe("abcdef0123456789abcdef0123456789");
    expect(String(outcome(() => alertId("alert_id", "../../etc")))).toMatch(/^invalid-argument/);
  });

  it("checks e-mail addresses", () => {
    expect(email("email", " SOC@Acme.Example ")).toBe("soc@acme.example");
    for (const bad of [
      "soc",
      "soc@",
      "@acme.example",
      "soc@acme",
      "a b@acme.example",
      `${"a".repeat(65)}@x.io`,
    ])
      expect(String(outcome(() => email("email", bad)))).toMatch(/^invalid-argument/);
  });

  it("bounds free text and refuses control characters", () => {
    expect(text("reason", "  expected renewal \n by ops ", 1, 1000)).toBe("expected renewal \n by ops");
    expect(String(outcome(() => text("reason", "   ", 1, 1000)))).toBe(
      "invalid-argument: reason: is required",
    );
    expect(String(outcome(() => text("reason", "x".repeat(1001), 1, 1000)))).toContain("at most 1000");
    expect(String(outcome(() => text("reason", "bell\u0007", 1, 1000)))).toContain("control");
  });

  it("defaults and caps page sizes", () => {
    expect(pageSize(0, 50, 500)).toBe(50);
    expect(pageSize(10, 50, 500)).toBe(10);
    expect(pageSize(100_000, 50, 500)).toBe(500);
  });

  it("reads optional times and bounds lists", () => {
    expect(optionalTimeMs("since_ms", 0n)).toBeUndefined();
    expect(optionalTimeMs("since_ms", 1_700_000_000_000n)).toBe(1_700_000_000_000);
    expect(String(outcome(() => optionalTimeMs("since_ms", -1n)))).toMatch(/^invalid-argument: since_ms/);
    expect(list("event_ids", [25, 25, 12], 32, (v) => v)).toEqual([25, 12]);
    expect(String(outcome(() => list("event_ids", new Array(33).fill(1), 32, (v) => v)))).toContain(
      "at most 32",
    );
  });
});
