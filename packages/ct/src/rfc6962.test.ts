import { createHash } from "node:crypto";
import { describe, expect, it } from "@jest/globals";
import { CtParseError, type CtParseErrorCode } from "./ct-parse-error.js";
import { toHex } from "./der.js";
import {
  decodeBase64,
  parseExtraData,
  parseGetEntriesItem,
  parseMerkleTreeLeaf,
  parseRfc6962Entry,
} from "./rfc6962.js";
import { sha256 } from "./sha256.js";
import { argonItems, concat } from "./testing/cert-builder.js";
import { formatName, parseCertificateStructure } from "./x509.js";

function codeOf(f: () => unknown): CtParseErrorCode | "no-error" | "other-error" {
  try {
    f();
    return "no-error";
  } catch (e) {
    return e instanceof CtParseError ? e.code : "other-error";
  }
}

const colonHex = (s: string): string => s.replaceAll(":", "").toLowerCase();

interface Expected {
  data: {
    update_type: "X509LogEntry" | "PrecertLogEntry";
    leaf_cert: { sha256: string; as_der: string };
    chain: { sha256: string }[];
    cert_index: number;
  };
}

const items = argonItems();

describe("live_ct.json get-entries items (20 Argon2026h2 + 20 Nimbus2026)", () => {
  it.each(items.map((i) => [i.name, i] as const))("%s", (_n, item) => {
    const exp = (JSON.parse(item.expected_full) as Expected).data;
    const e = parseGetEntriesItem(item, item.cert_index);
    const leafInput = decodeBase64(item.leaf_input, "leaf_input");
    expect(e.leafIndex).toBe(item.cert_index);
    expect(e.leafIndex).toBe(exp.cert_index);
    expect(e.entryType).toBe(exp.update_type === "X509LogEntry" ? "x509" : "precert");
    expect(toHex(e.leafHash)).toBe(
      createHash("sha256").update(Uint8Array.of(0)).update(leafInput).digest("hex"),
    );
    // Leaf certificate / precertificate DER and fingerprint as the other streamer saw it.
    expect(Buffer.from(e.certificate.der).toString("base64")).toBe(exp.leaf_cert.as_der);
    expect(toHex(e.certificate.sha256)).toBe(colonHex(exp.leaf_cert.sha256));
    // Chain fingerprints, issuer first; root = last.
    expect(e.chainSha256.map((h) => toHex(h))).toEqual(exp.chain.map((c) => colonHex(c.sha256)));
    expect(toHex(e.rootSha256)).toBe(colonHex(exp.chain[exp.chain.length - 1]?.sha256 ?? ""));
    // Chain top: issuer DN / AKI of the last chain certificate.
    const extra = parseExtraData(e.entryType, decodeBase64(item.extra_data, "extra_data"));
    const top = parseCertificateStructure(extra.chain[extra.chain.length - 1]!);
    expect(e.chainTopIssuerDn).toBe(formatName(top.tbs.issuer).dn);
    // TBS as logged; issuance key.
    const leaf = parseMerkleTreeLeaf(leafInput);
    if (e.entryType === "precert") {
      expect(toHex(e.tbsSha256)).toBe(toHex(sha256(leaf.signedEntry)));
      expect(toHex(e.certificate.tbsSha256)).toBe(toHex(e.tbsSha256));
      expect(toHex(e.tbsSha256)).not.toBe(
        toHex(sha256(parseCertificateStructure(e.certificate.der).tbs.der)),
      );
      expect(toHex(e.issuanceKey)).toBe(toHex(e.tbsSha256));
    } else {
      expect(toHex(e.tbsSha256)).toBe(toHex(sha256(parseCertificateStructure(leaf.signedEntry).tbs.der)));
      expect(toHex(e.issuanceKey)).not.toBe(toHex(e.tbsSha256));
    }
    expect(e.issuanceKey.length).toBe(32);
  });

  it("timestamps are the MerkleTreeLeaf timestamps (ms)", () => {
    for (const item of items) {
      const exp = JSON.parse(item.expected_full) as { data: { submission_timestamp: number } };
      expect(parseGetEntriesItem(item, 0).timestampMs).toBe(Math.round(exp.data.submission_timestamp * 1000));
    }
  });
});

// A real x509 entry and a real precert entry to mutate.
const x509Item = items.find(
  (i) => parseMerkleTreeLeaf(decodeBase64(i.leaf_input, "l")).entryType === "x509",
)!;
const preItem = items.find(
  (i) => parseMerkleTreeLeaf(decodeBase64(i.leaf_input, "l")).entryType === "precert",
)!;
const x509Leaf = decodeBase64(x509Item.leaf_input, "l");
const x509Extra = decodeBase64(x509Item.extra_data, "e");
const preLeaf = decodeBase64(preItem.leaf_input, "l");
const preExtra = decodeBase64(preItem.extra_data, "e");

