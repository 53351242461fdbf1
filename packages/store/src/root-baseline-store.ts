import type { Collection, Db } from "mongodb";
import { isDuplicateKeyError } from "./connect.js";

/** How an owner entered a domain's root CA baseline. */
export type BaselineSource = "learned" | "pinned";

/** One CA owner in the baseline of one tenant's watched domain. */
export interface RootBaselineEntry {
  tenantId: string;
  domain: string;
  /** CCADB CA owner, e.g. "Internet Security Research Group". */
  owner: string;
  source: BaselineSource;
  addedAtMs: number;
  /** Evidence for a learned owner: certificate SHA-256 (hex) and root fingerprint (hex). */
  certSha256: string;
  rootSha256: string;
}

/** The owners of one domain's baseline, split by source. */
export interface RootBaselineOwners {
  learned: string[];
  pinned: string[];
}

/**
 * Per-domain baselines of root CA owners (event 20). One document per
 * (tenant, domain, owner, source) with a deterministic `_id`, written by
 * insert only, so concurrent detectors on different partitions never update one
 * document (FerretDB 1.x updates are not atomic across connections).
 */
export interface RootBaselineStore {
  /** The baseline of a domain (at most 200 owners). */
  owners(tenantId: string, domain: string): Promise<RootBaselineOwners>;
  /** Adds an owner; true when this call added it. Idempotent. */
  add(entry: RootBaselineEntry): Promise<boolean>;
  /** Removes a pinned or learned owner (operator action); true when it existed. */
  remove(tenantId: string, domain: string, owner: string, source: BaselineSource): Promise<boolean>;
}

interface BaselineDoc extends RootBaselineEntry {
  _id: string;
}

function idOf(tenantId: string, domain: string, owner: string, source: BaselineSource): string {
  return `${tenantId}\u0000${domain}\u0000${source}\u0000${owner}`;
}

/** MongoDB implementation (collection `root_baselines`). */
export class MongoRootBaselineStore implements RootBaselineStore {
  private readonly coll: Collection<BaselineDoc>;

  constructor(db: Db) {
    this.coll = db.collection<BaselineDoc>("root_baselines");
  }

  async init(): Promise<void> {
    await this.coll.createIndex({ tenantId: 1, domain: 1 }, { name: "tenant_domain" });
  }

  async owners(tenantId: string, domain: string): Promise<RootBaselineOwners> {
    const docs = await this.coll
      .find({ tenantId, domain }, { projection: { owner: 1, source: 1 } })
      .limit(200)
      .toArray();
    const out: RootBaselineOwners = { learned: [], pinned: [] };
    for (const d of docs) (d.source === "pinned" ? out.pinned : out.learned).push(d.owner);
    out.learned.sort();
    out.pinned.sort();
    return out;
  }

  async add(entry: RootBaselineEntry): Promise<boolean> {
    try {
      await this.coll.insertOne({
        _id: idOf(entry.tenantId, entry.domain, entry.owner, entry.source),
        ...entry,
      });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async remove(tenantId: string, domain: string, owner: string, source: BaselineSource): Promise<boolean> {
    return (await this.coll.deleteOne({ _id: idOf(tenantId, domain, owner, source) })).deletedCount > 0;
  }
}
