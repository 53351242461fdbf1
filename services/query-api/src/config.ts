import { readFileSync } from "node:fs";
import { OperatorCredential, type Rate } from "@ctwatch/api";
import { bool, ConfigError, int, oneOf, parseConfig, str, type VarSpec } from "@ctwatch/runtime";
import { secretKeysVar } from "@ctwatch/siem";
import type { WatchSettings } from "./alert-handlers.js";
import type { ApiTls, QueryApiSettings } from "./query-api.js";

const listen: VarSpec<string> = {
  doc: "address the gRPC server listens on, host:port (port 0 = any free port)",
  default: "127.0.0.1:50051",
  parse(raw) {
    const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(raw);
    if (!m || Number(m[2]) > 65535) throw new Error("expected host:port");
    return raw;
  },
};

// Optional variables default to null: parseConfig treats an undefined default as "required".
const operatorSha256: VarSpec<OperatorCredential | null> = {
  doc: "SHA-256 (64 hex digits) of the operator's bootstrap token; unset: no operator (`ctwatch token new` prints one)",
  default: null,
  secret: true,
  parse: (raw) => new OperatorCredential(raw),
};

/** A PEM file path, read at start; empty = unset. */
function pemFile(doc: string): VarSpec<Buffer | null> {
  return {
    doc,
    default: null,
    parse(raw) {
      const pem = readFileSync(raw);
      if (!pem.includes("-----BEGIN ")) throw new Error("the file holds no PEM block");
      return pem;
    },
  };
}

/** Environment variables of query-api, with defaults and units. */
export const configSpec = {
  MONGODB_URI: str("MongoDB connection string (mongodb://...)", undefined, { secret: true }),
  MONGODB_DB: str("database name", "ctwatch"),
  CTWATCH_API_LISTEN: listen,
  CTWATCH_API_ADMIN_TOKEN_SHA256: operatorSha256,
  CTWATCH_API_TLS_CERT_FILE: pemFile("server certificate chain (PEM); with the key, the API serves TLS"),
  CTWATCH_API_TLS_KEY_FILE: pemFile("server private key (PEM)"),
  CTWATCH_API_TLS_CLIENT_CA_FILE: pemFile(
    "CA certificates (PEM) client certificates must chain to: mutual TLS",
  ),
  CTWATCH_SECRET_KEYS: secretKeysVar,
  CTWATCH_ALLOW_INSECURE_HTTP: bool("allow http:// SIEM endpoints (local receivers only)", false),
  CTWATCH_API_RATE_PER_SECOND: int("default per-tenant request rate, requests/s", 20, 1, 10_000),
  CTWATCH_API_RATE_BURST: int("default per-tenant burst, requests", 60, 1, 100_000),
  CTWATCH_API_TOKEN_CACHE_MS: int(
    "how long a token check is cached (revocation delay), ms",
    5_000,
    0,
    60_000,
  ),
  CTWATCH_API_WATCH_POLL_MS: int("how often an alert stream polls the store, ms", 1_000, 50, 60_000),
  CTWATCH_API_WATCH_LOOKBACK_MS: int(
    "window an alert stream re-reads (writer clock skew + visibility lag), ms",
    10_000,
    0,
    600_000,
  ),
  CTWATCH_API_WATCH_HEARTBEAT_MS: int("heartbeat on an idle alert stream, ms", 15_000, 100, 600_000),
  CTWATCH_API_MAX_STREAMS_PER_TENANT: int("open alert streams per tenant", 8, 1, 1_000),
  CTWATCH_API_MAX_WATCH_ENTRIES_PER_TENANT: int("watch-list entries per tenant", 10_000, 1, 1_000_000),
  CTWATCH_API_MAX_TOKENS_PER_TENANT: int("active API tokens per tenant", 100, 1, 10_000),
  CTWATCH_API_MAX_REQUEST_BYTES: int("largest request, bytes", 1 << 20, 1024, 64 << 20),
  CTWATCH_HEALTH_PORT: int("port of /healthz, /readyz, /metrics (0 = any free port)", 0, 0, 65535),
  CTWATCH_LOG_LEVEL: oneOf("log level", ["debug", "info", "warn", "error"] as const, "info"),
};

/** The parsed configuration. */
export interface QueryApiConfig extends QueryApiSettings {
  readonly mongoUri: string;
  readonly mongoDb: string;
  readonly healthPort: number;
  readonly logLevel: "debug" | "info" | "warn" | "error";
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): QueryApiConfig {
  const c = parseConfig(env, configSpec);
  const cert = c.CTWATCH_API_TLS_CERT_FILE;
  const key = c.CTWATCH_API_TLS_KEY_FILE;
  const clientCa = c.CTWATCH_API_TLS_CLIENT_CA_FILE;
  if ((cert === null) !== (key === null) || (clientCa !== null && cert === null)) {
    throw new ConfigError([
      "CTWATCH_API_TLS_CERT_FILE and CTWATCH_API_TLS_KEY_FILE go together, and CTWATCH_API_TLS_CLIENT_CA_FILE needs both",
    ]);
  }
  const tls: ApiTls | undefined =
    cert && key ? { certPem: cert, keyPem: key, ...(clientCa ? { clientCaPem: clientCa } : {}) } : undefined;
  const rate: Rate = { requestsPerSecond: c.CTWATCH_API_RATE_PER_SECOND, burst: c.CTWATCH_API_RATE_BURST };
  const watch: WatchSettings = {
    pollMs: c.CTWATCH_API_WATCH_POLL_MS,
    lookbackMs: c.CTWATCH_API_WATCH_LOOKBACK_MS,
    heartbeatMs: c.CTWATCH_API_WATCH_HEARTBEAT_MS,
    maxPerPoll: 5_000,
  };
  return {
    mongoUri: c.MONGODB_URI,
    mongoDb: c.MONGODB_DB,
    listen: c.CTWATCH_API_LISTEN,
    ...(tls ? { tls } : {}),
    ...(c.CTWATCH_API_ADMIN_TOKEN_SHA256 ? { operator: c.CTWATCH_API_ADMIN_TOKEN_SHA256 } : {}),
    rate,
    tokenCacheMs: c.CTWATCH_API_TOKEN_CACHE_MS,
    watch,
    maxStreamsPerTenant: c.CTWATCH_API_MAX_STREAMS_PER_TENANT,
    maxWatchEntriesPerTenant: c.CTWATCH_API_MAX_WATCH_ENTRIES_PER_TENANT,
    maxTokensPerTenant: c.CTWATCH_API_MAX_TOKENS_PER_TENANT,
    maxRequestBytes: c.CTWATCH_API_MAX_REQUEST_BYTES,
    secretBox: c.CTWATCH_SECRET_KEYS,
    allowInsecureHttp: c.CTWATCH_ALLOW_INSECURE_HTTP,
    healthPort: c.CTWATCH_HEALTH_PORT,
    logLevel: c.CTWATCH_LOG_LEVEL,
  };
}
