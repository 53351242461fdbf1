import { type Logger, type Metrics, retry, type Stoppable } from "@ctwatch/runtime";
import { type Context, type Link, SpanKind, trace } from "@opentelemetry/api";
import type { Consumer, Kafka, KafkaMessage } from "kafkajs";
import { type Codec, DecodeError } from "./codec.js";
import type { TypedProducer } from "./producer.js";
import { extractTraceContext } from "./trace-propagation.js";

/** A decoded record handed to a handler. */
export interface InRecord<T> {
  value: T;
  key: string | undefined;
  topic: string;
  partition: number;
  offset: string;
  headers: Record<string, string>;
  timestampMs: number;
  /** The producer's trace context from the headers: parent for spans about this record. */
  traceContext: Context;
}

/** Options of `startConsumer`. */
export interface ConsumerOptions<T> {
  groupId: string;
  topic: string;
  codec: Codec<T>;
  /** Where records that cannot be decoded go (with the error in headers). */
  deadLetterTopic: string;
  /** Producer used for the dead-letter topic. */
  producer: TypedProducer;
  /**
   * Processes a batch of one partition, in offset order. Resolve only when the
   * effects are durable: offsets up to the batch's last record are committed
   * right after. A rejection is retried with backoff (the partition waits, nothing
   * is skipped) until it succeeds or the consumer stops.
   */
  handle: (records: InRecord<T>[], signal: AbortSignal) => Promise<void>;
  logger: Logger;
  metrics: Metrics;
  /** Where a new group starts; default "earliest" (nothing missed). */
  fromBeginning?: boolean;
  /** Max bytes fetched per partition per request; bounds memory. Default 1 MiB. */
  maxBytesPerPartition?: number;
  /** Cap of the retry backoff for a failing handler, ms; default 30 000. */
  maxRetryDelayMs?: number;
  /**
   * Group session timeout, ms; default 30 000. A member that died without leaving
   * (SIGKILL) holds its partitions this long before a restarted member gets them.
   */
  sessionTimeoutMs?: number;
}

function headersOf(m: KafkaMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? String(v[0]) : String(v);
  }
  return out;
}

/** A running consumer group member. */
export interface RunningConsumer extends Stoppable {
  /** Resolves once the member has joined the group and got its assignment. */
  readonly ready: Promise<void>;
}

/**
 *   fetch batch ==> decode (bad -> dead letter) ==> handle (retry until ok) ==> commit
 *
 * Offsets are committed manually, per partition, only after the handler has
 * resolved for every record before them. A crash re-delivers at most the
 * uncommitted batch: handlers must be idempotent.
 */
export async function startConsumer<T>(kafka: Kafka, opts: ConsumerOptions<T>): Promise<RunningConsumer> {
  const log = opts.logger.child({ group: opts.groupId, topic: opts.topic });
  const consumed = opts.metrics.counter(
    "ctwatch_consumer_records_total",
    "Records consumed, by group and outcome",
  );
  const failures = opts.metrics.counter(
    "ctwatch_consumer_handler_failures_total",
    "Handler failures (retried)",
  );
  const lag = opts.metrics.gauge(
    "ctwatch_consumer_lag_records",
    "Records between the partition's high watermark and this group's committed position, by group and partition",
  );
  const consumer: Consumer = kafka.consumer({
    groupId: opts.groupId,
    allowAutoTopicCreation: false,
    maxBytesPerPartition: opts.maxBytesPerPartition ?? 1 << 20,
    sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: Math.min(3_000, Math.floor((opts.sessionTimeoutMs ?? 30_000) / 3)),
  });
  const ac = new AbortController();
  const tracer = trace.getTracer("ctwatch", "0.1.0");
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => {
    resolveReady = r;
  });
  consumer.on(consumer.events.GROUP_JOIN, () => resolveReady());
  await consumer.connect();
  await consumer.subscribe({ topic: opts.topic, fromBeginning: opts.fromBeginning ?? true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      const good: InRecord<T>[] = [];
      for (const m of batch.messages) {
        try {
          const headers = headersOf(m);
          good.push({
            value: opts.codec.decode(m.value),
            key: m.key?.toString("utf8"),
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            headers,
            timestampMs: Number(m.timestamp),
            traceContext: extractTraceContext(headers),
          });
        } catch (err) {
          if (!(err instanceof DecodeError)) throw err;
          // Flush what decoded before it so dead-lettering keeps offset order.
          log.warn("undecodable record sent to dead letter", {
            partition: batch.partition,
            offset: m.offset,
            err,
          });
          consumed.inc({ group: opts.groupId, outcome: "dead-letter" });
          await opts.producer.send(opts.deadLetterTopic, [
            {
              key: m.key ?? "",
              value: m.value ?? new Uint8Array(),
              headers: {
                "ctwatch-error": err.message.slice(0, 500),
                "ctwatch-error-reason": err.reason,
                "ctwatch-source": `${batch.topic}/${batch.partition}/${m.offset}`,
                "ctwatch-group": opts.groupId,
              },
            },
          ]);
        }
      }
      if (good.length > 0) {
        // One CONSUMER span per batch, linked to (at most 32 of) the producers' spans.
        const links: Link[] = [];
        for (const r of good) {
          const sc = trace.getSpanContext(r.traceContext);
          if (sc && links.length < 32) links.push({ context: sc });
        }
        const span = tracer.startSpan(`process ${batch.topic}`, {
          kind: SpanKind.CONSUMER,
          links,
          attributes: {
            "messaging.system": "kafka",
            "messaging.consumer.group.name": opts.groupId,
            "messaging.destination.partition.id": String(batch.partition),
            "messaging.batch.message_count": good.length,
          },
        });
        await retry((_attempt) => opts.handle(good, ac.signal), {
          maxAttempts: Number.POSITIVE_INFINITY,
          baseDelayMs: 200,
          maxDelayMs: opts.maxRetryDelayMs ?? 30_000,
          signal: ac.signal,
          onRetry: (err, attempt, delayMs) => {
            failures.inc({ group: opts.groupId });
            log.error("handler failed; retrying", { partition: batch.partition, attempt, delayMs, err });
            void heartbeat().catch(() => {});
          },
        }).finally(() => span.end());
        consumed.inc({ group: opts.groupId, outcome: "ok" }, good.length);
      }
      if (!isRunning() || isStale()) return;
      const last = batch.messages[batch.messages.length - 1];
      if (last) {
        resolveOffset(last.offset);
        await consumer.commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() },
        ]);
        lag.set(Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n)), {
          group: opts.groupId,
          partition: String(batch.partition),
        });
      }
      await heartbeat();
    },
  });
  let stopping: Promise<void> | undefined;
  return {
    name: `kafka-consumer:${opts.groupId}`,
    ready,
    stop() {
      stopping ??= (async () => {
        ac.abort(new Error("consumer stopping"));
        await consumer.disconnect();
      })();
      return stopping;
    },
  };
}
