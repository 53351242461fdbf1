import type { InRecord, OutRecord } from "@ctwatch/kafka";
import type { Alert } from "@ctwatch/proto";
import type { Logger, Metrics } from "@ctwatch/runtime";
import type { Deliverer, SiemDestination } from "@ctwatch/siem";
import type { AlertStore, DeliveryRecord } from "@ctwatch/store";

/** Collaborators of the sink's batch handler. */
export interface SinkHandlerDeps {
  store: AlertStore;
  destinationsFor: (tenantId: string) => Promise<SiemDestination[]>;
  deliverer: Deliverer;
  /** Publishes parked alerts to the alerts dead-letter topic (acked). */
  deadLetter: (records: OutRecord[]) => Promise<void>;
  encode: (a: Alert) => Uint8Array;
  /** Called for each alert newly stored (the demo prints them). */
  onStored?: (a: Alert) => void;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
}

/**
 * Handles one batch of alerts:
 *
 *   upsert (dedupe by tenant + key) ==> deliver to the tenant's destinations (retry, breaker)
 *     ==> parked? -> dead-letter topic ==> mark delivery done
 *
 * Resolves only when every alert is stored and every destination delivered or
 * parked it; the consumer commits offsets after that. An alert already stored but
 * not marked done (a crash mid-delivery) is delivered again.
 */
export function sinkHandler(deps: SinkHandlerDeps) {
  const now = deps.now ?? Date.now;
  const stored = deps.metrics.counter("ctwatch_sink_alerts_total", "Alerts consumed by the sink, by outcome");
  const delivered = deps.metrics.counter(
    "ctwatch_sink_deliveries_total",
    "Alert deliveries, by destination kind and status",
  );
  return async (records: InRecord<Alert>[], signal: AbortSignal): Promise<void> => {
    const toDeliver = new Map<string, Alert>();
    for (const r of records) {
      const a = r.value;
      if (!a.tenantId || !a.dedupKey || !a.alertId) {
        stored.inc({ outcome: "invalid" });
        deps.logger.warn("alert without tenant, dedup key or ID sent to dead letter", { offset: r.offset });
        await deps.deadLetter([
          {
            key: r.key ?? "",
            value: deps.encode(a),
            headers: { "ctwatch-error": "alert lacks tenant_id, dedup_key or alert_id" },
          },
        ]);
        continue;
      }
      const res = await deps.store.upsert(a);
      stored.inc({ outcome: res.inserted ? "new" : "duplicate" });
      if (res.inserted) deps.onStored?.(a);
      if (res.needsDelivery) toDeliver.set(a.alertId, a);
    }
    const byTenant = new Map<string, Alert[]>();
    for (const a of toDeliver.values()) {
      const list = byTenant.get(a.tenantId) ?? [];
      list.push(a);
      byTenant.set(a.tenantId, list);
    }
    for (const [tenantId, alerts] of byTenant) {
      const destinations = await deps.destinationsFor(tenantId);
      const perAlert = new Map<string, Record<string, DeliveryRecord>>(alerts.map((a) => [a.alertId, {}]));
      if (destinations.length > 0) {
        const outcomes = await deps.deliverer.deliver(alerts, destinations, signal);
        const parked: OutRecord[] = [];
        for (const d of destinations) {
          const o = outcomes.get(d.id);
          if (!o) continue;
          const undelivered = new Set(o.status === "parked" ? o.undelivered.map((a) => a.alertId) : []);
          for (const a of alerts) {
            const rec: DeliveryRecord = undelivered.has(a.alertId)
              ? {
                  status: "parked",
                  atMs: now(),
                  reason: o.status === "parked" ? `${o.reason}: ${o.error.code}` : "",
                }
              : { status: "delivered", atMs: now() };
            (perAlert.get(a.alertId) as Record<string, DeliveryRecord>)[d.id] = rec;
            delivered.inc({ kind: d.kind, status: rec.status });
            if (rec.status === "parked") {
              parked.push({
                key: `${a.tenantId}/${a.dedupKey}`,
                value: deps.encode(a),
                headers: {
                  "ctwatch-error": rec.reason ?? "parked",
                  "ctwatch-destination": d.id,
                  "ctwatch-tenant": a.tenantId,
                },
              });
            }
          }
          if (o.status === "parked") {
            deps.logger.error("delivery parked", {
              tenantId,
              destination: d.id,
              reason: o.reason,
              code: o.error.code,
              count: o.undelivered.length,
            });
          }
        }
        if (parked.length > 0) await deps.deadLetter(parked);
      }
      for (const a of alerts) await deps.store.markDelivered(a.alertId, perAlert.get(a.alertId) ?? {});
    }
  };
}
