import { createHash, randomBytes } from "node:crypto";
import {
  AddAdministratorResponseSchema,
  type ApiToken,
  CreateApiTokenResponseSchema,
  CreateTenantResponseSchema,
  GetTenantResponseSchema,
  ListApiTokensResponseSchema,
  ListTenantsResponseSchema,
  RemoveAdministratorResponseSchema,
  RevokeApiTokenResponseSchema,
  Scope,
  type Tenant,
  UpdateTenantResponseSchema,
  WhoAmIResponseSchema,
} from "@ctwatch/proto";
import { flag, intOpt, many, opt, parse, positionals } from "./args.js";
import { UsageError } from "./cli-io.js";
import { type CommandContext, show } from "./command-context.js";
import { enumName, isoTime, table } from "./format.js";

const SCOPE_NAMES: Record<string, Scope> = { read: Scope.READ, write: Scope.WRITE, admin: Scope.ADMIN };

function scopeNames(scopes: readonly Scope[]): string {
  return scopes.map((s) => enumName(Scope as unknown as Record<number, string>, s)).join(",");
}

function tenantLines(t: Tenant | undefined): string[] {
  if (!t) return [];
  return [
    `tenant:          ${t.tenantId}${t.disabled ? " (disabled)" : ""}`,
    `name:            ${t.displayName}`,
    `administrators:  ${t.administrators.join(", ") || "-"}`,
    `rate limit:      ${t.rateLimit ? `${t.rateLimit.requestsPerSecond}/s, burst ${t.rateLimit.burst}` : "server default"}`,
    `created:         ${isoTime(t.createdAtMs)}`,
  ];
}

function tokenRows(tokens: readonly ApiToken[]): string[] {
  return table([
    ["TOKEN", "NAME", "SCOPES", "CREATED", "EXPIRES", "REVOKED"],
    ...tokens.map((t) => [
      t.tokenId,
      t.name,
      scopeNames(t.scopes),
      isoTime(t.createdAtMs),
      isoTime(t.expiresAtMs),
      isoTime(t.revokedAtMs),
    ]),
  ]);
}

/** `ctwatch token new`: a fresh operator token and the SHA-256 the server is configured with. Local only. */
export function newOperatorToken(ctx: Pick<CommandContext, "io">): void {
  const secret = `ctw_${randomBytes(32).toString("base64url")}`;
  const sha = createHash("sha256").update(secret).digest("hex");
  ctx.io.out(`token:   ${secret}`);
  ctx.io.out(`sha256:  ${sha}`);
  ctx.io.err("Give the server CTWATCH_API_ADMIN_TOKEN_SHA256=<sha256>; keep the token secret (shown once).");
}

/** `ctwatch whoami`. */
export async function whoami(ctx: CommandContext): Promise<void> {
  const r = await ctx.client.tenants.whoAmI({});
  show(ctx, WhoAmIResponseSchema, r, () =>
    r.operator ? ["operator"] : [`tenant ${r.tenantId}, token ${r.tokenId}, scopes ${scopeNames(r.scopes)}`],
  );
}

/** `ctwatch tenant <create|get|list|disable|enable|set-rate>`. */
export async function tenantCommand(ctx: CommandContext, args: readonly string[]): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "create": {
      const p = parse(rest, {
        name: { type: "string" },
        admin: { type: "string", multiple: true },
        rate: { type: "string" },
        burst: { type: "string" },
      });
      const [id] = positionals(p, ["tenant-id"]);
      const rate = intOpt(p, "rate");
      const burst = intOpt(p, "burst");
      const r = await ctx.client.tenants.createTenant({
        tenantId: id,
        displayName: opt(p, "name") ?? "",
        administrators: many(p, "admin"),
        ...(rate !== undefined ? { rateLimit: { requestsPerSecond: rate, burst: burst ?? rate * 3 } } : {}),
      });
      show(ctx, CreateTenantResponseSchema, r, () => [
        ...tenantLines(r.tenant),
        `admin token:     ${r.tokenSecret}`,
        "                 (shown once: store it now; use it as CTWATCH_API_TOKEN)",
      ]);
      return;
    }
    case "get": {
      const p = parse(rest, {});
      const r = await ctx.client.tenants.getTenant({ tenantId: p.positionals[0] ?? "" });
      show(ctx, GetTenantResponseSchema, r, () => tenantLines(r.tenant));
      return;
    }
    case "list": {
      parse(rest, {});
      let pageToken = "";
      do {
        const r = await ctx.client.tenants.listTenants({ pageToken, pageSize: 500 });
        show(ctx, ListTenantsResponseSchema, r, () =>
          table([
            ["TENANT", "NAME", "ADMINS", "DISABLED"],
            ...r.tenants.map((t) => [
              t.tenantId,
              t.displayName,
              String(t.administrators.length),
              String(t.disabled),
            ]),
          ]),
        );
        pageToken = r.nextPageToken;
      } while (pageToken);
      return;
    }
    case "disable":
    case "enable": {
      const [id] = positionals(parse(rest, {}), ["tenant-id"]);
      const r = await ctx.client.tenants.updateTenant({ tenantId: id, disabled: sub === "disable" });
      show(ctx, UpdateTenantResponseSchema, r, () => tenantLines(r.tenant));
      return;
    }
    case "set-rate": {
      const p = parse(rest, {
        rate: { type: "string" },
        burst: { type: "string" },
        default: { type: "boolean" },
      });
      const [id] = positionals(p, ["tenant-id"]);
      const rate = intOpt(p, "rate");
      if (!flag(p, "default") && rate === undefined)
        throw new UsageError("give --rate N [--burst N] or --default");
      const r = await ctx.client.tenants.updateTenant({
        tenantId: id,
        ...(flag(p, "default")
          ? { clearRateLimit: true }
          : { rateLimit: { requestsPerSecond: rate ?? 0, burst: intOpt(p, "burst") ?? (rate ?? 0) * 3 } }),
      });
      show(ctx, UpdateTenantResponseSchema, r, () => tenantLines(r.tenant));
      return;
    }
    default:
      throw new UsageError("tenant <create|get|list|disable|enable|set-rate>");
  }
}

