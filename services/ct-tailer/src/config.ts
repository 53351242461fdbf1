import { readFileSync } from "node:fs";
import { type CtLogKey, ctLogKey } from "@ctwatch/ct";
import { type TopicNames, topicNames } from "@ctwatch/kafka";
import { ConfigError, hostPorts, int, oneOf, parseConfig, str, type VarSpec } from "@ctwatch/runtime";
import type { TailerDefaults } from "./log-supervisor.js";
import type { StartPosition } from "./log-tailer.js";
import { type AddedLog, parseBackfills, parseStart } from "./logs-config.js";

const topicPrefix: VarSpec<string> = {
  doc: "prefix of Kafka topic names",
  default: "ctwatch",
  parse(raw) {
    topicNames(raw);
    return raw;
  },
};

const start: VarSpec<StartPosition | null> = {
  doc: 'where a log without a checkpoint starts: "now" (its current size), "first" or "index:N" (default: index:0 for CTWATCH_LOG_URL, now for listed logs)',
  default: null,
  parse: parseStart,
};

const backfill: VarSpec<Array<{ from: number; to: number }>> = {
  doc: 'extra ranges of the CTWATCH_LOG_URL log to publish, "from-to[,from-to]" (to exclusive), each resumable',
  default: [],
  parse: parseBackfills,
};

const logKey: VarSpec<CtLogKey | null> = {
  doc: "the log's public key: base64 DER SubjectPublicKeyInfo, PEM, or @/path/to/key.pem",
  default: null,
  parse(raw) {
    const text = raw.startsWith("@") ? readFileSync(raw.slice(1), "utf8") : raw;
    return ctLogKey(text.trim());
  },
};

const optionalUrl: VarSpec<string> = {
  doc: "the one log to tail (static-ct-api monitoring prefix or RFC 6962 log URL); or use CTWATCH_LOGS_CONFIG",
  default: "",
  parse(raw) {
    const u = new URL(raw);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("expected an http or https URL");
    return raw;
  },
};

/** Environment variables of ct-tailer, with defaults and units. */
export const configSpec = {
  KAFKA_BROKERS: hostPorts("Kafka bootstrap servers, host:port[,host:port]"),
  MONGODB_URI: str("MongoDB connection string (mongodb://...)", undefined, { secret: true }),
  MONGODB_DB: str("database name", "ctwatch"),
  CTWATCH_TOPIC_PREFIX: topicPrefix,
  CTWATCH_ENTRIES_PARTITIONS: int("partitions of the entries topic when it is created", 12, 1, 1024),
  CTWATCH_EVENTS_TOPIC: str(
    'topic for log-misbehaviour events (JSON), "<prefix>.ct-log-events.v1" by default, "none" to only log them',
    "",
  ),
  // One log from the environment...
  CTWATCH_LOG_URL: optionalUrl,
  CTWATCH_LOG_KEY: logKey,
  CTWATCH_LOG_ORIGIN: str("expected checkpoint origin line of CTWATCH_LOG_URL (default: not checked)", ""),
  CTWATCH_LOG_API: oneOf("read API of CTWATCH_LOG_URL", ["static-ct", "rfc6962"] as const, "static-ct"),
  CTWATCH_LOG_NAME: str("display name of CTWATCH_LOG_URL (default: the URL)", ""),
  CTWATCH_START: start,
  CTWATCH_BACKFILL: backfill,
  // ...or many, from log lists and the operator's file.
  CTWATCH_LOGS_CONFIG: str(
    "path of the logs file (JSON: log lists, added/excluded logs, per-log limits)",
    "",
  ),
  CTWATCH_LOGS_REFRESH_MS: int(
    "how often log lists and the logs file are reloaded, ms",
    3_600_000,
    10_000,
    86_400_000,
  ),
  // Per-log defaults (the logs file can override them per log).
  CTWATCH_POLL_INTERVAL_MS: int("tree-head poll interval when caught up, ms", 1000, 50, 600_000),
  CTWATCH_PARTIAL_TILE_MIN_AGE_MS: int("age before a partial data tile is fetched, ms", 10_000, 0, 3_600_000),
  CTWATCH_TILES_PER_ROUND: int("static-ct-api: data tiles per batch", 16, 1, 1024),
  CTWATCH_ENTRIES_PER_BATCH: int("RFC 6962: entries per batch", 4096, 1, 1_000_000),
  CTWATCH_MAX_PAGE_SIZE: int(
    "RFC 6962: largest get-entries page asked (learned down from the log's answers)",
    1024,
    1,
    100_000,
  ),
  CTWATCH_LOG_REQUESTS_PER_SECOND: int("request rate ceiling per log (lowered on 429/503)", 10, 1, 10_000),
  CTWATCH_LOG_CONCURRENCY: int("requests in flight per log", 4, 1, 256),
  CTWATCH_LOG_TIMEOUT_MS: int("per-request timeout, ms", 20_000, 100, 600_000),
  // Tailer behaviour.
  CTWATCH_VERIFY_ATTEMPTS: int("batches failing verification in a row before a log is paused", 3, 1, 100),
  CTWATCH_PAUSE_RECHECK_MS: int("how often a paused log is checked again, ms", 300_000, 1000, 86_400_000),
  CTWATCH_HEAD_MAX_AGE_MS: int(
    "longest use of one tree head before fetching a fresh one, ms",
    60_000,
    1000,
    3_600_000,
  ),
  CTWATCH_MAX_SEND_BYTES: int("largest Kafka send (record values), bytes", 4 << 20, 64 << 10, 64 << 20),
  CTWATCH_KAFKA_COMPRESSION: oneOf("record batch compression", ["none", "gzip"] as const, "gzip"),
  CTWATCH_HEALTH_PORT: int("port of /healthz, /readyz, /metrics (0 = any free port)", 0, 0, 65535),
  CTWATCH_LOG_LEVEL: oneOf("log level", ["debug", "info", "warn", "error"] as const, "info"),
};

