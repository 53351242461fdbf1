import { gzipSync } from "node:zlib";
import { describe, expect, it } from "@jest/globals";
import { CtParseError, type CtParseErrorCode } from "./ct-parse-error.js";
import { toHex } from "./der.js";
import { parseHashTile } from "./merkle.js";
import { decodeBase64, parseExtraData, parseMerkleTreeLeaf } from "./rfc6962.js";
import { sha256 } from "./sha256.js";
import {
  decompressTile,
  leafIndexFromExtensions,
  parseCtExtensions,
  parseDataTile,
  parseTilePath,
  splitDataTile,
  type TileLeaf,
  tileLeafMerkleTreeLeaf,
  tileLeafToLogEntry,
  tilePath,
} from "./static-ct.js";
import { argonItems, concat, fromHex, NAVIGLI_TILES, readFixture } from "./testing/cert-builder.js";
import { formatName, parseCertificateStructure } from "./x509.js";

function codeOf(f: () => unknown): CtParseErrorCode | "no-error" | "other-error" {
  try {
    f();
    return "no-error";
  } catch (e) {
    return e instanceof CtParseError ? e.code : "other-error";
  }
}

const dataTile = (f: string): Uint8Array => readFixture("ct/navigli2025h2/tile/data", f);
const hashTile = (f: string): Uint8Array => readFixture("ct/navigli2025h2/tile/0", f);

describe("tilePath (c2sp.org/tlog-tiles)", () => {
  const table: [number | "data", number, number | undefined, string][] = [
    [0, 1234067, undefined, "tile/0/x001/x234/067"],
    [0, 0, undefined, "tile/0/000"],
    [0, 3, 10, "tile/0/003.p/10"],
    ["data", 3, 10, "tile/data/003.p/10"],
    ["data", 999, undefined, "tile/data/999"],
    ["data", 1000, undefined, "tile/data/x001/000"],
    [1, 1_000_000, 1, "tile/1/x001/x000/000.p/1"],
    [2, 273, 256, "tile/2/273"],
    [5, 123_456_789_012, 255, "tile/5/x123/x456/x789/012.p/255"],
    [63, 1, undefined, "tile/63/001"],
  ];
  it.each(table)("level %s index %d width %s → %s", (level, index, width, want) => {
    expect(tilePath(level, index, width)).toBe(want);
    expect(parseTilePath(want)).toEqual({ level, index, width: width ?? 256 });
  });
  it.each([
    [64, 0, undefined],
    [-1, 0, undefined],
    [0, -1, undefined],
    [0, 1.5, undefined],
    [0, 0, 0],
    [0, 0, 257],
  ] as const)("rejects level %s index %s width %s", (level, index, width) => {
    expect(() => tilePath(level, index, width)).toThrow(RangeError);
  });
  it.each([
    "tile/0/1234",
    "tile/0/x001",
    "tile/0/001/002",
    "tile/00/001",
    "tile/0/001.p/0",
    "tile/0/001.p/256",
    "tile/0/001.p/010",
    "tile/0/x000/001",
    "tile/entries/001",
    "tile/64/001",
  ])("parseTilePath rejects %s", (p) => {
    expect(parseTilePath(p)).toBeUndefined();
  });
  it("the spec's 70,000-entry example: 273 full level-0 tiles and a partial of width 112", () => {
    const size = 70_000;
    expect(Math.floor(size / 256)).toBe(273);
    expect(tilePath(0, 273, size % 256)).toBe("tile/0/273.p/112");
    expect(tilePath(1, 1, Math.floor(size / 256) % 256)).toBe("tile/1/001.p/17");
    expect(tilePath(2, 0, Math.floor(size / 65536) % 256)).toBe("tile/2/000.p/1");
  });
});

