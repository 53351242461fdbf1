import { retry, type VarSpec } from "@ctwatch/runtime";
import type { Admin, Kafka } from "kafkajs";

/** A topic the project owns: created by the project with explicit settings. */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** Retention in ms; -1 keeps forever. */
  retentionMs: number;
  /** Largest message the broker accepts, bytes. */
  maxMessageBytes: number;
  /** Broker-side compression: "producer" keeps what the producer sent. */
  compressionType?: "producer" | "gzip" | "uncompressed";
}

/** The project's topic names. */
export interface TopicNames {
  /** CertificateEntry messages from ct-tailer; key = issuance key. */
  entries: string;
  /** Entries consumers could not decode, with the error in headers. */
  entriesDeadLetter: string;
  /** Alert messages from detectors; key = tenant/dedup key. */
  alerts: string;
  /** Alerts the sink could not decode or deliver, with the error in headers. */
  alertsDeadLetter: string;
}

/**
 * Topic names under `prefix` (default "ctwatch"), versioned: a breaking change
 * to a message gets a new topic. A prefix lets several deployments (or test
 * runs) share one cluster.
 */
export function topicNames(prefix = "ctwatch"): TopicNames {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(prefix)) throw new Error(`invalid topic prefix "${prefix}"`);
  return {
    entries: `${prefix}.ct-entries.v1`,
    entriesDeadLetter: `${prefix}.ct-entries.dlq.v1`,
    alerts: `${prefix}.alerts.v1`,
    alertsDeadLetter: `${prefix}.alerts.dlq.v1`,
  };
}

const DAY_MS = 86_400_000;

/** The default topic layout. Partition counts are the unit of consumer parallelism. */
export function defaultTopics(
  names: TopicNames,
  opts: { entriesPartitions?: number; alertsPartitions?: number } = {},
): TopicSpec[] {
  return [
    {
      name: names.entries,
      partitions: opts.entriesPartitions ?? 12,
      retentionMs: 7 * DAY_MS,
      maxMessageBytes: 1 << 20,
    },
    { name: names.entriesDeadLetter, partitions: 1, retentionMs: 30 * DAY_MS, maxMessageBytes: 1 << 20 },
    {
      name: names.alerts,
      partitions: opts.alertsPartitions ?? 6,
      retentionMs: 30 * DAY_MS,
      maxMessageBytes: 1 << 20,
    },
    { name: names.alertsDeadLetter, partitions: 1, retentionMs: 90 * DAY_MS, maxMessageBytes: 1 << 20 },
  ];
}

/**
 * Creates the topics that do not exist yet (idempotent). An existing topic with
 * fewer partitions than specified is an error: keys would move between
 * partitions, so growing it is an operator's decision.
 */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<void> {
  // Services start together: a topic another one is creating right now may already
  // exist ("already exists") yet not be in the broker's metadata ("does not host
  // this topic-partition"). Both settle within moments: start over, bounded.
  await retry(() => ensureTopicsOnce(admin, specs), {
    baseDelayMs: 100,
    maxDelayMs: 2000,
    budgetMs: 30_000,
    classify: (err) => ({ retry: isCreationRace(err) }),
  });
}

async function ensureTopicsOnce(admin: Admin, specs: readonly TopicSpec[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.name));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((s) => ({
        topic: s.name,
        numPartitions: s.partitions,
        replicationFactor: -1,
        configEntries: [
          { name: "retention.ms", value: String(s.retentionMs) },
          { name: "max.message.bytes", value: String(s.maxMessageBytes) },
          { name: "compression.type", value: s.compressionType ?? "producer" },
        ],
      })),
    });
  }
  // Every topic must be in the metadata before producers and consumers use it
  // (also those another service created concurrently: createTopics then returns
  // without waiting for their leaders).
  if (specs.length === 0) return;
  const meta = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.name) });
  for (const t of meta.topics) {
    const spec = specs.find((s) => s.name === t.name);
    if (spec && t.partitions.length < spec.partitions) {
      throw new Error(
        `topic ${t.name} has ${t.partitions.length} partitions, configuration expects ${spec.partitions}; ` +
          "increase it deliberately (kafka-topics --alter) or lower the setting",
      );
    }
  }
}

const RACE_TYPES = new Set(["UNKNOWN_TOPIC_OR_PARTITION", "LEADER_NOT_AVAILABLE", "TOPIC_ALREADY_EXISTS"]);

/** True for kafkajs errors a concurrent creation of the same topics causes (also inside an aggregate). */
function isCreationRace(err: unknown): boolean {
  const e = err as { type?: unknown; errors?: unknown } | null;
  if (typeof e?.type === "string" && RACE_TYPES.has(e.type)) return true;
  return Array.isArray(e?.errors) && e.errors.length > 0 && e.errors.every(isCreationRace);
}

/** Connects an admin client, ensures `specs`, disconnects. Every service calls it at start. */
export async function prepareTopics(kafka: Kafka, specs: readonly TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, specs);
  } finally {
    await admin.disconnect();
  }
}

/** The `CTWATCH_TOPIC_PREFIX` variable every service declares (validated as a topic-name prefix). */
export const topicPrefixVar: VarSpec<string> = {
  doc: "prefix of Kafka topic names",
  default: "ctwatch",
  parse(raw) {
    topicNames(raw);
    return raw;
  },
};
