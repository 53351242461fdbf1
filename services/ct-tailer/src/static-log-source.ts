import {
  type CtLogKey,
  CtParseError,
  CtVerifyError,
  compactRange,
  hashTileForNode,
  MerkleCollapsedTree,
  nodeHashFromTile,
  splitDataTile,
  TILE_WIDTH,
  type TileLeaf,
  tileLeafMerkleTreeLeaf,
  tileLeafToLogEntry,
  verifyRfc6962Checkpoint,
} from "@ctwatch/ct";
import type { IssuerCache, StaticCtClient } from "@ctwatch/ct-client";
import type { Counter, Logger, Metrics } from "@ctwatch/runtime";
import type { FetchedLeaf, LogSource, VerifiedTreeHead } from "./log-source.js";
import { LogVerificationError } from "./misbehaviour.js";

/** Settings of one static-ct-api log. */
export interface StaticSourceSettings {
  /** Monitoring prefix (label for metrics). */
  url: string;
  key: CtLogKey;
  /** Expected checkpoint origin; default: not checked (the signature still binds the key). */
  origin?: string;
  /** A partial data tile is fetched only after the tree has ended inside it this long, ms. */
  partialTileMinAgeMs: number;
  /** Data tiles per batch (downloaded in parallel within the fetcher's limits). */
  tilesPerBatch: number;
}

/** Collaborators of `StaticLogSource`. */
export interface StaticSourceDeps {
  client: StaticCtClient;
  /** Shared, content-addressed issuer cache (chain tops for `chainTopIssuerDn` / AKI). */
  issuers: IssuerCache;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
}

/** Hash tiles kept per log: enough for the right edge of every level plus the start of a log. */
const MAX_CACHED_HASH_TILES = 128;

/**
 * A static-ct-api log (c2sp.org/static-ct-api). Verification follows tlog-tiles: the entries of a
 * batch [next, m) are hashed here, appended to the collapsed tree of [0, next), and the result is
 * completed to the checkpoint's size with the compact range [m, N) read from hash tiles; the batch
 * is authentic iff that root equals the signed root. (Go's tlog.TileHashReader authenticates the
 * tiles bottom-up instead; completing the tree needs no level-0 hash tile for the batch itself,
 * since its leaf hashes are computed from the data, and only O(log N) hashes from the right edge,
 * mostly from tiles already cached for the same checkpoint.) The same completion, run from [0, k),
 * gives the collapsed tree needed to start at entry k.
 */
export class StaticLogSource implements LogSource {
  readonly api = "static-ct" as const;
  private readonly now: () => number;
  private readonly label: { log: string };
  private readonly hashTiles = new Map<string, Promise<Uint8Array[]>>();
  private partialSeen: { tileIndex: number; sinceMs: number } | undefined;
  private readonly issuerMissing: Counter;
  private readonly issuerMismatch: Counter;

  constructor(
    private readonly s: StaticSourceSettings,
    private readonly deps: StaticSourceDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.label = { log: s.url };
    this.issuerMissing = deps.metrics.counter(
      "ctwatch_log_issuer_missing_total",
      "Chain-top issuer fingerprints a static-ct-api log does not serve (404)",
    );
    this.issuerMismatch = deps.metrics.counter(
      "ctwatch_log_issuer_mismatch_total",
      "Issuer certificates served whose SHA-256 is not the fingerprint asked for (not used)",
    );
  }

  async treeHead(signal: AbortSignal): Promise<VerifiedTreeHead> {
    const text = await this.deps.client.checkpoint(signal);
    try {
      const cp = verifyRfc6962Checkpoint(
        text,
        this.s.key,
        this.s.origin !== undefined ? { origin: this.s.origin } : {},
      );
      return { treeSize: cp.treeSize, rootHash: cp.rootHash, timestampMs: cp.timestampMs, signed: text };
    } catch (err) {
      if (err instanceof CtVerifyError)
        throw new LogVerificationError("bad-signature", `checkpoint: ${err.message}`, { checkpoint: text });
      if (err instanceof CtParseError)
        throw new LogVerificationError("bad-data", `checkpoint: ${err.message}`, {
          checkpoint: text.slice(0, 2000),
        });
      throw err;
    }
  }

  planBatch(next: number, head: VerifiedTreeHead): number {
    const size = head.treeSize;
    const fullTiles = Math.floor(size / TILE_WIDTH);
    const edgeStart = fullTiles * TILE_WIDTH;
    const first = Math.floor(next / TILE_WIDTH);
    const end = next < edgeStart ? Math.min(fullTiles, first + this.s.tilesPerBatch) * TILE_WIDTH : next;
    const tilesUsed = end > next ? Math.floor((end - 1) / TILE_WIDTH) - first + 1 : 0;
    // The edge partial tile, once the tree has stayed inside it long enough (static-ct-api advises
    // against fetching partial tiles eagerly: most are replaced by a wider one within seconds).
    if (end >= edgeStart && size > end && tilesUsed < this.s.tilesPerBatch) {
      const now = this.now();
      if (this.partialSeen?.tileIndex !== fullTiles)
        this.partialSeen = { tileIndex: fullTiles, sinceMs: now };
      if (now - this.partialSeen.sinceMs >= this.s.partialTileMinAgeMs) return size;
    }
    return end;
  }

