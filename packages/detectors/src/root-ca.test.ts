import { RootOwnerMap } from "@ctwatch/ca-data";
import { describe, expect, it } from "@jest/globals";
import { type ChainFacts, resolveRootOwner, rootCaDecision } from "./root-ca.js";

const roots = RootOwnerMap.bundled();
const fromHex = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
const ISRG_X1 = "96bcec06264976f37460779acf28c5a7cfe8a3c0aae11a8ffcee05c0bddf08c6";
const x1 = roots.byFingerprint(ISRG_X1)!;
const INTERMEDIATE = "11".repeat(32);

describe("resolveRootOwner", () => {
  it.each<[string, ChainFacts, string]>([
    [
      "chain with its root: by fingerprint",
      {
        chainSha256: [fromHex(INTERMEDIATE), fromHex(ISRG_X1)],
        chainTopIssuerDn: x1.subjectDn,
        chainTopAuthorityKeyId: new Uint8Array(),
      },
      "known:Internet Security Research Group:fingerprint",
    ],
    [
      "chain without its root: by the top's authority key ID",
      {
        chainSha256: [fromHex(INTERMEDIATE)],
        chainTopIssuerDn: x1.subjectDn,
        chainTopAuthorityKeyId: fromHex(x1.subjectKeyId),
      },
      "known:Internet Security Research Group:issuer-key-id",
    ],
    [
      "chain without its root, top without AKI: by issuer DN",
      {
        chainSha256: [fromHex(INTERMEDIATE)],
        chainTopIssuerDn: x1.subjectDn,
        chainTopAuthorityKeyId: new Uint8Array(),
      },
      "known:Internet Security Research Group:issuer-dn",
    ],
    [
      "static-ct entry before the issuer is fetched",
      {
        chainSha256: [fromHex(INTERMEDIATE)],
        chainTopIssuerDn: "",
        chainTopAuthorityKeyId: new Uint8Array(),
      },
      "unknown:issuer-not-available",
    ],
    [
      "private or staging root",
      {
        chainSha256: [fromHex(INTERMEDIATE)],
        chainTopIssuerDn: "CN=(STAGING) Pretend Pear X1,O=(STAGING) Internet Security Research Group,C=US",
        chainTopAuthorityKeyId: fromHex("22".repeat(20)),
      },
      "unknown:not-in-root-store",
    ],
    [
      "AKI of a known root but another DN",
      {
        chainSha256: [fromHex(INTERMEDIATE)],
        chainTopIssuerDn: "CN=Someone Else",
        chainTopAuthorityKeyId: fromHex(x1.subjectKeyId),
      },
      "unknown:not-in-root-store",
    ],
  ])("%s", (_name, facts, want) => {
    const r = resolveRootOwner(facts, roots);
    expect(r.kind === "known" ? `known:${r.owner}:${r.via}` : `unknown:${r.reason}`).toBe(want);
  });

  it("calls roots of different owners sharing a DN ambiguous", () => {
    const twins = new RootOwnerMap([
      {
        sha256: "aa".repeat(32),
        owner: "A",
        name: "R",
        subjectDn: "CN=R",
        subjectKeyId: "",
        status: "included",
        websites: true,
      },
      {
        sha256: "bb".repeat(32),
        owner: "B",
        name: "R",
        subjectDn: "CN=R",
        subjectKeyId: "",
        status: "removed",
        websites: true,
      },
    ]);
    expect(
      resolveRootOwner(
        { chainSha256: [], chainTopIssuerDn: "CN=R", chainTopAuthorityKeyId: new Uint8Array() },
        twins,
      ),
    ).toEqual({
      kind: "unknown",
      reason: "ambiguous",
    });
  });
});

describe("rootCaDecision", () => {
  it.each<[string, string, string[], string[], boolean, string]>([
    ["owner learned", "ISRG", ["ISRG"], [], false, "ok"],
    ["owner pinned", "DigiCert", ["ISRG"], ["DigiCert"], false, "ok"],
    ["new owner while learning", "DigiCert", ["ISRG"], [], true, "learn:learning"],
    ["empty baseline: first owner", "ISRG", [], [], false, "learn:first-owner"],
    ["owner outside the baseline", "Evil CA", ["ISRG"], ["DigiCert"], false, "alert:DigiCert,ISRG"],
    ["pinned only, other owner", "ISRG", [], ["DigiCert"], false, "alert:DigiCert"],
  ])("%s", (_name, owner, learned, pinned, learning, want) => {
    const d = rootCaDecision(owner, { learned, pinned }, learning);
    const got =
      d.action === "alert"
        ? `alert:${d.expected.join(",")}`
        : d.action === "learn"
          ? `learn:${d.reason}`
          : "ok";
    expect(got).toBe(want);
  });
});
