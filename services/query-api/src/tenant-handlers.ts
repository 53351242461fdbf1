import {
  ApiError,
  type Authorization,
  actorOf,
  decodePageToken,
  email,
  fromApiScope,
  hashTokenSecret,
  keysetPage,
  list,
  newTokenId,
  newTokenSecret,
  pageSize,
  type RandomBytes,
  rateLimit,
  strProp,
  tenantId as tenantIdOf,
  text,
  toApiScope,
  toApiToken,
  tokenId as tokenIdOf,
  toTenant,
} from "@ctwatch/api";
import type { TenantService } from "@ctwatch/proto";
import type { ApiScope, ApiTokenRecord, ApiTokenStore, TenantRegistry, TenantSettings } from "@ctwatch/store";
import type { MethodsOf, ServiceImpl } from "./bind-service.js";

/** Longest token lifetime, seconds (10 years). */
export const MAX_TOKEN_TTL_SECONDS = 10 * 365 * 24 * 3600;

/** What tenant handlers need besides the stores. */
export interface TenantDeps {
  readonly maxTokensPerTenant: number;
  readonly randomBytes: RandomBytes;
  /** Called after a change that must invalidate cached authentications (revocation, disabling). */
  readonly onAuthChange: () => void;
  readonly now?: () => number;
}

