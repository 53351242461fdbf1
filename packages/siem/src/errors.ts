/**
 * The closed set of reasons a SIEM call can fail. Adapters map every HTTP status,
 * SIEM error body and network failure onto one of these, so the retry helper,
 * the circuit breaker and Test Connection all reason about the same codes.
 */
export type DeliveryErrorCode =
  // Credentials and permissions (destination-level: every batch would fail the same way).
  | "credentials-rejected"
  | "token-required"
  | "token-disabled"
  | "forbidden"
  | "bearer-auth-disabled"
  // The target does not exist or is misconfigured (destination-level).
  | "not-found"
  | "log-group-not-found"
  | "log-stream-not-found"
  | "incorrect-index"
  | "ack-misconfigured"
  | "unexpected-redirect"
  // The request or one of its events was refused (batch-level).
  | "invalid-data"
  | "payload-too-large"
  | "events-rejected"
  // Transient conditions (retryable).
  | "rate-limited"
  | "server-busy"
  | "server-error"
  | "timeout"
  | "ack-timeout"
  | "connection-failed"
  // Network and TLS (destination-level, retried because they are often transient).
  | "dns-failure"
  | "tls-failure"
  | "connection-refused"
  // The circuit breaker refused the call without contacting the SIEM.
  | "circuit-open"
  | "unknown";

/** Codes that say "this destination cannot accept anything right now", not "this batch is bad". */
const DESTINATION_LEVEL: ReadonlySet<DeliveryErrorCode> = new Set<DeliveryErrorCode>([
  "credentials-rejected",
  "token-required",
  "token-disabled",
  "forbidden",
  "bearer-auth-disabled",
  "not-found",
  "log-group-not-found",
  "log-stream-not-found",
  "incorrect-index",
  "ack-misconfigured",
  "unexpected-redirect",
  "rate-limited",
  "server-busy",
  "server-error",
  "timeout",
  "ack-timeout",
  "connection-failed",
  "dns-failure",
  "tls-failure",
  "connection-refused",
  "circuit-open",
  "unknown",
]);

/** Fields of a {@link DeliveryError}. */
export interface DeliveryErrorInit {
  readonly code: DeliveryErrorCode;
  /** True when sending the same batch again may succeed (5xx, 408, 429, network, timeout). */
  readonly retryable: boolean;
  /** Server-requested wait before the next attempt (from `Retry-After`), ms. */
  readonly retryAfterMs?: number;
  /** HTTP status of the SIEM's answer, when there was one. */
  readonly status?: number;
  /** The SIEM's own error code (HEC `code`, Azure error code, AWS `__type`), for logs. */
  readonly siemCode?: string;
  /** The batch is too large as a whole: split it and send the halves (HTTP 413). */
  readonly splittable?: boolean;
  readonly cause?: unknown;
}

/**
 * Why a delivery failed. Messages are built by the adapters from fixed text plus
 * sanitised SIEM answers and never contain credentials.
 */
export class DeliveryError extends Error {
  override readonly name = "DeliveryError";
  readonly code: DeliveryErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;
  readonly siemCode: string | undefined;
  readonly splittable: boolean;

  constructor(message: string, init: DeliveryErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs;
    this.status = init.status;
    this.siemCode = init.siemCode;
    this.splittable = init.splittable ?? false;
  }

  /** True when the failure concerns the destination as a whole rather than this batch's content. */
  get destinationLevel(): boolean {
    return DESTINATION_LEVEL.has(this.code);
  }
}

/** True for a {@link DeliveryError}. */
export function isDeliveryError(error: unknown): error is DeliveryError {
  return error instanceof DeliveryError;
}

/**
 * A destination configuration that cannot be used. `field` names the offending
 * field as a dotted path (`splunk.url`, `auth.accessKeyId`), so a UI can point at it.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly field: string;

  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.field = field;
  }
}
