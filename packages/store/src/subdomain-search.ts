import type { Collection, Db, Filter } from "mongodb";
import { escapeRegExp } from "./certificate-inventory-store.js";
import type { SubdomainRecord } from "./subdomain-store.js";

/** Filter of {@link SubdomainSearch.search}; fields are ANDed. */
export interface SubdomainQuery {
  tenantId: string;
  /** Names under this watched domain. */
  domain?: string;
  /** The name contains this text (matched literally, lower case). */
  nameContains?: string;
  /** Continue after this record of the previous page. */
  after?: { firstSeenAtMs: number; name: string };
  /** 1-1000. */
  limit: number;
  maxTimeMs?: number;
}

/**
 * Searchable read view over the first-seen subdomain inventory that the
 * new-subdomain detector writes (collection `subdomains`, see `SubdomainStore`).
 */
export interface SubdomainSearch {
  /** Newest first (first seen, then name descending): stable for paging. */
  search(q: SubdomainQuery): Promise<SubdomainRecord[]>;
}

/** MongoDB implementation of {@link SubdomainSearch}. */
export class MongoSubdomainSearch implements SubdomainSearch {
  private readonly coll: Collection<SubdomainRecord>;

  constructor(db: Db) {
    this.coll = db.collection<SubdomainRecord>("subdomains");
  }

  async search(q: SubdomainQuery): Promise<SubdomainRecord[]> {
    const and: Filter<SubdomainRecord>[] = [{ tenantId: q.tenantId }];
    if (q.domain) and.push({ domain: q.domain });
    if (q.nameContains) and.push({ name: { $regex: escapeRegExp(q.nameContains.toLowerCase()) } });
    if (q.after) {
      and.push({
        $or: [
          { firstSeenAtMs: { $lt: q.after.firstSeenAtMs } },
          { firstSeenAtMs: q.after.firstSeenAtMs, name: { $lt: q.after.name } },
        ],
      });
    }
    return this.coll
      .find({ $and: and }, { projection: { _id: 0 } })
      .sort({ firstSeenAtMs: -1, name: -1 })
      .limit(Math.min(Math.max(Math.trunc(q.limit), 1), 1000))
      .maxTimeMS(q.maxTimeMs ?? 0)
      .toArray();
  }
}
