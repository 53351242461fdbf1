import { type JsonObject, toJson } from "@bufbuild/protobuf";
import { type Alert, AlertSchema } from "@ctwatch/proto";
import {
  type AnyBulkWriteOperation,
  type Collection,
  type Db,
  type Filter,
  MongoBulkWriteError,
} from "mongodb";
import { isDuplicateKeyError } from "./connect.js";

/** Lifecycle state of a stored alert, set by analysts through the API. */
export type AlertState = "open" | "acknowledged" | "resolved" | "suppressed";

/** Outcome of delivering one alert to one destination. */
export interface DeliveryRecord {
  status: "delivered" | "parked";
  atMs: number;
  /** Why it was parked (no secrets). */
  reason?: string;
}

/** One certificate sighting supporting an alert. */
export interface AlertEvidence {
  certSha256: string;
  logId: string;
  leafIndex: string;
  atMs: number;
}

/** An alert as stored: indexed fields at top level, the full alert as protobuf JSON. */
export interface StoredAlert {
  _id: string;
  tenantId: string;
  dedupKey: string;
  eventId: number;
  severity: number;
  subjectDomain: string;
  state: AlertState;
  firstSeenAtMs: number;
  lastSeenAtMs: number;
  /**
   * When this store first wrote the document (the writer's clock, ms): the order
   * in which the API's alert stream (`WatchAlerts`) follows new alerts. Absent on
   * documents written before the field existed.
   */
  storedAtMs?: number;
  occurrences: number;
  evidence: AlertEvidence[];
  /** "pending" until every destination delivered or parked it. */
  deliveryState: "pending" | "done";
  delivery: Record<string, DeliveryRecord>;
  alert: JsonObject;
}

/** Result of `AlertStore.upsert`. */
export interface UpsertResult {
  /** True when this call created the alert. */
  inserted: boolean;
  /** True when the alert still has to go to the tenant's destinations. */
  needsDelivery: boolean;
}

/** Filter of `AlertStore.list`. */
export interface AlertQuery {
  tenantId: string;
  eventIds?: number[];
  subjectDomain?: string;
  state?: AlertState;
  sinceMs?: number;
  /** Page size, at most 1000; default 100. */
  limit?: number;
}

/**
 * The alert history: one document per (tenant, dedup key), enforced by a unique
 * index. `upsert` is idempotent: replaying the same alert (same certificate)
 * changes nothing; a new certificate for the same condition adds evidence
 * (bounded to `maxEvidence`).
 */
export interface AlertStore {
  upsert(alert: Alert): Promise<UpsertResult>;
  /**
   * `upsert` for many alerts with one round trip for the new ones (an unordered bulk
   * insert) and one for replays of stored alert IDs (an `_id` lookup); other known
   * alerts take the `upsert` path, in input order. Results are in input order. Same
   * semantics as calling `upsert` for each in order.
   */
  upsertMany(alerts: readonly Alert[]): Promise<UpsertResult[]>;
  /** Records per-destination outcomes and marks delivery done. Idempotent. */
  markDelivered(alertId: string, outcomes: Record<string, DeliveryRecord>): Promise<void>;
  /** `markDelivered` for many alerts in one unordered bulk write. Idempotent. */
  markDeliveredMany(
    entries: readonly { alertId: string; outcomes: Record<string, DeliveryRecord> }[],
  ): Promise<void>;
  get(tenantId: string, alertId: string): Promise<StoredAlert | undefined>;
  list(q: AlertQuery): Promise<StoredAlert[]>;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

/** MongoDB implementation (collection `alerts`). */
export class MongoAlertStore implements AlertStore {
  private readonly coll: Collection<StoredAlert>;

  constructor(
    db: Db,
    private readonly maxEvidence = 50,
  ) {
    this.coll = db.collection<StoredAlert>("alerts");
  }

