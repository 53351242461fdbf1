import {
  protoCodec,
  type RunningConsumer,
  startConsumer,
  type TopicNames,
  type TypedProducer,
} from "@ctwatch/kafka";
import type { IncidentNotifier } from "@ctwatch/notify";
import { type Alert, AlertSchema } from "@ctwatch/proto";
import type { Logger, Metrics, Stoppable } from "@ctwatch/runtime";
import { Deliverer, type SecretBox } from "@ctwatch/siem";
import type { AlertStore, DestinationStore, LeaseStore, ParkedDeliveryStore } from "@ctwatch/store";
import type { Kafka } from "kafkajs";
import { AlertTraces } from "./alert-traces.js";
import type { DeliverySettings } from "./config.js";
import { Redeliverer } from "./redeliverer.js";
import { sinkHandler } from "./sink-handler.js";
import { TenantDelivery } from "./tenant-delivery.js";
import { TenantDestinations } from "./tenant-destinations.js";
import { gatedAlertStore, gatedParkedStore, WriteGate } from "./write-gate.js";

/** Settings of the sink (parsed config). */
export interface AlertSinkSettings {
  groupId: string;
  /** Consumer group session timeout, ms; default 30 000. */
  sessionTimeoutMs?: number;
  topics: TopicNames;
  secretBox: SecretBox;
  destinationsRefreshMs: number;
  allowInsecureHttp: boolean;
  delivery: DeliverySettings;
  redelivery: { intervalMs: number; batchSize: number; leaseMs?: number };
}

/** Collaborators of the sink. */
export interface AlertSinkDeps {
  kafka: Kafka;
  producer: TypedProducer;
  alerts: AlertStore;
  destinations: DestinationStore;
  parked: ParkedDeliveryStore;
  leases: LeaseStore;
  /** Incident emails; absent when SMTP is not configured. */
  incidents?: IncidentNotifier;
  /** Identifies this process in leases (host/pid/random). */
  owner: string;
  logger: Logger;
  metrics: Metrics;
  onStored?: (a: Alert) => void;
}

/** The running sink. */
export interface AlertSink extends Stoppable {
  readonly ready: Promise<void>;
  readonly redeliverer: Redeliverer;
}

/** The Deliverer the consumer path, redelivery and replay share (one breaker per destination). */
export function createDeliverer(
  d: DeliverySettings,
  logger: Logger,
  metrics?: Metrics,
  traces?: AlertTraces,
): Deliverer {
  return new Deliverer({
    logger,
    ...(metrics ? { metrics } : {}),
    ...(traces ? { traceContextOf: (a: Alert) => traces.contextOf(a) } : {}),
    retry: { maxAttempts: d.maxAttempts, baseDelayMs: d.baseDelayMs, maxElapsedMs: d.retryBudgetMs },
    breaker: {
      failureThreshold: d.breakerFailureThreshold,
      openMs: d.breakerOpenMs,
      maxOpenMs: d.breakerMaxOpenMs,
    },
  });
}

/**
 *   alerts topic ==> [group <prefix>.alert-sink] ==> MongoDB alerts ==> SIEM destinations
 *                                                     │                 └─> parked -> parked_deliveries + alerts DLQ
 *                                                     │                 └─> incident emails (failing / recovered)
 *   every CTWATCH_REDELIVERY_INTERVAL_MS: parked_deliveries ==> SIEM destinations (when the breaker allows)
 */
export async function startAlertSink(s: AlertSinkSettings, deps: AlertSinkDeps): Promise<AlertSink> {
  const codec = protoCodec(AlertSchema);
  const invalid = deps.metrics.counter(
    "ctwatch_sink_invalid_destinations_total",
    "Destinations skipped as invalid",
  );
  const destinations = new TenantDestinations(
    deps.destinations,
    s.secretBox,
    deps.logger,
    s.destinationsRefreshMs,
    s.allowInsecureHttp,
    (tenantId) => invalid.inc({ tenant: tenantId }),
  );
  // One multi-document writer at a time (FerretDB deadlocks otherwise; see WriteGate).
  const gate = new WriteGate();
  const alerts = gatedAlertStore(deps.alerts, gate);
  const parked = gatedParkedStore(deps.parked, gate);
  const traces = new AlertTraces();
  const deliverer = createDeliverer(s.delivery, deps.logger, deps.metrics, traces);
  const deadLetter = (records: Parameters<TypedProducer["send"]>[1]) =>
    deps.producer.send(s.topics.alertsDeadLetter, records);
  const delivery = new TenantDelivery({
    deliverer,
    alerts,
    parked,
    deadLetter: (records) => deadLetter(records),
    encode: codec.encode,
    ...(deps.incidents ? { incidents: deps.incidents } : {}),
    logger: deps.logger,
    metrics: deps.metrics,
  });
  const redeliverer = new Redeliverer(
    {
      parked,
      alerts,
      leases: deps.leases,
      delivery,
      deliverer,
      destination: (tenantId, id) => destinations.byId(tenantId, id),
      ...(deps.incidents ? { incidents: deps.incidents } : {}),
      logger: deps.logger,
      metrics: deps.metrics,
      owner: deps.owner,
    },
    s.redelivery,
  );
  const handle = sinkHandler({
    store: alerts,
    destinationsFor: (t) => destinations.forTenant(t),
    delivery,
    deadLetter: (records) => deadLetter(records),
    encode: codec.encode,
    tenantConcurrency: s.delivery.tenantConcurrency,
    traces,
    logger: deps.logger,
    metrics: deps.metrics,
    ...(deps.onStored ? { onStored: deps.onStored } : {}),
  });
  const consumer: RunningConsumer = await startConsumer(deps.kafka, {
    groupId: s.groupId,
    topic: s.topics.alerts,
    codec,
    deadLetterTopic: s.topics.alertsDeadLetter,
    producer: deps.producer,
    handle,
    logger: deps.logger,
    metrics: deps.metrics,
    ...(s.sessionTimeoutMs ? { sessionTimeoutMs: s.sessionTimeoutMs } : {}),
  });
  redeliverer.start();
  let stopping: Promise<void> | undefined;
  return {
    name: "alert-sink",
    ready: consumer.ready,
    redeliverer,
    stop() {
      // Intake first, then background redelivery; each drains what it has in flight.
      stopping ??= (async () => {
        await consumer.stop();
        await redeliverer.stop();
      })();
      return stopping;
    },
  };
}
