import type { Collection, Db } from "mongodb";

/** What a deferred DNS check is for. */
export type DnsCheckKind = "caa" | "takeover";

/** A DNS-dependent check to run (again) later: after a DNS failure, or as a periodic re-check. */
export interface DnsCheck {
  /** Deterministic ID (e.g. "caa|<issuance key>|<name>"): scheduling twice keeps one check. */
  id: string;
  kind: DnsCheckKind;
  /** When to run it, ms. */
  dueAtMs: number;
  /** Failed runs so far. */
  attempts: number;
  /** What the detector needs to run it again (bounded by the caller). */
  payload: Record<string, unknown>;
  createdAtMs: number;
}

/**
 * Deferred DNS checks (events 29 and 18). A DNS failure is never a finding: the
 * check is parked here and retried by the detector's sweeper with backoff until
 * it succeeds or runs out of attempts. Documents are keyed by `id`, so each
 * check has one writer at a time in practice (the sweeper of the detector that
 * owns it); two detector instances sweeping the same check produce the same
 * alert, which the alert store de-duplicates.
 */
export interface DnsCheckQueue {
  /** Adds the check unless one with its ID is queued; true when added. */
  schedule(check: DnsCheck): Promise<boolean>;
  /** Checks of `kind` due at `nowMs`, earliest first (at most `limit`, 1..1,000). */
  due(kind: DnsCheckKind, nowMs: number, limit: number): Promise<DnsCheck[]>;
  /** Moves a check to a later time after a failed run. */
  reschedule(id: string, dueAtMs: number, attempts: number): Promise<void>;
  /** Removes a finished (or abandoned) check. Idempotent. */
  complete(id: string): Promise<void>;
  /** Number of queued checks of `kind` (a gauge for operators). */
  count(kind: DnsCheckKind): Promise<number>;
}

interface CheckDoc extends Omit<DnsCheck, "id"> {
  _id: string;
}

/** MongoDB implementation (collection `dns_checks`). */
export class MongoDnsCheckQueue implements DnsCheckQueue {
  private readonly coll: Collection<CheckDoc>;

  constructor(db: Db) {
    this.coll = db.collection<CheckDoc>("dns_checks");
  }

  async init(): Promise<void> {
    await this.coll.createIndex({ kind: 1, dueAtMs: 1 }, { name: "kind_due" });
  }

  async schedule(check: DnsCheck): Promise<boolean> {
    const { id, ...rest } = check;
    const res = await this.coll.updateOne({ _id: id }, { $setOnInsert: rest }, { upsert: true });
    return res.upsertedCount > 0;
  }

  async due(kind: DnsCheckKind, nowMs: number, limit: number): Promise<DnsCheck[]> {
    const docs = await this.coll
      .find({ kind, dueAtMs: { $lte: nowMs } })
      .sort({ dueAtMs: 1 })
      .limit(Math.min(Math.max(Math.floor(limit), 1), 1000))
      .toArray();
    return docs.map(({ _id, ...rest }) => ({ id: _id, ...rest }));
  }

  async reschedule(id: string, dueAtMs: number, attempts: number): Promise<void> {
    await this.coll.updateOne({ _id: id }, { $set: { dueAtMs, attempts } });
  }

  async complete(id: string): Promise<void> {
    await this.coll.deleteOne({ _id: id });
  }

  async count(kind: DnsCheckKind): Promise<number> {
    return this.coll.countDocuments({ kind });
  }
}