function patch(b: Uint8Array, at: number, v: number): Uint8Array {
  const c = Uint8Array.from(b);
  c[at] = v;
  return c;
}

const u24 = (n: number): Uint8Array => Uint8Array.of(n >> 16, (n >> 8) & 0xff, n & 0xff);

describe("MerkleTreeLeaf errors", () => {
  const table: [string, Uint8Array, CtParseErrorCode][] = [
    ["empty", new Uint8Array(0), "truncated"],
    ["version 1", patch(x509Leaf, 0, 1), "unsupported-version"],
    ["leaf type 1", patch(x509Leaf, 1, 1), "unsupported-version"],
    ["entry type 2", patch(x509Leaf, 11, 2), "bad-value"],
    ["trailing byte", concat(x509Leaf, Uint8Array.of(0)), "trailing-data"],
    ["truncated extensions", x509Leaf.subarray(0, x509Leaf.length - 1), "truncated"],
    ["truncated certificate", x509Leaf.subarray(0, 100), "truncated"],
    ["empty certificate", concat(x509Leaf.subarray(0, 12), u24(0), Uint8Array.of(0, 0)), "bad-length"],
    ["precert truncated key hash", preLeaf.subarray(0, 30), "truncated"],
    ["timestamp above 2^53", patch(x509Leaf, 2, 0xff), "too-large"],
  ];
  it.each(table)("%s → %s", (_n, leaf, code) => {
    expect(codeOf(() => parseMerkleTreeLeaf(leaf))).toBe(code);
  });

  it("parses fields", () => {
    const leaf = parseMerkleTreeLeaf(preLeaf);
    expect(leaf.entryType).toBe("precert");
    expect(leaf.issuerKeyHash.length).toBe(32);
    expect(leaf.extensions.length).toBe(0);
    expect(leaf.raw.length).toBe(preLeaf.length - 2);
  });
});

describe("extra_data", () => {
  const table: [string, "x509" | "precert", Uint8Array, CtParseErrorCode | number][] = [
    ["x509 chain", "x509", x509Extra, 2],
    ["x509 empty chain", "x509", u24(0), 0],
    ["precert chain", "precert", preExtra, 2],
    ["x509 trailing byte", "x509", concat(x509Extra, Uint8Array.of(0)), "trailing-data"],
    ["x509 truncated", "x509", x509Extra.subarray(0, x509Extra.length - 1), "truncated"],
    ["zero-length chain certificate", "x509", concat(u24(3), u24(0)), "bad-length"],
    ["precert without chain", "precert", concat(u24(1), Uint8Array.of(0x30)), "truncated"],
    ["empty", "x509", new Uint8Array(0), "truncated"],
  ];
  it.each(table)("%s", (_n, type, bytes, want) => {
    if (typeof want === "number") {
      const extra = parseExtraData(type, bytes);
      expect(extra.chain.length).toBe(want);
      expect(extra.preCertificate === undefined).toBe(type === "x509");
    } else {
      expect(codeOf(() => parseExtraData(type, bytes))).toBe(want);
    }
  });

  it("bounds the chain length", () => {
    expect(codeOf(() => parseExtraData("x509", x509Extra, { maxChainLength: 1 }))).toBe("too-large");
  });

  it("an empty chain yields an empty root and the leaf's issuer as chain top", () => {
    const e = parseRfc6962Entry({ leafIndex: 5, leafInput: x509Leaf, extraData: u24(0) });
    expect(e.chainSha256).toEqual([]);
    expect(e.rootSha256.length).toBe(0);
    expect(e.chainTopIssuerDn).toBe(e.certificate.issuerDn);
    expect(toHex(e.chainTopAuthorityKeyId)).toBe(toHex(e.certificate.authorityKeyId));
  });
});

describe("decodeBase64", () => {
  it.each([
    ["", ""],
    ["AA==", "00"],
    ["AAE=", "0001"],
    ["AAEC", "000102"],
  ])("%j", (s, hex) => {
    expect(toHex(decodeBase64(s, "b"))).toBe(hex);
  });
  it.each(["A", "AA=", "A A=", "AA-_", "====", "AA==AA=="])("rejects %j", (s) => {
    expect(codeOf(() => decodeBase64(s, "b"))).toBe("bad-value");
  });
});