/** `ctwatch admin <add|remove> <email> [--tenant ID]`. */
export async function adminCommand(ctx: CommandContext, args: readonly string[]): Promise<void> {
  const [sub, ...rest] = args;
  const p = parse(rest, { tenant: { type: "string" } });
  const [address] = positionals(p, ["email"]);
  const tenantId = opt(p, "tenant") ?? "";
  if (sub === "add") {
    const r = await ctx.client.tenants.addAdministrator({ tenantId, email: address });
    show(ctx, AddAdministratorResponseSchema, r, () => [
      r.added ? `added ${address}` : `${address} was already there`,
    ]);
  } else if (sub === "remove") {
    const r = await ctx.client.tenants.removeAdministrator({ tenantId, email: address });
    show(ctx, RemoveAdministratorResponseSchema, r, () => [
      r.removed ? `removed ${address}` : `${address} was not there`,
    ]);
  } else throw new UsageError("admin <add|remove> <email> [--tenant ID]");
}

/** `ctwatch token <new|create|list|revoke>`. */
export async function tokenCommand(ctx: CommandContext, args: readonly string[]): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "new":
      parse(rest, {});
      newOperatorToken(ctx);
      return;
    case "create": {
      const p = parse(rest, {
        scope: { type: "string", multiple: true },
        "ttl-days": { type: "string" },
        tenant: { type: "string" },
      });
      const [name] = positionals(p, ["name"]);
      const scopes = many(p, "scope").map((s) => {
        const v = SCOPE_NAMES[s];
        if (v === undefined) throw new UsageError(`--scope ${s}: expected read, write or admin`);
        return v;
      });
      if (scopes.length === 0) throw new UsageError("give at least one --scope read|write|admin");
      const r = await ctx.client.tenants.createApiToken({
        tenantId: opt(p, "tenant") ?? "",
        name,
        scopes,
        ttlSeconds: BigInt((intOpt(p, "ttl-days") ?? 0) * 86_400),
      });
      show(ctx, CreateApiTokenResponseSchema, r, () => [
        `token ${r.token?.tokenId} (${scopeNames(r.token?.scopes ?? [])})`,
        `secret: ${r.tokenSecret}`,
        "(shown once: store it now)",
      ]);
      return;
    }
    case "list": {
      const p = parse(rest, { tenant: { type: "string" } });
      const r = await ctx.client.tenants.listApiTokens({ tenantId: opt(p, "tenant") ?? "" });
      show(ctx, ListApiTokensResponseSchema, r, () => tokenRows(r.tokens));
      return;
    }
    case "revoke": {
      const p = parse(rest, { tenant: { type: "string" } });
      const [id] = positionals(p, ["token-id"]);
      const r = await ctx.client.tenants.revokeApiToken({ tenantId: opt(p, "tenant") ?? "", tokenId: id });
      show(ctx, RevokeApiTokenResponseSchema, r, () => [
        r.revoked ? `revoked ${id}` : `${id} was already revoked`,
      ]);
      return;
    }
    default:
      throw new UsageError("token <new|create|list|revoke>");
  }
}
