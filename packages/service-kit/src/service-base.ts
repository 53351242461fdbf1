import {
  createKafka,
  createProducer,
  defaultTopics,
  type ProducerOptions,
  prepareTopics,
  type TopicNames,
  type TypedProducer,
} from "@ctwatch/kafka";
import {
  createLogger,
  type HealthServer,
  Lifecycle,
  type Logger,
  type LogLevel,
  type Metrics,
  MetricsRegistry,
  startHealthServer,
} from "@ctwatch/runtime";
import { connectDatabase, type Database } from "@ctwatch/store";
import {
  startTelemetry,
  TeeMetrics,
  type Telemetry,
  traceFields,
  traceMongoCommands,
} from "@ctwatch/telemetry";
import type { Kafka } from "kafkajs";

/**
 * What every service starts with. Components are registered on `life` in start
 * order, so `life.stopAll()` stops them in reverse: intake (registered last)
 * first, then producer flush, database, and telemetry (registered first) last,
 * so the final spans of the shutdown are exported too.
 */
export interface ServiceBase {
  readonly name: string;
  readonly logger: Logger;
  /** Prometheus registry behind `/metrics`. */
  readonly registry: MetricsRegistry;
  /** Metrics for components: registry + OpenTelemetry. */
  readonly metrics: Metrics;
  readonly life: Lifecycle;
  readonly telemetry: Telemetry;
}

/** Creates the logger (JSON lines carrying trace IDs), metrics and telemetry of service `name`. */
export function serviceBase(
  name: string,
  env: Readonly<Record<string, string | undefined>>,
  level: LogLevel,
): ServiceBase {
  const logger = createLogger({ level, base: { service: name }, enrich: () => traceFields() });
  const registry = new MetricsRegistry();
  const life = new Lifecycle(logger);
  const telemetry = life.add(startTelemetry({ serviceName: `ctwatch-${name}`, env, logger }));
  return { name, logger, registry, metrics: new TeeMetrics(registry), life, telemetry };
}

/** Connects to MongoDB (traced when telemetry is on) and registers its close. */
export async function openDatabase(base: ServiceBase, uri: string, dbName: string): Promise<Database> {
  const db = await connectDatabase({ uri, dbName, monitorCommands: base.telemetry.enabled });
  if (base.telemetry.enabled) traceMongoCommands(db.client);
  base.life.add({ name: "mongodb", stop: () => db.close() });
  return db;
}

/** Options of `openKafka`. */
export interface OpenKafkaOptions {
  brokers: string[];
  topics: TopicNames;
  entriesPartitions?: number;
  producer?: ProducerOptions;
}

/** Creates the Kafka client, ensures the project's topics, connects a producer and registers its flush. */
export async function openKafka(
  base: ServiceBase,
  opts: OpenKafkaOptions,
): Promise<{ kafka: Kafka; producer: TypedProducer }> {
  const kafka = createKafka({ brokers: opts.brokers, clientId: `ctwatch-${base.name}`, logger: base.logger });
  await prepareTopics(
    kafka,
    defaultTopics(opts.topics, opts.entriesPartitions ? { entriesPartitions: opts.entriesPartitions } : {}),
  );
  const producer = base.life.add(await createProducer(kafka, opts.producer ?? {}));
  return { kafka, producer };
}

/** Serves `/healthz`, `/readyz` and `/metrics` and registers its close. */
export async function serveHealth(
  base: ServiceBase,
  port: number,
  ready: () => Record<string, boolean>,
): Promise<HealthServer> {
  return base.life.add(await startHealthServer({ port, ready, metrics: () => base.registry.render() }));
}