  async fetchLeaves(start: number, end: number, signal: AbortSignal): Promise<FetchedLeaf[]> {
    if (end <= start) return [];
    const firstTile = Math.floor(start / TILE_WIDTH);
    const lastTile = Math.floor((end - 1) / TILE_WIDTH);
    const jobs: Array<Promise<TileLeaf[]>> = [];
    for (let t = firstTile; t <= lastTile; t++) {
      const width = t === lastTile && end % TILE_WIDTH !== 0 ? end % TILE_WIDTH : TILE_WIDTH;
      jobs.push(
        this.deps.client.fetchDataTile(t, width, signal).then(({ bytes, width: served }) => {
          try {
            return splitDataTile(bytes, { tileIndex: t, width: served });
          } catch (err) {
            if (!(err instanceof CtParseError)) throw err;
            throw new LogVerificationError("bad-data", `data tile ${t} (width ${served}): ${err.message}`, {
              tile: t,
              width: served,
            });
          }
        }),
      );
    }
    const tiles = await Promise.all(jobs);
    const leaves: TileLeaf[] = [];
    for (const tile of tiles)
      for (const l of tile) if (l.leafIndex >= start && l.leafIndex < end) leaves.push(l);
    await this.prefetchIssuers(leaves, signal);
    const lookupIssuer = (fp: Uint8Array) => this.deps.issuers.get(fp);
    return leaves.map((leaf) => ({
      leafIndex: leaf.leafIndex,
      leafHash: leaf.leafHash,
      entry: () => tileLeafToLogEntry(leaf, { lookupIssuer }),
      merkleTreeLeaf: () => tileLeafMerkleTreeLeaf(leaf),
    }));
  }

  /** Fetches the chain tops a batch needs that the cache lacks; a missing issuer only leaves chain-top fields empty. */
  private async prefetchIssuers(leaves: TileLeaf[], signal: AbortSignal): Promise<void> {
    const tops = new Map<string, Uint8Array>();
    for (const l of leaves) {
      const top = l.chainSha256[l.chainSha256.length - 1];
      if (top !== undefined && this.deps.issuers.get(top) === undefined)
        tops.set(Buffer.from(top).toString("hex"), top);
    }
    if (tops.size === 0) return;
    const short = await this.deps.issuers.ensure(
      tops.values(),
      (hex, sig) => this.deps.client.issuer(hex, sig),
      signal,
    );
    if (short.missing.length > 0) this.issuerMissing.inc(this.label, short.missing.length);
    if (short.mismatched.length > 0) {
      this.issuerMismatch.inc(this.label, short.mismatched.length);
      this.deps.logger.warn("log serves issuers that do not match their fingerprint", {
        log: this.s.url,
        fingerprints: short.mismatched.slice(0, 5),
      });
    }
  }

  private hashTile(level: number, index: number, width: number, signal: AbortSignal): Promise<Uint8Array[]> {
    const key = `${level}/${index}/${width}`;
    let p = this.hashTiles.get(key);
    if (p) {
      this.hashTiles.delete(key);
      this.hashTiles.set(key, p);
      return p;
    }
    p = this.deps.client.fetchHashTile(level, index, width, signal).catch((err: unknown) => {
      this.hashTiles.delete(key);
      if (err instanceof CtParseError)
        throw new LogVerificationError("bad-data", `hash tile ${key}: ${err.message}`, { tile: key });
      throw err;
    });
    this.hashTiles.set(key, p);
    if (this.hashTiles.size > MAX_CACHED_HASH_TILES) {
      const oldest = this.hashTiles.keys().next().value;
      if (oldest !== undefined) this.hashTiles.delete(oldest);
    }
    return p;
  }

  /** Appends the nodes of [tree.size, end) read from hash tiles of the tree `head` signs. */
  private async extend(
    tree: MerkleCollapsedTree,
    end: number,
    head: VerifiedTreeHead,
    signal: AbortSignal,
  ): Promise<void> {
    const nodes = compactRange(tree.size, end);
    const slices = nodes.map((n) => hashTileForNode(n, head.treeSize));
    const tiles = await Promise.all(slices.map((s) => this.hashTile(s.level, s.index, s.width, signal)));
    nodes.forEach((n, i) => {
      const s = slices[i]!;
      tree.appendSubtree(nodeHashFromTile(tiles[i]!, s.offset, s.count), n.height);
    });
  }

  async verifyPrefix(
    tree: MerkleCollapsedTree,
    head: VerifiedTreeHead,
    signal: AbortSignal,
  ): Promise<boolean> {
    const full = tree.clone();
    await this.extend(full, head.treeSize, head, signal);
    return Buffer.compare(full.root(), head.rootHash) === 0;
  }

  async collapsedTreeAt(
    index: number,
    head: VerifiedTreeHead,
    signal: AbortSignal,
  ): Promise<MerkleCollapsedTree> {
    const tree = new MerkleCollapsedTree();
    await this.extend(tree, index, head, signal);
    if (!(await this.verifyPrefix(tree, head, signal))) {
      throw new LogVerificationError(
        "root-mismatch",
        `hash tiles do not rebuild the root at size ${head.treeSize}`,
        {
          checkpoint: head.signed,
        },
      );
    }
    return tree;
  }

  reset(): void {
    this.hashTiles.clear();
  }
}
