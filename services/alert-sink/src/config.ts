import { type TopicNames, topicNames } from "@ctwatch/kafka";
import { isEmailAddress, parseSmtpUrl } from "@ctwatch/notify";
import { bool, hostPorts, int, oneOf, parseConfig, str, type VarSpec } from "@ctwatch/runtime";
import { type SecretBox, secretKeysVar } from "@ctwatch/siem";

const topicPrefix: VarSpec<string> = {
  doc: "prefix of Kafka topic names",
  default: "ctwatch",
  parse(raw) {
    topicNames(raw);
    return raw;
  },
};

const smtpUrl: VarSpec<string> = {
  doc: "SMTP server for incident emails: smtp://[user:password@]host[:port] (STARTTLS) or smtps://…; empty disables email",
  default: "",
  secret: true,
  parse(raw) {
    parseSmtpUrl(raw);
    return raw;
  },
};

const emailAddress: VarSpec<string> = {
  doc: "sender address of incident emails",
  default: "ctwatch@localhost.localdomain",
  parse(raw) {
    if (!isEmailAddress(raw)) throw new Error("expected an address like ctwatch@example.com");
    return raw;
  },
};

/** Environment variables of alert-sink, with defaults and units. */
export const configSpec = {
  KAFKA_BROKERS: hostPorts("Kafka bootstrap servers, host:port[,host:port]"),
  MONGODB_URI: str("MongoDB connection string (mongodb://...)", undefined, { secret: true }),
  MONGODB_DB: str("database name", "ctwatch"),
  CTWATCH_TOPIC_PREFIX: topicPrefix,
  CTWATCH_GROUP_PREFIX: str("prefix of consumer group IDs", "ctwatch"),
  CTWATCH_SECRET_KEYS: secretKeysVar,
  CTWATCH_DESTINATIONS_REFRESH_MS: int("how long destination settings are cached, ms", 10_000, 0, 3_600_000),
  CTWATCH_ALLOW_INSECURE_HTTP: bool("allow http:// SIEM endpoints (local receivers only)", false),
  CTWATCH_PRINT_ALERTS: bool("print each newly stored alert as one line on stdout", false),
  CTWATCH_DELIVERY_MAX_ATTEMPTS: int("attempts per batch on the consumer path, first included", 6, 1, 20),
  CTWATCH_DELIVERY_RETRY_BUDGET_MS: int(
    "time budget of one batch's retries on the consumer path before it is parked, ms",
    15_000,
    0,
    600_000,
  ),
  CTWATCH_DELIVERY_BASE_DELAY_MS: int(
    "first retry backoff (doubles per attempt, full jitter), ms",
    500,
    1,
    60_000,
  ),
  CTWATCH_KAFKA_SESSION_TIMEOUT_MS: int(
    "consumer group session timeout, ms: how long partitions of a member that died without leaving (kill -9) wait before another member gets them (the broker allows 6 000 to 300 000 by default)",
    30_000,
    6_000,
    300_000,
  ),
  CTWATCH_DELIVERY_CONCURRENCY: int("tenants delivered at once per consumer batch", 8, 1, 256),
  CTWATCH_BREAKER_FAILURE_THRESHOLD: int(
    "consecutive failed attempts that open a destination's breaker",
    5,
    1,
    100,
  ),
  CTWATCH_BREAKER_OPEN_MS: int(
    "how long an open breaker waits before a probe, ms (doubles per failed probe)",
    30_000,
    100,
    3_600_000,
  ),
  CTWATCH_BREAKER_MAX_OPEN_MS: int("longest open period of a breaker, ms", 300_000, 100, 86_400_000),
  CTWATCH_REDELIVERY_INTERVAL_MS: int(
    "pause between redelivery passes over parked alerts, ms (0 = off)",
    15_000,
    0,
    3_600_000,
  ),
  CTWATCH_REDELIVERY_BATCH: int("parked alerts redelivered per step", 500, 1, 10_000),
  CTWATCH_REDELIVERY_LEASE_MS: int(
    "lease of one destination's redelivery, ms, renewed per step: a sink killed mid-redelivery holds it at most this long",
    120_000,
    5_000,
    3_600_000,
  ),
  CTWATCH_SMTP_URL: smtpUrl,
  CTWATCH_SMTP_FROM: emailAddress,
  CTWATCH_SMTP_TIMEOUT_MS: int("SMTP connection and socket timeout, ms", 15_000, 100, 300_000),
  CTWATCH_INCIDENT_EMAIL_INTERVAL_MS: int(
    "least time between two 'delivery failing' emails for one destination, ms",
    3_600_000,
    0,
    7 * 86_400_000,
  ),
  CTWATCH_HEALTH_PORT: int("port of /healthz, /readyz, /metrics (0 = any free port)", 0, 0, 65535),
  CTWATCH_LOG_LEVEL: oneOf("log level", ["debug", "info", "warn", "error"] as const, "info"),
};

