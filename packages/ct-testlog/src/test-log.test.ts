import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  CtVerifyError,
  collapsedTreeFromInclusionProof,
  ctLogKey,
  leafHash,
  MerkleCollapsedTree,
  merkleTreeHash,
  parseHashTile,
  parseRfc6962Entry,
  splitDataTile,
  tileLeafToLogEntry,
  verifyConsistencyProof,
  verifyInclusionProof,
  verifyRfc6962Checkpoint,
  verifySth,
} from "@ctwatch/ct";
import { HttpFetcher, LogHttpError, Rfc6962Client, StaticCtClient } from "@ctwatch/ct-client";
import { MetricsRegistry } from "@ctwatch/runtime";
import { describe, expect, it } from "@jest/globals";
import { fixtureTileEntries, listSource } from "./entry-source.js";
import { startGeneratedTestLog } from "./generated-test-log.js";
import { encodeTileLeaf } from "./log-entry-encoding.js";
import { startTestLog } from "./test-log.js";
import { TiledTree } from "./tiled-tree.js";

const navigli = path.resolve(process.cwd(), "test/fixtures/ct/navigli2025h2");
const http = (label: string) =>
  new HttpFetcher({
    logLabel: label,
    metrics: new MetricsRegistry(),
    requestsPerSecond: 1000,
    maxAttempts: 1,
    maxThrottledAttempts: 1,
  });

describe("TiledTree", () => {
  const leaves = Array.from({ length: 700 }, (_, i) => leafHash(Uint8Array.of(i % 256, i >> 8)));
  const tree = new TiledTree();
  tree.append(leaves);

  it("has the roots, inclusion and consistency proofs of RFC 6962", () => {
    for (const size of [1, 2, 5, 256, 257, 511, 700]) {
      const root = tree.root(size);
      expect(root).toEqual(merkleTreeHash(leaves, 0, size));
      for (const i of [0, Math.floor(size / 3), size - 1]) {
        expect(verifyInclusionProof(leaves[i]!, i, size, tree.inclusionProof(i, size), root)).toBe(true);
      }
      for (const m of [1, Math.floor(size / 2), size]) {
        if (m > size) continue;
        const ok = verifyConsistencyProof(m, size, tree.root(m), root, tree.consistencyProof(m, size));
        expect(ok).toBe(true);
      }
    }
  });

  it("serves hash tiles only as they exist at a tree size", () => {
    expect(tree.hashTile(0, 1, 256, 700)).toHaveLength(256 * 32);
    expect(tree.hashTile(0, 2, 188, 700)).toHaveLength(188 * 32);
    expect(tree.hashTile(0, 2, 187, 700)).toBeUndefined();
    expect(tree.hashTile(0, 2, 256, 700)).toBeUndefined();
    const l1 = parseHashTile(tree.hashTile(1, 0, 2, 700)!);
    expect(l1[1]).toEqual(merkleTreeHash(leaves, 256, 512));
  });
});

describe("fixture log (real Navigli tiles)", () => {
  it("re-encodes the real tiles byte for byte and serves every hash-tile level", async () => {
    const entries = fixtureTileEntries(navigli);
    expect(entries).toHaveLength(1024);
    for (const t of ["000", "003"]) {
      const real = new Uint8Array(readFileSync(path.join(navigli, "tile/data", t)));
      const i = Number(t);
      const mine = Buffer.concat(
        entries.slice(i * 256, i * 256 + 256).map((e, k) => encodeTileLeaf(e, i * 256 + k)),
      );
      expect(Buffer.compare(mine, real)).toBe(0);
    }
    const log = await startTestLog({ source: listSource(entries) });
    try {
      const client = new StaticCtClient(log.url, http(log.url));
      const cp = verifyRfc6962Checkpoint(await client.checkpoint(), log.publicKeyDer, { origin: log.origin });
      expect(Buffer.from(cp.rootHash).toString("base64")).toBe(
        "EMfGG85uIddeOXt5/wdQGP3IQd0COCqoLg9Q6CsPLJA=",
      );
      const real0 = new Uint8Array(readFileSync(path.join(navigli, "tile/0/002")));
      expect(Buffer.compare(await client.hashTile(0, 2), real0)).toBe(0);
      expect(await client.fetchHashTile(1, 0, 4)).toHaveLength(4);
      // After growth, a vanished partial tile is read from the full tile's prefix.
      log.setTreeSize(778);
      const partial = await client.fetchDataTile(3, 10);
      expect(partial.width).toBe(10);
      log.setTreeSize(1024);
      const replaced = await client.fetchDataTile(3, 10);
      expect(replaced.width).toBe(256);
      expect(
        splitDataTile(replaced.bytes, { tileIndex: 3 })
          .slice(0, 10)
          .map((l) => l.leafHash),
      ).toEqual(splitDataTile(partial.bytes, { tileIndex: 3 }).map((l) => l.leafHash));
    } finally {
      await log.stop();
    }
  });
});

