import {
  type Checkpoint,
  type CtLogKey,
  CtParseError,
  CtVerifyError,
  MerkleCollapsedTree,
  splitDataTile,
  TILE_WIDTH,
  tileLeafMerkleTreeLeaf,
  tileLeafToLogEntry,
  verifyRfc6962Checkpoint,
} from "@ctwatch/ct";
import { LogHttpError, type StaticCtClient } from "@ctwatch/ct-client";
import type { Codec, OutRecord, TopicNames, TypedProducer } from "@ctwatch/kafka";
import type { CertificateEntry } from "@ctwatch/proto";
import { type Logger, type Metrics, sleep } from "@ctwatch/runtime";
import type { CheckpointStore, LogCheckpoint } from "@ctwatch/store";
import { toEntryMessage } from "./entry-message.js";

/** Where a log with no stored checkpoint starts. */
export type StartPosition = { kind: "now" } | { kind: "index"; index: number };

/** Settings of one tailed static-ct-api log. */
export interface StaticLogSettings {
  /** Monitoring prefix URL. */
  url: string;
  key: CtLogKey;
  /** Expected checkpoint origin; default: whatever the checkpoint says (its signature still binds the key). */
  origin?: string;
  start: StartPosition;
  /** Sleep between checkpoint polls when caught up, ms. */
  pollIntervalMs: number;
  /** A partial tile is fetched only after the tree has ended inside it for this long, ms. */
  partialTileMinAgeMs: number;
  /** Data tiles downloaded per round (in parallel, within the fetcher's limits). */
  tilesPerRound: number;
}

/** Collaborators of the tailer. */
export interface StaticLogTailerDeps {
  client: StaticCtClient;
  producer: TypedProducer;
  topics: TopicNames;
  codec: Codec<CertificateEntry>;
  checkpoints: CheckpointStore;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
}

/** Why a round stopped without progress that needs operator attention. */
export class LogMisbehaviourError extends Error {
  constructor(
    message: string,
    readonly kind: "shrinking-tree" | "root-mismatch" | "bad-signature" | "bad-tile",
  ) {
    super(message);
    this.name = "LogMisbehaviourError";
  }
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));

/**
 * Tails one static-ct-api log:
 *
 *   checkpoint ==> verify signature ==> plan tiles ==> download (parallel) ==> split + leaf hashes
 *     ==> Merkle append (verify root when the round reaches the checkpoint) ==> parse (bad entry -> DLQ)
 *     ==> publish (acked) ==> save checkpoint
 *
 * The stored checkpoint (next index + compact tree) advances only after Kafka
 * acknowledged every entry below it. A round that reaches the checkpoint's tree
 * size is verified against its root *before* anything is published; a mismatch
 * publishes nothing and is reported as misbehaviour.
 * TODO(#3): rounds that stop short of the tree size (backlog larger than one
 * round) are verified at the next round that reaches it; hash-tile proofs will
 * verify them before publishing.
 */
export class StaticLogTailer {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly logLabel: { log: string };
  private partialSeen: { tileIndex: number; sinceMs: number } | undefined;

  constructor(
    private readonly s: StaticLogSettings,
    private readonly deps: StaticLogTailerDeps,
  ) {
    this.log = deps.logger.child({ log: s.url });
    this.now = deps.now ?? Date.now;
    this.logLabel = { log: s.url };
  }

