import { readFileSync } from "node:fs";
import { type CtLogKey, ctLogKey } from "@ctwatch/ct";
import { type TopicNames, topicNames } from "@ctwatch/kafka";
import { hostPorts, int, oneOf, parseConfig, str, url, type VarSpec } from "@ctwatch/runtime";
import type { StartPosition } from "./static-log-tailer.js";

const topicPrefix: VarSpec<string> = {
  doc: "prefix of Kafka topic names",
  default: "ctwatch",
  parse(raw) {
    topicNames(raw);
    return raw;
  },
};

const start: VarSpec<StartPosition> = {
  doc: 'where a log without a stored checkpoint starts: "index:0" (its first entry)',
  default: { kind: "index", index: 0 },
  parse(raw) {
    if (raw === "now") return { kind: "now" };
    const m = /^index:(\d{1,15})$/.exec(raw);
    if (!m) throw new Error('expected "now" or "index:N"');
    return { kind: "index", index: Number(m[1]) };
  },
};

const logKey: VarSpec<CtLogKey> = {
  doc: "the log's public key: base64 DER SubjectPublicKeyInfo, PEM, or @/path/to/key.pem",
  parse(raw) {
    const text = raw.startsWith("@") ? readFileSync(raw.slice(1), "utf8") : raw;
    return ctLogKey(text.trim());
  },
};

/** Environment variables of ct-tailer, with defaults and units. */
export const configSpec = {
  KAFKA_BROKERS: hostPorts("Kafka bootstrap servers, host:port[,host:port]"),
  MONGODB_URI: str("MongoDB connection string (mongodb://...)", undefined, { secret: true }),
  MONGODB_DB: str("database name", "ctwatch"),
  CTWATCH_TOPIC_PREFIX: topicPrefix,
  CTWATCH_ENTRIES_PARTITIONS: int("partitions of the entries topic when it is created", 12, 1, 1024),
  CTWATCH_LOG_URL: url("monitoring prefix of the static-ct-api log to tail"),
  CTWATCH_LOG_KEY: logKey,
  CTWATCH_LOG_ORIGIN: str("expected checkpoint origin line (default: not checked)", ""),
  CTWATCH_START: start,
  CTWATCH_POLL_INTERVAL_MS: int("checkpoint poll interval when caught up, ms", 1000, 50, 600_000),
  CTWATCH_PARTIAL_TILE_MIN_AGE_MS: int("age before a partial tile is fetched, ms", 10_000, 0, 3_600_000),
  CTWATCH_TILES_PER_ROUND: int("data tiles fetched per round", 16, 1, 1024),
  CTWATCH_LOG_REQUESTS_PER_SECOND: int("request rate limit per log", 10, 1, 10_000),
  CTWATCH_LOG_CONCURRENCY: int("requests in flight per log", 4, 1, 256),
  CTWATCH_LOG_TIMEOUT_MS: int("per-request timeout, ms", 20_000, 100, 600_000),
  CTWATCH_KAFKA_COMPRESSION: oneOf("record batch compression", ["none", "gzip"] as const, "none"),
  CTWATCH_HEALTH_PORT: int("port of /healthz, /readyz, /metrics (0 = any free port)", 0, 0, 65535),
  CTWATCH_LOG_LEVEL: oneOf("log level", ["debug", "info", "warn", "error"] as const, "info"),
};

/** The parsed configuration. */
export interface CtTailerConfig {
  kafkaBrokers: string[];
  mongoUri: string;
  mongoDb: string;
  topics: TopicNames;
  entriesPartitions: number;
  log: {
    url: string;
    key: CtLogKey;
    origin?: string;
    start: StartPosition;
    pollIntervalMs: number;
    partialTileMinAgeMs: number;
    tilesPerRound: number;
    requestsPerSecond: number;
    maxConcurrency: number;
    timeoutMs: number;
  };
  compression: "none" | "gzip";
  healthPort: number;
  logLevel: "debug" | "info" | "warn" | "error";
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): CtTailerConfig {
  const c = parseConfig(env, configSpec);
  return {
    kafkaBrokers: c.KAFKA_BROKERS,
    mongoUri: c.MONGODB_URI,
    mongoDb: c.MONGODB_DB,
    topics: topicNames(c.CTWATCH_TOPIC_PREFIX),
    entriesPartitions: c.CTWATCH_ENTRIES_PARTITIONS,
    log: {
      url: c.CTWATCH_LOG_URL,
      key: c.CTWATCH_LOG_KEY,
      ...(c.CTWATCH_LOG_ORIGIN ? { origin: c.CTWATCH_LOG_ORIGIN } : {}),
      start: c.CTWATCH_START,
      pollIntervalMs: c.CTWATCH_POLL_INTERVAL_MS,
      partialTileMinAgeMs: c.CTWATCH_PARTIAL_TILE_MIN_AGE_MS,
      tilesPerRound: c.CTWATCH_TILES_PER_ROUND,
      requestsPerSecond: c.CTWATCH_LOG_REQUESTS_PER_SECOND,
      maxConcurrency: c.CTWATCH_LOG_CONCURRENCY,
      timeoutMs: c.CTWATCH_LOG_TIMEOUT_MS,
    },
    compression: c.CTWATCH_KAFKA_COMPRESSION,
    healthPort: c.CTWATCH_HEALTH_PORT,
    logLevel: c.CTWATCH_LOG_LEVEL,
  };
}
