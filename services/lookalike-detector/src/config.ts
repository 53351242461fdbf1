import { type TopicNames, topicNames } from "@ctwatch/kafka";
import { bool, decimal, hostPorts, int, oneOf, parseConfig, str } from "@ctwatch/runtime";

/** Environment variables of the lookalike detector, with defaults and units. */
export const configSpec = {
  KAFKA_BROKERS: hostPorts("Kafka bootstrap servers, host:port[,host:port]"),
  MONGODB_URI: str("MongoDB connection string (mongodb://...)", undefined, { secret: true }),
  MONGODB_DB: str("database name", "ctwatch"),
  CTWATCH_TOPIC_PREFIX: str("prefix of Kafka topic names", "ctwatch"),
  CTWATCH_GROUP_PREFIX: str("prefix of consumer group IDs", "ctwatch"),
  CTWATCH_WATCHLIST_REFRESH_MS: int("how often the watch list revision is checked, ms", 2000, 100, 600_000),
  CTWATCH_FROM_BEGINNING: bool("a new consumer group starts at the earliest retained entry", true),
  CTWATCH_LOOKALIKE_PRESET: oneOf(
    "detection preset: balanced (every technique) or precise (fewer, more specific alerts)",
    ["balanced", "precise"] as const,
    "balanced",
  ),
  CTWATCH_LOOKALIKE_MIN_SCORE: decimal(
    "alerts scored below this are not raised (0-1; 0.8 keeps about 0.01% of popular names alerting, at ~60% recall)",
    0,
    0,
    1,
  ),
  CTWATCH_LOOKALIKE_MAX_EDITS: int(
    "most edits at once between a label and a long brand: 1 (Chromium-like), 2 (brands of 10+ letters) or 3 (also 13+ letters; more recall on real phishing, about 13% of match throughput)",
    3,
    1,
    3,
  ),
  CTWATCH_LOOKALIKE_TRUST_CO_CERTIFIED: bool(
    "drop a tenant's matches in a certificate that also certifies one of its own names (false where CDNs share certificates between customers)",
    true,
  ),
  CTWATCH_LOOKALIKE_MAX_BRANDS: int(
    "most brand watch items indexed (bounds build time and memory, about 2 KB per brand)",
    100_000,
    1,
    1_000_000,
  ),
  CTWATCH_LOOKALIKE_SEEN_CACHE: int(
    "entries of the LRU of (tenant, lookalike domain, issuance) already alerted",
    100_000,
    100,
    10_000_000,
  ),
  CTWATCH_LOOKALIKE_MAX_EVIDENCE: int(
    "certificates re-emitted as evidence per (tenant, lookalike domain) per process life",
    50,
    1,
    10_000,
  ),
  CTWATCH_HEALTH_PORT: int("port of /healthz, /readyz, /metrics (0 = any free port)", 0, 0, 65535),
  CTWATCH_LOG_LEVEL: oneOf("log level", ["debug", "info", "warn", "error"] as const, "info"),
};

/** The parsed configuration. */
export interface LookalikeDetectorConfig {
  kafkaBrokers: string[];
  mongoUri: string;
  mongoDb: string;
  /** `<group prefix>.detector.lookalike`. */
  groupId: string;
  topics: TopicNames;
  watchlistRefreshMs: number;
  fromBeginning: boolean;
  preset: "balanced" | "precise";
  /** Minimum alert score, 0-1 (0 = every match). */
  minScore: number;
  /** Most edits at once for long brands (1-3); never more than the preset allows. */
  maxEdits: number;
  /** Matches in a certificate that also certifies the tenant's own name are dropped. */
  trustCoCertified: boolean;
  maxBrands: number;
  seenIssuances: number;
  maxEvidence: number;
  healthPort: number;
  logLevel: "debug" | "info" | "warn" | "error";
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): LookalikeDetectorConfig {
  const c = parseConfig(env, configSpec);
  return {
    kafkaBrokers: c.KAFKA_BROKERS,
    mongoUri: c.MONGODB_URI,
    mongoDb: c.MONGODB_DB,
    groupId: `${c.CTWATCH_GROUP_PREFIX}.detector.lookalike`,
    topics: topicNames(c.CTWATCH_TOPIC_PREFIX),
    watchlistRefreshMs: c.CTWATCH_WATCHLIST_REFRESH_MS,
    fromBeginning: c.CTWATCH_FROM_BEGINNING,
    preset: c.CTWATCH_LOOKALIKE_PRESET,
    minScore: c.CTWATCH_LOOKALIKE_MIN_SCORE,
    maxEdits: c.CTWATCH_LOOKALIKE_MAX_EDITS,
    trustCoCertified: c.CTWATCH_LOOKALIKE_TRUST_CO_CERTIFIED,
    maxBrands: c.CTWATCH_LOOKALIKE_MAX_BRANDS,
    seenIssuances: c.CTWATCH_LOOKALIKE_SEEN_CACHE,
    maxEvidence: c.CTWATCH_LOOKALIKE_MAX_EVIDENCE,
    healthPort: c.CTWATCH_HEALTH_PORT,
    logLevel: c.CTWATCH_LOG_LEVEL,
  };
}