  /** Runs until `signal` aborts. Transient failures are logged, counted and retried. */
  async run(signal: AbortSignal): Promise<void> {
    const errors = this.deps.metrics.counter(
      "ctwatch_log_errors_total",
      "Tailer round failures, by log and kind",
    );
    let backoffMs = 1000;
    while (!signal.aborted) {
      try {
        const progressed = await this.round(signal);
        backoffMs = 1000;
        if (!progressed) await sleep(this.s.pollIntervalMs, signal);
      } catch (err) {
        if (signal.aborted) break;
        const kind =
          err instanceof LogMisbehaviourError
            ? err.kind
            : err instanceof LogHttpError
              ? `http-${err.kind}`
              : err instanceof CtParseError
                ? "parse"
                : "other";
        errors.inc({ ...this.logLabel, kind });
        if (err instanceof LogMisbehaviourError) {
          this.deps.metrics
            .counter("ctwatch_log_misbehaviour_total", "Log misbehaviour events")
            .inc({ ...this.logLabel, kind });
          this.log.error("log misbehaviour: checkpoint not advanced", { kind, err });
        } else {
          this.log.warn("tailer round failed; will retry", { kind, err, backoffMs });
        }
        await sleep(backoffMs, signal).catch(() => {});
        backoffMs = Math.min(backoffMs * 2, 60_000);
      }
    }
  }

  /** Loads the stored state, or the start position for a new log. */
  private async state(): Promise<LogCheckpoint> {
    const logId = b64(this.s.key.logId);
    const stored = await this.deps.checkpoints.load(logId);
    if (stored) return stored;
    if (this.s.start.kind === "now" || this.s.start.index !== 0) {
      // Starting mid-log needs the compact tree at that size, which comes from
      // hash tiles (issue #3). Until then a new log is read from its first entry.
      throw new Error("starting a log other than at index 0 is not supported yet: set CTWATCH_START=index:0");
    }
    return {
      logId,
      nextIndex: 0,
      treeHashes: [],
      verifiedTreeSize: 0,
      verifiedRootHash: "",
      updatedAtMs: this.now(),
    };
  }

  /** One round; resolves true when entries were published. */
  async round(signal: AbortSignal): Promise<boolean> {
    const text = await this.deps.client.checkpoint(signal);
    let cp: Checkpoint;
    try {
      cp = verifyRfc6962Checkpoint(
        text,
        this.s.key,
        this.s.origin !== undefined ? { origin: this.s.origin } : {},
      );
    } catch (err) {
      if (err instanceof CtVerifyError)
        throw new LogMisbehaviourError(`checkpoint: ${err.message}`, "bad-signature");
      throw err;
    }
    const st = await this.state();
    const m = this.deps.metrics;
    m.gauge("ctwatch_log_tree_size", "Verified checkpoint tree size").set(cp.treeSize, this.logLabel);
    m.gauge("ctwatch_log_next_index", "Next entry index to publish").set(st.nextIndex, this.logLabel);
    m.gauge("ctwatch_log_backlog", "Entries not yet published").set(
      Math.max(0, cp.treeSize - st.nextIndex),
      this.logLabel,
    );
    if (cp.treeSize < st.verifiedTreeSize || cp.treeSize < st.nextIndex) {
      throw new LogMisbehaviourError(
        `tree shrank: checkpoint size ${cp.treeSize} < verified ${st.verifiedTreeSize} / published ${st.nextIndex}`,
        "shrinking-tree",
      );
    }
    if (cp.treeSize === st.nextIndex) {
      if (st.verifiedTreeSize !== cp.treeSize && st.nextIndex > 0) {
        this.verifyRoot(st.treeHashes, st.nextIndex, cp);
        await this.deps.checkpoints.save({
          ...st,
          verifiedTreeSize: cp.treeSize,
          verifiedRootHash: b64(cp.rootHash),
          updatedAtMs: this.now(),
        });
      }
      return false;
    }
    const plan = this.planTiles(st.nextIndex, cp.treeSize);
    if (plan.length === 0) return false;
    const bodies = await Promise.all(plan.map((t) => this.deps.client.dataTile(t.index, t.width, signal)));
    const tree = MerkleCollapsedTree.fromState(st.nextIndex, st.treeHashes.map(unb64));
    const records: OutRecord[] = [];
    const deadLetters: OutRecord[] = [];
    const observedAtMs = this.now();
    const logMeta = { logId: this.s.key.logId, url: this.s.url };
    let next = st.nextIndex;
    for (const [i, t] of plan.entries()) {
      let leaves: ReturnType<typeof splitDataTile>;
      try {
        leaves = splitDataTile(bodies[i] as Uint8Array, { tileIndex: t.index, width: t.width });
      } catch (err) {
        throw new LogMisbehaviourError(
          `data tile ${t.index} (width ${t.width}): ${(err as Error).message}`,
          "bad-tile",
        );
      }
      for (const leaf of leaves) {
        if (leaf.leafIndex < next) continue; // already published from an earlier partial tile
        tree.append(leaf.leafHash);
        next = leaf.leafIndex + 1;
        try {
          const entry = tileLeafToLogEntry(leaf);
          const msg = toEntryMessage(entry, logMeta, observedAtMs);
          records.push({ key: entry.issuanceKey, value: this.deps.codec.encode(msg) });
        } catch (err) {
          if (!(err instanceof CtParseError)) throw err;
          deadLetters.push({
            key: `${this.s.url}/${leaf.leafIndex}`,
            value: tileLeafMerkleTreeLeaf(leaf),
            headers: {
              "ctwatch-error": err.message.slice(0, 500),
              "ctwatch-error-reason": err.code,
              "ctwatch-source": `${this.s.url}#${leaf.leafIndex}`,
              "ctwatch-content": "merkle-tree-leaf",
            },
          });
        }
      }
    }
    const verified = next === cp.treeSize;
    if (verified) this.verifyRoot(tree.state().hashes.map(b64), next, cp);
    if (deadLetters.length > 0) {
      this.deps.metrics
        .counter("ctwatch_log_parse_errors_total", "Entries that failed to parse (dead-lettered)")
        .inc(this.logLabel, deadLetters.length);
      this.log.warn("unparseable entries sent to dead letter", { count: deadLetters.length });
      await this.deps.producer.send(this.deps.topics.entriesDeadLetter, deadLetters);
    }
    await this.deps.producer.send(this.deps.topics.entries, records);
    await this.deps.checkpoints.save({
      logId: st.logId,
      nextIndex: next,
      treeHashes: tree.state().hashes.map(b64),
      verifiedTreeSize: verified ? cp.treeSize : st.verifiedTreeSize,
      verifiedRootHash: verified ? b64(cp.rootHash) : st.verifiedRootHash,
      updatedAtMs: this.now(),
    });
    this.deps.metrics
      .counter("ctwatch_log_entries_total", "Entries published")
      .inc(this.logLabel, records.length);
    this.log.debug("published", { from: st.nextIndex, to: next, verified });
    return next > st.nextIndex;
  }

