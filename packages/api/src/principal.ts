import type { ApiScope } from "@ctwatch/store";

/**
 * Who is calling, as established by authentication:
 * - the operator: the deployment's bootstrap token (manages tenants; sees no tenant data);
 * - a tenant token: bound to exactly one tenant, with scopes.
 */
export type Principal =
  | { readonly kind: "operator" }
  | {
      readonly kind: "tenant";
      readonly tenantId: string;
      readonly tokenId: string;
      readonly scopes: readonly ApiScope[];
    };

const RANK: Readonly<Record<ApiScope, number>> = { read: 1, write: 2, admin: 3 };

/** The scopes in order; each includes the ones before it. */
export const SCOPES: readonly ApiScope[] = ["read", "write", "admin"];

/** True when `granted` includes `needed`: admin ⊃ write ⊃ read. */
export function hasScope(granted: readonly ApiScope[], needed: ApiScope): boolean {
  return granted.some((s) => RANK[s] >= RANK[needed]);
}

/** How an action is attributed in audit records: "operator" or `token:<tokenId>`. */
export function actorOf(p: Principal): string {
  return p.kind === "operator" ? "operator" : `token:${p.tokenId}`;
}

/** The key rate limits and stream caps are counted under: the tenant, or "operator". */
export function quotaKeyOf(p: Principal): string {
  return p.kind === "operator" ? "operator" : `tenant:${p.tenantId}`;
}
