// Robustness: random truncations, byte flips and length-byte corruptions of real inputs must make
// the parsers return normally or throw CtParseError (CtVerifyError for checkpoint verification),
// never anything else, and never hang (jest's timeout bounds each test).
import { generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "@jest/globals";
import {
  CtVerifyError,
  formatRfc6962Checkpoint,
  parseSignedNote,
  treeHeadSignatureInput,
  verifyRfc6962Checkpoint,
} from "./checkpoint.js";
import { ctLogKey } from "./ct-log-key.js";
import { CtParseError } from "./ct-parse-error.js";
import { validateDer } from "./der.js";
import { issuanceKey } from "./issuance-key.js";
import { Oid } from "./oids.js";
import { decodeBase64, parseRfc6962Entry } from "./rfc6962.js";
import { parseSctList } from "./sct.js";
import { splitDataTile, tileLeafToLogEntry } from "./static-ct.js";
import { argonItems, prng, readFixture } from "./testing/cert-builder.js";
import { parseCertificate, parseCertificateStructure } from "./x509.js";

type Mutator = (b: Uint8Array, rnd: () => number) => Uint8Array;

const SPECIAL = [0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0x84, 0x85, 0xff, 0x30, 0x04, 0x06];

const mutators: Mutator[] = [
  // truncation
  (b, r) => b.subarray(0, Math.floor(r() * b.length)),
  // 1-4 random byte flips
  (b, r) => {
    const c = Uint8Array.from(b);
    const n = 1 + Math.floor(r() * 4);
    for (let i = 0; i < n && c.length > 0; i++) c[Math.floor(r() * c.length)] = Math.floor(r() * 256);
    return c;
  },
  // a byte set to a "length-ish" or tag value
  (b, r) => {
    const c = Uint8Array.from(b);
    if (c.length > 0) c[Math.floor(r() * c.length)] = SPECIAL[Math.floor(r() * SPECIAL.length)]!;
    return c;
  },
  // flip + truncate
  (b, r) => {
    const c = Uint8Array.from(b);
    if (c.length > 0) c[Math.floor(r() * c.length)]! ^= 1 << Math.floor(r() * 8);
    return c.subarray(0, c.length - Math.floor(r() * 8));
  },
  // insert or delete a byte
  (b, r) => {
    const at = Math.floor(r() * (b.length + 1));
    return r() < 0.5
      ? Uint8Array.from([...b.subarray(0, at), Math.floor(r() * 256), ...b.subarray(at)])
      : Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + 1)]);
  },
];

function fuzz(
  label: string,
  seeds: Uint8Array[],
  iterations: number,
  target: (b: Uint8Array, seedIndex: number) => unknown,
  allowVerify = false,
): void {
  const rnd = prng(0xc7a7c4 ^ label.length);
  let parsedOk = 0;
  let rejected = 0;
  for (let i = 0; i < iterations; i++) {
    const seedIndex = i % seeds.length;
    const input = mutators[Math.floor(i / seeds.length) % mutators.length]!(seeds[seedIndex]!, rnd);
    try {
      target(input, seedIndex);
      parsedOk++;
    } catch (e) {
      if (e instanceof CtParseError || (allowVerify && e instanceof CtVerifyError)) {
        rejected++;
        continue;
      }
      throw new Error(`${label}: iteration ${i} threw ${String(e)}`);
    }
  }
  expect(parsedOk + rejected).toBe(iterations);
  expect(rejected).toBeGreaterThan(iterations / 4);
}

const items = argonItems();
const leafInputs = items.map((i) => decodeBase64(i.leaf_input, "l"));
const extras = items.map((i) => decodeBase64(i.extra_data, "e"));
const partialTile = readFixture("ct/navigli2025h2/tile/data/003.p/10");
const tileEntries = splitDataTile(partialTile).map((l) => l.raw); // TimestampedEntry bytes
const certs = items.map(
  (_, i) =>
    parseRfc6962Entry({ leafIndex: i, leafInput: leafInputs[i]!, extraData: extras[i]! }).certificate.der,
);

describe("fuzz-ish robustness", () => {
  it("RFC 6962 leaf_input mutations", () => {
    fuzz("leaf_input", leafInputs, 4000, (b, i) =>
      parseRfc6962Entry({ leafIndex: 0, leafInput: b, extraData: extras[i]! }),
    );
  });

  it("RFC 6962 extra_data mutations", () => {
    fuzz("extra_data", extras, 4000, (b, i) =>
      parseRfc6962Entry({ leafIndex: 0, leafInput: leafInputs[i]!, extraData: b }),
    );
  });

  it("static-ct data tile mutations", () => {
    fuzz("data_tile", [partialTile], 1500, (b) => splitDataTile(b).map((l) => tileLeafToLogEntry(l)));
  });

  it("TimestampedEntry-level mutations inside a tile", () => {
    fuzz("tile_entry", tileEntries, 3000, (b) => splitDataTile(b));
  });

  it("certificate DER mutations", () => {
    fuzz("certificate", certs, 6000, (b) => {
      validateDer(b);
      return parseCertificate(b);
    });
  });

  it("certificate DER mutations (structure only, any depth)", () => {
    fuzz("structure", certs, 3000, (b) => parseCertificateStructure(b, { maxDepth: 4 }));
  });

  it("TBS mutations through issuanceKey", () => {
    const tbss = certs.map((c) => parseCertificateStructure(c).tbs.der);
    fuzz("tbs", tbss, 4000, (b) => issuanceKey(b));
  });

  it("embedded SCT list mutations", () => {
    const lists = certs
      .map((c) => parseCertificateStructure(c).tbs.extensions.find((e) => e.oid === Oid.ctSctList)?.value)
      .filter((v): v is Uint8Array => v !== undefined);
    expect(lists.length).toBeGreaterThan(0);
    fuzz("sct_list", lists, 3000, (b) => parseSctList(b));
  });

  it("checkpoint note mutations", () => {
    const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const key = ctLogKey(new Uint8Array(pair.publicKey.export({ type: "spki", format: "der" })));
    const th = { timestampMs: 1_700_000_000_000, treeSize: 12345, rootHash: new Uint8Array(32).fill(9) };
    const note = formatRfc6962Checkpoint(
      "log.example/x",
      th,
      {
        hashAlgorithm: 4,
        signatureAlgorithm: 3,
        signature: new Uint8Array(sign("sha256", treeHeadSignatureInput(th), pair.privateKey)),
      },
      key.logId,
    );
    const bytes = new TextEncoder().encode(note);
    expect(verifyRfc6962Checkpoint(bytes, key).treeSize).toBe(12345);
    fuzz("note", [bytes], 3000, (b) => verifyRfc6962Checkpoint(b, key), true);
    fuzz("note-parse", [bytes], 2000, (b) => parseSignedNote(b));
  });
});