describe("Navigli2025h2 data tiles", () => {
  it.each(NAVIGLI_TILES.map((t) => [t.file, t] as const))(
    "tile/data/%s: leaf hashes equal tile/0",
    (_n, t) => {
      const raw = dataTile(t.file);
      expect(raw[0]).toBe(0); // not gzip-compressed in the fixture
      const leaves = splitDataTile(raw, { tileIndex: t.index, width: t.width });
      const hashes = parseHashTile(hashTile(t.file), t.width);
      expect(leaves.map((l) => toHex(l.leafHash))).toEqual(hashes.map((h) => toHex(h)));
      expect(leaves.map((l) => l.leafIndex)).toEqual(
        Array.from({ length: t.width }, (_, i) => t.index * 256 + i),
      );
      // The leaf hash is SHA-256(0x00 || reconstructed MerkleTreeLeaf).
      const first = leaves[0]!;
      const mtl = tileLeafMerkleTreeLeaf(first);
      expect(toHex(parseMerkleTreeLeaf(mtl).leafHash)).toBe(toHex(first.leafHash));
      for (const l of leaves) {
        expect(l.chainSha256.length).toBeGreaterThan(0);
        expect(leafIndexFromExtensions(l.extensions)).toBe(l.leafIndex);
      }
    },
  );

  it("the partial tile 003.p/10 is a prefix of tile 003 (a snapshot at tree size 778)", () => {
    const full = dataTile("003");
    const partial = dataTile("003.p/10");
    expect(toHex(full.subarray(0, partial.length))).toBe(toHex(partial));
    expect(toHex(hashTile("003").subarray(0, 320))).toBe(toHex(hashTile("003.p/10")));
  });

  it("parseDataTile normalises every entry", () => {
    const entries = parseDataTile(dataTile("000"), { tileIndex: 0 });
    expect(entries.length).toBe(256);
    const e = entries[0]!;
    expect(e.entryType).toBe("precert");
    expect(e.timestampMs).toBe(1746292399101); // names tile 000, first line
    expect(e.certificate.subjectCn).toBe("*.gated.dev-euw1.x0a839b.drive-platform.io");
    expect(e.rootSha256).toEqual(e.chainSha256[e.chainSha256.length - 1]);
    expect(e.chainTopIssuerDn).toBe("");
    expect(e.chainTopAuthorityKeyId.length).toBe(0);
  });

  it("matches the names tiles (timestamps, subject CN, DNS names)", () => {
    for (const t of NAVIGLI_TILES) {
      const names = new TextDecoder()
        .decode(readFixture("ct/navigli2025h2/tile/names", t.file))
        .trim()
        .split("\n")
        .map(
          (l) => JSON.parse(l) as { Timestamp: number; Subject?: { CommonName?: string }; DNS?: string[] },
        );
      const entries = parseDataTile(dataTile(t.file), { tileIndex: t.index });
      expect(entries.length).toBe(names.length);
      entries.forEach((e, i) => {
        const n = names[i]!;
        expect(e.timestampMs).toBe(n.Timestamp);
        expect(e.certificate.subjectCn).toBe(n.Subject?.CommonName ?? "");
        expect(e.certificate.dnsNames).toEqual([...new Set((n.DNS ?? []).map((d) => d.toLowerCase()))]);
      });
    }
  });
});

