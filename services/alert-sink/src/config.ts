import { readFileSync } from "node:fs";
import { type TopicNames, topicNames } from "@ctwatch/kafka";
import { bool, hostPorts, int, oneOf, parseConfig, str, type VarSpec } from "@ctwatch/runtime";
import { parseKeyMaterial, SecretBox } from "@ctwatch/siem";

const topicPrefix: VarSpec<string> = {
  doc: "prefix of Kafka topic names",
  default: "ctwatch",
  parse(raw) {
    topicNames(raw);
    return raw;
  },
};

/**
 * Secret keys: `id:key[,id:key...]` (key = 64 hex digits or base64 of 32 bytes),
 * or `@/path/to/file` holding that text. The first key seals new secrets; the
 * others still open what they sealed (rotation: put the new key first).
 */
const secretKeys: VarSpec<SecretBox> = {
  doc: "AES-256-GCM keys for stored SIEM credentials: id:key[,id:key] (first seals) or @/path/to/file",
  secret: true,
  parse(raw) {
    const text = raw.startsWith("@") ? readFileSync(raw.slice(1), "utf8").trim() : raw;
    const keys = new Map<string, Uint8Array>();
    let current: string | undefined;
    for (const part of text
      .split(/[,\n]/)
      .map((p) => p.trim())
      .filter(Boolean)) {
      const i = part.indexOf(":");
      if (i <= 0) throw new Error("expected id:key pairs");
      const id = part.slice(0, i);
      keys.set(id, parseKeyMaterial(part.slice(i + 1)));
      current ??= id;
    }
    if (!current) throw new Error("expected at least one id:key pair");
    return new SecretBox({ currentKeyId: current, keys });
  },
};

/** Environment variables of alert-sink, with defaults and units. */
export const configSpec = {
  KAFKA_BROKERS: hostPorts("Kafka bootstrap servers, host:port[,host:port]"),
  MONGODB_URI: str("MongoDB connection string (mongodb://...)", undefined, { secret: true }),
  MONGODB_DB: str("database name", "ctwatch"),
  CTWATCH_TOPIC_PREFIX: topicPrefix,
  CTWATCH_GROUP_PREFIX: str("prefix of consumer group IDs", "ctwatch"),
  CTWATCH_SECRET_KEYS: secretKeys,
  CTWATCH_DESTINATIONS_REFRESH_MS: int("how long destination settings are cached, ms", 10_000, 0, 3_600_000),
  CTWATCH_ALLOW_INSECURE_HTTP: bool("allow http:// SIEM endpoints (local receivers only)", false),
  CTWATCH_PRINT_ALERTS: bool("print each newly stored alert as one line on stdout", false),
  CTWATCH_HEALTH_PORT: int("port of /healthz, /readyz, /metrics (0 = any free port)", 0, 0, 65535),
  CTWATCH_LOG_LEVEL: oneOf("log level", ["debug", "info", "warn", "error"] as const, "info"),
};

/** The parsed configuration. */
export interface AlertSinkConfig {
  kafkaBrokers: string[];
  mongoUri: string;
  mongoDb: string;
  topics: TopicNames;
  groupId: string;
  secretBox: SecretBox;
  destinationsRefreshMs: number;
  allowInsecureHttp: boolean;
  printAlerts: boolean;
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
    secretBox: c.CTWATCH_SECRET_KEYS,
    destinationsRefreshMs: c.CTWATCH_DESTINATIONS_REFRESH_MS,
    allowInsecureHttp: c.CTWATCH_ALLOW_INSECURE_HTTP,
    printAlerts: c.CTWATCH_PRINT_ALERTS,
    healthPort: c.CTWATCH_HEALTH_PORT,
    logLevel: c.CTWATCH_LOG_LEVEL,
  };
}
