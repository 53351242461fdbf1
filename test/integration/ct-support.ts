/**
 * Helpers of the ct-tailer integration and end-to-end tests: read a whole topic back from the real
 * broker, and summarise what a log's entries look like there.
 */
import { protoCodec } from "@ctwatch/kafka";
import { CertificateEntrySchema } from "@ctwatch/proto";
import { Kafka, logLevel } from "kafkajs";
import { uniqueId } from "../harness/names.js";

/** One record as stored. */
export interface StoredRecord {
  readonly partition: number;
  readonly key: Buffer | null;
  readonly value: Buffer;
}

/** Every record of `topic` (all partitions, from the beginning up to the current end). */
export async function readTopic(
  brokers: string[],
  topic: string,
  timeoutMs = 60_000,
): Promise<StoredRecord[]> {
  const kafka = new Kafka({ clientId: "ct-test-reader", brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  let total = 0;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    for (const o of offsets) total += Number(o.high) - Number(o.low);
  } finally {
    await admin.disconnect();
  }
  if (total === 0) return [];
  const out: StoredRecord[] = [];
  const consumer = kafka.consumer({ groupId: uniqueId("ct-reader"), maxBytesPerPartition: 8 << 20 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let resolve!: () => void;
    const done = new Promise<void>((r) => {
      resolve = r;
    });
    await consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          if (m.value) out.push({ partition: batch.partition, key: m.key, value: m.value });
        }
        if (out.length >= total) resolve();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      done,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`read ${out.length} of ${total} records of ${topic}`)),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
  }
  return out;
}

const codec = protoCodec(CertificateEntrySchema);

/** What one log's entries on the entries topic look like. */
export interface LogEntriesSummary {
  /** Records of this log (duplicates included). */
  readonly records: number;
  /** Distinct leaf indexes. */
  readonly distinct: Set<number>;
  /** Records minus distinct indexes. */
  readonly duplicates: number;
  /** Partition per leaf index (the last seen). */
  readonly partitionOf: Map<number, number>;
  /** Issuance key (hex) per leaf index. */
  readonly keyOf: Map<number, string>;
}

/** Decodes the entries of the log at `logUrl` among `records`. */
export function summarise(records: StoredRecord[], logUrl: string): LogEntriesSummary {
  const distinct = new Set<number>();
  const partitionOf = new Map<number, number>();
  const keyOf = new Map<number, string>();
  let n = 0;
  for (const r of records) {
    const e = codec.decode(r.value);
    if (e.position?.logUrl !== logUrl) continue;
    const i = Number(e.position.leafIndex);
    n++;
    distinct.add(i);
    partitionOf.set(i, r.partition);
    keyOf.set(i, Buffer.from(e.issuanceKey).toString("hex"));
  }
  return { records: n, distinct, duplicates: n - distinct.size, partitionOf, keyOf };
}

/** [0, n) as a set. */
export function indexes(from: number, to: number): Set<number> {
  const s = new Set<number>();
  for (let i = from; i < to; i++) s.add(i);
  return s;
}