/** Delivery tuning of the consumer path. */
export interface DeliverySettings {
  maxAttempts: number;
  retryBudgetMs: number;
  baseDelayMs: number;
  tenantConcurrency: number;
  breakerFailureThreshold: number;
  breakerOpenMs: number;
  breakerMaxOpenMs: number;
}

/** Incident email settings; undefined when SMTP is not configured. */
export interface EmailSettings {
  smtpUrl: string;
  from: string;
  timeoutMs: number;
  minIntervalMs: number;
}

/** The parsed configuration. */
export interface AlertSinkConfig {
  kafkaBrokers: string[];
  mongoUri: string;
  mongoDb: string;
  topics: TopicNames;
  groupId: string;
  /** Consumer group session timeout, ms. */
  sessionTimeoutMs: number;
  secretBox: SecretBox;
  destinationsRefreshMs: number;
  allowInsecureHttp: boolean;
  printAlerts: boolean;
  delivery: DeliverySettings;
  redelivery: { intervalMs: number; batchSize: number; leaseMs: number };
  email: EmailSettings | undefined;
  healthPort: number;
  logLevel: "debug" | "info" | "warn" | "error";
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): AlertSinkConfig {
  const c = parseConfig(env, configSpec);
  return {
    kafkaBrokers: c.KAFKA_BROKERS,
    mongoUri: c.MONGODB_URI,
    mongoDb: c.MONGODB_DB,
    topics: topicNames(c.CTWATCH_TOPIC_PREFIX),
    groupId: `${c.CTWATCH_GROUP_PREFIX}.alert-sink`,
    sessionTimeoutMs: c.CTWATCH_KAFKA_SESSION_TIMEOUT_MS,
    secretBox: c.CTWATCH_SECRET_KEYS,
    destinationsRefreshMs: c.CTWATCH_DESTINATIONS_REFRESH_MS,
    allowInsecureHttp: c.CTWATCH_ALLOW_INSECURE_HTTP,
    printAlerts: c.CTWATCH_PRINT_ALERTS,
    delivery: {
      maxAttempts: c.CTWATCH_DELIVERY_MAX_ATTEMPTS,
      retryBudgetMs: c.CTWATCH_DELIVERY_RETRY_BUDGET_MS,
      baseDelayMs: c.CTWATCH_DELIVERY_BASE_DELAY_MS,
      tenantConcurrency: c.CTWATCH_DELIVERY_CONCURRENCY,
      breakerFailureThreshold: c.CTWATCH_BREAKER_FAILURE_THRESHOLD,
      breakerOpenMs: c.CTWATCH_BREAKER_OPEN_MS,
      breakerMaxOpenMs: c.CTWATCH_BREAKER_MAX_OPEN_MS,
    },
    redelivery: {
      intervalMs: c.CTWATCH_REDELIVERY_INTERVAL_MS,
      batchSize: c.CTWATCH_REDELIVERY_BATCH,
      leaseMs: c.CTWATCH_REDELIVERY_LEASE_MS,
    },
    email: c.CTWATCH_SMTP_URL
      ? {
          smtpUrl: c.CTWATCH_SMTP_URL,
          from: c.CTWATCH_SMTP_FROM,
          timeoutMs: c.CTWATCH_SMTP_TIMEOUT_MS,
          minIntervalMs: c.CTWATCH_INCIDENT_EMAIL_INTERVAL_MS,
        }
      : undefined,
    healthPort: c.CTWATCH_HEALTH_PORT,
    logLevel: c.CTWATCH_LOG_LEVEL,
  };
}
