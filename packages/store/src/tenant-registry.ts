import type { Collection, Db } from "mongodb";
import { isDuplicateKeyError } from "./connect.js";
import { MAX_TENANT_ADMINS } from "./tenant-store.js";

/** A per-tenant API rate limit (token bucket). */
export interface TenantRateLimit {
  /** Sustained requests per second, 1-10 000. */
  requestsPerSecond: number;
  /** Bucket size: requests allowed in a burst, 1-100 000. */
  burst: number;
}

/**
 * A tenant as the API manages it. Stored in the same `tenants` document that
 * `TenantStore` (the sink's view: name and administrators) reads; the fields
 * below `admins` are the API's additions.
 */
export interface TenantSettings {
  /** 1-32 of `[a-z0-9-]`, starting with a letter or digit; never changes. */
  tenantId: string;
  /** Display name (`TenantRecord.name`). */
  name: string;
  /** Subscription administrators' e-mail addresses, lower case, at most `MAX_TENANT_ADMINS`. */
  admins: string[];
  /** A disabled tenant's API tokens are refused; its pipeline data stays. */
  disabled: boolean;
  /** API rate limit override; absent = the server's default. */
  rateLimit?: TenantRateLimit;
  createdAtMs: number;
  updatedAtMs: number;
}

/** Changes `TenantRegistry.update` applies; absent fields stay, `rateLimit: null` removes the override. */
export interface TenantPatch {
  name?: string;
  disabled?: boolean;
  rateLimit?: TenantRateLimit | null;
}

/**
 * Tenant administration for the API (collection `tenants`, `_id` = tenant ID;
 * every lookup is by `_id`). Edits are single-document updates: on FerretDB 1.x
 * two edits of one tenant racing each other can lose one (documented limit;
 * edits are rare and made by people).
 */
export interface TenantRegistry {
  /** Inserts a new tenant; false when the ID is taken (nothing changes). */
  create(rec: TenantSettings): Promise<boolean>;
  /** The tenant, or undefined. */
  get(tenantId: string): Promise<TenantSettings | undefined>;
  /** Tenants ordered by ID, strictly after `afterTenantId` (paging), at most `limit` (1-1000). */
  list(afterTenantId: string | undefined, limit: number): Promise<TenantSettings[]>;
  /** Applies `patch`; the updated tenant, or undefined when it does not exist. */
  update(tenantId: string, patch: TenantPatch, nowMs: number): Promise<TenantSettings | undefined>;
  /** Adds an administrator's address (lower-cased). Idempotent; "full" at `MAX_TENANT_ADMINS`. */
  addAdmin(
    tenantId: string,
    email: string,
    nowMs: number,
  ): Promise<"added" | "exists" | "full" | "no-tenant">;
  /** Removes an administrator's address; true when it was there. */
  removeAdmin(tenantId: string, email: string, nowMs: number): Promise<boolean>;
}

interface TenantDoc {
  _id: string;
  name?: string;
  admins?: string[];
  disabled?: boolean;
  rateLimit?: TenantRateLimit;
  createdAtMs?: number;
  updatedAtMs?: number;
}

/** Reads a document written by either this registry or `TenantStore.put` (which lacks the API's fields). */
function fromDoc(d: TenantDoc): TenantSettings {
  return {
    tenantId: d._id,
    name: d.name ?? "",
    admins: d.admins ?? [],
    disabled: d.disabled ?? false,
    ...(d.rateLimit ? { rateLimit: d.rateLimit } : {}),
    createdAtMs: d.createdAtMs ?? d.updatedAtMs ?? 0,
    updatedAtMs: d.updatedAtMs ?? 0,
  };
}

/** MongoDB implementation of {@link TenantRegistry}. */
export class MongoTenantRegistry implements TenantRegistry {
  private readonly coll: Collection<TenantDoc>;

  constructor(db: Db) {
    this.coll = db.collection<TenantDoc>("tenants");
  }

  async create(rec: TenantSettings): Promise<boolean> {
    const { tenantId, ...rest } = rec;
    const admins = [...new Set(rest.admins.map((a) => a.toLowerCase()))].slice(0, MAX_TENANT_ADMINS);
    try {
      await this.coll.insertOne({ _id: tenantId, ...rest, admins });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async get(tenantId: string): Promise<TenantSettings | undefined> {
    const doc = await this.coll.findOne({ _id: tenantId });
    return doc ? fromDoc(doc) : undefined;
  }

  async list(afterTenantId: string | undefined, limit: number): Promise<TenantSettings[]> {
    const n = Math.min(Math.max(Math.trunc(limit), 1), 1000);
    const filter = afterTenantId === undefined ? {} : { _id: { $gt: afterTenantId } };
    const docs = await this.coll.find(filter).sort({ _id: 1 }).limit(n).toArray();
    return docs.map(fromDoc);
  }

  async update(tenantId: string, patch: TenantPatch, nowMs: number): Promise<TenantSettings | undefined> {
    const set: Partial<TenantDoc> = { updatedAtMs: nowMs };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.disabled !== undefined) set.disabled = patch.disabled;
    if (patch.rateLimit) set.rateLimit = patch.rateLimit;
    const update =
      patch.rateLimit === null ? { $set: set, $unset: { rateLimit: "" as const } } : { $set: set };
    const res = await this.coll.updateOne({ _id: tenantId }, update);
    if (res.matchedCount === 0) return undefined;
    return this.get(tenantId);
  }

  async addAdmin(
    tenantId: string,
    email: string,
    nowMs: number,
  ): Promise<"added" | "exists" | "full" | "no-tenant"> {
    const address = email.toLowerCase();
    const doc = await this.coll.findOne({ _id: tenantId }, { projection: { admins: 1 } });
    if (!doc) return "no-tenant";
    const admins = doc.admins ?? [];
    if (admins.includes(address)) return "exists";
    if (admins.length >= MAX_TENANT_ADMINS) return "full";
    await this.coll.updateOne(
      { _id: tenantId },
      { $addToSet: { admins: address }, $set: { updatedAtMs: nowMs } },
    );
    return "added";
  }

  async removeAdmin(tenantId: string, email: string, nowMs: number): Promise<boolean> {
    const address = email.toLowerCase();
    const doc = await this.coll.findOne({ _id: tenantId }, { projection: { admins: 1 } });
    if (!doc?.admins?.includes(address)) return false;
    await this.coll.updateOne(
      { _id: tenantId },
      { $pull: { admins: address }, $set: { updatedAtMs: nowMs } },
    );
    return true;
  }
}