/** Per-log settings with every field set (the environment's defaults). */
export interface LogSettings {
  requestsPerSecond: number;
  maxConcurrency: number;
  timeoutMs: number;
  pollIntervalMs: number;
  partialTileMinAgeMs: number;
  tilesPerBatch: number;
  entriesPerBatch: number;
  maxPageSize: number;
}

/** The parsed configuration. */
export interface CtTailerConfig {
  kafkaBrokers: string[];
  mongoUri: string;
  mongoDb: string;
  topics: TopicNames;
  entriesPartitions: number;
  /** Topic of misbehaviour events; undefined: log and metric only. */
  eventsTopic: string | undefined;
  /** The log given by CTWATCH_LOG_URL (with its start and backfills). */
  single: AddedLog | undefined;
  /** CTWATCH_LOGS_CONFIG. */
  logsConfigFile: string | undefined;
  logsRefreshMs: number;
  /** CTWATCH_START when set. */
  start: StartPosition | undefined;
  logDefaults: LogSettings;
  tailer: TailerDefaults;
  compression: "none" | "gzip";
  healthPort: number;
  logLevel: "debug" | "info" | "warn" | "error";
}

/** Parses the environment; throws ConfigError naming every bad or missing variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): CtTailerConfig {
  let c: ReturnType<typeof parseConfig<typeof configSpec>> | undefined;
  let problems: string[] = [];
  try {
    c = parseConfig(env, configSpec);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems = [...err.problems];
  }
  const has = (name: string) => (env[name] ?? "").trim() !== "";
  if (!has("CTWATCH_LOGS_CONFIG")) {
    if (!has("CTWATCH_LOG_URL"))
      problems.push("CTWATCH_LOG_URL is required: the log to tail (or give CTWATCH_LOGS_CONFIG)");
    if (!has("CTWATCH_LOG_KEY"))
      problems.push(
        "CTWATCH_LOG_KEY is required: the public key of CTWATCH_LOG_URL (or give CTWATCH_LOGS_CONFIG)",
      );
  } else if (has("CTWATCH_LOG_URL") !== has("CTWATCH_LOG_KEY")) {
    problems.push("CTWATCH_LOG_URL and CTWATCH_LOG_KEY go together");
  }
  if (problems.length > 0 || !c) throw new ConfigError(problems);
  const topics = topicNames(c.CTWATCH_TOPIC_PREFIX);
  const eventsTopic =
    c.CTWATCH_EVENTS_TOPIC === "none"
      ? undefined
      : c.CTWATCH_EVENTS_TOPIC || `${c.CTWATCH_TOPIC_PREFIX}.ct-log-events.v1`;
  const single: AddedLog | undefined =
    c.CTWATCH_LOG_URL && c.CTWATCH_LOG_KEY
      ? {
          name: c.CTWATCH_LOG_NAME || c.CTWATCH_LOG_URL,
          api: c.CTWATCH_LOG_API,
          url: c.CTWATCH_LOG_URL,
          key: c.CTWATCH_LOG_KEY,
          ...(c.CTWATCH_LOG_ORIGIN ? { origin: c.CTWATCH_LOG_ORIGIN } : {}),
          start: c.CTWATCH_START ?? { kind: "index", index: 0 },
          backfills: c.CTWATCH_BACKFILL,
        }
      : undefined;
  return {
    kafkaBrokers: c.KAFKA_BROKERS,
    mongoUri: c.MONGODB_URI,
    mongoDb: c.MONGODB_DB,
    topics,
    entriesPartitions: c.CTWATCH_ENTRIES_PARTITIONS,
    eventsTopic,
    single,
    logsConfigFile: c.CTWATCH_LOGS_CONFIG || undefined,
    logsRefreshMs: c.CTWATCH_LOGS_REFRESH_MS,
    start: c.CTWATCH_START ?? undefined,
    logDefaults: {
      requestsPerSecond: c.CTWATCH_LOG_REQUESTS_PER_SECOND,
      maxConcurrency: c.CTWATCH_LOG_CONCURRENCY,
      timeoutMs: c.CTWATCH_LOG_TIMEOUT_MS,
      pollIntervalMs: c.CTWATCH_POLL_INTERVAL_MS,
      partialTileMinAgeMs: c.CTWATCH_PARTIAL_TILE_MIN_AGE_MS,
      tilesPerBatch: c.CTWATCH_TILES_PER_ROUND,
      entriesPerBatch: c.CTWATCH_ENTRIES_PER_BATCH,
      maxPageSize: c.CTWATCH_MAX_PAGE_SIZE,
    },
    tailer: {
      verifyAttempts: c.CTWATCH_VERIFY_ATTEMPTS,
      pauseRecheckMs: c.CTWATCH_PAUSE_RECHECK_MS,
      headMaxAgeMs: c.CTWATCH_HEAD_MAX_AGE_MS,
      maxSendBytes: c.CTWATCH_MAX_SEND_BYTES,
    },
    compression: c.CTWATCH_KAFKA_COMPRESSION,
    healthPort: c.CTWATCH_HEALTH_PORT,
    logLevel: c.CTWATCH_LOG_LEVEL,
  };
}
