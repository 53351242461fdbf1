import { createHash } from "node:crypto";
import { describe, expect, it } from "@jest/globals";
import { CtParseError } from "./ct-parse-error.js";
import { toHex } from "./der.js";
import {
  consistencyProof,
  emptyRoot,
  inclusionProof,
  leafHash,
  MerkleCollapsedTree,
  merkleTreeHash,
  nodeHash,
  parseHashTile,
  verifyConsistencyProof,
  verifyInclusionProof,
} from "./merkle.js";
import { splitDataTile } from "./static-ct.js";
import { fromHex, NAVIGLI_TILES, readFixture } from "./testing/cert-builder.js";

const h = (...parts: Uint8Array[]): Uint8Array => {
  const c = createHash("sha256");
  for (const p of parts) c.update(p);
  return new Uint8Array(c.digest());
};

// Independent MTH straight from RFC 6962 section 2.1, over raw leaf inputs.
function referenceMth(d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return h();
  if (d.length === 1) return h(Uint8Array.of(0), d[0]!);
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return h(Uint8Array.of(1), referenceMth(d.slice(0, k)), referenceMth(d.slice(k)));
}

// The RFC 6962 test inputs used by the reference implementations' test suites.
const INPUTS = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map(fromHex);
const ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

describe("hashes", () => {
  it("leaf and node hashes use the 0x00 / 0x01 prefixes", () => {
    const a = fromHex("6162");
    expect(toHex(leafHash(a))).toBe(toHex(h(Uint8Array.of(0), a)));
    expect(toHex(nodeHash(a, a))).toBe(toHex(h(Uint8Array.of(1), a, a)));
    expect(toHex(emptyRoot())).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it.each(ROOTS.map((r, i) => [i + 1, r] as const))("known root of the first %d test inputs", (n, root) => {
    const leaves = INPUTS.slice(0, n).map(leafHash);
    expect(toHex(merkleTreeHash(leaves))).toBe(root);
    const t = new MerkleCollapsedTree();
    for (const l of leaves) t.append(l);
    expect(toHex(t.root())).toBe(root);
  });
});

describe("MerkleCollapsedTree", () => {
  const data = Array.from({ length: 70 }, (_, i) => Uint8Array.of(i, i * 7));
  const leaves = data.map(leafHash);

  it("equals the RFC 6962 definition at every size 0..70", () => {
    const t = new MerkleCollapsedTree();
    for (let n = 0; n <= 70; n++) {
      expect(t.size).toBe(n);
      expect(toHex(t.root())).toBe(toHex(referenceMth(data.slice(0, n))));
      expect(toHex(merkleTreeHash(leaves, 0, n))).toBe(toHex(t.root()));
      if (n < 70) t.append(leaves[n]!);
    }
  });

  it("keeps one hash per set bit, survives state round-trips and clones independently", () => {
    const t = new MerkleCollapsedTree();
    for (let i = 0; i < 37; i++) t.append(leaves[i]!);
    const st = t.state();
    expect(st.size).toBe(37);
    expect(st.hashes.length).toBe(3); // 37 = 0b100101
    const r = MerkleCollapsedTree.fromState(st.size, st.hashes);
    const c = t.clone();
    for (let i = 37; i < 70; i++) {
      r.append(leaves[i]!);
      t.append(leaves[i]!);
    }
    expect(toHex(r.root())).toBe(toHex(t.root()));
    expect(c.size).toBe(37);
    expect(toHex(c.root())).toBe(toHex(merkleTreeHash(leaves, 0, 37)));
  });

  it("rejects bad input", () => {
    expect(() => new MerkleCollapsedTree().append(new Uint8Array(31))).toThrow(RangeError);
    expect(() => MerkleCollapsedTree.fromState(3, [leaves[0]!])).toThrow(RangeError);
    expect(() => MerkleCollapsedTree.fromState(-1, [])).toThrow(RangeError);
  });
});

describe("proofs", () => {
  const leaves = Array.from({ length: 33 }, (_, i) => leafHash(Uint8Array.of(i)));
  const roots = Array.from({ length: 34 }, (_, n) => merkleTreeHash(leaves, 0, n));

  it("every inclusion proof up to size 33 verifies, and fails when tampered", () => {
    for (let size = 1; size <= 33; size++) {
      for (let i = 0; i < size; i++) {
        const proof = inclusionProof(leaves, i, size);
        const root = roots[size]!;
        expect(verifyInclusionProof(leaves[i]!, i, size, proof, root)).toBe(true);
        expect(verifyInclusionProof(leaves[(i + 1) % 33]!, i, size, proof, root)).toBe(false);
        if (size > 1) expect(verifyInclusionProof(leaves[i]!, (i + 1) % size, size, proof, root)).toBe(false);
        if (proof.length > 0) {
          expect(verifyInclusionProof(leaves[i]!, i, size, proof.slice(1), root)).toBe(false);
          expect(verifyInclusionProof(leaves[i]!, i, size, [...proof, leaves[0]!], root)).toBe(false);
        }
        if (size > 1) expect(verifyInclusionProof(leaves[i]!, i, size, proof, roots[size - 1]!)).toBe(false);
      }
    }
  });

  it("every consistency proof up to size 33 verifies, and fails when tampered", () => {
    for (let n = 1; n <= 33; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProof(leaves, m, n);
        expect(verifyConsistencyProof(m, n, roots[m]!, roots[n]!, proof)).toBe(true);
        if (m < n) {
          expect(verifyConsistencyProof(m, n, roots[m - 1] ?? roots[0]!, roots[n]!, proof)).toBe(false);
          expect(verifyConsistencyProof(m, n, roots[m]!, roots[n - 1]!, proof)).toBe(false);
          expect(verifyConsistencyProof(m, n, roots[m]!, roots[n]!, proof.slice(0, -1))).toBe(false);
          expect(verifyConsistencyProof(m, n, roots[m]!, roots[n]!, [...proof, leaves[0]!])).toBe(false);
        }
      }
    }
  });

  const table: [string, () => boolean, boolean][] = [
    ["same size, same root, empty proof", () => verifyConsistencyProof(5, 5, roots[5]!, roots[5]!, []), true],
    [
      "same size, non-empty proof",
      () => verifyConsistencyProof(5, 5, roots[5]!, roots[5]!, [leaves[0]!]),
      false,
    ],
    ["from empty tree", () => verifyConsistencyProof(0, 5, emptyRoot(), roots[5]!, []), true],
    ["from empty tree, wrong root", () => verifyConsistencyProof(0, 5, roots[1]!, roots[5]!, []), false],
    ["size1 > size2", () => verifyConsistencyProof(6, 5, roots[6]!, roots[5]!, []), false],
    ["empty proof for growth", () => verifyConsistencyProof(4, 8, roots[4]!, roots[8]!, []), false],
    [
      "short hash in proof",
      () => verifyConsistencyProof(3, 5, roots[3]!, roots[5]!, [new Uint8Array(5)]),
      false,
    ],
    ["index >= size", () => verifyInclusionProof(leaves[0]!, 5, 5, [], roots[5]!), false],
    ["negative index", () => verifyInclusionProof(leaves[0]!, -1, 5, [], roots[5]!), false],
    ["size 1, empty proof", () => verifyInclusionProof(leaves[0]!, 0, 1, [], roots[1]!), true],
    ["huge size", () => verifyInclusionProof(leaves[0]!, 0, 2 ** 53, [], roots[1]!), false],
  ];
  it.each(table)("%s", (_n, f, want) => {
    expect(f()).toBe(want);
  });

  it("proof generators reject bad arguments", () => {
    expect(() => inclusionProof(leaves, 5, 5)).toThrow(RangeError);
    expect(() => consistencyProof(leaves, 6, 5)).toThrow(RangeError);
    expect(() => consistencyProof(leaves, 1, 34)).toThrow(RangeError);
    expect(consistencyProof(leaves, 0, 5)).toEqual([]);
  });
});

describe("hash tiles", () => {
  it.each([
    [32, undefined, 1],
    [8192, 256, 256],
  ])("%d bytes → %d hashes", (len, width, n) => {
    expect(parseHashTile(new Uint8Array(len), width).length).toBe(n);
  });
  it.each([
    [0, undefined],
    [33, undefined],
    [8224, undefined],
    [64, 3],
  ])("%d bytes (width %s) is bad-length", (len, width) => {
    expect(() => parseHashTile(new Uint8Array(len), width)).toThrow(CtParseError);
  });
});

describe("Navigli2025h2 tree", () => {
  const level0 = NAVIGLI_TILES.slice(0, 4).flatMap((t) =>
    parseHashTile(readFixture("ct/navigli2025h2/tile/0", t.file), 256),
  );
  const fromData = NAVIGLI_TILES.slice(0, 4).flatMap((t) =>
    splitDataTile(readFixture("ct/navigli2025h2/tile/data", t.file), { tileIndex: t.index }).map(
      (l) => l.leafHash,
    ),
  );

  it("leaf hashes computed from the 1,024 data-tile entries equal the level-0 hash tiles", () => {
    expect(fromData.length).toBe(1024);
    expect(fromData.map((x) => toHex(x))).toEqual(level0.map((x) => toHex(x)));
  });

  it("the tree rebuilt from the entries has the root the hash tiles imply, at sizes 778 and 1024", () => {
    const t = new MerkleCollapsedTree();
    let root778: Uint8Array = new Uint8Array(0);
    for (const l of fromData) {
      t.append(l);
      if (t.size === 778) root778 = t.root();
    }
    expect(toHex(t.root())).toBe(toHex(merkleTreeHash(level0)));
    // The tree at size 778 (the checkpoint the partial tiles 003.p/10 were served for): three full
    // level-0 tiles and the partial one.
    const partial = parseHashTile(readFixture("ct/navigli2025h2/tile/0/003.p/10"), 10);
    expect(toHex(root778)).toBe(toHex(merkleTreeHash([...level0.slice(0, 768), ...partial])));
    // Level-1 view: the root of 1024 = MTH over the four level-1 hashes (each the MTH of a full tile).
    const level1 = [0, 1, 2, 3].map((i) => merkleTreeHash(level0, i * 256, (i + 1) * 256));
    expect(toHex(nodeHash(nodeHash(level1[0]!, level1[1]!), nodeHash(level1[2]!, level1[3]!)))).toBe(
      toHex(t.root()),
    );
    // Consistency 778 → 1024 and inclusion of every 97th entry in the 1024 tree.
    const proof = consistencyProof(level0, 778, 1024);
    expect(verifyConsistencyProof(778, 1024, root778, t.root(), proof)).toBe(true);
    for (let i = 0; i < 1024; i += 97) {
      expect(verifyInclusionProof(fromData[i]!, i, 1024, inclusionProof(level0, i, 1024), t.root())).toBe(
        true,
      );
    }
  });
});
