import { type JsonObject, toJson } from "@bufbuild/protobuf";
import { type Alert, AlertSchema } from "@ctwatch/proto";
import type {
  AlertQuery,
  AlertStore,
  DeliveryRecord,
  LeaseStore,
  ParkedDelivery,
  ParkedDeliveryStore,
  ParkedQuery,
  ParkInput,
  StoredAlert,
  UpsertResult,
} from "@ctwatch/store";

/** In-memory AlertStore with MongoAlertStore's semantics (one document per tenant + dedup key). Tests only. */
export class MemoryAlertStore implements AlertStore {
  readonly docs = new Map<string, StoredAlert>();

  async upsert(alert: Alert): Promise<UpsertResult> {
    const existing = this.docs.get(alert.alertId);
    if (existing) return { inserted: false, needsDelivery: existing.deliveryState !== "done" };
    const atMs = Number(alert.detectedAtMs);
    this.docs.set(alert.alertId, {
      _id: alert.alertId,
      tenantId: alert.tenantId,
      dedupKey: alert.dedupKey,
      eventId: alert.eventId,
      severity: alert.severity,
      subjectDomain: alert.subjectDomain,
      state: "open",
      firstSeenAtMs: atMs,
      lastSeenAtMs: atMs,
      occurrences: 1,
      evidence: [],
      deliveryState: "pending",
      delivery: {},
      alert: toJson(AlertSchema, alert) as JsonObject,
    });
    return { inserted: true, needsDelivery: true };
  }
  async upsertMany(alerts: readonly Alert[]): Promise<UpsertResult[]> {
    const out: UpsertResult[] = [];
    for (const a of alerts) out.push(await this.upsert(a));
    return out;
  }
  async markDelivered(alertId: string, outcomes: Record<string, DeliveryRecord>): Promise<void> {
    const doc = this.docs.get(alertId);
    if (doc)
      this.docs.set(alertId, { ...doc, deliveryState: "done", delivery: { ...doc.delivery, ...outcomes } });
  }
  async markDeliveredMany(entries: readonly { alertId: string; outcomes: Record<string, DeliveryRecord> }[]) {
    for (const e of entries) await this.markDelivered(e.alertId, e.outcomes);
  }
  async get(tenantId: string, alertId: string): Promise<StoredAlert | undefined> {
    const doc = this.docs.get(alertId);
    return doc?.tenantId === tenantId ? doc : undefined;
  }
  async list(q: AlertQuery): Promise<StoredAlert[]> {
    return [...this.docs.values()].filter((d) => d.tenantId === q.tenantId).slice(0, q.limit ?? 100);
  }
}

/** In-memory ParkedDeliveryStore. Tests only. */
export class MemoryParkedStore implements ParkedDeliveryStore {
  readonly entries = new Map<string, ParkedDelivery>();

  async park(entries: readonly ParkInput[]): Promise<void> {
    for (const e of entries) {
      const key = `${e.destinationId}/${e.alertId}`;
      const prev = this.entries.get(key);
      this.entries.set(key, {
        tenantId: e.tenantId,
        destinationId: e.destinationId,
        alertId: e.alertId,
        parkedAtMs: prev?.parkedAtMs ?? e.atMs,
        attempts: (prev?.attempts ?? 0) + 1,
        lastAttemptAtMs: e.atMs,
        nextAttemptAtMs: e.nextAttemptAtMs,
        reason: e.reason,
      });
    }
  }
  async list(q: ParkedQuery): Promise<ParkedDelivery[]> {
    return [...this.entries.values()]
      .filter(
        (p) =>
          p.destinationId === q.destinationId &&
          (q.tenantId === undefined || p.tenantId === q.tenantId) &&
          (q.sinceMs === undefined || p.parkedAtMs >= q.sinceMs) &&
          (q.dueAtMs === undefined || p.nextAttemptAtMs <= q.dueAtMs),
      )
      .sort((a, b) => a.parkedAtMs - b.parkedAtMs)
      .slice(0, q.limit ?? 500);
  }
  async destinations(): Promise<string[]> {
    return [...new Set([...this.entries.values()].map((p) => p.destinationId))];
  }
  async count(q: { destinationId?: string; tenantId?: string }): Promise<number> {
    return [...this.entries.values()].filter(
      (p) =>
        (q.destinationId === undefined || p.destinationId === q.destinationId) &&
        (q.tenantId === undefined || p.tenantId === q.tenantId),
    ).length;
  }
  async remove(destinationId: string, alertIds: readonly string[]): Promise<number> {
    let n = 0;
    for (const id of alertIds) if (this.entries.delete(`${destinationId}/${id}`)) n++;
    return n;
  }
}

/** Leases that are always granted (one process). Tests only. */
export const grantingLeases: LeaseStore = {
  tryAcquire: async () => true,
  release: async () => {},
};
