import type { Collection, Db } from "mongodb";

/**
 * A tenant's SIEM destination as stored. `config` is the destination config with
 * every credential sealed (AES-256-GCM, see @ctwatch/siem `sealDestinationConfig`):
 * this store never sees a plaintext secret.
 */
export interface DestinationRecord {
  tenantId: string;
  /** Destination ID, unique per deployment (it binds the sealed secrets). */
  id: string;
  enabled: boolean;
  config: Record<string, unknown>;
  updatedAtMs: number;
}

/** Tenants' SIEM destinations. */
export interface DestinationStore {
  /** Inserts or replaces a destination; idempotent. */
  put(rec: DestinationRecord): Promise<void>;
  /** Enabled destinations of one tenant (at most 50). */
  listEnabled(tenantId: string): Promise<DestinationRecord[]>;
  remove(tenantId: string, id: string): Promise<boolean>;
}

interface DestinationDoc extends DestinationRecord {
  _id: string;
}

/** MongoDB implementation (collection `destinations`). */
export class MongoDestinationStore implements DestinationStore {
  private readonly coll: Collection<DestinationDoc>;

  constructor(db: Db) {
    this.coll = db.collection<DestinationDoc>("destinations");
  }

  async init(): Promise<void> {
    await this.coll.createIndex({ tenantId: 1, enabled: 1 }, { name: "tenant_enabled" });
  }

  async put(rec: DestinationRecord): Promise<void> {
    const existing = await this.coll.findOne({ _id: rec.id }, { projection: { tenantId: 1 } });
    if (existing && existing.tenantId !== rec.tenantId) {
      throw new Error(`destination ID ${rec.id} belongs to another tenant`);
    }
    await this.coll.replaceOne({ _id: rec.id }, { ...rec }, { upsert: true });
  }

  async listEnabled(tenantId: string): Promise<DestinationRecord[]> {
    const docs = await this.coll.find({ tenantId, enabled: true }).limit(50).toArray();
    return docs.map(({ _id, ...rest }) => rest);
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    return (await this.coll.deleteOne({ _id: id, tenantId })).deletedCount > 0;
  }
}
