import type { InRecord, OutRecord } from "@ctwatch/kafka";
import type { Alert } from "@ctwatch/proto";
import type { Logger, Metrics } from "@ctwatch/runtime";
import type { SiemDestination } from "@ctwatch/siem";
import type { AlertStore } from "@ctwatch/store";
import { context } from "@opentelemetry/api";
import type { AlertTraces } from "./alert-traces.js";
import { mapLimit } from "./map-limit.js";
import type { TenantDelivery } from "./tenant-delivery.js";

/** Collaborators of the sink's batch handler. */
export interface SinkHandlerDeps {
  store: AlertStore;
  destinationsFor: (tenantId: string) => Promise<SiemDestination[]>;
  delivery: TenantDelivery;
  /** Publishes invalid alerts to the alerts dead-letter topic (acked). */
  deadLetter: (records: OutRecord[]) => Promise<void>;
  encode: (a: Alert) => Uint8Array;
  /** Tenants delivered concurrently within one batch. Default 8. */
  tenantConcurrency?: number;
  /** Called for each alert newly stored (the demo prints them). */
  onStored?: (a: Alert) => void;
  /** Per-alert `sink.alert` spans; absent: no spans. */
  traces?: AlertTraces;
  logger: Logger;
  metrics: Metrics;
}

/**
 * Handles one consumer batch (one partition, offset order):
 *
 *   validate (bad -> DLQ) ==> upsertMany, dedupe by tenant + key (one bulk insert; known
 *   alerts one by one, in order) ==> per tenant (≤ tenantConcurrency at once): TenantDelivery
 *   (each destination gets the tenant's alerts in few requests: its batch limits apply)
 *
 * Resolves only when every alert is stored and every destination delivered or parked
 * it; the consumer commits offsets after that. An alert already stored but not marked
 * done (a crash mid-delivery) is delivered again. In-flight work is bounded by the
 * batch (the consumer fetches at most 1 MiB per partition) and the tenant concurrency.
 * Store writes are bulk (a handful of round trips per batch): FerretDB's SQLite backend
 * answers SQLITE_BUSY to concurrent writers, and fewer round trips are faster anyway.
 */
export function sinkHandler(deps: SinkHandlerDeps) {
  const stored = deps.metrics.counter("ctwatch_sink_alerts_total", "Alerts consumed by the sink, by outcome");
  const tenantConcurrency = deps.tenantConcurrency ?? 8;
  return async (records: InRecord<Alert>[], signal: AbortSignal): Promise<void> => {
    const end = deps.traces?.begin(records);
    try {
      await handleBatch(records, signal);
      end?.();
    } catch (err) {
      end?.(err);
      throw err;
    }
  };

  async function handleBatch(records: InRecord<Alert>[], signal: AbortSignal): Promise<void> {
    const valid: Alert[] = [];
    const invalid: OutRecord[] = [];
    for (const r of records) {
      const a = r.value;
      if (!a.tenantId || !a.dedupKey || !a.alertId) {
        stored.inc({ outcome: "invalid" });
        deps.logger.warn("alert without tenant, dedup key or ID sent to dead letter", { offset: r.offset });
        invalid.push({
          key: r.key ?? "",
          value: deps.encode(a),
          headers: { "ctwatch-error": "alert lacks tenant_id, dedup_key or alert_id" },
        });
        continue;
      }
      valid.push(a);
    }
    if (invalid.length > 0) await deps.deadLetter(invalid);
    const toDeliver = new Map<string, Alert>();
    const results = await deps.store.upsertMany(valid);
    valid.forEach((a, i) => {
      const res = results[i];
      if (!res) return;
      stored.inc({ outcome: res.inserted ? "new" : "duplicate" });
      if (res.inserted) deps.onStored?.(a);
      if (res.needsDelivery) toDeliver.set(a.alertId, a);
    });
    const byTenant = new Map<string, Alert[]>();
    for (const a of toDeliver.values()) {
      const list = byTenant.get(a.tenantId) ?? [];
      list.push(a);
      byTenant.set(a.tenantId, list);
    }
    await mapLimit([...byTenant], tenantConcurrency, async ([tenantId, alerts]) => {
      // The tenant's store and delivery spans hang off its first alert's trace.
      const first = alerts[0];
      const traced = first ? deps.traces?.contextOf(first) : undefined;
      const run = async () => {
        const destinations = await deps.destinationsFor(tenantId);
        await deps.delivery.deliver(tenantId, alerts, destinations, "live", signal);
      };
      await (traced ? context.with(traced, run) : run());
    });
  }
}
