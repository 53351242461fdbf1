import type { Collection, Db } from "mongodb";
import { isDuplicateKeyError } from "./connect.js";
import type { DestinationRecord } from "./destination-store.js";

/** Most destinations one tenant can configure (the sink loads at most 50 enabled ones). */
export const MAX_DESTINATIONS_PER_TENANT = 50;

/**
 * Configuration side of tenants' SIEM destinations, for the API: the same
 * `destinations` documents the sink's `DestinationStore` reads (`_id` = the
 * destination ID, config sealed). Every method is bound to one tenant; a
 * destination ID of another tenant behaves as absent.
 */
export interface DestinationAdminStore {
  /** Inserts a new destination; false when the ID exists (for any tenant; nothing changes). */
  create(rec: DestinationRecord): Promise<boolean>;
  /** The tenant's destination, or undefined. */
  get(tenantId: string, id: string): Promise<DestinationRecord | undefined>;
  /** The tenant's destinations (enabled or not), ordered by ID, at most {@link MAX_DESTINATIONS_PER_TENANT}. */
  listForTenant(tenantId: string): Promise<DestinationRecord[]>;
  /** Replaces the tenant's destination; false when the tenant has no destination with that ID. */
  replace(rec: DestinationRecord): Promise<boolean>;
  /** Deletes the tenant's destination; true when it existed. */
  remove(tenantId: string, id: string): Promise<boolean>;
}

interface DestinationDoc extends DestinationRecord {
  _id: string;
}

function fromDoc({ _id, ...rest }: DestinationDoc): DestinationRecord {
  return rest;
}

/** MongoDB implementation of {@link DestinationAdminStore}. */
export class MongoDestinationAdminStore implements DestinationAdminStore {
  private readonly coll: Collection<DestinationDoc>;

  constructor(db: Db) {
    this.coll = db.collection<DestinationDoc>("destinations");
  }

  async create(rec: DestinationRecord): Promise<boolean> {
    try {
      await this.coll.insertOne({ _id: rec.id, ...rec });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async get(tenantId: string, id: string): Promise<DestinationRecord | undefined> {
    const doc = await this.coll.findOne({ _id: id, tenantId });
    return doc ? fromDoc(doc) : undefined;
  }

  async listForTenant(tenantId: string): Promise<DestinationRecord[]> {
    const docs = await this.coll
      .find({ tenantId })
      .sort({ _id: 1 })
      .limit(MAX_DESTINATIONS_PER_TENANT)
      .toArray();
    return docs.map(fromDoc);
  }

  async replace(rec: DestinationRecord): Promise<boolean> {
    const res = await this.coll.replaceOne({ _id: rec.id, tenantId: rec.tenantId }, { ...rec });
    return res.matchedCount > 0;
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    return (await this.coll.deleteOne({ _id: id, tenantId })).deletedCount > 0;
  }
}
