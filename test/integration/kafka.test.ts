import { create } from "@bufbuild/protobuf";
import {
  createKafka,
  createProducer,
  defaultTopics,
  type InRecord,
  prepareTopics,
  protoCodec,
  startConsumer,
  type TopicNames,
  type TypedProducer,
  topicNames,
} from "@ctwatch/kafka";
import { type CertificateEntry, CertificateEntrySchema } from "@ctwatch/proto";
import { MetricsRegistry, silentLogger } from "@ctwatch/runtime";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Kafka } from "kafkajs";
import { deleteTopics, eventually, infraEnv, uniqueId } from "../harness/names.js";

const codec = protoCodec(CertificateEntrySchema);
let kafka: Kafka;
let producer: TypedProducer;
let topics: TopicNames;
const prefix = uniqueId("it");

function entry(i: number): CertificateEntry {
  return create(CertificateEntrySchema, {
    position: { leafIndex: BigInt(i) },
    issuanceKey: new Uint8Array([i]),
  });
}

beforeAll(async () => {
  kafka = createKafka({ brokers: infraEnv().kafkaBrokers, clientId: "it-kafka", logger: silentLogger });
  topics = topicNames(prefix);
  await prepareTopics(kafka, defaultTopics(topics, { entriesPartitions: 3 }));
  producer = await createProducer(kafka);
});

afterAll(async () => {
  await producer?.stop();
  await deleteTopics(infraEnv().kafkaBrokers, prefix);
});

describe("Kafka plumbing (real broker)", () => {
  it("creates topics idempotently with the specified partitions and retention", async () => {
    await prepareTopics(kafka, defaultTopics(topics, { entriesPartitions: 3 }));
    const admin = kafka.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [topics.entries] });
      expect(meta.topics[0]?.partitions).toHaveLength(3);
      const cfg = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name: topics.entries, configNames: ["retention.ms"] }],
      });
      expect(cfg.resources[0]?.configEntries[0]?.configValue).toBe(String(7 * 86_400_000));
      await expect(prepareTopics(kafka, defaultTopics(topics, { entriesPartitions: 6 }))).rejects.toThrow(
        /has 3 partitions, configuration expects 6/,
      );
    } finally {
      await admin.disconnect();
    }
  });

  it("delivers every record once in order per partition, dead-letters garbage, retries a failing handler", async () => {
    await producer.send(topics.entries, [
      ...[0, 1, 2].map((i) => ({ key: "k", value: codec.encode(entry(i)) })),
      { key: "k", value: new Uint8Array([0xff, 0xff, 0xff]) },
      ...[3, 4].map((i) => ({ key: "k", value: codec.encode(entry(i)) })),
    ]);
    const seen: number[] = [];
    let failuresLeft = 2;
    const metrics = new MetricsRegistry();
    const group = uniqueId("g");
    const consumer = await startConsumer(kafka, {
      groupId: group,
      topic: topics.entries,
      codec,
      deadLetterTopic: topics.entriesDeadLetter,
      producer,
      logger: silentLogger,
      metrics,
      maxRetryDelayMs: 50,
      handle: async (records: InRecord<CertificateEntry>[]) => {
        if (failuresLeft-- > 0) throw new Error("transient");
        for (const r of records) seen.push(Number(r.value.position?.leafIndex));
      },
    });
    try {
      await eventually(async () => (seen.length >= 5 ? true : undefined), 30_000, "5 records");
      expect(seen).toEqual([0, 1, 2, 3, 4]);
      expect(metrics.total("ctwatch_consumer_handler_failures_total")).toBeGreaterThanOrEqual(1);
      // Everything consumed and committed: no lag left on the partition the records went to.
      await eventually(
        async () =>
          metrics.render().includes(`ctwatch_consumer_lag_records{group="${group}"`) ? true : undefined,
        10_000,
        "a lag gauge",
      );
      expect(metrics.total("ctwatch_consumer_lag_records")).toBe(0);
    } finally {
      await consumer.stop();
    }
    // Committed offsets: a new member of the same group sees nothing old.
    const again: number[] = [];
    const c2 = await startConsumer(kafka, {
      groupId: group,
      topic: topics.entries,
      codec,
      deadLetterTopic: topics.entriesDeadLetter,
      producer,
      logger: silentLogger,
      metrics,
      handle: async (records) => {
        for (const r of records) again.push(Number(r.value.position?.leafIndex));
      },
    });
    await c2.ready;
    await producer.send(topics.entries, [{ key: "k", value: codec.encode(entry(5)) }]);
    await eventually(async () => (again.length >= 1 ? true : undefined), 30_000, "record 5");
    await c2.stop();
    expect(again).toEqual([5]);
    // The garbage record is in the dead-letter topic with its error.
    const dlq: Array<Record<string, string>> = [];
    const raw = kafka.consumer({ groupId: uniqueId("dlq") });
    await raw.connect();
    await raw.subscribe({ topic: topics.entriesDeadLetter, fromBeginning: true });
    await raw.run({
      eachMessage: async ({ message }) => {
        const h: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) h[k] = String(v);
        dlq.push(h);
      },
    });
    await eventually(async () => (dlq.length >= 1 ? true : undefined), 30_000, "dead letter");
    await raw.disconnect();
    expect(dlq[0]?.["ctwatch-error-reason"]).toBe("malformed");
    expect(dlq[0]?.["ctwatch-source"]).toMatch(
      new RegExp(`^${topics.entries.replace(/\./g, "\\.")}/\\d+/3$`),
    );
  });
});
