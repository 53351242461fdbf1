import { describe, expect, it } from "@jest/globals";
import {
  type CaaObservation,
  type CaaRecord,
  caaSearchNames,
  caaVerdictAsOf,
  evaluateCaa,
  parseIssuerValue,
} from "./caa.js";

const LE = ["letsencrypt.org"];
const rec = (flags: number, tag: string, value: string): CaaRecord => ({ flags, tag, value });

describe("parseIssuerValue", () => {
  it.each([
    ["letsencrypt.org", { issuerDomain: "letsencrypt.org", parameters: [] }],
    ["  LetsEncrypt.org  ", { issuerDomain: "letsencrypt.org", parameters: [] }],
    [";", { issuerDomain: "", parameters: [] }],
    ["", { issuerDomain: "", parameters: [] }],
    [
      "letsencrypt.org; accounturi=https://acme-v02.api.letsencrypt.org/acme/acct/1; validationmethods=dns-01",
      {
        issuerDomain: "letsencrypt.org",
        parameters: [
          { tag: "accounturi", value: "https://acme-v02.api.letsencrypt.org/acme/acct/1" },
          { tag: "validationmethods", value: "dns-01" },
        ],
      },
    ],
    ["ca.example; policy=ev", { issuerDomain: "ca.example", parameters: [{ tag: "policy", value: "ev" }] }],
  ])("%j", (value, want) => {
    expect(parseIssuerValue(value)).toEqual(want);
  });

  it.each([
    "http://letsencrypt.org",
    "lets encrypt.org",
    "-bad.org",
    "ca.example; =x",
    "ca.example; a b=c",
    "a..b",
  ])("%j is malformed", (value) => {
    expect(parseIssuerValue(value)).toBeUndefined();
  });
});

describe("evaluateCaa", () => {
  it.each<[string, boolean, CaaRecord[], string[], string]>([
    ["no records", false, [], LE, "no-policy"],
    ["only iodef", false, [rec(0, "iodef", "mailto:sec@example.com")], LE, "no-policy"],
    ["issue allows the CA", false, [rec(0, "issue", "letsencrypt.org")], LE, "allowed"],
    ["issue names another CA", false, [rec(0, "issue", "pki.goog")], LE, "not-allowed"],
    [
      "one of several issue records",
      false,
      [rec(0, "issue", "pki.goog"), rec(0, "issue", "letsencrypt.org")],
      LE,
      "allowed",
    ],
    ["case-insensitive tag and domain", false, [rec(0, "ISSUE", "LetsEncrypt.org")], LE, "allowed"],
    ['";" denies all', false, [rec(0, "issue", ";")], LE, "not-allowed"],
    [
      '";" next to an allowing record',
      false,
      [rec(0, "issue", ";"), rec(0, "issue", "letsencrypt.org")],
      LE,
      "allowed",
    ],
    ["malformed value authorises nobody", false, [rec(0, "issue", "letsencrypt.org/x")], LE, "not-allowed"],
    ["issuewild only, plain name", false, [rec(0, "issuewild", "pki.goog")], LE, "no-policy"],
    ["issuewild only, wildcard by another CA", true, [rec(0, "issuewild", "pki.goog")], LE, "not-allowed"],
    ["issuewild only, wildcard by the CA", true, [rec(0, "issuewild", "letsencrypt.org")], LE, "allowed"],
    [
      "issuewild overrides issue for wildcards",
      true,
      [rec(0, "issue", "letsencrypt.org"), rec(0, "issuewild", "pki.goog")],
      LE,
      "not-allowed",
    ],
    [
      "issuewild is ignored for plain names",
      false,
      [rec(0, "issue", "letsencrypt.org"), rec(0, "issuewild", ";")],
      LE,
      "allowed",
    ],
    [
      "issue applies to wildcards without issuewild",
      true,
      [rec(0, "issue", "letsencrypt.org")],
      LE,
      "allowed",
    ],
    [
      "issuewild ; denies wildcards",
      true,
      [rec(0, "issue", "letsencrypt.org"), rec(0, "issuewild", ";")],
      LE,
      "not-allowed",
    ],
    [
      "unknown critical tag forbids all",
      false,
      [rec(128, "tbs", "x"), rec(0, "issue", "letsencrypt.org")],
      LE,
      "not-allowed",
    ],
    [
      "unknown non-critical tag is ignored",
      false,
      [rec(0, "tbs", "x"), rec(0, "issue", "letsencrypt.org")],
      LE,
      "allowed",
    ],
    ["known critical tag is fine", false, [rec(128, "issue", "letsencrypt.org")], LE, "allowed"],
    [
      "critical iodef is fine",
      false,
      [rec(128, "iodef", "mailto:a@b.c"), rec(0, "issue", "letsencrypt.org")],
      LE,
      "allowed",
    ],
    ["unknown CA domains", false, [rec(0, "issue", "letsencrypt.org")], [], "not-allowed"],
  ])("%s -> %s", (_name, wildcard, records, caDomains, want) => {
    expect(evaluateCaa({ wildcard, records, caDomains }).outcome).toBe(want);
  });

  it("reports RFC 8657 parameters as unverifiable, unless a plain record also allows the CA", () => {
    const withParams = rec(
      0,
      "issue",
      "letsencrypt.org; accounturi=https://x/acct/1; validationmethods=dns-01",
    );
    expect(evaluateCaa({ wildcard: false, records: [withParams], caDomains: LE })).toEqual({
      outcome: "allowed",
      matched: '0 issue "letsencrypt.org; accounturi=https://x/acct/1; validationmethods=dns-01"',
      unverifiable: ["accounturi", "validationmethods"],
    });
    const plain = rec(0, "issue", "letsencrypt.org");
    expect(evaluateCaa({ wildcard: false, records: [withParams, plain], caDomains: LE })).toMatchObject({
      unverifiable: [],
    });
  });

  it("says why", () => {
    expect(evaluateCaa({ wildcard: false, records: [rec(0, "issue", ";")], caDomains: LE })).toEqual({
      outcome: "not-allowed",
      reason: "the issue records authorise no CA",
    });
    expect(evaluateCaa({ wildcard: false, records: [rec(128, "tbs", "x")], caDomains: LE })).toMatchObject({
      reason: expect.stringContaining('critical CAA property "tbs"'),
    });
  });
});

