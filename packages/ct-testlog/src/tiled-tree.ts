import {
  compactRange,
  emptyRoot,
  hashTileForNode,
  MerkleCollapsedTree,
  merkleTreeHash,
  nodeHashFromTile,
  TILE_WIDTH,
} from "@ctwatch/ct";

/**
 * A log's Merkle tree kept as tlog-tiles rows: row L holds the hashes of the complete nodes of height
 * 8L (row 0 = leaf hashes). Serves hash tiles for any tree size up to the leaves held, roots, and
 * RFC 6962 inclusion and consistency proofs, each in O(log n) node lookups (a node of height
 * 8L + r costs 2^r - 1 hashes), so a test log of millions of entries answers quickly.
 */
export class TiledTree {
  private readonly rows: Uint8Array[][] = [[]];

  /** Leaves held. */
  get size(): number {
    return this.rows[0]!.length;
  }

  /** Appends leaf hashes (32 bytes each) and extends the higher rows. */
  append(leafHashes: Iterable<Uint8Array>): void {
    const row0 = this.rows[0]!;
    for (const h of leafHashes) {
      if (h.length !== 32) throw new RangeError("leaf hash must be 32 bytes");
      row0.push(h);
    }
    for (let level = 1; ; level++) {
      const below = this.rows[level - 1]!;
      if (below.length < TILE_WIDTH) return;
      const row = this.rows[level] ?? [];
      this.rows[level] = row;
      while ((row.length + 1) * TILE_WIDTH <= below.length) {
        const i = row.length;
        row.push(merkleTreeHash(below, i * TILE_WIDTH, (i + 1) * TILE_WIDTH));
      }
    }
  }

  /** Leaf hash `index`. */
  leafHash(index: number): Uint8Array {
    const h = this.rows[0]![index];
    if (h === undefined) throw new RangeError(`no leaf ${index}`);
    return h;
  }

  /**
   * Hash tile `level`/`index` as a log of `treeSize` would serve it: `width` hashes (256 = full), or
   * undefined when that tile does not exist at that size (a full tile beyond the tree, or a partial
   * tile of another width than the tree's edge).
   */
  hashTile(level: number, index: number, width: number, treeSize: number): Uint8Array | undefined {
    if (treeSize > this.size) return undefined;
    const nodesAtLevel = Math.floor(treeSize / TILE_WIDTH ** level);
    const full = Math.floor(nodesAtLevel / TILE_WIDTH);
    const visible =
      width === TILE_WIDTH ? index < full : index === full && width === nodesAtLevel % TILE_WIDTH;
    if (!visible) return undefined;
    const row = this.rows[level] ?? [];
    const out = new Uint8Array(width * 32);
    for (let i = 0; i < width; i++) out.set(row[index * TILE_WIDTH + i]!, i * 32);
    return out;
  }

  /** Hash of the perfect node (height, index); it must be complete in the leaves held. */
  private node(height: number, index: number): Uint8Array {
    const s = hashTileForNode({ height, index }, this.size);
    const row = this.rows[s.level]!;
    const start = s.index * TILE_WIDTH + s.offset;
    return nodeHashFromTile(row.slice(start, start + s.count), 0, s.count);
  }

  /**
   * RFC 6962 MTH of leaves [start, end) where the range is a subtree of the RFC 6962 recursion
   * (start aligned to a power of two >= end - start): the fold of its compact range.
   */
  subtreeHash(start: number, end: number): Uint8Array {
    if (end <= start) return emptyRoot();
    const t = new MerkleCollapsedTree();
    const nodes = compactRange(start, end);
    // Re-base the range at 0 so the collapsed tree's alignment checks hold.
    for (const n of nodes) {
      const rebased = (n.index * 2 ** n.height - start) / 2 ** n.height;
      if (!Number.isInteger(rebased)) throw new RangeError(`[${start}, ${end}) is not a subtree`);
      t.appendSubtree(this.node(n.height, n.index), n.height);
    }
    return t.root();
  }

  /** Root hash of the first `treeSize` leaves. */
  root(treeSize: number): Uint8Array {
    if (treeSize > this.size) throw new RangeError(`tree size ${treeSize} > ${this.size}`);
    return this.subtreeHash(0, treeSize);
  }

  /** RFC 6962 audit path for leaf `index` in the tree of `treeSize`. */
  inclusionProof(index: number, treeSize: number): Uint8Array[] {
    if (index < 0 || index >= treeSize || treeSize > this.size) throw new RangeError("bad index/size");
    const out: Uint8Array[] = [];
    const path = (m: number, start: number, end: number): void => {
      const n = end - start;
      if (n <= 1) return;
      const k = splitPoint(n);
      if (m < k) {
        path(m, start, start + k);
        out.push(this.subtreeHash(start + k, end));
      } else {
        path(m - k, start + k, end);
        out.push(this.subtreeHash(start, start + k));
      }
    };
    path(index, 0, treeSize);
    return out;
  }

  /** RFC 6962 consistency proof between the trees of `size1` and `size2`. */
  consistencyProof(size1: number, size2: number): Uint8Array[] {
    if (size1 < 0 || size1 > size2 || size2 > this.size) throw new RangeError("bad sizes");
    const out: Uint8Array[] = [];
    if (size1 === 0 || size1 === size2) return out;
    const sub = (m: number, start: number, end: number, complete: boolean): void => {
      const n = end - start;
      if (m === n) {
        if (!complete) out.push(this.subtreeHash(start, end));
        return;
      }
      const k = splitPoint(n);
      if (m <= k) {
        sub(m, start, start + k, complete);
        out.push(this.subtreeHash(start + k, end));
      } else {
        sub(m - k, start + k, end, false);
        out.push(this.subtreeHash(start, start + k));
      }
    };
    sub(size1, 0, size2, true);
    return out;
  }
}

function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
