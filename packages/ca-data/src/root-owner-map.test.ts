import { describe, expect, it } from "@jest/globals";
import { CaaIssuerTable } from "./caa-issuers.js";
import { RootOwnerMap } from "./root-owner-map.js";

const ISRG_X1 = "96bcec06264976f37460779acf28c5a7cfe8a3c0aae11a8ffcee05c0bddf08c6";

describe("RootOwnerMap (bundled CCADB data)", () => {
  const roots = RootOwnerMap.bundled();

  it("holds included and removed roots", () => {
    expect(roots.size).toBeGreaterThan(250);
  });

  it("finds a root by fingerprint, case-insensitively", () => {
    expect(roots.byFingerprint(ISRG_X1.toUpperCase())).toMatchObject({
      owner: "Internet Security Research Group",
      status: "included",
      websites: true,
      subjectDn: "CN=ISRG Root X1,O=Internet Security Research Group,C=US",
    });
    expect(roots.byFingerprint("00".repeat(32))).toBeUndefined();
  });

  it("finds the signer of a chain top by key ID, by DN, and rejects a DN that disagrees", () => {
    const x1 = roots.byFingerprint(ISRG_X1)!;
    expect(roots.signersOf({ issuerDn: "", authorityKeyId: x1.subjectKeyId }).map((r) => r.sha256)).toEqual([
      ISRG_X1,
    ]);
    expect(roots.signersOf({ issuerDn: x1.subjectDn, authorityKeyId: "" }).map((r) => r.owner)).toEqual([
      "Internet Security Research Group",
    ]);
    expect(roots.signersOf({ issuerDn: "CN=Other", authorityKeyId: x1.subjectKeyId })).toEqual([]);
    expect(roots.signersOf({ issuerDn: "", authorityKeyId: "" })).toEqual([]);
  });

  it("keeps removed roots with their owner", () => {
    const removed = new RootOwnerMap([
      {
        sha256: "AB".repeat(32),
        owner: "Old CA",
        name: "Old Root",
        subjectDn: "CN=Old Root",
        subjectKeyId: "",
        status: "removed",
        websites: false,
      },
    ]);
    expect(removed.byFingerprint("ab".repeat(32))?.status).toBe("removed");
    expect(removed.signersOf({ issuerDn: "CN=Old Root", authorityKeyId: "" })).toHaveLength(1);
  });
});

describe("CaaIssuerTable", () => {
  const table = new CaaIssuerTable();
  it.each([
    ["Let's Encrypt", "R12", ["letsencrypt.org"]],
    ["(STAGING) Let's Encrypt", "(STAGING) False Fennel E6", ["letsencrypt.org"]],
    ["Google Trust Services", "WE1", ["pki.goog"]],
    ["ZeroSSL GmbH", "ZeroSSL ECC DV SSL CA 2", ["sectigo.com"]],
    ["Amazon", "Amazon RSA 2048 M04", ["amazontrust.com"]],
    ["GoDaddy.com, Inc.", "Go Daddy Secure Certificate Authority - G2", ["godaddy.com"]],
    ["SSL Corporation", "Cloudflare TLS Issuing ECC CA 4", ["ssl.com"]],
    ["Microsoft Corporation", "Microsoft Azure RSA TLS Issuing CA 08", ["microsoft.com", "digicert.com"]],
  ])("%s / %s is authorised by %j", (organization, commonName, domains) => {
    const e = table.lookup({ organization, commonName });
    for (const d of domains) expect(e?.caaDomains).toContain(d);
  });

  it("returns undefined for an unknown CA", () => {
    expect(table.lookup({ organization: "Unknown CA Ltd", commonName: "X" })).toBeUndefined();
  });

  it("prefers an entry narrowed by CN prefix", () => {
    const t = new CaaIssuerTable([
      { caOwner: "A", issuerOrganizations: ["acme"], caaDomains: ["a.example"], source: "test" },
      {
        caOwner: "B",
        issuerOrganizations: ["acme"],
        issuerCnPrefixes: ["acme b"],
        caaDomains: ["b.example"],
        source: "test",
      },
    ]);
    expect(t.lookup({ organization: "ACME", commonName: "ACME B CA 1" })?.caOwner).toBe("B");
    expect(t.lookup({ organization: "ACME", commonName: "ACME Other" })?.caOwner).toBe("A");
  });
});
