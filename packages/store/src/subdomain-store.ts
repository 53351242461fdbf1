import type { Collection, Db } from "mongodb";
import { isDuplicateKeyError } from "./connect.js";

/** The first sighting of a name under a watched domain. */
export interface SubdomainRecord {
  tenantId: string;
  /** The watched domain the name is under. */
  domain: string;
  /** The name as in the certificate, lower-case; wildcards keep their "*." prefix. */
  name: string;
  wildcard: boolean;
  firstSeenAtMs: number;
  /** Evidence of the first sighting. */
  logId: string;
  leafIndex: string;
  certSha256: string;
  /** True when learned during an initial sync (no alert was raised). */
  learnedQuietly: boolean;
  /**
   * Issuance key (hex) of the first sighting: a precertificate and its final
   * certificate share it, so the pair counts as one issuance. Absent in records
   * written before it existed.
   */
  issuanceKey?: string;
}

/**
 * Durable first-seen records, one per (tenant, name), enforced by a unique
 * index so concurrent detectors and redelivered entries agree on "new".
 */
export interface SubdomainStore {
  /** Inserts the record unless one exists; true when this call created it. Idempotent. */
  recordFirstSeen(rec: SubdomainRecord): Promise<boolean>;
  /** Which of `names` (at most 1,000) already have a record for the tenant. */
  knownNames(tenantId: string, names: readonly string[]): Promise<Set<string>>;
  /** Names known for a tenant's domain (bounded by `limit`, default 10,000), newest first. */
  list(tenantId: string, domain: string, limit?: number): Promise<SubdomainRecord[]>;
  /**
   * One page of a tenant's domain inventory in name order, starting after
   * `afterName` ("" for the first page); at most `limit` (1..1,000) names. For
   * sweeps that visit every name (the takeover re-check).
   */
  listNames(tenantId: string, domain: string, afterName: string, limit: number): Promise<string[]>;
}

/** MongoDB implementation (collection `subdomains`). */
export class MongoSubdomainStore implements SubdomainStore {
  private readonly coll: Collection<SubdomainRecord>;

  constructor(db: Db) {
    this.coll = db.collection<SubdomainRecord>("subdomains");
  }

  async init(): Promise<void> {
    await this.coll.createIndex({ tenantId: 1, name: 1 }, { unique: true, name: "tenant_name" });
    await this.coll.createIndex(
      { tenantId: 1, domain: 1, firstSeenAtMs: -1 },
      { name: "tenant_domain_time" },
    );
    await this.coll.createIndex({ tenantId: 1, domain: 1, name: 1 }, { name: "tenant_domain_name" });
  }

  async recordFirstSeen(rec: SubdomainRecord): Promise<boolean> {
    try {
      await this.coll.insertOne({ ...rec });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async knownNames(tenantId: string, names: readonly string[]): Promise<Set<string>> {
    if (names.length > 1000) throw new RangeError("knownNames takes at most 1000 names");
    if (names.length === 0) return new Set();
    const docs = await this.coll
      .find({ tenantId, name: { $in: [...names] } }, { projection: { _id: 0, name: 1 } })
      .toArray();
    return new Set(docs.map((d) => d.name));
  }

  async listNames(tenantId: string, domain: string, afterName: string, limit: number): Promise<string[]> {
    const n = Math.min(Math.max(Math.floor(limit), 1), 1000);
    const docs = await this.coll
      .find({ tenantId, domain, name: { $gt: afterName } }, { projection: { _id: 0, name: 1 } })
      .sort({ name: 1 })
      .limit(n)
      .toArray();
    return docs.map((d) => d.name);
  }

  async list(tenantId: string, domain: string, limit = 10_000): Promise<SubdomainRecord[]> {
    return this.coll
      .find({ tenantId, domain }, { projection: { _id: 0 } })
      .sort({ firstSeenAtMs: -1 })
      .limit(limit)
      .toArray();
  }
}
