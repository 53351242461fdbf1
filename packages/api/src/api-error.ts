/**
 * The closed set of API failure kinds. Each maps to one gRPC status code (see
 * `grpcStatusOf` in the server); the names follow the gRPC codes so the
 * mapping reads one to one.
 */
export type ApiErrorCode =
  | "invalid-argument"
  | "not-found"
  | "already-exists"
  | "permission-denied"
  | "unauthenticated"
  | "resource-exhausted"
  | "failed-precondition"
  | "unavailable"
  | "deadline-exceeded"
  | "cancelled"
  | "internal";

/**
 * A failure the caller should see as is: `message` is written for the caller
 * (specific, never containing a secret); `field` names the offending request
 * field (dotted path) for invalid arguments; `retryAfterMs` tells a rate-limited
 * caller when to come back.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details: { field?: string; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(details.field ? `${details.field}: ${message}` : message, { cause: details.cause });
  }

  /** The request field `field` is invalid, because `why`. */
  static invalid(field: string, why: string): ApiError {
    return new ApiError("invalid-argument", why, { field });
  }
}

/** True for an {@link ApiError}. */
export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}