  async init(): Promise<void> {
    await this.coll.createIndex({ tenantId: 1, dedupKey: 1 }, { unique: true, name: "tenant_dedup" });
    await this.coll.createIndex({ tenantId: 1, lastSeenAtMs: -1 }, { name: "tenant_time" });
    await this.coll.createIndex({ deliveryState: 1 }, { name: "delivery_state" });
  }

  private toDoc(alert: Alert): StoredAlert {
    const cert = alert.certificate;
    const pos = cert?.positions[0];
    const evidence: AlertEvidence = {
      certSha256: cert ? hex(cert.sha256) : "",
      logId: pos ? Buffer.from(pos.logId).toString("base64") : "",
      leafIndex: pos ? pos.leafIndex.toString() : "",
      atMs: alert.detectedAtMs ? Number(alert.detectedAtMs) : Date.now(),
    };
    return {
      _id: alert.alertId,
      tenantId: alert.tenantId,
      dedupKey: alert.dedupKey,
      eventId: alert.eventId,
      severity: alert.severity,
      subjectDomain: alert.subjectDomain,
      state: "open",
      firstSeenAtMs: evidence.atMs,
      lastSeenAtMs: evidence.atMs,
      storedAtMs: Date.now(),
      occurrences: 1,
      evidence: [evidence],
      deliveryState: "pending",
      delivery: {},
      alert: toJson(AlertSchema, alert) as JsonObject,
    };
  }

  async upsertMany(alerts: readonly Alert[]): Promise<UpsertResult[]> {
    const results: (UpsertResult | undefined)[] = new Array(alerts.length).fill(undefined);
    const firstOf = new Map<string, number>();
    const fresh: number[] = [];
    alerts.forEach((a, i) => {
      // A repeated ID in one call goes through the update path after the insert.
      if (firstOf.has(a.alertId)) return;
      firstOf.set(a.alertId, i);
      fresh.push(i);
    });
    if (fresh.length > 0) {
      const failed = new Set<number>();
      try {
        await this.coll.insertMany(
          fresh.map((i) => this.toDoc(alerts[i] as Alert)),
          { ordered: false },
        );
      } catch (err) {
        if (!(err instanceof MongoBulkWriteError)) throw err;
        const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
        for (const e of errors) {
          if (e.code !== 11000) throw err;
          failed.add(fresh[e.index] as number);
        }
      }
      for (const i of fresh) if (!failed.has(i)) results[i] = { inserted: true, needsDelivery: true };
      await this.resolveReplays(alerts, [...failed], results);
    }
    for (let i = 0; i < alerts.length; i++) {
      if (results[i] === undefined) results[i] = await this.upsert(alerts[i] as Alert);
    }
    return results as UpsertResult[];
  }

  /**
   * Replays (the same alert ID already stored with this certificate, as after a
   * consumer restart) resolved with one `_id $in` lookup instead of a lookup per
   * alert by tenant + dedup key, which FerretDB answers with a collection scan
   * each: re-consuming a few thousand alerts after a crash took minutes. Anything
   * else (a new certificate for a known condition) stays undefined for `upsert`.
   */
  private async resolveReplays(
    alerts: readonly Alert[],
    indexes: readonly number[],
    results: (UpsertResult | undefined)[],
  ): Promise<void> {
    for (let from = 0; from < indexes.length; from += 1000) {
      const chunk = indexes.slice(from, from + 1000);
      const docs = await this.coll
        .find(
          { _id: { $in: chunk.map((i) => (alerts[i] as Alert).alertId) } },
          { projection: { tenantId: 1, dedupKey: 1, occurrences: 1, evidence: 1, deliveryState: 1 } },
        )
        .toArray();
      const byId = new Map(docs.map((d) => [d._id, d]));
      for (const i of chunk) {
        const alert = alerts[i] as Alert;
        const doc = byId.get(alert.alertId);
        if (!doc || doc.tenantId !== alert.tenantId || doc.dedupKey !== alert.dedupKey) continue;
        const sha = alert.certificate ? hex(alert.certificate.sha256) : "";
        const known = doc.evidence.some((e) => e.certSha256 === sha);
        if (known || doc.occurrences >= this.maxEvidence) {
          results[i] = { inserted: false, needsDelivery: doc.deliveryState !== "done" };
        }
      }
    }
  }

