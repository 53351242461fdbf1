import { HASH_SIZE, MerkleCollapsedTree, merkleTreeHash, nodeHash, verifyInclusionProof } from "./merkle.js";
import { TILE_WIDTH } from "./static-ct.js";

/**
 * A node of an RFC 6962 Merkle tree: the perfect subtree of 2^`height` leaves that starts at leaf
 * `index * 2^height`. Such an aligned subtree is a node of every tree that contains all its leaves,
 * so its hash never changes as the log grows.
 */
export interface TreeNode {
  /** 0 for a leaf; the subtree holds 2^height leaves. */
  readonly height: number;
  /** Position among the nodes of that height, left to right. */
  readonly index: number;
}

/**
 * The compact range of leaves [begin, end): the maximal aligned perfect subtrees that cover it, left
 * to right (at most 2 per height). For begin = 0 these are the perfect subtrees of the collapsed tree
 * at `end`, largest first. Appending their hashes to a {@link MerkleCollapsedTree} of size `begin`
 * (see {@link MerkleCollapsedTree.appendSubtree}) gives the collapsed tree at `end`.
 * Throws RangeError unless 0 <= begin <= end are safe integers.
 */
export function compactRange(begin: number, end: number): TreeNode[] {
  if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || begin > end) {
    throw new RangeError(`bad range [${begin}, ${end})`);
  }
  const out: TreeNode[] = [];
  let at = begin;
  while (at < end) {
    let height = 0;
    let width = 1;
    // Grow while the doubled subtree stays aligned at `at` and inside the range.
    while (at % (width * 2) === 0 && at + width * 2 <= end) {
      width *= 2;
      height++;
    }
    out.push({ height, index: at / width });
    at += width;
  }
  return out;
}

/**
 * Where a node's hash comes from in c2sp.org/tlog-tiles hash tiles, for a tree of `treeSize` leaves:
 * tile `level`/`index` of `width` hashes (256 for a full tile, less for the partial tile at the
 * tree's right edge), of which hashes [offset, offset + count) are the node's 2^(height mod 8)
 * descendants at height 8 * level. The node's hash is their Merkle tree hash
 * ({@link nodeHashFromTile}).
 */
export interface HashTileSlice {
  /** Tile level: the tile's bottom row holds nodes of height 8 * level. */
  readonly level: number;
  readonly index: number;
  /** Hashes in the tile at `treeSize` (1..256). */
  readonly width: number;
  readonly offset: number;
  /** A power of two, 1..128. */
  readonly count: number;
}

/**
 * The hash-tile slice holding `node` in a tree of `treeSize` leaves. Throws RangeError when the node
 * is not a complete node of that tree (its leaves are not all below `treeSize`).
 */
export function hashTileForNode(node: TreeNode, treeSize: number): HashTileSlice {
  const { height, index } = node;
  if (!Number.isInteger(height) || height < 0 || height > 52 || !Number.isSafeInteger(index) || index < 0) {
    throw new RangeError(`bad node (${height}, ${index})`);
  }
  if (!Number.isSafeInteger(treeSize) || (index + 1) * 2 ** height > treeSize) {
    throw new RangeError(`node (${height}, ${index}) is not complete in a tree of ${treeSize}`);
  }
  const level = Math.floor(height / 8);
  const count = 2 ** (height % 8);
  const position = index * count; // first descendant at height 8 * level
  const tileIndex = Math.floor(position / TILE_WIDTH);
  const nodesAtLevel = Math.floor(treeSize / TILE_WIDTH ** level);
  const width = Math.min(TILE_WIDTH, nodesAtLevel - tileIndex * TILE_WIDTH);
  return { level, index: tileIndex, width, offset: position % TILE_WIDTH, count };
}

/**
 * The hash of the perfect subtree over `tileHashes[offset, offset + count)` (a hash tile's bottom-row
 * hashes, see {@link hashTileForNode}). Throws RangeError when the slice is out of the tile.
 */
export function nodeHashFromTile(
  tileHashes: readonly Uint8Array[],
  offset: number,
  count: number,
): Uint8Array {
  if (offset < 0 || count < 1 || offset + count > tileHashes.length) {
    throw new RangeError(`slice [${offset}, ${offset + count}) of a tile of ${tileHashes.length}`);
  }
  if (tileHashes.some((h) => h.length !== HASH_SIZE)) throw new RangeError("tile hashes must be 32 bytes");
  return merkleTreeHash(tileHashes, offset, offset + count);
}

/**
 * Verifies an RFC 6962 audit path for `leafHashValue` at `leafIndex` in the tree of `treeSize` with
 * root `rootHash`, and returns the collapsed tree of size `leafIndex + 1` (the leaf and everything
 * left of it): the path's left siblings are exactly the perfect subtrees of [0, leafIndex). This is
 * how a monitor starts mid-log on an RFC 6962 log (get-proof-by-hash of the entry before the start).
 * Returns undefined when the proof does not verify; never throws.
 */
export function collapsedTreeFromInclusionProof(
  leafIndex: number,
  treeSize: number,
  leafHashValue: Uint8Array,
  proof: readonly Uint8Array[],
  rootHash: Uint8Array,
): MerkleCollapsedTree | undefined {
  if (!verifyInclusionProof(leafHashValue, leafIndex, treeSize, proof, rootHash)) return undefined;
  // Same walk as the verifier (RFC 9162 2.1.3.2), keeping the siblings that sit on the left.
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHashValue;
  const lefts: Uint8Array[] = [];
  for (const p of proof) {
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      lefts.push(p);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  try {
    const tree = MerkleCollapsedTree.fromState(leafIndex, lefts.reverse());
    tree.append(leafHashValue);
    return tree;
  } catch {
    return undefined;
  }
}