/** TenantService: tenants, their subscription administrators and API tokens. */
export function tenantHandlers(
  tenants: TenantRegistry,
  tokens: ApiTokenStore,
  deps: TenantDeps,
): ServiceImpl<MethodsOf<typeof TenantService>> {
  const now = deps.now ?? Date.now;

  /** The tenant the call is bound to; NOT_FOUND when the operator named one that does not exist. */
  const boundTenant = async (auth: Authorization): Promise<TenantSettings> => {
    const t = await tenants.get(auth.tenantId);
    if (!t) throw new ApiError("not-found", `tenant ${auth.tenantId} not found`);
    return t;
  };

  const issueToken = async (
    tenantId: string,
    name: string,
    scopes: ApiScope[],
    ttlSeconds: number,
    createdBy: string,
  ): Promise<{ record: ApiTokenRecord; secret: string }> => {
    const createdAtMs = now();
    const secret = newTokenSecret(deps.randomBytes);
    const record: ApiTokenRecord = {
      tokenId: newTokenId(deps.randomBytes),
      tenantId,
      secretSha256: hashTokenSecret(secret),
      name,
      scopes,
      createdAtMs,
      createdBy,
      ...(ttlSeconds > 0 ? { expiresAtMs: createdAtMs + ttlSeconds * 1000 } : {}),
    };
    if (!(await tokens.create(record))) throw new ApiError("internal", "token ID collision; retry");
    return { record, secret };
  };

  return {
    async whoAmI(_req, ctx) {
      const p = ctx.auth.principal;
      return p.kind === "operator"
        ? { operator: true }
        : { tenantId: p.tenantId, tokenId: p.tokenId, scopes: p.scopes.map(toApiScope) };
    },

    async createTenant(req, ctx) {
      const id = tenantIdOf("tenant_id", req.tenantId);
      const nowMs = now();
      const rec: TenantSettings = {
        tenantId: id,
        name: req.displayName ? text("display_name", req.displayName, 1, 200) : id,
        admins: list("administrators", req.administrators, 50, (v, f) => email(f, v)),
        disabled: false,
        ...(req.rateLimit ? { rateLimit: rateLimit("rate_limit", req.rateLimit) } : {}),
        createdAtMs: nowMs,
        updatedAtMs: nowMs,
      };
      const tokenName = req.tokenName ? text("token_name", req.tokenName, 1, 64) : "bootstrap";
      if (!(await tenants.create(rec))) throw new ApiError("already-exists", `tenant ${id} already exists`);
      const { record, secret } = await issueToken(id, tokenName, ["admin"], 0, actorOf(ctx.auth.principal));
      ctx.logger.info("tenant created", { tenantId: id, credential: record.tokenId });
      return { tenant: toTenant(rec), token: toApiToken(record), tokenSecret: secret };
    },

    async getTenant(_req, ctx) {
      return { tenant: toTenant(await boundTenant(ctx.auth)) };
    },

    async listTenants(req, _ctx) {
      const size = pageSize(req.pageSize, 100, 1000);
      const after = req.pageToken
        ? decodePageToken(req.pageToken, "tenants", (p) => strProp(p, "a"))
        : undefined;
      const recs = await tenants.list(after, size + 1);
      const { page, nextPageToken } = keysetPage(recs, size, "tenants", (r) => ({ a: r.tenantId }));
      return { tenants: page.map(toTenant), nextPageToken };
    },

    async updateTenant(req, ctx) {
      const id = tenantIdOf("tenant_id", req.tenantId);
      if (req.rateLimit && req.clearRateLimit)
        throw ApiError.invalid("clear_rate_limit", "cannot be combined with rate_limit");
      const updated = await tenants.update(
        id,
        {
          ...(req.displayName !== undefined ? { name: text("display_name", req.displayName, 1, 200) } : {}),
          ...(req.disabled !== undefined ? { disabled: req.disabled } : {}),
          ...(req.rateLimit ? { rateLimit: rateLimit("rate_limit", req.rateLimit) } : {}),
          ...(req.clearRateLimit ? { rateLimit: null } : {}),
        },
        now(),
      );
      if (!updated) throw new ApiError("not-found", `tenant ${id} not found`);
      deps.onAuthChange();
      ctx.logger.info("tenant updated", { tenantId: id, disabled: updated.disabled });
      return { tenant: toTenant(updated) };
    },

    async addAdministrator(req, ctx) {
      const address = email("email", req.email);
      const t = await boundTenant(ctx.auth);
      const outcome = await tenants.addAdmin(t.tenantId, address, now());
      if (outcome === "no-tenant") throw new ApiError("not-found", `tenant ${t.tenantId} not found`);
      if (outcome === "full")
        throw new ApiError("resource-exhausted", "a tenant has at most 50 administrators");
      return { tenant: toTenant(await boundTenant(ctx.auth)), added: outcome === "added" };
    },

    async removeAdministrator(req, ctx) {
      const address = email("email", req.email);
      const t = await boundTenant(ctx.auth);
      const removed = await tenants.removeAdmin(t.tenantId, address, now());
      return { tenant: toTenant(await boundTenant(ctx.auth)), removed };
    },

    async createApiToken(req, ctx) {
      const t = await boundTenant(ctx.auth);
      const name = text("name", req.name, 1, 64);
      const scopes = list("scopes", req.scopes, 3, (v, f) => fromApiScope(f, v));
      if (scopes.length === 0) throw ApiError.invalid("scopes", "needs at least one scope");
      if (req.ttlSeconds > BigInt(MAX_TOKEN_TTL_SECONDS))
        throw ApiError.invalid("ttl_seconds", `must be at most ${MAX_TOKEN_TTL_SECONDS} (10 years)`);
      const active = await tokens.countActive(t.tenantId, now());
      if (active >= deps.maxTokensPerTenant)
        throw new ApiError(
          "resource-exhausted",
          `the tenant has ${active} active tokens (limit ${deps.maxTokensPerTenant}); revoke unused ones`,
        );
      const { record, secret } = await issueToken(
        t.tenantId,
        name,
        scopes,
        Number(req.ttlSeconds),
        actorOf(ctx.auth.principal),
      );
      ctx.logger.info("token created", { credential: record.tokenId, scopes });
      return { token: toApiToken(record), tokenSecret: secret };
    },

    async listApiTokens(_req, ctx) {
      const t = await boundTenant(ctx.auth);
      return { tokens: (await tokens.listForTenant(t.tenantId, 1000)).map(toApiToken) };
    },

    async revokeApiToken(req, ctx) {
      const id = tokenIdOf("token_id", req.tokenId);
      const t = await boundTenant(ctx.auth);
      const revoked = await tokens.revoke(t.tenantId, id, now());
      if (!revoked) {
        const known = (await tokens.listForTenant(t.tenantId, 1000)).some((r) => r.tokenId === id);
        if (!known) throw new ApiError("not-found", `token ${id} not found`);
      }
      deps.onAuthChange();
      ctx.logger.info("token revoked", { credential: id, revoked });
      return { revoked };
    },
  };
}
