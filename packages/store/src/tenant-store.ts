import type { Collection, Db } from "mongodb";

/** A tenant as the sink needs it: who administers it. */
export interface TenantRecord {
  tenantId: string;
  /** Display name, optional. */
  name?: string;
  /** The subscription administrators' email addresses (at most {@link MAX_TENANT_ADMINS}). */
  admins: string[];
  updatedAtMs: number;
}

/** Most administrators stored per tenant. */
export const MAX_TENANT_ADMINS = 50;

/** Tenants and their administrators. */
export interface TenantStore {
  /** Inserts or replaces a tenant; idempotent. Rejects more than {@link MAX_TENANT_ADMINS} admins. */
  put(rec: TenantRecord): Promise<void>;
  /** The tenant, or undefined when unknown. */
  get(tenantId: string): Promise<TenantRecord | undefined>;
  /** The tenant's administrators' addresses; empty when the tenant is unknown. */
  admins(tenantId: string): Promise<readonly string[]>;
}

interface TenantDoc extends Omit<TenantRecord, "tenantId"> {
  _id: string;
}

/** MongoDB implementation (collection `tenants`, `_id` = tenant ID). */
export class MongoTenantStore implements TenantStore {
  private readonly coll: Collection<TenantDoc>;

  constructor(db: Db) {
    this.coll = db.collection<TenantDoc>("tenants");
  }

  async put(rec: TenantRecord): Promise<void> {
    if (rec.admins.length > MAX_TENANT_ADMINS)
      throw new Error(`tenant ${rec.tenantId}: more than ${MAX_TENANT_ADMINS} administrators`);
    const { tenantId, ...rest } = rec;
    const admins = [...new Set(rest.admins.map((a) => a.trim().toLowerCase()).filter(Boolean))];
    await this.coll.replaceOne({ _id: tenantId }, { ...rest, admins }, { upsert: true });
  }

  async get(tenantId: string): Promise<TenantRecord | undefined> {
    const doc = await this.coll.findOne({ _id: tenantId });
    if (!doc) return undefined;
    const { _id, ...rest } = doc;
    return { tenantId: _id, ...rest };
  }

  async admins(tenantId: string): Promise<readonly string[]> {
    const doc = await this.coll.findOne({ _id: tenantId }, { projection: { admins: 1 } });
    return (doc?.admins ?? []).slice(0, MAX_TENANT_ADMINS);
  }
}
