import { describe, expect, it } from "@jest/globals";
import { subdomainCandidates } from "./new-subdomain.js";
import { OwnedDomainIndex } from "./owned-domain-index.js";

const index = new OwnedDomainIndex([
  { tenantId: "acme", domain: "example.com" },
  { tenantId: "acme", domain: "Example.org." },
  { tenantId: "other", domain: "example.com" },
  { tenantId: "other", domain: "shop.example.com" },
]);

describe("OwnedDomainIndex", () => {
  it.each([
    ["example.com", ["acme:example.com", "other:example.com"]],
    ["a.b.example.com", ["acme:example.com", "other:example.com"]],
    ["x.shop.example.com", ["other:shop.example.com", "acme:example.com", "other:example.com"]],
    ["*.example.org", ["acme:example.org"]],
    ["notexample.com", []],
    ["example.com.evil.net", []],
    ["", []],
    ["a".repeat(300), []],
  ])("%s -> %j", (name, want) => {
    expect(index.match(name).map((m) => `${m.tenantId}:${m.domain}`)).toEqual(want);
  });
});

describe("subdomainCandidates", () => {
  it("emits names strictly under watched domains, once per tenant and domain", () => {
    const got = subdomainCandidates(
      {
        dnsNames: ["example.com", "WWW.example.com", "www.example.com", "*.example.org", "unrelated.net"],
        subjectCn: "",
      },
      index,
    );
    expect(got).toEqual([
      { tenantId: "acme", domain: "example.com", name: "www.example.com", wildcard: false },
      { tenantId: "other", domain: "example.com", name: "www.example.com", wildcard: false },
      { tenantId: "acme", domain: "example.org", name: "*.example.org", wildcard: true },
    ]);
  });

  it("uses a DNS-like subject CN and ignores a non-DNS one", () => {
    expect(subdomainCandidates({ dnsNames: [], subjectCn: "mail.example.com" }, index)).toHaveLength(2);
    expect(subdomainCandidates({ dnsNames: [], subjectCn: "Example Corp" }, index)).toHaveLength(0);
  });

  it("treats the apex as not new but a wildcard at the apex as a name", () => {
    expect(subdomainCandidates({ dnsNames: ["example.org"], subjectCn: "" }, index)).toEqual([]);
    expect(subdomainCandidates({ dnsNames: ["*.example.org"], subjectCn: "" }, index)).toHaveLength(1);
  });
});