describe("data tile errors and options", () => {
  const tile = dataTile("003.p/10");
  const leaves = splitDataTile(tile);
  const firstLen =
    leaves[0]!.raw.length + 3 + leaves[0]!.preCertificate.length + 2 + 32 * leaves[0]!.chainSha256.length;
  const one = tile.subarray(0, firstLen);

  const table: [string, Uint8Array, Parameters<typeof splitDataTile>[1], CtParseErrorCode | "no-error"][] = [
    ["one entry", one, { width: 1 }, "no-error"],
    ["width mismatch", tile, { width: 11 }, "bad-length"],
    ["tile index mismatch", tile, { tileIndex: 2 }, "bad-value"],
    ["truncated", tile.subarray(0, tile.length - 5), {}, "truncated"],
    [
      "chain not a multiple of 32",
      concat(one.subarray(0, firstLen - 66), Uint8Array.of(0, 33), new Uint8Array(33)),
      {},
      "bad-length",
    ],
    ["gzip-compressed", gzipSync(one), {}, "bad-value"],
    ["chain longer than the bound", one, { maxChainLength: 1 }, "too-large"],
    ["more than 256 entries", concat(...Array.from({ length: 257 }, () => one)), {}, "too-large"],
  ];
  it.each(table)("%s", (_n, bytes, opts, code) => {
    expect(codeOf(() => splitDataTile(bytes, opts))).toBe(code);
  });

  it("empty tile has no entries", () => {
    expect(splitDataTile(new Uint8Array(0))).toEqual([]);
  });

  it("decompressTile gunzips with an output bound", () => {
    const gz = gzipSync(tile);
    expect(toHex(decompressTile(gz))).toBe(toHex(tile));
    expect(decompressTile(tile)).toBe(tile);
    expect(codeOf(() => decompressTile(gz, 1000))).toBe("too-large");
    expect(codeOf(() => decompressTile(concat(gz.subarray(0, 20), new Uint8Array(20))))).toBe("bad-value");
  });

  it("leaf_index missing: taken from tileIndex, else bad-value", () => {
    // Rebuild the first entry with empty CtExtensions.
    const l = leaves[0]!;
    const teNoExt = concat(l.raw.subarray(0, l.raw.length - 10), Uint8Array.of(0, 0));
    const pre = l.preCertificate;
    const entry = concat(
      teNoExt,
      Uint8Array.of(pre.length >> 16, (pre.length >> 8) & 0xff, pre.length & 0xff),
      pre,
      Uint8Array.of(0, 32 * l.chainSha256.length),
      ...l.chainSha256,
    );
    expect(splitDataTile(entry, { tileIndex: 7 })[0]!.leafIndex).toBe(1792);
    expect(codeOf(() => splitDataTile(entry))).toBe("bad-value");
  });
});

describe("CtExtensions", () => {
  const table: [string, string, number | undefined | CtParseErrorCode][] = [
    ["leaf_index only", "000005000000012c", 300],
    ["empty", "", undefined],
    ["other extension only", "07000161", undefined],
    ["leaf_index after another", "07000161000005ffffffffff", 2 ** 40 - 1],
    ["bad leaf_index length", "00000401020304", "bad-length"],
    ["duplicate", "0000050000000001000005000000000a", "bad-value"],
    ["truncated", "000005000000", "truncated"],
  ];
  it.each(table)("%s", (_n, hex, want) => {
    const b = fromHex(hex);
    if (typeof want === "string") expect(codeOf(() => leafIndexFromExtensions(b))).toBe(want);
    else expect(leafIndexFromExtensions(b)).toBe(want);
  });
  it("parseCtExtensions lists them", () => {
    expect(
      parseCtExtensions(fromHex("07000161000005ffffffffff")).map((e) => [e.type, toHex(e.data)]),
    ).toEqual([
      [7, "61"],
      [0, "ffffffffff"],
    ]);
  });
});

describe("issuer lookup", () => {
  // Navigli's issuers are not in the fixtures: swap an entry's chain for a real Argon chain.
  const item = argonItems().find(
    (i) => parseMerkleTreeLeaf(decodeBase64(i.leaf_input, "l")).entryType === "precert",
  )!;
  const chain = parseExtraData("precert", decodeBase64(item.extra_data, "e")).chain;
  const fps = chain.map((c) => sha256(c));
  const leaf = splitDataTile(dataTile("000"))[0]!;
  const swapped: TileLeaf = { ...leaf, chainSha256: fps };
  const byHex = new Map(chain.map((c) => [toHex(sha256(c)), c]));

  it("fills chainTopIssuerDn / AKI when the issuer is known", () => {
    const e = tileLeafToLogEntry(swapped, { lookupIssuer: (h) => byHex.get(toHex(h)) });
    const top = parseCertificateStructure(chain[chain.length - 1]!);
    expect(e.chainTopIssuerDn).toBe(formatName(top.tbs.issuer).dn);
    expect(e.chainTopIssuerDn).not.toBe("");
    expect(toHex(e.rootSha256)).toBe(toHex(fps[fps.length - 1]!));
  });
  it("leaves them empty when unknown", () => {
    const e = tileLeafToLogEntry(swapped, { lookupIssuer: () => undefined });
    expect(e.chainTopIssuerDn).toBe("");
  });
  it("rejects an issuer that does not hash to its fingerprint", () => {
    expect(codeOf(() => tileLeafToLogEntry(swapped, { lookupIssuer: () => chain[0] }))).toBe("bad-value");
  });
});
