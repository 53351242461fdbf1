import { createHash } from "node:crypto";
import type { Collection, Db } from "mongodb";

/** A CAA record as stored. */
export interface StoredCaaRecord {
  flags: number;
  tag: string;
  value: string;
}

/** One run of identical observations of a name's relevant CAA record set. */
export interface CaaHistoryEntry {
  /** The name whose relevant set this is (the certificate name, wildcard label removed). */
  name: string;
  /** Where the climb found it; "" when no CAA record exists up to the TLD. */
  relevantDomain: string;
  records: StoredCaaRecord[];
  firstSeenAtMs: number;
  lastSeenAtMs: number;
}

/**
 * The CAA history of names (event 29): each time a name's relevant set is
 * observed, the newest run is extended when the set is unchanged, or a new run
 * starts. Evaluating a certificate against the run in force at its issuance
 * keeps a later record change from producing a false alert.
 */
export interface CaaHistoryStore {
  /** Records an observation at `atMs`. Idempotent for equal observations. */
  observe(
    name: string,
    relevantDomain: string,
    records: readonly StoredCaaRecord[],
    atMs: number,
  ): Promise<void>;
  /** The runs of a name, oldest first (at most `limit`, default 50, the newest ones). */
  history(name: string, limit?: number): Promise<CaaHistoryEntry[]>;
}

interface HistoryDoc extends CaaHistoryEntry {
  _id: string;
  setHash: string;
}

/** A stable hash of a record set, independent of record order and tag case. */
export function caaSetHash(relevantDomain: string, records: readonly StoredCaaRecord[]): string {
  const lines = records.map((r) => `${r.flags} ${r.tag.toLowerCase()} ${r.value}`).sort();
  return createHash("sha256")
    .update(`${relevantDomain}\n${lines.join("\n")}`)
    .digest("hex")
    .slice(0, 32);
}

/** MongoDB implementation (collection `caa_history`). */
export class MongoCaaHistoryStore implements CaaHistoryStore {
  private readonly coll: Collection<HistoryDoc>;

  constructor(db: Db) {
    this.coll = db.collection<HistoryDoc>("caa_history");
  }

  async init(): Promise<void> {
    await this.coll.createIndex({ name: 1, firstSeenAtMs: -1 }, { name: "name_time" });
  }

  async observe(
    name: string,
    relevantDomain: string,
    records: readonly StoredCaaRecord[],
    atMs: number,
  ): Promise<void> {
    const setHash = caaSetHash(relevantDomain, records);
    const newest = await this.coll.find({ name }).sort({ firstSeenAtMs: -1 }).limit(1).next();
    if (newest && newest.setHash === setHash && newest.firstSeenAtMs <= atMs) {
      if (atMs > newest.lastSeenAtMs)
        await this.coll.updateOne({ _id: newest._id }, { $max: { lastSeenAtMs: atMs } });
      return;
    }
    const doc: HistoryDoc = {
      _id: `${name}\u0000${atMs}\u0000${setHash}`,
      name,
      relevantDomain,
      records: records.map((r) => ({ flags: r.flags, tag: r.tag, value: r.value })),
      setHash,
      firstSeenAtMs: atMs,
      lastSeenAtMs: atMs,
    };
    await this.coll.updateOne({ _id: doc._id }, { $setOnInsert: doc }, { upsert: true });
  }

  async history(name: string, limit = 50): Promise<CaaHistoryEntry[]> {
    const docs = await this.coll
      .find({ name }, { projection: { _id: 0, setHash: 0 } })
      .sort({ firstSeenAtMs: -1 })
      .limit(Math.min(Math.max(limit, 1), 500))
      .toArray();
    // A run without records may come back without the field (seen on FerretDB 1.x): normalise.
    return docs
      .reverse()
      .map((d) => ({ ...d, relevantDomain: d.relevantDomain ?? "", records: d.records ?? [] }));
  }
}
