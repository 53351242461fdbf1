import { createHash } from "node:crypto";
import { CtParseError } from "./ct-parse-error.js";
import { TILE_WIDTH } from "./static-ct.js";

/** Size of a Merkle tree hash, bytes. */
export const HASH_SIZE = 32;

function digest(h: ReturnType<typeof createHash>): Uint8Array {
  const d = h.digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.length);
}

const LEAF = Uint8Array.of(0);
const NODE = Uint8Array.of(1);

/** RFC 6962 leaf hash: SHA-256(0x00 || leafInput). */
export function leafHash(leafInput: Uint8Array): Uint8Array {
  return digest(createHash("sha256").update(LEAF).update(leafInput));
}

/** RFC 6962 interior node hash: SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return digest(createHash("sha256").update(NODE).update(left).update(right));
}

/** Root of the empty tree: SHA-256 of the empty string. */
export function emptyRoot(): Uint8Array {
  return digest(createHash("sha256"));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** Largest power of two strictly smaller than n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Merkle Tree Hash (RFC 6962 section 2.1) of `leafHashes[start, end)` (already leaf-hashed).
 * Recursion depth is log2 of the range size.
 */
export function merkleTreeHash(
  leafHashes: readonly Uint8Array[],
  start = 0,
  end = leafHashes.length,
): Uint8Array {
  const n = end - start;
  if (n <= 0) return emptyRoot();
  if (n === 1) return leafHashes[start]!;
  const k = splitPoint(n);
  return nodeHash(merkleTreeHash(leafHashes, start, start + k), merkleTreeHash(leafHashes, start + k, end));
}

/**
 * Compact ("collapsed") Merkle tree: keeps only the roots of the perfect subtrees that make up the
 * current size (one per set bit), so appending is O(log n) memory. `root()` is the RFC 6962 tree
 * hash at the current size; roots of earlier sizes need {@link merkleTreeHash} over the leaves.
 */
export class MerkleCollapsedTree {
  #size = 0;
  // Perfect subtree roots, largest (leftmost) first.
  #stack: Uint8Array[] = [];

  /** Number of leaves appended. */
  get size(): number {
    return this.#size;
  }

  /** Appends one leaf hash (32 bytes). */
  append(leafHashValue: Uint8Array): void {
    if (leafHashValue.length !== HASH_SIZE) throw new RangeError("leaf hash must be 32 bytes");
    let h = leafHashValue;
    let s = this.#size;
    while (s % 2 === 1) {
      h = nodeHash(this.#stack.pop()!, h);
      s = Math.floor(s / 2);
    }
    this.#stack.push(h);
    this.#size++;
  }

  /**
   * Appends a whole perfect subtree of 2^`height` leaves whose root is `hash` (a node of the tree,
   * e.g. from a hash tile). The current size must be a multiple of 2^height, so the subtree is
   * aligned (RangeError otherwise). Appending the aligned subtrees of a range left to right gives
   * the same state as appending the range's leaves one by one.
   */
  appendSubtree(hash: Uint8Array, height: number): void {
    if (hash.length !== HASH_SIZE) throw new RangeError("subtree hash must be 32 bytes");
    if (!Number.isInteger(height) || height < 0 || height > 52) throw new RangeError(`height ${height}`);
    const width = 2 ** height;
    if (this.#size % width !== 0) throw new RangeError(`size ${this.#size} is not aligned to 2^${height}`);
    if (!Number.isSafeInteger(this.#size + width)) throw new RangeError("tree too large");
    let h = hash;
    let s = this.#size / width;
    while (s % 2 === 1) {
      h = nodeHash(this.#stack.pop()!, h);
      s = Math.floor(s / 2);
    }
    this.#stack.push(h);
    this.#size += width;
  }

  /** RFC 6962 root hash at the current size (SHA-256("") when empty). */
  root(): Uint8Array {
    const st = this.#stack;
    if (st.length === 0) return emptyRoot();
    let r = st[st.length - 1]!;
    for (let i = st.length - 2; i >= 0; i--) r = nodeHash(st[i]!, r);
    return r;
  }

  /** The perfect-subtree roots (largest first), for persisting with {@link MerkleCollapsedTree.fromState}. */
  state(): { size: number; hashes: Uint8Array[] } {
    return { size: this.#size, hashes: this.#stack.slice() };
  }

  /** An independent copy. */
  clone(): MerkleCollapsedTree {
    return MerkleCollapsedTree.fromState(this.#size, this.#stack);
  }

  /** Restores a tree from `state()`: one hash per set bit of `size`. Throws RangeError otherwise. */
  static fromState(size: number, hashes: readonly Uint8Array[]): MerkleCollapsedTree {
    if (!isSize(size)) throw new RangeError(`size ${size}`);
    let bits = 0;
    for (let s = size; s > 0; s = Math.floor(s / 2)) bits += s % 2;
    if (bits !== hashes.length || hashes.some((h) => h.length !== HASH_SIZE)) {
      throw new RangeError("hash count does not match size");
    }
    const t = new MerkleCollapsedTree();
    t.#size = size;
    t.#stack = hashes.slice();
    return t;
  }
}

/**
 * Splits a hash tile (c2sp.org/tlog-tiles) into its 32-byte hashes (views). A tile holds 1..256
 * hashes; `width`, when given, must match. Throws {@link CtParseError} (`bad-length`).
 */
export function parseHashTile(tile: Uint8Array, width?: number): Uint8Array[] {
  if (tile.length === 0 || tile.length % HASH_SIZE !== 0 || tile.length > TILE_WIDTH * HASH_SIZE) {
    throw new CtParseError("bad-length", "hash_tile", 0, `${tile.length} bytes`);
  }
  const n = tile.length / HASH_SIZE;
  if (width !== undefined && n !== width)
    throw new CtParseError("bad-length", "hash_tile", 0, `${n} hashes, expected ${width}`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(tile.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  return out;
}

/**
 * Audit path (RFC 6962 section 2.1.1 PATH) for leaf `index` in the tree of the first `size`
 * leaf hashes. Throws RangeError for index >= size or size > leafHashes.length.
 */
export function inclusionProof(leafHashes: readonly Uint8Array[], index: number, size: number): Uint8Array[] {
  if (!isSize(size) || size > leafHashes.length || !isSize(index) || index >= size)
    throw new RangeError("bad index/size");
  const out: Uint8Array[] = [];
  const path = (m: number, start: number, end: number): void => {
    const n = end - start;
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      path(m, start, start + k);
      out.push(merkleTreeHash(leafHashes, start + k, end));
    } else {
      path(m - k, start + k, end);
      out.push(merkleTreeHash(leafHashes, start, start + k));
    }
  };
  path(index, 0, size);
  return out;
}

/**
 * Consistency proof (RFC 6962 section 2.1.2 PROOF) between the trees of the first `size1` and
 * `size2` leaf hashes. Empty when size1 is 0 or equals size2. Throws RangeError on bad sizes.
 */
export function consistencyProof(
  leafHashes: readonly Uint8Array[],
  size1: number,
  size2: number,
): Uint8Array[] {
  if (!isSize(size1) || !isSize(size2) || size1 > size2 || size2 > leafHashes.length)
    throw new RangeError("bad sizes");
  const out: Uint8Array[] = [];
  if (size1 === 0 || size1 === size2) return out;
  const sub = (m: number, start: number, end: number, complete: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!complete) out.push(merkleTreeHash(leafHashes, start, end));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      sub(m, start, start + k, complete);
      out.push(merkleTreeHash(leafHashes, start + k, end));
    } else {
      sub(m - k, start + k, end, false);
      out.push(merkleTreeHash(leafHashes, start, start + k));
    }
  };
  sub(size1, 0, size2, true);
  return out;
}

/**
 * Verifies an inclusion proof (RFC 9162 section 2.1.3.2): `leafHashValue` at `index` in the tree of
 * `size` with root `root`. Returns false for any mismatch or invalid argument; never throws.
 */
export function verifyInclusionProof(
  leafHashValue: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isSize(index) || !isSize(size) || index >= size) return false;
  if (leafHashValue.length !== HASH_SIZE || root.length !== HASH_SIZE) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHashValue;
  for (const p of proof) {
    if (p.length !== HASH_SIZE || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
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
  return sn === 0 && equalBytes(r, root);
}

/**
 * Verifies a consistency proof (RFC 9162 section 2.1.4.2) between the tree of `size1` with root
 * `root1` and the tree of `size2` with root `root2`. size1 = size2 needs an empty proof and equal
 * roots; size1 = 0 needs an empty proof and `root1` = SHA-256(""). Returns false on any mismatch or
 * invalid argument; never throws.
 */
export function verifyConsistencyProof(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!isSize(size1) || !isSize(size2) || size1 > size2) return false;
  if (root1.length !== HASH_SIZE || root2.length !== HASH_SIZE) return false;
  if (proof.some((p) => p.length !== HASH_SIZE)) return false;
  if (size1 === size2) return proof.length === 0 && equalBytes(root1, root2);
  if (size1 === 0) return proof.length === 0 && equalBytes(root1, emptyRoot());
  if (proof.length === 0) return false;
  let path = proof;
  let pow2 = 1;
  while (pow2 < size1) pow2 *= 2;
  if (pow2 === size1) path = [root1, ...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(fr, root1) && equalBytes(sr, root2);
}
