import { createHash, timingSafeEqual } from "node:crypto";
import { ApiError } from "./api-error.js";

/** Prefix of tenant token secrets, so a leaked one is recognisable (secret scanners, logs). */
export const TOKEN_SECRET_PREFIX = "ctw_";

/** Random bytes in a token secret: 256 bits. */
export const TOKEN_SECRET_BYTES = 32;

/** Longest `authorization` header value accepted, characters; longer ones are refused unread. */
export const MAX_AUTHORIZATION_LENGTH = 512;

/** A source of random bytes (node:crypto `randomBytes` in production, deterministic in tests). */
export type RandomBytes = (n: number) => Uint8Array;

/** A new token secret: `ctw_` + base64url of 32 random bytes (47 characters). Shown once, stored hashed. */
export function newTokenSecret(randomBytes: RandomBytes): string {
  return TOKEN_SECRET_PREFIX + Buffer.from(randomBytes(TOKEN_SECRET_BYTES)).toString("base64url");
}

/** A new public token ID: `tok_` + 16 hex digits. */
export function newTokenId(randomBytes: RandomBytes): string {
  return `tok_${Buffer.from(randomBytes(8)).toString("hex")}`;
}

/** SHA-256 of a token secret, lower-case hex: what is stored and looked up. */
export function hashTokenSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/**
 * The secret of an `authorization: Bearer <secret>` header value. Throws
 * `ApiError` "unauthenticated" (without echoing the value) when it is missing,
 * too long or not a bearer credential.
 */
export function bearerSecret(authorization: string | undefined): string {
  if (authorization === undefined || authorization === "")
    throw new ApiError("unauthenticated", "missing 'authorization: Bearer <token>' metadata");
  if (authorization.length > MAX_AUTHORIZATION_LENGTH)
    throw new ApiError("unauthenticated", "the authorization metadata is too long");
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  if (!m?.[1]) throw new ApiError("unauthenticated", "the authorization metadata must be 'Bearer <token>'");
  return m[1];
}

/** True when `secret` has the shape of a tenant token secret (cheap check before a store lookup). */
export function looksLikeTenantToken(secret: string): boolean {
  return /^ctw_[A-Za-z0-9_-]{43}$/.test(secret);
}

/**
 * The operator's bootstrap credential, held only as a SHA-256 (from
 * `CTWATCH_API_ADMIN_TOKEN_SHA256`). Matching hashes the presented secret and
 * compares in constant time.
 */
export class OperatorCredential {
  private readonly sha256: Buffer;

  /** `sha256Hex`: 64 hex digits. Throws RangeError otherwise. */
  constructor(sha256Hex: string) {
    if (!/^[0-9a-fA-F]{64}$/.test(sha256Hex)) throw new RangeError("expected 64 hex digits (a SHA-256)");
    this.sha256 = Buffer.from(sha256Hex, "hex");
  }

  /** True when `secret` is the operator token. */
  matches(secret: string): boolean {
    const presented = createHash("sha256").update(secret, "utf8").digest();
    return timingSafeEqual(presented, this.sha256);
  }
}
