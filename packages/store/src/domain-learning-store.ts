import type { Collection, Db } from "mongodb";

/** An explicit quiet-learning period of one tenant's watched domain. */
export interface DomainLearning {
  tenantId: string;
  domain: string;
  /** Until when detectors learn quietly (first-seen names, root CA owners) instead of alerting, ms. */
  learningUntilMs: number;
}

/**
 * Initial-sync periods per watched domain. Whoever adds a domain with an existing
 * estate (the API, an operator script) sets one, so its thousands of existing
 * names become the baseline without an alert flood; detectors read all of them
 * periodically (the set is small: one document per domain in initial sync).
 */
export interface DomainLearningStore {
  /** Sets (or replaces) the learning period of a domain. Idempotent. */
  set(l: DomainLearning): Promise<void>;
  /** Every period that ends after `nowMs` (at most 100,000). */
  active(nowMs: number): Promise<DomainLearning[]>;
  /** Ends a domain's learning period now; true when one existed. */
  clear(tenantId: string, domain: string): Promise<boolean>;
}

interface LearningDoc extends DomainLearning {
  _id: string;
}

/** MongoDB implementation (collection `domain_learning`). */
export class MongoDomainLearningStore implements DomainLearningStore {
  private readonly coll: Collection<LearningDoc>;

  constructor(db: Db) {
    this.coll = db.collection<LearningDoc>("domain_learning");
  }

  async set(l: DomainLearning): Promise<void> {
    const _id = `${l.tenantId}\u0000${l.domain}`;
    await this.coll.replaceOne({ _id }, { ...l }, { upsert: true });
  }

  async active(nowMs: number): Promise<DomainLearning[]> {
    const docs = await this.coll
      .find({ learningUntilMs: { $gt: nowMs } }, { projection: { _id: 0 } })
      .limit(100_000)
      .toArray();
    return docs.map((d) => ({ tenantId: d.tenantId, domain: d.domain, learningUntilMs: d.learningUntilMs }));
  }

  async clear(tenantId: string, domain: string): Promise<boolean> {
    return (await this.coll.deleteOne({ _id: `${tenantId}\u0000${domain}` })).deletedCount > 0;
  }
}
