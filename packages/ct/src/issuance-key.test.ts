import fs from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { type CtLogKey, ctLogKey } from "./ct-log-key.js";
import { CtParseError } from "./ct-parse-error.js";
import { toHex } from "./der.js";
import { issuanceKey, stripCtExtensions } from "./issuance-key.js";
import { Oid } from "./oids.js";
import { decodeBase64, parseExtraData, parseMerkleTreeLeaf } from "./rfc6962.js";
import { parseSctList, verifyPrecertSct } from "./sct.js";
import { sha256 } from "./sha256.js";
import { splitDataTile } from "./static-ct.js";
import {
  argonItems,
  buildTbs,
  dns,
  type ExtSpec,
  fixturePath,
  NAVIGLI_TILES,
  poisonExt,
  policiesExt,
  readFixture,
  sanExt,
  sctListExt,
  skiExt,
} from "./testing/cert-builder.js";
import { parseCertificateStructure, parseTbsCertificate } from "./x509.js";

const eq = (a: Uint8Array, b: Uint8Array): boolean => toHex(a) === toHex(b);

describe("stripCtExtensions on synthetic TBS", () => {
  const san = sanExt([dns("a.example"), dns("b.example")]);
  const pol = policiesExt(["2.23.140.1.2.1"]);
  const pad = (n: number): ExtSpec => skiExt(new Uint8Array(n));
  // [name, extensions with CT ones, the same without them]
  const table: [string, ExtSpec[], ExtSpec[] | null][] = [
    ["poison in the middle", [san, poisonExt, pol], [san, pol]],
    ["poison first", [poisonExt, san, pol], [san, pol]],
    ["SCT list last", [san, pol, sctListExt(new Uint8Array(300))], [san, pol]],
    ["both", [poisonExt, san, sctListExt(new Uint8Array(10)), pol], [san, pol]],
    ["only poison: [3] removed", [poisonExt], null],
    // Lengths that change encoding form when the CT extensions go away.
    ["extensions 2-byte → 1-byte length", [pad(100), sctListExt(new Uint8Array(200))], [pad(100)]],
    ["extensions 1-byte → short length", [pad(60), poisonExt, sctListExt(new Uint8Array(40))], [pad(60)]],
    ["TBS 3-byte → 2-byte length", [pad(500), sctListExt(new Uint8Array(66_000))], [pad(500)]],
    ["boundary 127/128", [pad(95), poisonExt], [pad(95)]],
    ["boundary 255/256", [pad(220), poisonExt], [pad(220)]],
  ];
  it.each(table)("%s", (_n, withCt, without) => {
    const tbs = buildTbs({ extensions: withCt });
    const want = buildTbs({ extensions: without });
    const stripped = stripCtExtensions(tbs, { maxCertificateSize: 1 << 20 });
    expect(toHex(stripped)).toBe(toHex(want));
    expect(toHex(issuanceKey(tbs, { maxCertificateSize: 1 << 20 }))).toBe(toHex(sha256(want)));
    // The result is itself a well-formed TBS.
    expect(parseTbsCertificate(stripped).extensions.map((e) => e.oid)).not.toContain(Oid.ctPoison);
  });

  it("returns a view of the input (no copy) when there is nothing to strip", () => {
    const tbs = buildTbs({ extensions: [san] });
    const out = stripCtExtensions(tbs);
    expect(out.buffer).toBe(tbs.buffer);
    expect([out.byteOffset, out.length]).toEqual([tbs.byteOffset, tbs.length]);
    expect(toHex(issuanceKey(tbs))).toBe(toHex(sha256(tbs)));
  });

  it("gives a precertificate and its final certificate the same key", () => {
    const precert = buildTbs({ extensions: [san, poisonExt, pol] });
    const final = buildTbs({ extensions: [san, pol, sctListExt(new Uint8Array(120).fill(7))] });
    const other = buildTbs({
      extensions: [sanExt([dns("c.example")]), pol, sctListExt(new Uint8Array(120))],
    });
    expect(toHex(issuanceKey(precert))).toBe(toHex(issuanceKey(final)));
    expect(toHex(issuanceKey(precert))).not.toBe(toHex(issuanceKey(other)));
  });

  it("throws CtParseError on malformed TBS", () => {
    expect(() => issuanceKey(Uint8Array.of(0x30, 0x03, 0x02))).toThrow(CtParseError);
  });
});

