import { type ApiErrorCode, isApiError } from "@ctwatch/api";
import { isAbortError } from "@ctwatch/runtime";
import { Metadata, status } from "@grpc/grpc-js";

const CODES: Readonly<Record<ApiErrorCode, status>> = {
  "invalid-argument": status.INVALID_ARGUMENT,
  "not-found": status.NOT_FOUND,
  "already-exists": status.ALREADY_EXISTS,
  "permission-denied": status.PERMISSION_DENIED,
  unauthenticated: status.UNAUTHENTICATED,
  "resource-exhausted": status.RESOURCE_EXHAUSTED,
  "failed-precondition": status.FAILED_PRECONDITION,
  unavailable: status.UNAVAILABLE,
  "deadline-exceeded": status.DEADLINE_EXCEEDED,
  cancelled: status.CANCELLED,
  internal: status.INTERNAL,
};

/** The status sent for a failure, and whether it is the server's fault (logged as an error). */
export interface GrpcFailure {
  readonly code: status;
  readonly details: string;
  readonly metadata: Metadata;
  readonly serverFault: boolean;
}

const MONGO_UNAVAILABLE = new Set([
  "MongoServerSelectionError",
  "MongoNetworkError",
  "MongoNetworkTimeoutError",
  "MongoTopologyClosedError",
  "MongoNotConnectedError",
  "PoolClearedError",
]);

/**
 * Maps anything a handler threw to a gRPC status. `ApiError`s keep their code
 * and message; a database that cannot be reached is UNAVAILABLE (retryable);
 * an exceeded server-side time limit is DEADLINE_EXCEEDED; everything else is
 * INTERNAL with a generic message (details go to the log, not the caller).
 */
export function grpcFailure(err: unknown, requestId: string): GrpcFailure {
  const metadata = new Metadata();
  if (isApiError(err)) {
    if (err.details.retryAfterMs !== undefined)
      metadata.set("retry-after-ms", String(err.details.retryAfterMs));
    return { code: CODES[err.code], details: err.message, metadata, serverFault: err.code === "internal" };
  }
  const name = (err as { name?: unknown } | undefined)?.name;
  if (typeof name === "string" && MONGO_UNAVAILABLE.has(name))
    return {
      code: status.UNAVAILABLE,
      details: "the database is unavailable; retry later",
      metadata,
      serverFault: true,
    };
  if ((err as { code?: unknown } | undefined)?.code === 50)
    return {
      code: status.DEADLINE_EXCEEDED,
      details: "the query exceeded its time limit",
      metadata,
      serverFault: false,
    };
  if (isAbortError(err))
    return { code: status.CANCELLED, details: "cancelled", metadata, serverFault: false };
  return {
    code: status.INTERNAL,
    details: `internal error (request ${requestId}); the server log has the details`,
    metadata,
    serverFault: true,
  };
}
