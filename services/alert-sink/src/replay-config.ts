import { bool, ConfigError, int, oneOf, parseConfig, str } from "@ctwatch/runtime";
import type { SecretBox } from "@ctwatch/siem";
import { secretKeysVar } from "@ctwatch/siem";
import { configSpec, type DeliverySettings } from "./config.js";

/** Arguments of the replay command. */
export interface ReplayArgs {
  tenantId: string;
  destinationId: string;
  /** Only alerts parked at or after this time, ms since epoch. */
  sinceMs?: number;
  limit?: number;
  dryRun: boolean;
}

const ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Validates `--tenant`, `--destination`, `--since` (ISO 8601 time, ms since epoch, or
 * a duration back from now: `90m`, `6h`, `2d`), `--limit`, `--dry-run`.
 * Throws ConfigError (exit code 2) listing every problem.
 */
export function parseReplayArgs(
  values: { tenant?: string; destination?: string; since?: string; limit?: string; "dry-run"?: boolean },
  nowMs: number,
): ReplayArgs {
  const problems: string[] = [];
  if (!values.tenant) problems.push("--tenant is required");
  if (!values.destination) problems.push("--destination is required");
  else if (!ID.test(values.destination)) problems.push("--destination: expected 1-64 of [A-Za-z0-9._-]");
  let sinceMs: number | undefined;
  if (values.since !== undefined) {
    sinceMs = parseSince(values.since, nowMs);
    if (sinceMs === undefined)
      problems.push("--since: expected an ISO 8601 time, ms since epoch, or 90m / 6h / 2d");
  }
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = /^\d+$/.test(values.limit) ? Number(values.limit) : Number.NaN;
    if (!Number.isSafeInteger(limit) || limit < 1) problems.push("--limit: expected a positive integer");
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    tenantId: values.tenant as string,
    destinationId: values.destination as string,
    ...(sinceMs !== undefined ? { sinceMs } : {}),
    ...(limit !== undefined ? { limit } : {}),
    dryRun: values["dry-run"] ?? false,
  };
}

function parseSince(text: string, nowMs: number): number | undefined {
  const rel = /^(\d+)([mhd])$/.exec(text);
  if (rel)
    return nowMs - Number(rel[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as "m" | "h" | "d"];
  if (/^\d+$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}

/** The environment of the replay command: the sink's store, keys and delivery tuning. */
export interface ReplayConfig {
  mongoUri: string;
  mongoDb: string;
  secretBox: SecretBox;
  allowInsecureHttp: boolean;
  delivery: DeliverySettings;
  batchSize: number;
  logLevel: "debug" | "info" | "warn" | "error";
}

const replaySpec = {
  MONGODB_URI: configSpec.MONGODB_URI,
  MONGODB_DB: configSpec.MONGODB_DB,
  CTWATCH_SECRET_KEYS: secretKeysVar,
  CTWATCH_ALLOW_INSECURE_HTTP: configSpec.CTWATCH_ALLOW_INSECURE_HTTP,
  CTWATCH_DELIVERY_MAX_ATTEMPTS: configSpec.CTWATCH_DELIVERY_MAX_ATTEMPTS,
  CTWATCH_REPLAY_RETRY_BUDGET_MS: int(
    "time budget of one batch's retries during replay, ms",
    60_000,
    0,
    600_000,
  ),
  CTWATCH_DELIVERY_BASE_DELAY_MS: configSpec.CTWATCH_DELIVERY_BASE_DELAY_MS,
  CTWATCH_REDELIVERY_BATCH: configSpec.CTWATCH_REDELIVERY_BATCH,
  CTWATCH_LOG_LEVEL: oneOf("log level", ["debug", "info", "warn", "error"] as const, "warn"),
  // Accepted so the sink's environment can be reused as is.
  KAFKA_BROKERS: str("unused by replay", ""),
  CTWATCH_PRINT_ALERTS: bool("unused by replay", false),
};

/** Parses the replay command's environment; throws ConfigError naming every bad variable. */
export function loadReplayConfig(env: Readonly<Record<string, string | undefined>>): ReplayConfig {
  const c = parseConfig(env, replaySpec);
  return {
    mongoUri: c.MONGODB_URI,
    mongoDb: c.MONGODB_DB,
    secretBox: c.CTWATCH_SECRET_KEYS,
    allowInsecureHttp: c.CTWATCH_ALLOW_INSECURE_HTTP,
    delivery: {
      maxAttempts: c.CTWATCH_DELIVERY_MAX_ATTEMPTS,
      retryBudgetMs: c.CTWATCH_REPLAY_RETRY_BUDGET_MS,
      baseDelayMs: c.CTWATCH_DELIVERY_BASE_DELAY_MS,
      tenantConcurrency: 1,
      // One replay run: the breaker only stops it after repeated failures.
      breakerFailureThreshold: 5,
      breakerOpenMs: 30_000,
      breakerMaxOpenMs: 300_000,
    },
    batchSize: c.CTWATCH_REDELIVERY_BATCH,
    logLevel: c.CTWATCH_LOG_LEVEL,
  };
}
