import type { LogEntry, MerkleCollapsedTree } from "@ctwatch/ct";

/** A tree head whose signature verified with the log's key. */
export interface VerifiedTreeHead {
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
  /** The signature's timestamp, ms since the epoch. */
  readonly timestampMs: number;
  /** The signed object exactly as served (checkpoint note / get-sth JSON): misbehaviour evidence. */
  readonly signed: string;
}

/** One downloaded entry, hashed but not yet parsed. */
export interface FetchedLeaf {
  readonly leafIndex: number;
  /** RFC 6962 Merkle leaf hash, computed here from the bytes served. */
  readonly leafHash: Uint8Array;
  /** Parses the certificate(s). Throws CtParseError for an entry that cannot be parsed. */
  entry(): LogEntry;
  /** The MerkleTreeLeaf bytes, for a dead-letter record. */
  merkleTreeLeaf(): Uint8Array;
}

/**
 * One CT log behind one read API (static-ct-api or RFC 6962). The tailer drives it:
 *
 *   treeHead ==> planBatch ==> fetchLeaves ==> (append to the collapsed tree) ==> verifyPrefix
 *
 * Every method either returns data that is authenticated as documented, or throws: a
 * `LogVerificationError` when the log served something that does not verify, a `LogHttpError` for
 * transport trouble (retried by the caller), or the signal's reason.
 */
export interface LogSource {
  readonly api: "static-ct" | "rfc6962";
  /** The latest tree head, signature verified. */
  treeHead(signal: AbortSignal): Promise<VerifiedTreeHead>;
  /**
   * End (exclusive) of the next batch from `next` under `head`: next < end <= head.treeSize, or
   * `next` when nothing should be fetched yet (e.g. a partial tile that has not aged).
   */
  planBatch(next: number, head: VerifiedTreeHead): number;
  /** Entries [start, end) in order, leaf-hashed (not verified: the caller checks them against a head). */
  fetchLeaves(start: number, end: number, signal: AbortSignal): Promise<FetchedLeaf[]>;
  /**
   * True when `tree` (the collapsed tree of the first `tree.size` entries, size <= head.treeSize) is
   * a prefix of the tree `head` signs: a consistency proof from the tree's own root to the head's.
   */
  verifyPrefix(tree: MerkleCollapsedTree, head: VerifiedTreeHead, signal: AbortSignal): Promise<boolean>;
  /**
   * The collapsed tree of the first `index` entries (index <= head.treeSize), authenticated against
   * `head`: how a tailer starts in the middle of a log without downloading what lies before.
   */
  collapsedTreeAt(index: number, head: VerifiedTreeHead, signal: AbortSignal): Promise<MerkleCollapsedTree>;
  /** Drops cached unauthenticated data (hash tiles, page sizes), after a verification failure. */
  reset(): void;
}