  async markDeliveredMany(
    entries: readonly { alertId: string; outcomes: Record<string, DeliveryRecord> }[],
  ): Promise<void> {
    const ops: AnyBulkWriteOperation<StoredAlert>[] = entries.map((e) => {
      const set: Record<string, unknown> = { deliveryState: "done" };
      for (const [dest, rec] of Object.entries(e.outcomes)) set[`delivery.${dest}`] = rec;
      return { updateOne: { filter: { _id: e.alertId }, update: { $set: set } } };
    });
    // Chunks of 50: FerretDB 1.24 (SQLite) never answers an update command of 100 or
    // more updates of existing documents (one pooled connection per update, 100 max).
    for (let i = 0; i < ops.length; i += 50) {
      await this.coll.bulkWrite(ops.slice(i, i + 50), { ordered: false });
    }
  }

  async upsert(alert: Alert): Promise<UpsertResult> {
    const doc = this.toDoc(alert);
    const evidence = doc.evidence[0] as AlertEvidence;
    try {
      await this.coll.insertOne(doc);
      return { inserted: true, needsDelivery: true };
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    // Add the evidence unless this certificate is already recorded. A
    // compare-and-set on `occurrences` (rather than an array-membership filter,
    // whose semantics FerretDB 1.x does not fully share) keeps it idempotent.
    const filter: Filter<StoredAlert> = { tenantId: alert.tenantId, dedupKey: alert.dedupKey };
    for (let attempt = 0; attempt < 5; attempt++) {
      const existing = await this.coll.findOne(filter, {
        projection: { occurrences: 1, evidence: 1, deliveryState: 1 },
      });
      if (!existing) throw new Error(`alert ${alert.alertId} vanished during upsert`);
      const known = existing.evidence.some((e) => e.certSha256 === evidence.certSha256);
      if (known || existing.occurrences >= this.maxEvidence) {
        return { inserted: false, needsDelivery: existing.deliveryState !== "done" };
      }
      const res = await this.coll.updateOne(
        { ...filter, occurrences: existing.occurrences },
        { $push: { evidence }, $inc: { occurrences: 1 }, $max: { lastSeenAtMs: evidence.atMs } },
      );
      if (res.modifiedCount === 1)
        return { inserted: false, needsDelivery: existing.deliveryState !== "done" };
    }
    throw new Error(`alert ${alert.alertId}: evidence update kept conflicting`);
  }

  async markDelivered(alertId: string, outcomes: Record<string, DeliveryRecord>): Promise<void> {
    const set: Record<string, unknown> = { deliveryState: "done" };
    for (const [dest, rec] of Object.entries(outcomes)) set[`delivery.${dest}`] = rec;
    await this.coll.updateOne({ _id: alertId }, { $set: set });
  }

  async get(tenantId: string, alertId: string): Promise<StoredAlert | undefined> {
    return (await this.coll.findOne({ _id: alertId, tenantId })) ?? undefined;
  }

  async list(q: AlertQuery): Promise<StoredAlert[]> {
    const filter: Filter<StoredAlert> = { tenantId: q.tenantId };
    if (q.eventIds?.length) filter.eventId = { $in: q.eventIds };
    if (q.subjectDomain) filter.subjectDomain = q.subjectDomain;
    if (q.state) filter.state = q.state;
    if (q.sinceMs !== undefined) filter.lastSeenAtMs = { $gte: q.sinceMs };
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
    return this.coll.find(filter).sort({ lastSeenAtMs: -1, _id: 1 }).limit(limit).toArray();
  }
}
