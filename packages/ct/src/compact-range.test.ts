import { createHash } from "node:crypto";
import { describe, expect, it } from "@jest/globals";
import {
  collapsedTreeFromInclusionProof,
  compactRange,
  hashTileForNode,
  nodeHashFromTile,
  type TreeNode,
} from "./compact-range.js";
import { toHex } from "./der.js";
import { inclusionProof, MerkleCollapsedTree, merkleTreeHash, parseHashTile } from "./merkle.js";
import { readFixture } from "./testing/cert-builder.js";

function leaves(n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    out.push(new Uint8Array(createHash("sha256").update(`leaf ${i}`).digest()));
  }
  return out;
}

const nodeHash = (all: Uint8Array[], n: TreeNode): Uint8Array =>
  merkleTreeHash(all, n.index * 2 ** n.height, (n.index + 1) * 2 ** n.height);

/** The bottom rows of hash tiles at a tree size: level L holds the complete nodes of height 8L. */
function tileRows(all: Uint8Array[], treeSize: number): Uint8Array[][] {
  const rows: Uint8Array[][] = [all.slice(0, treeSize)];
  for (;;) {
    const below = rows[rows.length - 1]!;
    if (below.length < 256) return rows;
    const row: Uint8Array[] = [];
    for (let i = 0; (i + 1) * 256 <= below.length; i++)
      row.push(merkleTreeHash(below, i * 256, i * 256 + 256));
    rows.push(row);
  }
}

describe("compactRange", () => {
  it.each([
    [0, 0, []],
    [0, 1, [[0, 0]]],
    [
      0,
      7,
      [
        [2, 0],
        [1, 2],
        [0, 6],
      ],
    ],
    [
      3,
      8,
      [
        [0, 3],
        [2, 1],
      ],
    ],
    [
      5,
      13,
      [
        [0, 5],
        [1, 3],
        [2, 2],
        [0, 12],
      ],
    ],
    [
      256,
      1024,
      [
        [8, 1],
        [9, 1],
      ],
    ],
  ] as const)("[%i, %i)", (b, e, want) => {
    expect(compactRange(b, e).map((n) => [n.height, n.index])).toEqual(want);
  });

  it("covers the range exactly with aligned subtrees, and completes a collapsed tree", () => {
    const all = leaves(300);
    for (const [b, e] of [
      [0, 300],
      [1, 299],
      [37, 38],
      [64, 300],
      [255, 257],
      [100, 100],
    ] as const) {
      const nodes = compactRange(b, e);
      let at = b;
      for (const n of nodes) {
        const w = 2 ** n.height;
        expect(n.index * w).toBe(at);
        at += w;
      }
      expect(at).toBe(e);
      const t = new MerkleCollapsedTree();
      for (let i = 0; i < b; i++) t.append(all[i]!);
      for (const n of nodes) t.appendSubtree(nodeHash(all, n), n.height);
      expect(t.size).toBe(e);
      expect(toHex(t.root())).toBe(toHex(merkleTreeHash(all, 0, e)));
    }
  });

  it("rejects bad ranges and misaligned subtrees", () => {
    expect(() => compactRange(5, 4)).toThrow(RangeError);
    expect(() => compactRange(-1, 4)).toThrow(RangeError);
    const t = new MerkleCollapsedTree();
    t.append(new Uint8Array(32));
    expect(() => t.appendSubtree(new Uint8Array(32), 1)).toThrow(RangeError);
    expect(() => t.appendSubtree(new Uint8Array(31), 0)).toThrow(RangeError);
  });
});

describe("hashTileForNode", () => {
  it("finds every compact-range node of large trees in hash tiles (levels 0-2)", () => {
    const n = 70_001;
    const all = leaves(n);
    for (const size of [n, 256 * 256, 256 * 256 + 777, 513]) {
      const rows = tileRows(all, size);
      for (const [b, e] of [
        [0, size],
        [1000, size],
        [12_345, size],
        [size - 1, size],
      ] as const) {
        if (b > e) continue;
        const t = new MerkleCollapsedTree();
        for (let i = 0; i < b; i++) t.append(all[i]!);
        for (const node of compactRange(b, e)) {
          const s = hashTileForNode(node, size);
          const row = rows[s.level]!;
          const tile = row.slice(s.index * 256, s.index * 256 + s.width);
          expect(tile.length).toBe(s.width);
          const h = nodeHashFromTile(tile, s.offset, s.count);
          expect(toHex(h)).toBe(toHex(nodeHash(all, node)));
          t.appendSubtree(h, node.height);
        }
        expect(toHex(t.root())).toBe(toHex(merkleTreeHash(all, 0, size)));
      }
    }
  });

  it("computes the tile width at the tree's right edge", () => {
    expect(hashTileForNode({ height: 0, index: 777 }, 778)).toEqual({
      level: 0,
      index: 3,
      width: 10,
      offset: 9,
      count: 1,
    });
    expect(hashTileForNode({ height: 9, index: 1 }, 1024)).toEqual({
      level: 1,
      index: 0,
      width: 4,
      offset: 2,
      count: 2,
    });
    expect(() => hashTileForNode({ height: 1, index: 1 }, 3)).toThrow(RangeError);
  });

  it("rebuilds the real Navigli root from its level-0 hash tiles", () => {
    const level0 = ["000", "001", "002", "003"].flatMap((t) =>
      parseHashTile(readFixture("ct/navigli2025h2/tile/0", t)),
    );
    const t = new MerkleCollapsedTree();
    for (const node of compactRange(0, 1024)) {
      const s = hashTileForNode(node, 1024);
      const row =
        s.level === 0 ? level0 : [0, 1, 2, 3].map((i) => merkleTreeHash(level0, i * 256, i * 256 + 256));
      t.appendSubtree(
        nodeHashFromTile(row.slice(s.index * 256, s.index * 256 + s.width), s.offset, s.count),
        node.height,
      );
    }
    expect(Buffer.from(t.root()).toString("base64")).toBe("EMfGG85uIddeOXt5/wdQGP3IQd0COCqoLg9Q6CsPLJA=");
  });
});

describe("collapsedTreeFromInclusionProof", () => {
  it("returns the collapsed tree up to and including the leaf, for every index of several sizes", () => {
    const all = leaves(70);
    for (const size of [1, 2, 3, 7, 8, 9, 64, 70]) {
      const root = merkleTreeHash(all, 0, size);
      for (let i = 0; i < size; i++) {
        const proof = inclusionProof(all, i, size);
        const t = collapsedTreeFromInclusionProof(i, size, all[i]!, proof, root);
        expect(t?.size).toBe(i + 1);
        expect(toHex(t!.root())).toBe(toHex(merkleTreeHash(all, 0, i + 1)));
      }
    }
  });

  it("returns undefined for a proof that does not verify", () => {
    const all = leaves(10);
    const root = merkleTreeHash(all, 0, 10);
    const proof = inclusionProof(all, 4, 10);
    expect(collapsedTreeFromInclusionProof(4, 10, all[5]!, proof, root)).toBeUndefined();
    expect(collapsedTreeFromInclusionProof(3, 10, all[4]!, proof, root)).toBeUndefined();
    expect(collapsedTreeFromInclusionProof(4, 10, all[4]!, proof.slice(1), root)).toBeUndefined();
  });
});
