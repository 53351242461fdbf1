import { create } from "@bufbuild/protobuf";
import { type ApiToken, ApiTokenSchema, Scope, type Tenant, TenantSchema } from "@ctwatch/proto";
import type { ApiScope, ApiTokenRecord, TenantRateLimit, TenantSettings } from "@ctwatch/store";
import { ApiError } from "./api-error.js";

const SCOPES: ReadonlyArray<readonly [Scope, ApiScope]> = [
  [Scope.READ, "read"],
  [Scope.WRITE, "write"],
  [Scope.ADMIN, "admin"],
];

/** The store scope of an API scope; throws `ApiError` for UNSPECIFIED or an unknown number. */
export function fromApiScope(field: string, s: Scope): ApiScope {
  const hit = SCOPES.find(([api]) => api === s);
  if (!hit) throw ApiError.invalid(field, "must be READ, WRITE or ADMIN");
  return hit[1];
}

/** The API scope of a store scope. */
export function toApiScope(s: ApiScope): Scope {
  return SCOPES.find(([, v]) => v === s)?.[0] ?? Scope.UNSPECIFIED;
}

/** A tenant as an API message. */
export function toTenant(t: TenantSettings): Tenant {
  return create(TenantSchema, {
    tenantId: t.tenantId,
    displayName: t.name,
    administrators: t.admins,
    disabled: t.disabled,
    ...(t.rateLimit ? { rateLimit: t.rateLimit } : {}),
    createdAtMs: BigInt(t.createdAtMs),
    updatedAtMs: BigInt(t.updatedAtMs),
  });
}

/** A token as an API message: never its secret or the secret's hash. */
export function toApiToken(t: ApiTokenRecord): ApiToken {
  return create(ApiTokenSchema, {
    tokenId: t.tokenId,
    tenantId: t.tenantId,
    name: t.name,
    scopes: t.scopes.map(toApiScope),
    createdAtMs: BigInt(t.createdAtMs),
    createdBy: t.createdBy,
    expiresAtMs: BigInt(t.expiresAtMs ?? 0),
    revokedAtMs: BigInt(t.revokedAtMs ?? 0),
  });
}

/** Validates a requested rate limit (field `field`). */
export function rateLimit(field: string, r: { requestsPerSecond: number; burst: number }): TenantRateLimit {
  if (r.requestsPerSecond < 1 || r.requestsPerSecond > 10_000)
    throw ApiError.invalid(`${field}.requests_per_second`, "must be between 1 and 10000");
  if (r.burst < 1 || r.burst > 100_000)
    throw ApiError.invalid(`${field}.burst`, "must be between 1 and 100000");
  return { requestsPerSecond: r.requestsPerSecond, burst: r.burst };
}
