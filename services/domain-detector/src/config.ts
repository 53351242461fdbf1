import { type DnsServer, parseDnsServers } from "@ctwatch/dns";
import { type TopicNames, topicNames } from "@ctwatch/kafka";
import { bool, hostPorts, int, list, oneOf, parseConfig, str, type VarSpec } from "@ctwatch/runtime";

/** The detectors this service can run; each has its own consumer group `<prefix>.detector.<name>`. */
export const DETECTOR_NAMES = ["new-subdomain", "root-ca", "caa", "takeover"] as const;
/** A detector name. */
export type DetectorName = (typeof DETECTOR_NAMES)[number];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function dnsServers(doc: string, def: string): VarSpec<DnsServer[] | "system"> {
  return { doc, default: parseDnsServers(def), parse: (raw) => parseDnsServers(raw) };
}

/** Environment variables of the domain detector, with defaults and units. */
export const configSpec = {
  KAFKA_BROKERS: hostPorts("Kafka bootstrap servers, host:port[,host:port]"),
  MONGODB_URI: str("MongoDB connection string (mongodb://...)", undefined, { secret: true }),
  MONGODB_DB: str("database name", "ctwatch"),
  CTWATCH_TOPIC_PREFIX: str("prefix of Kafka topic names", "ctwatch"),
  CTWATCH_GROUP_PREFIX: str("prefix of consumer group IDs", "ctwatch"),
  CTWATCH_DETECTORS: list(
    `detectors to run, comma-separated: ${DETECTOR_NAMES.join(", ")} (caa and takeover send DNS queries, so they are opt-in)`,
    ["new-subdomain", "root-ca"],
    (s) => {
      if (!(DETECTOR_NAMES as readonly string[]).includes(s)) throw new Error(`unknown detector "${s}"`);
    },
  ),
  CTWATCH_WATCHLIST_REFRESH_MS: int("how often the watch list revision is checked, ms", 2000, 100, 600_000),
  CTWATCH_LEARNING_WINDOW_MS: int(
    "quiet-learning window after a domain is added (names and root owners become the baseline without alerts), ms; 0 = off",
    0,
    0,
    365 * DAY,
  ),
  CTWATCH_FROM_BEGINNING: bool("a new consumer group starts at the earliest retained entry", true),
  CTWATCH_DNS_SERVERS: dnsServers("DNS servers for CAA/CNAME lookups: 'system' or IP[:port],...", "system"),
  CTWATCH_DNS_TIMEOUT_MS: int("timeout of one DNS query, ms", 2000, 50, 30_000),
  CTWATCH_DNS_QUERIES_PER_SECOND: int(
    "DNS queries sent per second at most (cache hits are free)",
    50,
    1,
    10_000,
  ),
  CTWATCH_DNS_MAX_IN_FLIGHT: int("DNS queries outstanding at most", 16, 1, 1000),
  CTWATCH_DNS_RETRY_MS: int(
    "first retry delay of a check whose DNS lookup failed, ms (doubles per attempt)",
    60_000,
    100,
    DAY,
  ),
  CTWATCH_DNS_RETRY_ATTEMPTS: int("failed runs after which a deferred DNS check is abandoned", 10, 1, 100),
  CTWATCH_DNS_SWEEP_MS: int("how often deferred DNS checks are looked for, ms", 5000, 100, HOUR),
  CTWATCH_CAA_LOOKBACK_MS: int(
    "how long before issuance a CA may have checked CAA, ms (BRs: 8 h)",
    8 * HOUR,
    0,
    7 * DAY,
  ),
  CTWATCH_CAA_MAX_AGE_MS: int(
    "a first CAA observation this long after issuance still counts as the policy at issuance, ms",
    DAY,
    0,
    30 * DAY,
  ),
  CTWATCH_TAKEOVER_MIN_INTERVAL_MS: int(
    "a name checked this recently is not re-checked for a new certificate, ms",
    HOUR,
    0,
    30 * DAY,
  ),
  CTWATCH_TAKEOVER_RECHECK_MS: int(
    "period of the inventory re-check for dangling CNAMEs, ms; 0 = off",
    6 * HOUR,
    0,
    30 * DAY,
  ),
  CTWATCH_HEALTH_PORT: int("port of /healthz, /readyz, /metrics (0 = any free port)", 0, 0, 65535),
  CTWATCH_LOG_LEVEL: oneOf("log level", ["debug", "info", "warn", "error"] as const, "info"),
};

/** The parsed configuration. */
export interface DomainDetectorConfig {
  kafkaBrokers: string[];
  mongoUri: string;
  mongoDb: string;
  /** Consumer group of the new-subdomain detector (kept for logs and compatibility). */
  groupId: string;
  groupPrefix: string;
  detectors: DetectorName[];
  topics: TopicNames;
  watchlistRefreshMs: number;
  learningWindowMs: number;
  fromBeginning: boolean;
  dns: {
    servers: DnsServer[] | "system";
    timeoutMs: number;
    queriesPerSecond: number;
    maxInFlight: number;
    retryMs: number;
    retryAttempts: number;
    sweepMs: number;
  };
  caa: { lookbackMs: number; maxAgeMs: number };
  takeover: { minIntervalMs: number; recheckMs: number };
  healthPort: number;
  logLevel: "debug" | "info" | "warn" | "error";
}

/** Consumer group of one detector. */
export function groupIdOf(groupPrefix: string, detector: DetectorName): string {
  return `${groupPrefix}.detector.${detector}`;
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): DomainDetectorConfig {
  const c = parseConfig(env, configSpec);
  return {
    kafkaBrokers: c.KAFKA_BROKERS,
    mongoUri: c.MONGODB_URI,
    mongoDb: c.MONGODB_DB,
    groupId: groupIdOf(c.CTWATCH_GROUP_PREFIX, "new-subdomain"),
    groupPrefix: c.CTWATCH_GROUP_PREFIX,
    detectors: [...new Set(c.CTWATCH_DETECTORS as DetectorName[])],
    topics: topicNames(c.CTWATCH_TOPIC_PREFIX),
    watchlistRefreshMs: c.CTWATCH_WATCHLIST_REFRESH_MS,
    learningWindowMs: c.CTWATCH_LEARNING_WINDOW_MS,
    fromBeginning: c.CTWATCH_FROM_BEGINNING,
    dns: {
      servers: c.CTWATCH_DNS_SERVERS,
      timeoutMs: c.CTWATCH_DNS_TIMEOUT_MS,
      queriesPerSecond: c.CTWATCH_DNS_QUERIES_PER_SECOND,
      maxInFlight: c.CTWATCH_DNS_MAX_IN_FLIGHT,
      retryMs: c.CTWATCH_DNS_RETRY_MS,
      retryAttempts: c.CTWATCH_DNS_RETRY_ATTEMPTS,
      sweepMs: c.CTWATCH_DNS_SWEEP_MS,
    },
    caa: { lookbackMs: c.CTWATCH_CAA_LOOKBACK_MS, maxAgeMs: c.CTWATCH_CAA_MAX_AGE_MS },
    takeover: { minIntervalMs: c.CTWATCH_TAKEOVER_MIN_INTERVAL_MS, recheckMs: c.CTWATCH_TAKEOVER_RECHECK_MS },
    healthPort: c.CTWATCH_HEALTH_PORT,
    logLevel: c.CTWATCH_LOG_LEVEL,
  };
}
