import type { Collection, Db } from "mongodb";

/** What a watch-list item is for. */
export type WatchItemKind = "owned-domain" | "brand" | "allow";

/** One watched item of one tenant. */
export interface WatchItemRecord {
  tenantId: string;
  kind: WatchItemKind;
  /** Lower-case domain (A-labels). */
  value: string;
  createdAtMs: number;
}

/**
 * Tenants' watch lists. Detectors poll `revision()` (one tiny read) and reload
 * the full list only when it changed, so changes apply without a restart and
 * without change streams (which FerretDB lacks).
 */
export interface WatchlistStore {
  /** Adds an item; idempotent (adding it again changes nothing). Returns true when it was new. */
  add(tenantId: string, kind: WatchItemKind, value: string): Promise<boolean>;
  /** Removes an item; returns true when it existed. */
  remove(tenantId: string, kind: WatchItemKind, value: string): Promise<boolean>;
  /** All items of `kind` across tenants (bounded by `limit`, default 1,000,000). */
  list(kind: WatchItemKind, limit?: number): Promise<WatchItemRecord[]>;
  /** Items of one tenant. */
  listForTenant(tenantId: string): Promise<WatchItemRecord[]>;
  /** A number that changes whenever any watch list changes. */
  revision(): Promise<number>;
}

interface MetaDoc {
  _id: string;
  value: number;
}

/** MongoDB implementation of `WatchlistStore` (collections `watch_items`, `meta`). */
export class MongoWatchlistStore implements WatchlistStore {
  private readonly items: Collection<WatchItemRecord>;
  private readonly meta: Collection<MetaDoc>;

  constructor(db: Db) {
    this.items = db.collection<WatchItemRecord>("watch_items");
    this.meta = db.collection<MetaDoc>("meta");
  }

  /** Creates indexes (idempotent). */
  async init(): Promise<void> {
    await this.items.createIndex(
      { tenantId: 1, kind: 1, value: 1 },
      { unique: true, name: "tenant_kind_value" },
    );
    await this.items.createIndex({ kind: 1 }, { name: "kind" });
  }

  private async bump(): Promise<void> {
    await this.meta.updateOne({ _id: "watchlist-revision" }, { $inc: { value: 1 } }, { upsert: true });
  }

  async add(tenantId: string, kind: WatchItemKind, value: string): Promise<boolean> {
    const res = await this.items.updateOne(
      { tenantId, kind, value },
      { $setOnInsert: { tenantId, kind, value, createdAtMs: Date.now() } },
      { upsert: true },
    );
    const added = res.upsertedCount > 0;
    if (added) await this.bump();
    return added;
  }

  async remove(tenantId: string, kind: WatchItemKind, value: string): Promise<boolean> {
    const res = await this.items.deleteOne({ tenantId, kind, value });
    if (res.deletedCount > 0) await this.bump();
    return res.deletedCount > 0;
  }

  async list(kind: WatchItemKind, limit = 1_000_000): Promise<WatchItemRecord[]> {
    return this.items
      .find({ kind }, { projection: { _id: 0 } })
      .limit(limit)
      .toArray();
  }

  async listForTenant(tenantId: string): Promise<WatchItemRecord[]> {
    return this.items
      .find({ tenantId }, { projection: { _id: 0 } })
      .sort({ kind: 1, value: 1 })
      .toArray();
  }

  async revision(): Promise<number> {
    const doc = await this.meta.findOne({ _id: "watchlist-revision" });
    return doc?.value ?? 0;
  }
}
