import { createHash } from "node:crypto";
import { ApiError, hashTokenSecret, OperatorCredential } from "@ctwatch/api";
import type { ApiTokenRecord, ApiTokenStore, TenantRegistry, TenantSettings } from "@ctwatch/store";
import { describe, expect, it } from "@jest/globals";
import { Authenticator } from "./authenticator.js";

/** In-memory token store: the subset of behaviour the authenticator relies on, plus a lookup counter. */
class MemoryTokens implements ApiTokenStore {
  readonly byHash = new Map<string, ApiTokenRecord>();
  lookups = 0;
  async create(rec: ApiTokenRecord) {
    if (this.byHash.has(rec.secretSha256)) return false;
    this.byHash.set(rec.secretSha256, rec);
    return true;
  }
  async findBySecretSha256(h: string) {
    this.lookups += 1;
    return this.byHash.get(h);
  }
  async listForTenant(tenantId: string) {
    return [...this.byHash.values()].filter((t) => t.tenantId === tenantId);
  }
  async countActive(tenantId: string) {
    return (await this.listForTenant(tenantId)).length;
  }
  async revoke(tenantId: string, tokenId: string, nowMs: number) {
    for (const t of this.byHash.values())
      if (t.tenantId === tenantId && t.tokenId === tokenId && t.revokedAtMs === undefined) {
        t.revokedAtMs = nowMs;
        return true;
      }
    return false;
  }
}

class MemoryTenants implements TenantRegistry {
  readonly all = new Map<string, TenantSettings>();
  async create(rec: TenantSettings) {
    if (this.all.has(rec.tenantId)) return false;
    this.all.set(rec.tenantId, rec);
    return true;
  }
  async get(id: string) {
    return this.all.get(id);
  }
  async list() {
    return [...this.all.values()];
  }
  async update(id: string, patch: { disabled?: boolean }) {
    const t = this.all.get(id);
    if (!t) return undefined;
    if (patch.disabled !== undefined) t.disabled = patch.disabled;
    return t;
  }
  async addAdmin() {
    return "added" as const;
  }
  async removeAdmin() {
    return true;
  }
}

const SECRET = `ctw_${"A".repeat(43)}`;
const OPERATOR = "operator-bootstrap-token-for-tests-0000000000";

async function setup(now: () => number) {
  const tokens = new MemoryTokens();
  const tenants = new MemoryTenants();
  await tenants.create({
    tenantId: "acme",
    name: "ACME",
    admins: [],
    disabled: false,
    createdAtMs: 0,
    updatedAtMs: 0,
  });
  await tokens.create({
    tokenId: "tok_0000000000000001",
    tenantId: "acme",
    secretSha256: hashTokenSecret(SECRET),
    name: "t",
    scopes: ["read"],
    createdAtMs: 0,
    createdBy: "operator",
    expiresAtMs: 10_000,
  });
  const op = new OperatorCredential(createHash("sha256").update(OPERATOR).digest("hex"));
  return { tokens, tenants, auth: new Authenticator(tokens, tenants, op, 1_000, now) };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "accepted";
  } catch (err) {
    if (err instanceof ApiError) return `${err.code}: ${err.message}`;
    throw err;
  }
}

describe("Authenticator", () => {
  it("recognises the operator and tenant tokens", async () => {
    const { auth } = await setup(() => 0);
    expect((await auth.authenticate(`Bearer ${OPERATOR}`)).principal).toEqual({ kind: "operator" });
    expect((await auth.authenticate(`Bearer ${SECRET}`)).principal).toEqual({
      kind: "tenant",
      tenantId: "acme",
      tokenId: "tok_0000000000000001",
      scopes: ["read"],
    });
  });

  it("refuses unknown, malformed, expired and revoked tokens and disabled tenants", async () => {
    let now = 0;
    const { auth, tokens, tenants } = await setup(() => now);
    expect(await refusal(auth.authenticate(`Bearer ctw_${"B".repeat(43)}`))).toBe(
      "unauthenticated: the API token is not valid",
    );
    expect(await refusal(auth.authenticate("Bearer short"))).toMatch(/^unauthenticated/);
    now = 20_000;
    expect(await refusal(auth.authenticate(`Bearer ${SECRET}`))).toBe(
      "unauthenticated: the API token expired",
    );
    now = 0;
    auth.forget();
    await tokens.revoke("acme", "tok_0000000000000001", 1);
    expect(await refusal(auth.authenticate(`Bearer ${SECRET}`))).toBe(
      "unauthenticated: the API token was revoked",
    );
    auth.forget();
    for (const t of tokens.byHash.values()) delete t.revokedAtMs;
    await tenants.update("acme", { disabled: true });
    expect(await refusal(auth.authenticate(`Bearer ${SECRET}`))).toBe(
      "permission-denied: tenant acme is disabled",
    );
  });

  it("caches results for cacheMs, so a revocation elsewhere takes effect within it", async () => {
    let now = 0;
    const { auth, tokens } = await setup(() => now);
    await auth.authenticate(`Bearer ${SECRET}`);
    await auth.authenticate(`Bearer ${SECRET}`);
    expect(tokens.lookups).toBe(1);
    await tokens.revoke("acme", "tok_0000000000000001", 1);
    now = 999;
    await expect(auth.authenticate(`Bearer ${SECRET}`)).resolves.toBeDefined();
    now = 1_000;
    expect(await refusal(auth.authenticate(`Bearer ${SECRET}`))).toMatch(/revoked/);
    expect(tokens.lookups).toBe(2);
  });
});