describe("caaSearchNames", () => {
  it.each([
    ["a.b.example.com", ["a.b.example.com", "b.example.com", "example.com", "com"]],
    ["*.example.com", ["example.com", "com"]],
    ["Example.COM.", ["example.com", "com"]],
  ])("%s", (name, want) => {
    expect(caaSearchNames(name)).toEqual(want);
  });
});

describe("caaVerdictAsOf", () => {
  const HOUR = 3_600_000;
  const opts = { lookbackMs: 8 * HOUR, maxAgeMs: 24 * HOUR };
  const q = { wildcard: false, caDomains: LE };
  const allowLe: CaaObservation = {
    relevantDomain: "example.com",
    records: [rec(0, "issue", "letsencrypt.org")],
    firstSeenAtMs: 0,
    lastSeenAtMs: 0,
  };
  const onlyGoogle: CaaObservation = {
    relevantDomain: "example.com",
    records: [rec(0, "issue", "pki.goog")],
    firstSeenAtMs: 0,
    lastSeenAtMs: 0,
  };
  const at = (o: CaaObservation, first: number, last: number): CaaObservation => ({
    ...o,
    firstSeenAtMs: first * HOUR,
    lastSeenAtMs: last * HOUR,
  });

  it.each<[string, CaaObservation[], number, string]>([
    ["current set allows", [at(allowLe, 0, 100)], 50, "allowed"],
    ["current set forbids", [at(onlyGoogle, 0, 100)], 50, "not-allowed"],
    [
      "record changed to forbid after issuance: no false alert",
      [at(allowLe, 0, 40), at(onlyGoogle, 45, 100)],
      42,
      "allowed",
    ],
    [
      "record changed to forbid long before issuance",
      [at(allowLe, 0, 10), at(onlyGoogle, 11, 100)],
      50,
      "not-allowed",
    ],
    ["allowed within the 8 h look-back", [at(allowLe, 0, 48), at(onlyGoogle, 49, 100)], 52, "allowed"],
    ["first observed shortly after issuance", [at(onlyGoogle, 60, 100)], 50, "not-allowed"],
    ["first observed long after issuance", [at(onlyGoogle, 100, 200)], 50, "indeterminate"],
    ["no history", [], 50, "indeterminate"],
    ["newest observation too old", [at(onlyGoogle, 0, 10)], 50, "indeterminate"],
  ])("%s -> %s", (_name, history, issuedAtHour, want) => {
    expect(caaVerdictAsOf(history, issuedAtHour * HOUR, q, opts).outcome).toBe(want);
  });
});
