import type { Collection, Db, Filter } from "mongodb";
import type { AlertState, StoredAlert } from "./alert-store.js";

/** One analyst decision on an alert, as recorded. */
export interface AlertStateChange {
  from: AlertState;
  to: AlertState;
  /** Why (1-1000 characters, free text from the analyst). */
  reason: string;
  /** Who: `token:<tokenId>` or "operator". */
  actor: string;
  atMs: number;
}

/** A stored alert with what triage adds to it. */
export type TriagedAlert = StoredAlert & {
  /** The most recent state change; absent while the alert was never triaged. */
  lastStateChange?: AlertStateChange;
};

/** Filter of {@link AlertTriageStore.page}; every field but `tenantId` is optional and ANDed. */
export interface AlertPageQuery {
  tenantId: string;
  /** Any of these event IDs. */
  eventIds?: readonly number[];
  /** Alerts about this name, or matched against this watched domain/brand. */
  domain?: string;
  /** Any of these states. */
  states?: readonly AlertState[];
  /** Any of these severities (numeric `Severity` values). */
  severities?: readonly number[];
  /** First seen at or after, ms. */
  sinceMs?: number;
  /** First seen before, ms. */
  untilMs?: number;
  /** Continue after this alert of the previous page (keyset paging). */
  after?: { firstSeenAtMs: number; alertId: string };
  /** 1-1000. */
  limit: number;
  /** Server-side time limit of the query, ms (0 = none). */
  maxTimeMs?: number;
}

/** Filter of {@link AlertTriageStore.storedSince}. */
export interface StoredSinceQuery {
  tenantId: string;
  /** Documents stored at or after this time (`storedAtMs`), ms. */
  sinceStoredAtMs: number;
  /** Continue after this document of the previous read (keyset on `storedAtMs`, then ID). */
  after?: { storedAtMs: number; alertId: string };
  eventIds?: readonly number[];
  severities?: readonly number[];
  /** 1-1000. */
  limit: number;
  maxTimeMs?: number;
}

interface StateChangeDoc extends AlertStateChange {
  tenantId: string;
  alertId: string;
}

/**
 * What analysts do with stored alerts, next to the sink's `AlertStore` on the
 * same `alerts` collection: page through them newest first, follow new ones in
 * the order they were stored, and change their state with a reason (each
 * change is also appended to `alert_state_changes`, the audit trail). Every
 * method is bound to one tenant: a filter always includes `tenantId`.
 */
export interface AlertTriageStore {
  /** One page, ordered by first sighting (newest first), then alert ID (descending): stable for paging. */
  page(q: AlertPageQuery): Promise<TriagedAlert[]>;
  /** Alerts stored at or after `sinceStoredAtMs`, oldest first (then by ID). */
  storedSince(q: StoredSinceQuery): Promise<TriagedAlert[]>;
  /** The tenant's alert, or undefined (also for another tenant's alert ID). */
  get(tenantId: string, alertId: string): Promise<TriagedAlert | undefined>;
  /**
   * Moves the alert to `to`. Idempotent: when it is already in `to` nothing is
   * written and `changed` is false. Undefined when the tenant has no such alert.
   */
  setState(
    tenantId: string,
    alertId: string,
    to: AlertState,
    change: { reason: string; actor: string; atMs: number },
  ): Promise<{ alert: TriagedAlert; changed: boolean } | undefined>;
  /** The alert's state changes, newest first, at most `limit` (1-1000). */
  stateChanges(tenantId: string, alertId: string, limit: number): Promise<AlertStateChange[]>;
}

function inList<T>(values: readonly T[] | undefined): { $in: T[] } | undefined {
  return values && values.length > 0 ? { $in: [...values] } : undefined;
}

function clampLimit(n: number): number {
  return Math.min(Math.max(Math.trunc(n), 1), 1000);
}

/** MongoDB implementation of {@link AlertTriageStore} (collections `alerts`, `alert_state_changes`). */
export class MongoAlertTriageStore implements AlertTriageStore {
  private readonly alerts: Collection<TriagedAlert>;
  private readonly changes: Collection<StateChangeDoc>;

  constructor(db: Db) {
    this.alerts = db.collection<TriagedAlert>("alerts");
    this.changes = db.collection<StateChangeDoc>("alert_state_changes");
  }

