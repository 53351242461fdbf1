import type { Collection, Db } from "mongodb";
import { isDuplicateKeyError } from "./connect.js";

/** What a token may do: `read` ⊂ `write` ⊂ `admin` (see @ctwatch/api `hasScope`). */
export type ApiScope = "read" | "write" | "admin";

/**
 * One tenant API token as stored. Only the SHA-256 of the secret is kept: a
 * leaked database does not leak usable tokens, and the secret is shown once,
 * when the token is created.
 */
export interface ApiTokenRecord {
  /** Public ID, shown in lists and used to revoke (e.g. `tok_0123abcd…`). Unique. */
  tokenId: string;
  tenantId: string;
  /** SHA-256 of the secret token string, lower-case hex (64 digits). Unique. */
  secretSha256: string;
  /** What the token is for, e.g. "soar-integration". */
  name: string;
  scopes: ApiScope[];
  createdAtMs: number;
  /** Who created it: "operator" or `token:<tokenId>`. */
  createdBy: string;
  /** Refused from this time on; absent = no expiry. */
  expiresAtMs?: number;
  /** Set when revoked; a revoked token is refused but kept for audit. */
  revokedAtMs?: number;
}

/**
 * API tokens (collection `api_tokens`, `_id` = the secret's SHA-256, so
 * authenticating a call is one `_id` lookup).
 */
export interface ApiTokenStore {
  /** Inserts a token; false when its ID or hash already exists (nothing changes). */
  create(rec: ApiTokenRecord): Promise<boolean>;
  /** The token whose secret hashes to `secretSha256` (revoked and expired ones included), or undefined. */
  findBySecretSha256(secretSha256: string): Promise<ApiTokenRecord | undefined>;
  /** A tenant's tokens, revoked ones included, newest first, at most `limit` (1-1000). */
  listForTenant(tenantId: string, limit: number): Promise<ApiTokenRecord[]>;
  /** Tokens of the tenant that are neither revoked nor expired at `nowMs`. */
  countActive(tenantId: string, nowMs: number): Promise<number>;
  /** Marks the tenant's token revoked; true when it was active and now is not. Idempotent. */
  revoke(tenantId: string, tokenId: string, nowMs: number): Promise<boolean>;
}

interface TokenDoc extends Omit<ApiTokenRecord, "secretSha256"> {
  _id: string;
}

function fromDoc({ _id, ...rest }: TokenDoc): ApiTokenRecord {
  return { secretSha256: _id, ...rest };
}

/** MongoDB implementation of {@link ApiTokenStore}. */
export class MongoApiTokenStore implements ApiTokenStore {
  private readonly coll: Collection<TokenDoc>;

  constructor(db: Db) {
    this.coll = db.collection<TokenDoc>("api_tokens");
  }

  /** Creates indexes (idempotent). */
  async init(): Promise<void> {
    await this.coll.createIndex({ tokenId: 1 }, { unique: true, name: "token_id" });
    await this.coll.createIndex({ tenantId: 1, createdAtMs: -1 }, { name: "tenant_created" });
  }

  async create(rec: ApiTokenRecord): Promise<boolean> {
    const { secretSha256, ...rest } = rec;
    try {
      await this.coll.insertOne({ _id: secretSha256, ...rest });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async findBySecretSha256(secretSha256: string): Promise<ApiTokenRecord | undefined> {
    const doc = await this.coll.findOne({ _id: secretSha256 });
    return doc ? fromDoc(doc) : undefined;
  }

  async listForTenant(tenantId: string, limit: number): Promise<ApiTokenRecord[]> {
    const n = Math.min(Math.max(Math.trunc(limit), 1), 1000);
    const docs = await this.coll.find({ tenantId }).sort({ createdAtMs: -1 }).limit(n).toArray();
    return docs.map(fromDoc);
  }

  async countActive(tenantId: string, nowMs: number): Promise<number> {
    const docs = await this.coll
      .find({ tenantId }, { projection: { revokedAtMs: 1, expiresAtMs: 1 } })
      .limit(10_000)
      .toArray();
    return docs.filter((d) => d.revokedAtMs === undefined && (d.expiresAtMs ?? Infinity) > nowMs).length;
  }

  async revoke(tenantId: string, tokenId: string, nowMs: number): Promise<boolean> {
    const doc = await this.coll.findOne({ tokenId, tenantId }, { projection: { revokedAtMs: 1 } });
    if (!doc || doc.revokedAtMs !== undefined) return false;
    const res = await this.coll.updateOne({ _id: doc._id, tenantId }, { $set: { revokedAtMs: nowMs } });
    return res.modifiedCount > 0;
  }
}
