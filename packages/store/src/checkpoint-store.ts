import type { Collection, Db } from "mongodb";

/** How far a log has been durably processed. */
export interface LogCheckpoint {
  /** Log ID, base64. */
  logId: string;
  /** Every entry with index < nextIndex has been published and acknowledged. */
  nextIndex: number;
  /**
   * The compact Merkle tree over entries [0, nextIndex): the hashes of its
   * perfect subtrees, base64, largest first (at most 64). Lets a restarted
   * tailer keep verifying without re-reading the log.
   */
  treeHashes: string[];
  /** The last verified tree size and root (base64) the entries were checked against. */
  verifiedTreeSize: number;
  verifiedRootHash: string;
  updatedAtMs: number;
}

/**
 * Durable per-log checkpoints. `save` is only called after Kafka acknowledged
 * every entry below `nextIndex`; it refuses to move a checkpoint backwards
 * (a restarted older instance cannot undo progress).
 */
export interface CheckpointStore {
  /** The checkpoint, or undefined for a log never processed. */
  load(logId: string): Promise<LogCheckpoint | undefined>;
  /** Stores the checkpoint if it is ahead of the stored one; idempotent. */
  save(cp: LogCheckpoint): Promise<void>;
}

interface CheckpointDoc extends Omit<LogCheckpoint, "logId"> {
  _id: string;
}

/** MongoDB implementation (collection `log_checkpoints`). */
export class MongoCheckpointStore implements CheckpointStore {
  private readonly coll: Collection<CheckpointDoc>;

  constructor(db: Db) {
    this.coll = db.collection<CheckpointDoc>("log_checkpoints");
  }

  async load(logId: string): Promise<LogCheckpoint | undefined> {
    const doc = await this.coll.findOne({ _id: logId });
    if (!doc) return undefined;
    const { _id, ...rest } = doc;
    return { logId: _id, ...rest };
  }

  async save(cp: LogCheckpoint): Promise<void> {
    const { logId, ...rest } = cp;
    // Only forward: match an absent doc or one behind us; a doc ahead makes the
    // upsert collide on _id, which we treat as "already further".
    try {
      await this.coll.updateOne(
        { _id: logId, nextIndex: { $lte: cp.nextIndex } },
        { $set: rest },
        { upsert: true },
      );
    } catch (err) {
      if ((err as { code?: unknown }).code === 11000) return;
      throw err;
    }
  }
}