describe("RFC 6962 precert entries: logged TBS = poison-stripped precertificate TBS", () => {
  it("all 14 precert entries of live_ct.json (Argon2026h2 + Nimbus2026)", () => {
    let n = 0;
    for (const item of argonItems()) {
      const leaf = parseMerkleTreeLeaf(decodeBase64(item.leaf_input, "leaf_input"));
      if (leaf.entryType !== "precert") continue;
      const extra = parseExtraData("precert", decodeBase64(item.extra_data, "extra_data"));
      const pre = parseCertificateStructure(extra.preCertificate!);
      expect(pre.tbs.extensions.some((e) => e.oid === Oid.ctPoison && e.critical)).toBe(true);
      expect(toHex(stripCtExtensions(pre.tbs))).toBe(toHex(leaf.signedEntry));
      expect(toHex(issuanceKey(pre.tbs))).toBe(toHex(issuanceKey(leaf.signedEntry)));
      // issuer_key_hash is the SHA-256 of the issuer's SPKI (first chain element).
      const issuer = parseCertificateStructure(extra.chain[0]!);
      expect(toHex(leaf.issuerKeyHash)).toBe(toHex(sha256(issuer.tbs.subjectPublicKeyInfo)));
      n++;
    }
    expect(n).toBe(14);
  });

  it("all 1,024 Navigli tile entries (all precerts)", () => {
    let n = 0;
    for (const t of NAVIGLI_TILES.slice(0, 4)) {
      for (const leaf of splitDataTile(readFixture("ct/navigli2025h2/tile/data", t.file))) {
        expect(leaf.entryType).toBe("precert");
        const pre = parseCertificateStructure(leaf.preCertificate);
        if (!eq(stripCtExtensions(pre.tbs), leaf.signedEntry)) throw new Error(`entry ${leaf.leafIndex}`);
        n++;
      }
    }
    expect(n).toBe(1024);
  });
});

function logKeys(): Map<string, CtLogKey> {
  const list = JSON.parse(fs.readFileSync(fixturePath("loglist/google_v3_log_list.json"), "utf8")) as {
    operators: { logs?: { log_id: string; key: string }[]; tiled_logs?: { log_id: string; key: string }[] }[];
  };
  const m = new Map<string, CtLogKey>();
  for (const op of list.operators) {
    for (const l of [...(op.logs ?? []), ...(op.tiled_logs ?? [])]) {
      const k = ctLogKey(l.key);
      expect(Buffer.from(k.logId).toString("base64")).toBe(l.log_id);
      m.set(l.log_id, k);
    }
  }
  return m;
}

describe("final certificates: SCT-list-stripped TBS is what the embedded SCTs signed", () => {
  it("verifies the embedded SCTs of the 26 x509 entries (Argon + Nimbus) against the log list keys", () => {
    const keys = logKeys();
    let certs = 0;
    let verified = 0;
    let unknownLog = 0;
    for (const item of argonItems()) {
      const leaf = parseMerkleTreeLeaf(decodeBase64(item.leaf_input, "leaf_input"));
      if (leaf.entryType !== "x509") continue;
      certs++;
      const extra = parseExtraData("x509", decodeBase64(item.extra_data, "extra_data"));
      const cert = parseCertificateStructure(leaf.signedEntry);
      const sctExt = cert.tbs.extensions.find((e) => e.oid === Oid.ctSctList);
      expect(sctExt).toBeDefined();
      const tbs = stripCtExtensions(cert.tbs);
      expect(tbs.length).toBeLessThan(cert.tbs.der.length);
      const issuerKeyHash = sha256(parseCertificateStructure(extra.chain[0]!).tbs.subjectPublicKeyInfo);
      for (const sct of parseSctList(sctExt!.value)) {
        const key = keys.get(Buffer.from(sct.logId).toString("base64"));
        if (!key) {
          unknownLog++;
          continue;
        }
        expect(verifyPrecertSct(sct, { issuerKeyHash, tbs }, key)).toBe(true);
        // And the unstripped TBS does not verify.
        expect(verifyPrecertSct(sct, { issuerKeyHash, tbs: cert.tbs.der }, key)).toBe(false);
        verified++;
      }
    }
    expect(certs).toBe(26);
    // 55 embedded SCTs, every one from a log in the fixture log list, every one verifies.
    expect(verified).toBe(55);
    expect(unknownLog).toBe(0);
  });
});
