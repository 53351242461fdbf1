import type { AnyBulkWriteOperation, Collection, Db, Filter } from "mongodb";

/**
 * One alert a destination did not accept within the retry budget: the stored
 * status per (alert, destination) that redelivery works from. The alert itself
 * is in `alerts` (same `alertId`); the same record also went to the alerts DLQ topic.
 */
export interface ParkedDelivery {
  tenantId: string;
  destinationId: string;
  alertId: string;
  /** When it was first parked, ms since epoch. */
  parkedAtMs: number;
  /** Delivery attempts that ended parked (the first included). */
  attempts: number;
  lastAttemptAtMs: number;
  /** Automatic redelivery does not try it before this time, ms since epoch. */
  nextAttemptAtMs: number;
  /** `<park reason>: <error code>`, e.g. `retries-exhausted: connection-refused` (no secrets). */
  reason: string;
}

/** What `park` records for one alert and destination. */
export interface ParkInput {
  tenantId: string;
  destinationId: string;
  alertId: string;
  atMs: number;
  nextAttemptAtMs: number;
  reason: string;
}

/** Filter of `ParkedDeliveryStore.list`. */
export interface ParkedQuery {
  destinationId: string;
  tenantId?: string;
  /** Only alerts parked at or after this time, ms since epoch. */
  sinceMs?: number;
  /** Only alerts whose `nextAttemptAtMs` is at or before this time. */
  dueAtMs?: number;
  /** Page size, 1 to 10 000; default 500. Oldest parked first. */
  limit?: number;
}

/**
 * Parked deliveries, one document per (destination, alert) (`_id` =
 * `<destinationId>/<alertId>`): parking again is idempotent (attempts counted),
 * and removing after a successful redelivery ends it.
 */
export interface ParkedDeliveryStore {
  park(entries: readonly ParkInput[]): Promise<void>;
  list(q: ParkedQuery): Promise<ParkedDelivery[]>;
  /** Destination IDs that have parked deliveries (at most 10 000). */
  destinations(): Promise<string[]>;
  count(q: { destinationId?: string; tenantId?: string }): Promise<number>;
  /** Ends the parked state of these alerts for the destination (delivered); idempotent. */
  remove(destinationId: string, alertIds: readonly string[]): Promise<number>;
}

interface ParkedDoc extends ParkedDelivery {
  _id: string;
}

/** MongoDB implementation (collection `parked_deliveries`). */
export class MongoParkedDeliveryStore implements ParkedDeliveryStore {
  private readonly coll: Collection<ParkedDoc>;

  constructor(db: Db) {
    this.coll = db.collection<ParkedDoc>("parked_deliveries");
  }

  async init(): Promise<void> {
    await this.coll.createIndex({ destinationId: 1, parkedAtMs: 1 }, { name: "destination_time" });
  }

  async park(entries: readonly ParkInput[]): Promise<void> {
    if (entries.length === 0) return;
    const ops: AnyBulkWriteOperation<ParkedDoc>[] = entries.map((e) => ({
      updateOne: {
        filter: { _id: `${e.destinationId}/${e.alertId}` },
        update: {
          $setOnInsert: {
            tenantId: e.tenantId,
            destinationId: e.destinationId,
            alertId: e.alertId,
            parkedAtMs: e.atMs,
          },
          $set: {
            lastAttemptAtMs: e.atMs,
            nextAttemptAtMs: e.nextAttemptAtMs,
            reason: e.reason.slice(0, 300),
          },
          $inc: { attempts: 1 },
        },
        upsert: true,
      },
    }));
    // Chunks of 50: FerretDB 1.24 (SQLite) never answers an update command of 100 or
    // more updates of existing documents (one pooled connection per update, 100 max).
    for (let i = 0; i < ops.length; i += 50) {
      await this.coll.bulkWrite(ops.slice(i, i + 50), { ordered: false });
    }
  }

  async list(q: ParkedQuery): Promise<ParkedDelivery[]> {
    const filter: Filter<ParkedDoc> = { destinationId: q.destinationId };
    if (q.tenantId !== undefined) filter.tenantId = q.tenantId;
    if (q.sinceMs !== undefined) filter.parkedAtMs = { $gte: q.sinceMs };
    if (q.dueAtMs !== undefined) filter.nextAttemptAtMs = { $lte: q.dueAtMs };
    const limit = Math.min(Math.max(q.limit ?? 500, 1), 10_000);
    const docs = await this.coll.find(filter).sort({ parkedAtMs: 1, _id: 1 }).limit(limit).toArray();
    return docs.map(({ _id, ...rest }) => rest);
  }

  async destinations(): Promise<string[]> {
    const ids = await this.coll.distinct("destinationId");
    return ids.slice(0, 10_000).map(String);
  }

  async count(q: { destinationId?: string; tenantId?: string }): Promise<number> {
    const filter: Filter<ParkedDoc> = {};
    if (q.destinationId !== undefined) filter.destinationId = q.destinationId;
    if (q.tenantId !== undefined) filter.tenantId = q.tenantId;
    return this.coll.countDocuments(filter);
  }

  async remove(destinationId: string, alertIds: readonly string[]): Promise<number> {
    let removed = 0;
    for (let i = 0; i < alertIds.length; i += 1000) {
      const ids = alertIds.slice(i, i + 1000).map((a) => `${destinationId}/${a}`);
      removed += (await this.coll.deleteMany({ _id: { $in: ids } })).deletedCount;
    }
    return removed;
  }
}
