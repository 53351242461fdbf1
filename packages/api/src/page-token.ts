import { createHash } from "node:crypto";
import { ApiError } from "./api-error.js";

/** Longest page token or cursor accepted, characters. */
export const MAX_PAGE_TOKEN_LENGTH = 1024;

/**
 * A short fingerprint of a request's filters. A page token carries it, so a
 * token used with different filters is refused instead of returning a page of
 * something else (AIP-158).
 */
export function filterFingerprint(filters: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(filters, (_k, v) => (typeof v === "bigint" ? v.toString() : v)))
    .digest("base64url")
    .slice(0, 12);
}

/** Encodes a keyset position and the filter fingerprint as an opaque token (base64url JSON). */
export function encodePageToken(
  fingerprint: string,
  position: Readonly<Record<string, string | number>>,
): string {
  return Buffer.from(JSON.stringify({ f: fingerprint, p: position }), "utf8").toString("base64url");
}

/**
 * One page of a keyset query that fetched `size + 1` records: the first `size`, and the
 * token of the last of them when there was one more (else ""). `position` gives the
 * keyset position of a record.
 */
export function keysetPage<R>(
  recs: readonly R[],
  size: number,
  fingerprint: string,
  position: (last: R) => Readonly<Record<string, string | number>>,
): { page: R[]; nextPageToken: string } {
  const page = recs.slice(0, size);
  const last = page[page.length - 1];
  return {
    page,
    nextPageToken:
      recs.length > size && last !== undefined ? encodePageToken(fingerprint, position(last)) : "",
  };
}

/**
 * Decodes a token from {@link encodePageToken}: the position, checked by
 * `parse` (which throws or returns undefined for a bad shape). Throws `ApiError`
 * "invalid-argument" on field `field` for a malformed token or one issued for
 * other filters.
 */
export function decodePageToken<T>(
  token: string,
  fingerprint: string,
  parse: (position: Record<string, unknown>) => T | undefined,
  field = "page_token",
): T {
  if (token.length > MAX_PAGE_TOKEN_LENGTH) throw ApiError.invalid(field, "is too long");
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw ApiError.invalid(field, "is not a token this server issued");
  }
  const obj = decoded as { f?: unknown; p?: unknown } | null;
  if (!obj || typeof obj !== "object" || typeof obj.p !== "object" || obj.p === null)
    throw ApiError.invalid(field, "is not a token this server issued");
  if (obj.f !== fingerprint)
    throw ApiError.invalid(field, "was issued for other filters; repeat the request without it");
  const value = parse(obj.p as Record<string, unknown>);
  if (value === undefined) throw ApiError.invalid(field, "is not a token this server issued");
  return value;
}

/** Reads a finite integer property, or undefined. */
export function intProp(o: Record<string, unknown>, k: string): number | undefined {
  const v = o[k];
  return typeof v === "number" && Number.isSafeInteger(v) ? v : undefined;
}

/** Reads a string property, or undefined. */
export function strProp(o: Record<string, unknown>, k: string): string | undefined {
  const v = o[k];
  return typeof v === "string" ? v : undefined;
}
