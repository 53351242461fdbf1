import {
  protoCodec,
  type RunningConsumer,
  startConsumer,
  type TopicNames,
  type TypedProducer,
} from "@ctwatch/kafka";
import { type Alert, AlertSchema } from "@ctwatch/proto";
import type { Logger, Metrics, Stoppable } from "@ctwatch/runtime";
import { Deliverer, type SecretBox } from "@ctwatch/siem";
import type { AlertStore, DestinationStore } from "@ctwatch/store";
import type { Kafka } from "kafkajs";
import { sinkHandler } from "./sink-handler.js";
import { TenantDestinations } from "./tenant-destinations.js";

/** Settings of the sink (parsed config). */
export interface AlertSinkSettings {
  groupId: string;
  topics: TopicNames;
  secretBox: SecretBox;
  destinationsRefreshMs: number;
  allowInsecureHttp: boolean;
}

/** Collaborators of the sink. */
export interface AlertSinkDeps {
  kafka: Kafka;
  producer: TypedProducer;
  alerts: AlertStore;
  destinations: DestinationStore;
  logger: Logger;
  metrics: Metrics;
  onStored?: (a: Alert) => void;
}

/** The running sink. */
export interface AlertSink extends Stoppable {
  readonly ready: Promise<void>;
}

/**
 *   alerts topic ==> [group <prefix>.alert-sink] ==> MongoDB alerts ==> SIEM destinations
 *                                                                   └─> parked -> alerts DLQ
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
  const handle = sinkHandler({
    store: deps.alerts,
    destinationsFor: (t) => destinations.forTenant(t),
    deliverer: new Deliverer({ logger: deps.logger }),
    deadLetter: (records) => deps.producer.send(s.topics.alertsDeadLetter, records),
    encode: codec.encode,
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
  });
  return { name: "alert-sink", ready: consumer.ready, stop: () => consumer.stop() };
}
