import {
  type CtLogKey,
  CtParseError,
  collapsedTreeFromInclusionProof,
  leafHash,
  MerkleCollapsedTree,
  parseRfc6962Entry,
  verifyConsistencyProof,
  verifySth,
} from "@ctwatch/ct";
import type { Rfc6962Client } from "@ctwatch/ct-client";
import type { Gauge, Metrics } from "@ctwatch/runtime";
import type { FetchedLeaf, LogSource, VerifiedTreeHead } from "./log-source.js";
import { LogVerificationError } from "./misbehaviour.js";

/** Settings of one RFC 6962 log. */
export interface Rfc6962SourceSettings {
  /** Log URL (label for metrics). */
  url: string;
  key: CtLogKey;
  /**
   * Entries asked per get-entries request at first; the page size then settles at the most entries
   * the log has returned in one answer (logs cap their pages: 32 to 1,000+). Default 1024.
   */
  maxPageSize: number;
  /** Entries per batch (verified, published and checkpointed together). */
  entriesPerBatch: number;
}

/**
 * An RFC 6962 log. A batch [next, m) is fetched as page-aligned windows in parallel (the fetcher
 * bounds concurrency and rate), each window following up on short answers; the batch is appended
 * to the collapsed tree and verified with get-sth-consistency(m, N) against the signed STH (or
 * directly when m = N). Starting at entry k uses get-proof-by-hash of entry k - 1: its audit path's
 * left siblings are the collapsed tree of [0, k - 1) (certspotter starts the same way).
 */
export class Rfc6962LogSource implements LogSource {
  readonly api = "rfc6962" as const;
  private pageSize: number;
  private readonly pageGauge: Gauge;
  private readonly label: { log: string };

  constructor(
    private readonly s: Rfc6962SourceSettings,
    private readonly deps: { client: Rfc6962Client; metrics: Metrics },
  ) {
    this.pageSize = s.maxPageSize;
    this.label = { log: s.url };
    this.pageGauge = deps.metrics.gauge(
      "ctwatch_log_page_size",
      "Entries per get-entries request (learned from the log's answers)",
    );
    this.pageGauge.set(this.pageSize, this.label);
  }

  async treeHead(signal: AbortSignal): Promise<VerifiedTreeHead> {
    const sth = await this.deps.client.getSth(signal);
    const signed = JSON.stringify(sth);
    let ok: boolean;
    try {
      ok = verifySth(sth, this.s.key);
    } catch (err) {
      if (!(err instanceof CtParseError)) throw err;
      throw new LogVerificationError("bad-data", `get-sth: ${err.message}`, { sth: signed });
    }
    if (!ok)
      throw new LogVerificationError("bad-signature", "STH signature does not verify", { sth: signed });
    return {
      treeSize: sth.tree_size,
      rootHash: new Uint8Array(Buffer.from(sth.sha256_root_hash, "base64")),
      timestampMs: sth.timestamp,
      signed,
    };
  }

  planBatch(next: number, head: VerifiedTreeHead): number {
    return Math.min(head.treeSize, next + this.s.entriesPerBatch);
  }

  async fetchLeaves(start: number, end: number, signal: AbortSignal): Promise<FetchedLeaf[]> {
    const page = this.pageSize;
    const windows: Array<[number, number]> = [];
    for (let a = start; a < end; ) {
      const b = Math.min(end, (Math.floor(a / page) + 1) * page);
      windows.push([a, b]);
      a = b;
    }
    const parts = await Promise.all(windows.map(([a, b]) => this.window(a, b, signal)));
    const out: FetchedLeaf[] = [];
    let index = start;
    for (const part of parts) {
      for (const raw of part) {
        const leafIndex = index++;
        out.push({
          leafIndex,
          leafHash: leafHash(raw.leafInput),
          entry: () => parseRfc6962Entry({ leafIndex, leafInput: raw.leafInput, extraData: raw.extraData }),
          merkleTreeLeaf: () => raw.leafInput,
        });
      }
    }
    return out;
  }

  /** Entries [a, b), following up on short answers. */
  private async window(a: number, b: number, signal: AbortSignal) {
    const out: Awaited<ReturnType<Rfc6962Client["getEntries"]>> = [];
    for (let at = a; at < b; ) {
      const aligned = at % this.pageSize === 0;
      const got = await this.deps.client.getEntries(at, b - 1, signal);
      // Learn the log's page size from answers to page-aligned requests only: some logs also cut
      // an unaligned request at their own page boundary, which says nothing about the page size.
      if (aligned && got.length < b - at && got.length < this.pageSize) {
        this.pageSize = got.length;
        this.pageGauge.set(this.pageSize, this.label);
      }
      out.push(...got);
      at += got.length;
    }
    return out;
  }

  async verifyPrefix(
    tree: MerkleCollapsedTree,
    head: VerifiedTreeHead,
    signal: AbortSignal,
  ): Promise<boolean> {
    const m = tree.size;
    if (m === head.treeSize) return Buffer.compare(tree.root(), head.rootHash) === 0;
    if (m === 0) return true;
    const proof = await this.deps.client.getSthConsistency(m, head.treeSize, signal);
    return verifyConsistencyProof(m, head.treeSize, tree.root(), head.rootHash, proof);
  }

  async collapsedTreeAt(
    index: number,
    head: VerifiedTreeHead,
    signal: AbortSignal,
  ): Promise<MerkleCollapsedTree> {
    if (index === 0) return new MerkleCollapsedTree();
    const [raw] = await this.deps.client.getEntries(index - 1, index - 1, signal);
    const h = leafHash(raw!.leafInput);
    const proof = await this.deps.client.getProofByHash(h, head.treeSize, signal);
    const tree =
      proof.leafIndex === index - 1
        ? collapsedTreeFromInclusionProof(index - 1, head.treeSize, h, proof.auditPath, head.rootHash)
        : undefined;
    if (!tree) {
      throw new LogVerificationError(
        "bad-proof",
        `inclusion proof of entry ${index - 1} (answered for ${proof.leafIndex}) does not verify at ${head.treeSize}`,
        { sth: head.signed },
      );
    }
    return tree;
  }

  reset(): void {
    this.pageSize = this.s.maxPageSize;
    this.pageGauge.set(this.pageSize, this.label);
  }
}
