import {
  ApiError,
  bearerSecret,
  hashTokenSecret,
  looksLikeTenantToken,
  type OperatorCredential,
  type Principal,
  type Rate,
} from "@ctwatch/api";
import type { ApiTokenStore, TenantRegistry } from "@ctwatch/store";

/** Who is calling, and the rate their tenant is allowed (undefined: the server default). */
export interface Authenticated {
  readonly principal: Principal;
  readonly rate?: Rate;
}

type CacheEntry = { readonly atMs: number } & (
  | { readonly ok: true; readonly value: Authenticated }
  | { readonly ok: false; readonly error: ApiError }
);

/**
 * Turns an `authorization` header into a principal:
 *
 *   Bearer secret ==> operator? (constant-time SHA-256 compare)
 *                 ==> SHA-256 ==> api_tokens[_id] ==> revoked/expired? ==> tenants[_id] ==> disabled?
 *
 * Results (refusals included) are cached per secret hash for `cacheMs`, so a
 * busy client costs two `_id` reads every `cacheMs`, and a revoked token or a
 * disabled tenant is refused at most `cacheMs` later. At most `maxEntries`
 * results are cached (oldest dropped first).
 */
export class Authenticator {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly tokens: ApiTokenStore,
    private readonly tenants: TenantRegistry,
    private readonly operator: OperatorCredential | undefined,
    private readonly cacheMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  /** The principal, or `ApiError` "unauthenticated" / "permission-denied" (disabled tenant). */
  async authenticate(authorization: string | undefined): Promise<Authenticated> {
    const secret = bearerSecret(authorization);
    if (this.operator?.matches(secret)) return { principal: { kind: "operator" } };
    if (!looksLikeTenantToken(secret)) throw new ApiError("unauthenticated", "the API token is not valid");
    const hash = hashTokenSecret(secret);
    const nowMs = this.now();
    const hit = this.cache.get(hash);
    if (hit && nowMs - hit.atMs < this.cacheMs) {
      if (hit.ok) return hit.value;
      throw hit.error;
    }
    let entry: CacheEntry;
    try {
      entry = { atMs: nowMs, ok: true, value: await this.lookUp(hash, nowMs) };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      entry = { atMs: nowMs, ok: false, error: err };
    }
    this.cache.delete(hash);
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(hash, entry);
    if (entry.ok) return entry.value;
    throw entry.error;
  }

  /** Forgets cached results (after revoking a token or disabling a tenant through this server). */
  forget(): void {
    this.cache.clear();
  }

  private async lookUp(hash: string, nowMs: number): Promise<Authenticated> {
    const token = await this.tokens.findBySecretSha256(hash);
    if (!token) throw new ApiError("unauthenticated", "the API token is not valid");
    if (token.revokedAtMs !== undefined) throw new ApiError("unauthenticated", "the API token was revoked");
    if (token.expiresAtMs !== undefined && token.expiresAtMs <= nowMs)
      throw new ApiError("unauthenticated", "the API token expired");
    const tenant = await this.tenants.get(token.tenantId);
    if (!tenant) throw new ApiError("unauthenticated", "the API token's tenant no longer exists");
    if (tenant.disabled) throw new ApiError("permission-denied", `tenant ${tenant.tenantId} is disabled`);
    return {
      principal: { kind: "tenant", tenantId: token.tenantId, tokenId: token.tokenId, scopes: token.scopes },
      ...(tenant.rateLimit ? { rate: tenant.rateLimit } : {}),
    };
  }
}
