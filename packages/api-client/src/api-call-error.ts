import { Metadata, type ServiceError, status } from "@grpc/grpc-js";

/** Names of gRPC status codes, by number. */
const CODE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(status)
    .filter(([, v]) => typeof v === "number")
    .map(([k, v]) => [v as number, k]),
);

/**
 * A failed API call: the gRPC status (`code`, `codeName` such as
 * "PERMISSION_DENIED") and the server's message. `retryAfterMs` is set when the
 * server asked to retry later (rate limits).
 */
export class ApiCallError extends Error {
  override readonly name = "ApiCallError";

  constructor(
    readonly code: number,
    readonly details: string,
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(`${CODE_NAMES[code] ?? `code ${code}`}: ${details}`, options);
  }

  /** The status code's name, e.g. "NOT_FOUND". */
  get codeName(): string {
    return CODE_NAMES[this.code] ?? `CODE_${this.code}`;
  }
}

/** Converts a grpc-js error (or anything thrown by a call) to an {@link ApiCallError}. */
export function toApiCallError(err: unknown): ApiCallError {
  if (err instanceof ApiCallError) return err;
  const e = err as Partial<ServiceError> | undefined;
  if (e && typeof e.code === "number") {
    const md = e.metadata instanceof Metadata ? e.metadata.get("retry-after-ms")[0] : undefined;
    const retry = typeof md === "string" && /^\d{1,9}$/.test(md) ? Number(md) : undefined;
    return new ApiCallError(e.code, e.details ?? e.message ?? "", retry, { cause: err });
  }
  return new ApiCallError(status.UNKNOWN, err instanceof Error ? err.message : String(err), undefined, {
    cause: err,
  });
}
