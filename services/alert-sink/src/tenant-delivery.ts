import type { OutRecord } from "@ctwatch/kafka";
import type { DestinationHealth, IncidentNotifier } from "@ctwatch/notify";
import type { Alert } from "@ctwatch/proto";
import type { Logger, Metrics } from "@ctwatch/runtime";
import { type Deliverer, type DeliveryOutcome, hintFor, type SiemDestination } from "@ctwatch/siem";
import type { AlertStore, DeliveryRecord, ParkedDeliveryStore, ParkInput } from "@ctwatch/store";
import { LatencyHistogram } from "./latency-histogram.js";

/** Collaborators of {@link TenantDelivery}. */
export interface TenantDeliveryDeps {
  deliverer: Deliverer;
  alerts: AlertStore;
  parked: ParkedDeliveryStore;
  /** Publishes parked alerts to the alerts dead-letter topic (acked). */
  deadLetter: (records: OutRecord[]) => Promise<void>;
  encode: (a: Alert) => Uint8Array;
  /** Incident emails; absent when SMTP is not configured. */
  incidents?: IncidentNotifier;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
  /**
   * How long automatic redelivery waits before retrying an alert whose batch the
   * SIEM refused as invalid (the destination itself works), ms. Default 3 600 000.
   */
  rejectedRetryDelayMs?: number;
}

/** What happened to each alert at each destination. */
export interface TenantDeliveryResult {
  /** Destination ID -> alert IDs delivered. */
  delivered: Map<string, string[]>;
  /** Destination ID -> alert IDs parked. */
  parked: Map<string, string[]>;
}

/**
 * Delivers one tenant's alerts to its destinations and records the outcome:
 *
 *   Deliverer (per destination: batches, retry, breaker, 413 split)
 *     ==> parked? -> parked_deliveries (+ alerts DLQ topic on first parking)
 *     ==> incident notifier (healthy / failing per destination)
 *     ==> alerts.markDelivered (per alert: delivered | parked per destination)
 *
 * Used by the consumer path (`live`: every alert gets a record per destination and
 * its delivery is marked done) and by redelivery (`redelivery`: delivered alerts
 * leave the parked store, the others are parked again; no second DLQ record).
 * Resolves once every effect is durable; rejects on store or Kafka failures (the
 * caller retries; all effects are idempotent) or cancellation.
 */
export class TenantDelivery {
  readonly #d: TenantDeliveryDeps;
  readonly #now: () => number;
  readonly #deliveries;
  readonly #latency: LatencyHistogram;