  private verifyRoot(treeHashes: string[], size: number, cp: Checkpoint): void {
    const root = MerkleCollapsedTree.fromState(size, treeHashes.map(unb64)).root();
    if (Buffer.compare(Buffer.from(root), Buffer.from(cp.rootHash)) !== 0) {
      throw new LogMisbehaviourError(
        `root mismatch at tree size ${size}: entries do not hash to the checkpoint's root`,
        "root-mismatch",
      );
    }
  }

  /** Tiles to fetch this round: full tiles, then the edge partial tile once it has aged. */
  private planTiles(nextIndex: number, treeSize: number): Array<{ index: number; width: number }> {
    const out: Array<{ index: number; width: number }> = [];
    const fullTiles = Math.floor(treeSize / TILE_WIDTH);
    for (
      let idx = Math.floor(nextIndex / TILE_WIDTH);
      idx < fullTiles && out.length < this.s.tilesPerRound;
      idx++
    ) {
      out.push({ index: idx, width: TILE_WIDTH });
    }
    const edgeWidth = treeSize % TILE_WIDTH;
    if (out.length < this.s.tilesPerRound && edgeWidth > 0 && nextIndex < treeSize) {
      const now = this.now();
      if (this.partialSeen?.tileIndex !== fullTiles)
        this.partialSeen = { tileIndex: fullTiles, sinceMs: now };
      if (now - this.partialSeen.sinceMs >= this.s.partialTileMinAgeMs)
        out.push({ index: fullTiles, width: edgeWidth });
    }
    return out;
  }
}
