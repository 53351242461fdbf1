import type { DescService } from "@bufbuild/protobuf";
import {
  AlertService,
  DestinationService,
  InventoryService,
  TenantService,
  WatchlistService,
} from "@ctwatch/proto";
import type { ApiScope } from "@ctwatch/store";
import { ApiError } from "./api-error.js";
import { hasScope, type Principal } from "./principal.js";

/** Every service of the API, as protobuf-es descriptors (what the server binds and reflection lists). */
export const API_SERVICES: readonly DescService[] = [
  AlertService,
  WatchlistService,
  DestinationService,
  InventoryService,
  TenantService,
];

/**
 * Who may call a method, and which tenant the call is bound to:
 * - `tenant`: a tenant token with `scope`; the call acts on the token's tenant
 *   (requests carry no tenant). The operator is refused: it sees no tenant data.
 * - `tenant-admin`: the request's `tenant_id` field names the tenant. A tenant
 *   token with `scope` may name only its own tenant (empty = its own); the
 *   operator must name one.
 * - `operator`: the operator only.
 * - `authenticated`: any valid token.
 */
export type MethodPolicy =
  | { readonly access: "tenant"; readonly scope: ApiScope }
  | { readonly access: "tenant-admin"; readonly scope: ApiScope }
  | { readonly access: "operator" }
  | { readonly access: "authenticated" };

const read = { access: "tenant", scope: "read" } as const;
const write = { access: "tenant", scope: "write" } as const;
const admin = { access: "tenant", scope: "admin" } as const;
const tenantAdmin = { access: "tenant-admin", scope: "admin" } as const;
const operator = { access: "operator" } as const;

/**
 * The authorisation table: one entry per method, keyed `<service type name>/<method>`.
 * The server refuses to start when a method of {@link API_SERVICES} has no entry,
 * so a new method cannot ship unguarded.
 */
export const METHOD_POLICIES: Readonly<Record<string, MethodPolicy>> = {
  "ctwatch.api.v1.AlertService/ListAlerts": read,
  "ctwatch.api.v1.AlertService/GetAlert": read,
  "ctwatch.api.v1.AlertService/WatchAlerts": read,
  "ctwatch.api.v1.AlertService/AcknowledgeAlert": write,
  "ctwatch.api.v1.AlertService/ResolveAlert": write,
  "ctwatch.api.v1.AlertService/SuppressAlert": write,
  "ctwatch.api.v1.WatchlistService/ListWatchlistEntries": read,
  "ctwatch.api.v1.WatchlistService/AddWatchlistEntries": write,
  "ctwatch.api.v1.WatchlistService/RemoveWatchlistEntries": write,
  "ctwatch.api.v1.DestinationService/ListDestinations": read,
  "ctwatch.api.v1.DestinationService/GetDestination": read,
  "ctwatch.api.v1.DestinationService/CreateDestination": admin,
  "ctwatch.api.v1.DestinationService/UpdateDestination": admin,
  "ctwatch.api.v1.DestinationService/DeleteDestination": admin,
  "ctwatch.api.v1.DestinationService/TestDestination": admin,
  "ctwatch.api.v1.InventoryService/ListSubdomains": read,
  "ctwatch.api.v1.InventoryService/SearchCertificates": read,
  "ctwatch.api.v1.TenantService/WhoAmI": { access: "authenticated" },
  "ctwatch.api.v1.TenantService/CreateTenant": operator,
  "ctwatch.api.v1.TenantService/GetTenant": tenantAdmin,
  "ctwatch.api.v1.TenantService/ListTenants": operator,
  "ctwatch.api.v1.TenantService/UpdateTenant": operator,
  "ctwatch.api.v1.TenantService/AddAdministrator": tenantAdmin,
  "ctwatch.api.v1.TenantService/RemoveAdministrator": tenantAdmin,
  "ctwatch.api.v1.TenantService/CreateApiToken": tenantAdmin,
  "ctwatch.api.v1.TenantService/ListApiTokens": tenantAdmin,
  "ctwatch.api.v1.TenantService/RevokeApiToken": tenantAdmin,
};

/** The table key of a method: `<service type name>/<method name>`. */
export function methodKey(serviceTypeName: string, methodName: string): string {
  return `${serviceTypeName}/${methodName}`;
}

/** The policy of a method; throws when the table has none (a programming error caught at start). */
export function policyFor(serviceTypeName: string, methodName: string): MethodPolicy {
  const p = METHOD_POLICIES[methodKey(serviceTypeName, methodName)];
  if (!p) throw new Error(`no authorisation policy for ${methodKey(serviceTypeName, methodName)}`);
  return p;
}

/** What a call is allowed to act on, once authorised. */
export interface Authorization {
  readonly principal: Principal;
  /**
   * The tenant the call is bound to: for tenant tokens always the token's own;
   * for the operator the tenant the request names (empty for operator-only
   * methods that name none).
   */
  readonly tenantId: string;
}

/**
 * The single authorisation decision of the API: given a method's policy, the
 * authenticated principal and the request's `tenant_id` field (when the
 * request has one), returns the tenant the call is bound to, or throws
 * `ApiError` "permission-denied" (or "invalid-argument" when the operator
 * names no tenant). A tenant token naming another tenant is refused without
 * saying whether that tenant exists.
 */
export function authorize(
  policy: MethodPolicy,
  principal: Principal,
  requestTenantId: string | undefined,
): Authorization {
  switch (policy.access) {
    case "authenticated":
      return { principal, tenantId: principal.kind === "tenant" ? principal.tenantId : "" };
    case "operator":
      if (principal.kind !== "operator")
        throw new ApiError("permission-denied", "only the operator token may call this method");
      return { principal, tenantId: requestTenantId ?? "" };
    case "tenant":
      if (principal.kind !== "tenant")
        throw new ApiError(
          "permission-denied",
          "the operator token cannot read or change tenant data; create a tenant token (CreateApiToken) and use it",
        );
      requireScope(principal.scopes, policy.scope);
      return { principal, tenantId: principal.tenantId };
    case "tenant-admin":
      if (principal.kind === "operator") {
        if (!requestTenantId) throw ApiError.invalid("tenant_id", "is required for the operator token");
        return { principal, tenantId: requestTenantId };
      }
      if (requestTenantId && requestTenantId !== principal.tenantId)
        throw new ApiError("permission-denied", "a tenant token can act on its own tenant only");
      requireScope(principal.scopes, policy.scope);
      return { principal, tenantId: principal.tenantId };
  }
}

function requireScope(granted: readonly ApiScope[], needed: ApiScope): void {
  if (!hasScope(granted, needed))
    throw new ApiError(
      "permission-denied",
      `this token lacks the ${needed} scope (it has: ${granted.join(", ") || "none"})`,
    );
}