  /** Creates the indexes paging and following use (idempotent). */
  async init(): Promise<void> {
    await this.alerts.createIndex({ tenantId: 1, firstSeenAtMs: -1, _id: -1 }, { name: "tenant_first_seen" });
    await this.alerts.createIndex({ tenantId: 1, storedAtMs: 1, _id: 1 }, { name: "tenant_stored" });
    await this.changes.createIndex({ tenantId: 1, alertId: 1, atMs: -1 }, { name: "tenant_alert_time" });
  }

  async page(q: AlertPageQuery): Promise<TriagedAlert[]> {
    const and: Filter<TriagedAlert>[] = [{ tenantId: q.tenantId }];
    const eventIds = inList(q.eventIds);
    if (eventIds) and.push({ eventId: eventIds });
    const states = inList(q.states);
    if (states) and.push({ state: states });
    const severities = inList(q.severities);
    if (severities) and.push({ severity: severities });
    if (q.domain) and.push({ $or: [{ subjectDomain: q.domain }, { "alert.watchItem.value": q.domain }] });
    if (q.sinceMs !== undefined) and.push({ firstSeenAtMs: { $gte: q.sinceMs } });
    if (q.untilMs !== undefined) and.push({ firstSeenAtMs: { $lt: q.untilMs } });
    if (q.after) {
      and.push({
        $or: [
          { firstSeenAtMs: { $lt: q.after.firstSeenAtMs } },
          { firstSeenAtMs: q.after.firstSeenAtMs, _id: { $lt: q.after.alertId } },
        ],
      });
    }
    return this.alerts
      .find(and.length === 1 ? (and[0] as Filter<TriagedAlert>) : { $and: and })
      .sort({ firstSeenAtMs: -1, _id: -1 })
      .limit(clampLimit(q.limit))
      .maxTimeMS(q.maxTimeMs ?? 0)
      .toArray();
  }

  async storedSince(q: StoredSinceQuery): Promise<TriagedAlert[]> {
    const and: Filter<TriagedAlert>[] = [{ tenantId: q.tenantId, storedAtMs: { $gte: q.sinceStoredAtMs } }];
    const eventIds = inList(q.eventIds);
    if (eventIds) and.push({ eventId: eventIds });
    const severities = inList(q.severities);
    if (severities) and.push({ severity: severities });
    if (q.after) {
      and.push({
        $or: [
          { storedAtMs: { $gt: q.after.storedAtMs } },
          { storedAtMs: q.after.storedAtMs, _id: { $gt: q.after.alertId } },
        ],
      });
    }
    return this.alerts
      .find({ $and: and })
      .sort({ storedAtMs: 1, _id: 1 })
      .limit(clampLimit(q.limit))
      .maxTimeMS(q.maxTimeMs ?? 0)
      .toArray();
  }

  async get(tenantId: string, alertId: string): Promise<TriagedAlert | undefined> {
    return (await this.alerts.findOne({ _id: alertId, tenantId })) ?? undefined;
  }

  async setState(
    tenantId: string,
    alertId: string,
    to: AlertState,
    change: { reason: string; actor: string; atMs: number },
  ): Promise<{ alert: TriagedAlert; changed: boolean } | undefined> {
    const current = await this.get(tenantId, alertId);
    if (!current) return undefined;
    if (current.state === to) return { alert: current, changed: false };
    const record: AlertStateChange = { from: current.state, to, ...change };
    // Audit first: a crash in between leaves a recorded decision that the retry re-applies.
    await this.changes.insertOne({ tenantId, alertId, ...record });
    await this.alerts.updateOne({ _id: alertId, tenantId }, { $set: { state: to, lastStateChange: record } });
    return { alert: { ...current, state: to, lastStateChange: record }, changed: true };
  }

  async stateChanges(tenantId: string, alertId: string, limit: number): Promise<AlertStateChange[]> {
    const docs = await this.changes
      .find({ tenantId, alertId }, { projection: { _id: 0, tenantId: 0, alertId: 0 } })
      .sort({ atMs: -1 })
      .limit(clampLimit(limit))
      .toArray();
    return docs;
  }
}
