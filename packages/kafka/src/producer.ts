import type { Stoppable } from "@ctwatch/runtime";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { CompressionTypes, type Kafka, Partitioners, type Producer } from "kafkajs";
import { installFastGzip } from "./gzip-codec.js";
import { injectTraceHeaders } from "./trace-propagation.js";

/** One record to produce. */
export interface OutRecord {
  key: string | Uint8Array;
  value: Uint8Array;
  headers?: Record<string, string>;
  /** Explicit partition; default: the murmur2 hash of the key (Java-compatible partitioner). */
  partition?: number;
}

/** Options of `createProducer`. */
export interface ProducerOptions {
  /** "gzip" compresses record batches (zlib level 1, see `installFastGzip`); default "none". */
  compression?: "none" | "gzip";
  /** Broker ack timeout per request, ms; default 30 000. */
  ackTimeoutMs?: number;
}

/**
 * An idempotent producer (acks=all, one request in flight per broker so that
 * retries cannot reorder or duplicate). `send` resolves only when the broker has
 * acknowledged every record: callers advance their checkpoints after it. Each
 * send is a PRODUCER span; records carry its W3C trace context in their headers
 * (unless they bring their own), so consumers continue the trace.
 */
export interface TypedProducer extends Stoppable {
  send(topic: string, records: readonly OutRecord[]): Promise<void>;
}

function toBuffer(b: string | Uint8Array): Buffer | string {
  return typeof b === "string" ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** Connects an idempotent producer. */
export async function createProducer(kafka: Kafka, opts: ProducerOptions = {}): Promise<TypedProducer> {
  const producer: Producer = kafka.producer({
    idempotent: true,
    // Java-compatible murmur2 partitioning (kafkajs 2's default, named to silence its warning).
    createPartitioner: Partitioners.DefaultPartitioner,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 10_000 },
  });
  await producer.connect();
  if (opts.compression === "gzip") installFastGzip();
  const compression = opts.compression === "gzip" ? CompressionTypes.GZIP : CompressionTypes.None;
  let stopped: Promise<void> | undefined;
  const tracer = trace.getTracer("ctwatch", "0.1.0");
  return {
    name: "kafka-producer",
    async send(topic, records) {
      if (stopped) throw new Error("producer is stopped");
      if (records.length === 0) return;
      const span = tracer.startSpan(`publish ${topic}`, {
        kind: SpanKind.PRODUCER,
        attributes: {
          "messaging.system": "kafka",
          "messaging.destination.name": topic,
          "messaging.batch.message_count": records.length,
        },
      });
      const spanCtx = trace.setSpan(context.active(), span);
      try {
        await producer.send({
          topic,
          acks: -1,
          timeout: opts.ackTimeoutMs ?? 30_000,
          compression,
          messages: records.map((r) => ({
            key: toBuffer(r.key),
            value: toBuffer(r.value) as Buffer,
            headers: injectTraceHeaders({ ...r.headers }, spanCtx),
            ...(r.partition !== undefined ? { partition: r.partition } : {}),
          })),
        });
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw err;
      } finally {
        span.end();
      }
    },
    stop() {
      stopped ??= producer.disconnect();
      return stopped;
    },
  };
}