  constructor(deps: TenantDeliveryDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    this.#latency = new LatencyHistogram(
      deps.metrics,
      "ctwatch_sink_delivery_latency_seconds",
      "Time from an alert's detection (detected_at) to the SIEM's acknowledgement, by destination kind and mode",
    );
    this.#deliveries = deps.metrics.counter(
      "ctwatch_sink_deliveries_total",
      "Alert deliveries, by destination kind, status (delivered, parked) and mode (live, redelivery)",
    );
  }

  async deliver(
    tenantId: string,
    alerts: readonly Alert[],
    destinations: readonly SiemDestination[],
    mode: "live" | "redelivery",
    signal: AbortSignal,
  ): Promise<TenantDeliveryResult> {
    const result: TenantDeliveryResult = { delivered: new Map(), parked: new Map() };
    const perAlert = new Map<string, Record<string, DeliveryRecord>>(alerts.map((a) => [a.alertId, {}]));
    const healths: DestinationHealth[] = [];
    if (destinations.length > 0 && alerts.length > 0) {
      const outcomes = await this.#d.deliverer.deliver(alerts, destinations, signal);
      const toPark: ParkInput[] = [];
      const deadLetters: OutRecord[] = [];
      for (const d of destinations) {
        const o = outcomes.get(d.id);
        if (!o) continue;
        const atMs = this.#now();
        const undelivered = new Set(o.status === "parked" ? o.undelivered.map((a) => a.alertId) : []);
        const delivered: string[] = [];
        const parked: string[] = [];
        for (const a of alerts) {
          const rec: DeliveryRecord = undelivered.has(a.alertId)
            ? { status: "parked", atMs, reason: parkReason(o) }
            : { status: "delivered", atMs };
          (perAlert.get(a.alertId) as Record<string, DeliveryRecord>)[d.id] = rec;
          this.#deliveries.inc({ kind: d.kind, status: rec.status, mode });
          if (rec.status === "delivered") {
            delivered.push(a.alertId);
            if (a.detectedAtMs > 0n) {
              this.#latency.observe((atMs - Number(a.detectedAtMs)) / 1000, { kind: d.kind, mode });
            }
            continue;
          }
          parked.push(a.alertId);
          toPark.push({
            tenantId,
            destinationId: d.id,
            alertId: a.alertId,
            atMs,
            reason: rec.reason ?? "parked",
            // Destination-level failures are retried as soon as the breaker lets a probe
            // through; a batch the SIEM judged invalid waits longer between tries.
            nextAttemptAtMs:
              o.status === "parked" && !o.error.destinationLevel
                ? atMs + (this.#d.rejectedRetryDelayMs ?? 3_600_000)
                : atMs,
          });
          if (mode === "live") {
            deadLetters.push({
              key: `${a.tenantId}/${a.dedupKey}`,
              value: this.#d.encode(a),
              headers: {
                "ctwatch-error": rec.reason ?? "parked",
                "ctwatch-destination": d.id,
                "ctwatch-tenant": a.tenantId,
                "ctwatch-alert-id": a.alertId,
              },
            });
          }
        }
        result.delivered.set(d.id, delivered);
        result.parked.set(d.id, parked);
        if (o.status === "parked") {
          this.#d.logger.warn("delivery parked", {
            tenantId,
            destination: d.id,
            mode,
            reason: o.reason,
            code: o.error.code,
            parked: parked.length,
            delivered: delivered.length,
          });
        }
      }
      // Parked state first (store, then DLQ topic), so that a crash before
      // markDelivered re-delivers rather than forgets.
      await this.#d.parked.park(toPark);
      if (deadLetters.length > 0) await this.#d.deadLetter(deadLetters);
      for (const d of destinations) {
        const o = outcomes.get(d.id);
        const health = o ? healthOf(tenantId, d, o) : undefined;
        if (health) healths.push(health);
      }
    }
    const marks = alerts.flatMap((a) => {
      const outcomes = perAlert.get(a.alertId) ?? {};
      if (mode === "live") return [{ alertId: a.alertId, outcomes }];
      const delivered = Object.fromEntries(
        Object.entries(outcomes).filter(([, r]) => r.status === "delivered"),
      );
      return Object.keys(delivered).length > 0 ? [{ alertId: a.alertId, outcomes: delivered }] : [];
    });
    await this.#d.alerts.markDeliveredMany(marks);
    // Redelivered alerts leave the parked store last: a crash before this delivers them again.
    if (mode === "redelivery") {
      for (const [destinationId, ids] of result.delivered) {
        if (ids.length > 0) await this.#d.parked.remove(destinationId, ids);
      }
    }
    // Emails last: they are best effort and must not delay the durable effects.
    for (const health of healths) await this.#d.incidents?.report(health, signal);
    return result;
  }
}

function parkReason(o: DeliveryOutcome): string {
  return o.status === "parked" ? `${o.reason}: ${o.error.code}` : "";
}

/**
 * A destination is failing when it failed as a whole (credentials, unreachable,
 * 5xx past the budget, breaker open); healthy when it accepted something. A SIEM
 * that only refused an invalid batch says nothing about its health.
 */
function healthOf(tenantId: string, d: SiemDestination, o: DeliveryOutcome): DestinationHealth | undefined {
  const base = { tenantId, destinationId: d.id, destinationKind: d.kind };
  if (o.status === "delivered") return o.deliveredCount > 0 ? { ...base, status: "healthy" } : undefined;
  if (o.error.destinationLevel) {
    return {
      ...base,
      status: "failing",
      code: o.error.code,
      reason: o.reason,
      message: o.error.message,
      hint: hintFor(o.error.code, d.kind),
    };
  }
  return o.deliveredCount > 0 ? { ...base, status: "healthy" } : undefined;
}
