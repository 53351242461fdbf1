import { describe, expect, it } from "@jest/globals";
import { ApiError } from "./api-error.js";
import { API_SERVICES, authorize, METHOD_POLICIES, type MethodPolicy, methodKey } from "./method-policy.js";
import type { Principal } from "./principal.js";

const operator: Principal = { kind: "operator" };
const tenant = (scopes: ("read" | "write" | "admin")[], tenantId = "acme"): Principal => ({
  kind: "tenant",
  tenantId,
  tokenId: "tok_0000000000000001",
  scopes,
});

function code(fn: () => unknown): string {
  try {
    fn();
    return "ok";
  } catch (err) {
    if (err instanceof ApiError) return err.code;
    throw err;
  }
}

describe("METHOD_POLICIES", () => {
  it("has exactly one entry per method of every API service", () => {
    const methods = API_SERVICES.flatMap((s) => s.methods.map((m) => methodKey(s.typeName, m.name)));
    expect(methods.length).toBeGreaterThan(20);
    expect(Object.keys(METHOD_POLICIES).sort()).toEqual([...methods].sort());
  });

  it("binds tenant-admin methods through a tenant_id field and tenant methods through the token only", () => {
    for (const s of API_SERVICES) {
      for (const m of s.methods) {
        const p = METHOD_POLICIES[methodKey(s.typeName, m.name)] as MethodPolicy;
        const hasTenantField = m.input.fields.some((f) => f.name === "tenant_id");
        if (p.access === "tenant") expect([m.name, hasTenantField]).toEqual([m.name, false]);
        if (p.access === "tenant-admin") expect([m.name, hasTenantField]).toEqual([m.name, true]);
      }
    }
  });
});

describe("authorize", () => {
  const read = { access: "tenant", scope: "read" } as const;
  const write = { access: "tenant", scope: "write" } as const;
  const tenantAdmin = { access: "tenant-admin", scope: "admin" } as const;
  const op = { access: "operator" } as const;

  it.each([
    ["read token reads", read, tenant(["read"]), undefined, "ok"],
    ["write token reads (write includes read)", read, tenant(["write"]), undefined, "ok"],
    ["read token writes", write, tenant(["read"]), undefined, "permission-denied"],
    ["admin token writes", write, tenant(["admin"]), undefined, "ok"],
    ["operator reads tenant data", read, operator, undefined, "permission-denied"],
    ["tenant admin on own tenant, implicit", tenantAdmin, tenant(["admin"]), "", "ok"],
    ["tenant admin on own tenant, named", tenantAdmin, tenant(["admin"]), "acme", "ok"],
    ["tenant admin on another tenant", tenantAdmin, tenant(["admin"]), "globex", "permission-denied"],
    ["write token on tenant-admin method", tenantAdmin, tenant(["write"]), "", "permission-denied"],
    ["operator on a named tenant", tenantAdmin, operator, "globex", "ok"],
    ["operator without a tenant", tenantAdmin, operator, "", "invalid-argument"],
    ["operator-only, operator", op, operator, undefined, "ok"],
    ["operator-only, tenant admin", op, tenant(["admin"]), undefined, "permission-denied"],
  ] as const)("%s", (_name, policy, principal, requested, want) => {
    expect(code(() => authorize(policy, principal, requested))).toBe(want);
  });

  it("binds a tenant token to its own tenant whatever the request names", () => {
    expect(authorize(read, tenant(["read"], "acme"), "globex").tenantId).toBe("acme");
    expect(authorize(tenantAdmin, operator, "globex").tenantId).toBe("globex");
  });

  it("does not reveal whether another tenant exists", () => {
    const err = (() => {
      try {
        authorize(tenantAdmin, tenant(["admin"]), "globex");
      } catch (e) {
        return e as ApiError;
      }
    })();
    expect(err?.message).not.toContain("globex");
  });
});