describe("generated log (both APIs)", () => {
  it("serves well-formed certificates, precert/final pairs with one issuance key, and verifiable heads", async () => {
    const log = await startGeneratedTestLog({ size: 600, maxGetEntries: 100 });
    try {
      const key = ctLogKey(log.publicKeyDer);
      const rfc = new Rfc6962Client(log.url, http(log.url));
      const sth = await rfc.getSth();
      expect(sth.tree_size).toBe(600);
      expect(verifySth(sth, key)).toBe(true);
      // Logs cap their pages: 100 of the 300 asked.
      const page = await rfc.getEntries(0, 299);
      expect(page).toHaveLength(100);
      const entries = page.map((e, i) => parseRfc6962Entry({ leafIndex: i, ...e }));
      expect(entries[0]!.entryType).toBe("precert");
      expect(entries[1]!.entryType).toBe("x509");
      expect(entries[0]!.issuanceKey).toEqual(entries[1]!.issuanceKey);
      expect(entries[2]!.issuanceKey).not.toEqual(entries[1]!.issuanceKey);
      expect(entries[1]!.certificate.dnsNames).toEqual(log.source.dnsNames(1));
      expect(entries[1]!.chainTopIssuerDn).toBe("CN=ctwatch Test CA,O=ctwatch");
      const node = new X509Certificate(Buffer.from(entries[1]!.certificate.der));
      expect(node.subjectAltName).toBe("DNS:host0.ctwatch.test, DNS:www.host0.ctwatch.test");
      expect(node.verify(new X509Certificate(Buffer.from(log.source.factory.issuerDer)).publicKey)).toBe(
        true,
      );

      // Consistency and inclusion proofs against the signed roots.
      log.grow(200);
      const sth2 = await rfc.getSth();
      expect(sth2.tree_size).toBe(800);
      const root1 = Buffer.from(sth.sha256_root_hash, "base64");
      const root2 = Buffer.from(sth2.sha256_root_hash, "base64");
      expect(verifyConsistencyProof(600, 800, root1, root2, await rfc.getSthConsistency(600, 800))).toBe(
        true,
      );
      const proof = await rfc.getProofByHash(entries[41]!.leafHash, 800);
      expect(proof.leafIndex).toBe(41);
      const t = collapsedTreeFromInclusionProof(41, 800, entries[41]!.leafHash, proof.auditPath, root2);
      const want = new MerkleCollapsedTree();
      for (const e of entries.slice(0, 42)) want.append(e.leafHash);
      expect(t?.root()).toEqual(want.root());

      // The static-ct-api view of the same entries, issuers included.
      const st = new StaticCtClient(log.url, http(log.url));
      const cp = verifyRfc6962Checkpoint(await st.checkpoint(), key, { origin: log.origin });
      expect(cp.rootHash).toEqual(new Uint8Array(root2));
      const tile = splitDataTile(await st.dataTile(0), { tileIndex: 0, width: 256 });
      expect(tile[41]!.leafHash).toEqual(entries[41]!.leafHash);
      const issuerHex = Buffer.from(tile[0]!.chainSha256[0]!).toString("hex");
      const issuer = await st.issuer(issuerHex);
      const e0 = tileLeafToLogEntry(tile[0]!, { lookupIssuer: () => issuer });
      expect(e0.issuanceKey).toEqual(entries[0]!.issuanceKey);
      expect(e0.chainTopIssuerDn).toBe("CN=ctwatch Test CA,O=ctwatch");
    } finally {
      await log.stop();
    }
  });

  it("misbehaves on request: bad signature, foreign key, forked root", async () => {
    const log = await startGeneratedTestLog({ size: 10 });
    try {
      const st = new StaticCtClient(log.url, http(log.url));
      const rfc = new Rfc6962Client(log.url, http(log.url));
      log.misbehave("bad-signature");
      await expect(st.checkpoint().then((c) => verifyRfc6962Checkpoint(c, log.publicKeyDer))).rejects.toThrow(
        CtVerifyError,
      );
      expect(verifySth(await rfc.getSth(), log.publicKeyDer)).toBe(false);
      log.misbehave("wrong-key");
      await expect(st.checkpoint().then((c) => verifyRfc6962Checkpoint(c, log.publicKeyDer))).rejects.toThrow(
        /no-known-signature/,
      );
      log.misbehave("wrong-root");
      const cp = verifyRfc6962Checkpoint(await st.checkpoint(), log.publicKeyDer);
      expect(cp.rootHash).not.toEqual(log.rootHash());
      log.misbehave("none");
      expect(verifyRfc6962Checkpoint(await st.checkpoint(), log.publicKeyDer).rootHash).toEqual(
        log.rootHash(),
      );
    } finally {
      await log.stop();
    }
  });

  it("injects transport faults", async () => {
    const log = await startGeneratedTestLog({ size: 300 });
    try {
      const st = new StaticCtClient(log.url, http(log.url));
      log.inject({ pathPrefix: "/tile/data/", count: 1, garble: true });
      const garbled = await st.dataTile(0);
      const good = await st.dataTile(0);
      expect(garbled.length).toBe(good.length);
      expect(Buffer.compare(garbled, good)).not.toBe(0);
      log.inject({ pathPrefix: "/tile/data/", count: 1, cutConnection: true });
      await expect(st.dataTile(0)).rejects.toMatchObject({ kind: "network" });
      log.inject({ pathPrefix: "/checkpoint", count: 1, status: 429, retryAfter: "0" });
      await expect(st.checkpoint()).rejects.toBeInstanceOf(LogHttpError);
      expect(log.requests.filter((r) => r === "/checkpoint")).toHaveLength(1);
      // A fetcher that may ride out throttling waits out the log's Retry-After and gets through.
      const patient = new StaticCtClient(
        log.url,
        new HttpFetcher({ logLabel: log.url, metrics: new MetricsRegistry(), requestsPerSecond: 1000 }),
      );
      log.inject({ pathPrefix: "/checkpoint", count: 2, status: 429, retryAfter: "0" });
      await expect(patient.checkpoint()).resolves.toContain(log.origin);
      expect(log.requests.filter((r) => r === "/checkpoint")).toHaveLength(4);
    } finally {
      await log.stop();
    }
  });
});
