/**
 * Tenancy, proven over the wire against the real API and a real MongoDB-wire
 * server: for EVERY method of every API service (enumerated from the protobuf
 * descriptors, so a new method without an entry here fails the test), tenant A
 * — holding an admin token, the strongest a tenant can have — aims requests at
 * tenant B's alerts, watch list, pins, destinations, inventory, administrators
 * and tokens. B's stored data must be unchanged afterwards, and nothing of B's
 * may appear in what A gets back. Positive controls show the same requests do
 * reach B's data with B's token. Also: scopes, the operator boundary,
 * revocation, disabled tenants and per-tenant rate limits, method by method.
 */
import { create, type DescMethod, toJsonString } from "@bufbuild/protobuf";
import { API_SERVICES, METHOD_POLICIES, methodKey } from "@ctwatch/api";
import { ApiCallError, type ApiClient } from "@ctwatch/api-client";
import { newAlert } from "@ctwatch/events";
import {
  CertificateRefSchema,
  Scope,
  WatchItem_Kind,
  WatchItemSchema,
  WatchlistEntryKind,
} from "@ctwatch/proto";
import {
  type ApiScope,
  MongoAlertStore,
  MongoCertificateInventoryStore,
  MongoSubdomainStore,
} from "@ctwatch/store";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type ApiFixture, startApiFixture } from "./api-fixture.js";

const A = "tenant-a";
const B = "tenant-b";
const B_HEC_SECRET = "b-hec-secret-0123456789";

const CLIENT_PROP: Record<string, keyof ApiClient> = {
  "ctwatch.api.v1.AlertService": "alerts",
  "ctwatch.api.v1.WatchlistService": "watchlist",
  "ctwatch.api.v1.DestinationService": "destinations",
  "ctwatch.api.v1.InventoryService": "inventory",
  "ctwatch.api.v1.TenantService": "tenants",
};

type Outcome = { ok: true; text: string; messages: number } | { ok: false; code: string; text: string };

/** Calls any method by descriptor; streams are read for `streamMs` (their deadline ends them). */
async function invoke(client: ApiClient, m: DescMethod, init: object, streamMs = 1200): Promise<Outcome> {
  const svc = client[CLIENT_PROP[m.parent.typeName] as keyof ApiClient] as unknown as Record<
    string,
    (req: object, opts?: { timeoutMs?: number }) => unknown
  >;
  const fn = svc[m.localName];
  if (!fn) throw new Error(`client has no ${m.localName}`);
  try {
    if (m.methodKind === "server_streaming") {
      const texts: string[] = [];
      try {
        for await (const msg of fn(init, { timeoutMs: streamMs }) as AsyncIterable<never>)
          texts.push(toJsonString(m.output, msg));
      } catch (err) {
        if (!(err instanceof ApiCallError && err.codeName === "DEADLINE_EXCEEDED")) throw err;
      }
      return { ok: true, text: texts.join("\n"), messages: texts.length };
    }
    const res = await (fn(init) as Promise<never>);
    return { ok: true, text: toJsonString(m.output, res), messages: 1 };
  } catch (err) {
    if (err instanceof ApiCallError) return { ok: false, code: err.codeName, text: err.details };
    throw err;
  }
}

interface BIds {
  alertId: string;
  tokenId: string;
}

type Attack = { init: (b: BIds) => object; read?: boolean };

/** A's attempts on B, per method. Every method of the API must have at least one. */
const ATTACKS: Record<string, Attack[]> = {
  "ctwatch.api.v1.AlertService/ListAlerts": [
    { init: () => ({}), read: true },
    { init: () => ({ domain: "www.bcorp.com" }), read: true },
  ],
  "ctwatch.api.v1.AlertService/GetAlert": [{ init: (b) => ({ alertId: b.alertId }), read: true }],
  "ctwatch.api.v1.AlertService/WatchAlerts": [{ init: () => ({ sinceMs: 1n }), read: true }],
  "ctwatch.api.v1.AlertService/AcknowledgeAlert": [
    { init: (b) => ({ alertId: b.alertId, reason: "attack" }) },
  ],
  "ctwatch.api.v1.AlertService/ResolveAlert": [{ init: (b) => ({ alertId: b.alertId, reason: "attack" }) }],
  "ctwatch.api.v1.AlertService/SuppressAlert": [{ init: (b) => ({ alertId: b.alertId, reason: "attack" }) }],
  "ctwatch.api.v1.WatchlistService/ListWatchlistEntries": [{ init: () => ({}), read: true }],
  "ctwatch.api.v1.WatchlistService/AddWatchlistEntries": [
    {
      init: () => ({
        entries: [{ kind: WatchlistEntryKind.ROOT_PIN, domain: "bcorp.com", value: "Evil CA" }],
      }),
    },
  ],
  "ctwatch.api.v1.WatchlistService/RemoveWatchlistEntries": [
    {
      init: () => ({
        entries: [
          { kind: WatchlistEntryKind.OWNED_DOMAIN, value: "bcorp.com" },
          { kind: WatchlistEntryKind.BRAND, value: "bcorp.com" },
          { kind: WatchlistEntryKind.CAA_PIN, domain: "bcorp.com", value: "letsencrypt.org" },
        ],
      }),
    },
  ],
  "ctwatch.api.v1.DestinationService/ListDestinations": [{ init: () => ({}), read: true }],
  "ctwatch.api.v1.DestinationService/GetDestination": [
    { init: () => ({ name: "splunk" }), read: true },
    { init: () => ({ name: `${B}_splunk` }) },
  ],
  "ctwatch.api.v1.DestinationService/UpdateDestination": [
    { init: () => ({ name: "splunk", disabled: true }) },
    {
      init: () => ({
        name: "splunk",
        config: { kind: "splunk-hec", url: "https://evil.example.net", token: "[REDACTED]" },
      }),
    },
  ],
  "ctwatch.api.v1.DestinationService/TestDestination": [
    { init: () => ({ target: { case: "name", value: "splunk" } }) },
  ],
  "ctwatch.api.v1.DestinationService/DeleteDestination": [{ init: () => ({ name: "splunk" }) }],
  // Runs after the attempts above (table order): A gets its own "splunk", B's stays B's.
  "ctwatch.api.v1.DestinationService/CreateDestination": [
    {
      init: () => ({
        name: "splunk",
        config: { kind: "splunk-hec", url: "https://a.example.net", token: "a-token" },
      }),
    },
  ],
  "ctwatch.api.v1.InventoryService/ListSubdomains": [
    { init: () => ({}), read: true },
    { init: () => ({ domain: "bcorp.com", query: "bcorp" }), read: true },
  ],
  "ctwatch.api.v1.InventoryService/SearchCertificates": [
    { init: () => ({}), read: true },
    { init: () => ({ domain: "bcorp.com", query: "bcorp" }), read: true },
  ],
  "ctwatch.api.v1.TenantService/WhoAmI": [{ init: () => ({}) }],
  "ctwatch.api.v1.TenantService/CreateTenant": [{ init: () => ({ tenantId: B }) }],
  "ctwatch.api.v1.TenantService/GetTenant": [{ init: () => ({ tenantId: B }) }],
  "ctwatch.api.v1.TenantService/ListTenants": [{ init: () => ({}) }],
  "ctwatch.api.v1.TenantService/UpdateTenant": [{ init: () => ({ tenantId: B, disabled: true }) }],
  "ctwatch.api.v1.TenantService/AddAdministrator": [
    { init: () => ({ tenantId: B, email: "evil@evil.example" }) },
  ],
  "ctwatch.api.v1.TenantService/RemoveAdministrator": [
    { init: () => ({ tenantId: B, email: `soc@${B}.example.com` }) },
  ],
  "ctwatch.api.v1.TenantService/CreateApiToken": [
    { init: () => ({ tenantId: B, name: "backdoor", scopes: [Scope.ADMIN] }) },
  ],
  "ctwatch.api.v1.TenantService/ListApiTokens": [{ init: () => ({ tenantId: B }) }],
  "ctwatch.api.v1.TenantService/RevokeApiToken": [
    { init: (b) => ({ tenantId: B, tokenId: b.tokenId }) },
    { init: (b) => ({ tokenId: b.tokenId }) },
  ],
};

const COLLECTIONS = [
  "alerts",
  "alert_state_changes",
  "watch_items",
  "watch_pins",
  "destinations",
  "subdomains",
  "tenant_certificates",
  "api_tokens",
];

describe("tenancy: no API method lets tenant A read or change tenant B's data", () => {
  let fx: ApiFixture;
  let aAdmin: ApiClient;
  let bAdmin: ApiClient;
  let b: BIds;
  let bMarkers: string[];

  /** Everything of B's in the database, for before/after comparison. */
  async function snapshotB(): Promise<unknown> {
    const out: Record<string, unknown> = {};
    for (const c of COLLECTIONS)
      out[c] = await fx.db.db.collection(c).find({ tenantId: B }).sort({ _id: 1 }).toArray();
    out.tenants = await fx.db.db
      .collection("tenants")
      .find({ _id: B as never })
      .toArray();
    return out;
  }

  beforeAll(async () => {
    fx = await startApiFixture();
    aAdmin = fx.client(await fx.tenant(A));
    bAdmin = fx.client(await fx.tenant(B));
    // B's data, written the way the pipeline and B's own calls write it.
    await bAdmin.watchlist.addWatchlistEntries({
      entries: [
        { kind: WatchlistEntryKind.OWNED_DOMAIN, value: "bcorp.com" },
        { kind: WatchlistEntryKind.BRAND, value: "bcorp.com" },
        { kind: WatchlistEntryKind.CAA_PIN, domain: "bcorp.com", value: "letsencrypt.org" },
        { kind: WatchlistEntryKind.ROOT_PIN, domain: "bcorp.com", value: "Internet Security Research Group" },
      ],
    });
    await bAdmin.destinations.createDestination({
      name: "splunk",
      config: { kind: "splunk-hec", url: "https://splunk.bcorp.com:8088", token: B_HEC_SECRET },
    });
    const bRead = await fx.token(B, [Scope.READ]);
    const alerts = new MongoAlertStore(fx.db.db);
    await alerts.init();
    const alert = newAlert({
      eventId: 25,
      tenantId: B,
      dedupKey: "25|www.bcorp.com",
      subjectDomain: "www.bcorp.com",
      watchItem: create(WatchItemSchema, { kind: WatchItem_Kind.OWNED_DOMAIN, value: "bcorp.com" }),
      certificate: create(CertificateRefSchema, {
        sha256: new Uint8Array(32).fill(0xbb),
        dnsNames: ["www.bcorp.com"],
      }),
      detector: "new-subdomain/1",
      detectedAtMs: Date.now(),
    });
    await alerts.upsert(alert);
    await new MongoSubdomainStore(fx.db.db).recordFirstSeen({
      tenantId: B,
      domain: "bcorp.com",
      name: "www.bcorp.com",
      wildcard: false,
      firstSeenAtMs: Date.now(),
      logId: "bG9n",
      leafIndex: "7",
      certSha256: "bb".repeat(32),
      learnedQuietly: false,
    });
    await new MongoCertificateInventoryStore(fx.db.db).record({
      tenantId: B,
      issuanceKey: "cc".repeat(32),
      certSha256: "bb".repeat(32),
      precertificate: true,
      dnsNames: ["www.bcorp.com"],
      domains: ["bcorp.com"],
      subjectCn: "www.bcorp.com",
      issuerDn: "CN=R11,O=Let's Encrypt,C=US",
      serialHex: "01",
      notBeforeMs: Date.now() - 1000,
      notAfterMs: Date.now() + 86_400_000,
      logId: "bG9n",
      leafIndex: "7",
      loggedAtMs: Date.now(),
      firstSeenAtMs: Date.now(),
    });
    b = { alertId: alert.alertId, tokenId: bRead.tokenId };
    bMarkers = [B, "bcorp", b.alertId, b.tokenId, B_HEC_SECRET, `soc@${B}.example.com`, "bb".repeat(32)];
  });

  afterAll(async () => {
    await fx?.close();
  });

  it("has an attack for every method of every service", () => {
    const methods = API_SERVICES.flatMap((s) => s.methods.map((m) => methodKey(s.typeName, m.name)));
    expect(Object.keys(ATTACKS).sort()).toEqual([...methods].sort());
  });

  it("the attacks reach B's data when B makes them (positive control)", async () => {
    for (const s of API_SERVICES)
      for (const m of s.methods)
        for (const attack of ATTACKS[methodKey(s.typeName, m.name)] ?? []) {
          if (!attack.read) continue;
          const r = await invoke(bAdmin, m, attack.init(b));
          expect([m.name, r.ok && bMarkers.some((x) => r.text.includes(x))]).toEqual([m.name, true]);
        }
  });

  it("every attack by A leaves B's data unchanged and returns nothing of B's", async () => {
    const before = await snapshotB();
    const outcomes: string[] = [];
    for (const [key, attacks] of Object.entries(ATTACKS)) {
      const [svcName, methodName] = key.split("/");
      const m = API_SERVICES.find((s) => s.typeName === svcName)?.methods.find((x) => x.name === methodName);
      if (!m) throw new Error(`no method ${key}`);
      for (const attack of attacks) {
        const init = attack.init(b);
        const sent = JSON.stringify(init, (_k, v) => (typeof v === "bigint" ? String(v) : v));
        const r = await invoke(aAdmin, m, init);
        outcomes.push(`${m.name}: ${r.ok ? `ok(${r.messages})` : r.code}`);
        // A may see its own input echoed (an error naming the domain it sent); never B's data.
        for (const marker of bMarkers)
          if (!sent.includes(marker))
            expect([key, marker, r.text.includes(marker)]).toEqual([key, marker, false]);
      }
    }
    expect(await snapshotB()).toEqual(before);
    // The refusals are the specific ones, not accidents.
    expect(outcomes).toEqual(
      expect.arrayContaining([
        "GetAlert: NOT_FOUND",
        "AcknowledgeAlert: NOT_FOUND",
        "AddWatchlistEntries: FAILED_PRECONDITION",
        "RemoveWatchlistEntries: ok(1)",
        "GetDestination: NOT_FOUND",
        "CreateTenant: PERMISSION_DENIED",
        "GetTenant: PERMISSION_DENIED",
        "UpdateTenant: PERMISSION_DENIED",
        "CreateApiToken: PERMISSION_DENIED",
        "RevokeApiToken: NOT_FOUND",
      ]),
    );
  });

  it("answers for B's alert exactly as for an alert that does not exist", async () => {
    const theirs = await invoke(aAdmin, API_SERVICES[0]!.method.getAlert!, { alertId: b.alertId });
    const none = await invoke(aAdmin, API_SERVICES[0]!.method.getAlert!, { alertId: "0".repeat(32) });
    expect(theirs.ok || none.ok).toBe(false);
    expect([!theirs.ok && theirs.code, theirs.text.replace(b.alertId, "X")]).toEqual([
      !none.ok && none.code,
      none.text.replace("0".repeat(32), "X"),
    ]);
  });

  it("streams B's new alerts to B and not to A", async () => {
    const aStream = aAdmin.alerts.watchAlerts({}, { timeoutMs: 4000 });
    const bStream = bAdmin.alerts.watchAlerts({}, { timeoutMs: 4000 });
    const collect = async (s: AsyncIterable<{ event: { case?: string; value?: unknown } }>) => {
      const got: string[] = [];
      try {
        for await (const msg of s)
          if (msg.event.case === "alert")
            got.push(JSON.stringify(msg.event.value, (_k, v) => (typeof v === "bigint" ? String(v) : v)));
      } catch (err) {
        if (!(err instanceof ApiCallError && err.codeName === "DEADLINE_EXCEEDED")) throw err;
      }
      return got;
    };
    const aGot = collect(aStream);
    const bGot = collect(bStream);
    await new Promise((r) => setTimeout(r, 800));
    await new MongoAlertStore(fx.db.db).upsert(
      newAlert({
        eventId: 25,
        tenantId: B,
        dedupKey: "25|new.bcorp.com",
        subjectDomain: "new.bcorp.com",
        watchItem: create(WatchItemSchema, { kind: WatchItem_Kind.OWNED_DOMAIN, value: "bcorp.com" }),
        detector: "new-subdomain/1",
        detectedAtMs: Date.now(),
      }),
    );
    expect((await bGot).some((t) => t.includes("new.bcorp.com"))).toBe(true);
    expect(await aGot).toEqual([]);
  });
});

describe("authorisation, method by method", () => {
  let fx: ApiFixture;
  beforeAll(async () => {
    fx = await startApiFixture();
  });
  afterAll(async () => {
    await fx?.close();
  });

  const methods = () => API_SERVICES.flatMap((s) => s.methods);
  const policy = (m: DescMethod) => METHOD_POLICIES[methodKey(m.parent.typeName, m.name)]!;

  it("refuses every method without a token, and with an unknown one", async () => {
    for (const m of methods()) {
      const none = await invoke(fx.client(), m, {});
      const bogus = await invoke(fx.client(`ctw_${"x".repeat(43)}`), m, {});
      expect([m.name, !none.ok && none.code, !bogus.ok && bogus.code]).toEqual([
        m.name,
        "UNAUTHENTICATED",
        "UNAUTHENTICATED",
      ]);
    }
  });

  it("enforces each method's scope, and keeps the operator out of tenant data", async () => {
    await fx.tenant("scoped");
    const tokens: Record<ApiScope, ApiClient> = {
      read: fx.client((await fx.token("scoped", [Scope.READ])).secret),
      write: fx.client((await fx.token("scoped", [Scope.WRITE])).secret),
      admin: fx.client((await fx.token("scoped", [Scope.ADMIN])).secret),
    };
    const operator = fx.client(fx.operatorToken);
    const rank: Record<ApiScope, number> = { read: 1, write: 2, admin: 3 };
    for (const m of methods()) {
      const p = policy(m);
      for (const scope of ["read", "write", "admin"] as const) {
        const r = await invoke(tokens[scope], m, {}, 300);
        const allowed =
          p.access === "authenticated" ||
          ((p.access === "tenant" || p.access === "tenant-admin") && rank[scope] >= rank[p.scope]);
        // An allowed call may still fail validation of the empty request; it is never PERMISSION_DENIED.
        expect([m.name, scope, !r.ok && r.code === "PERMISSION_DENIED"]).toEqual([m.name, scope, !allowed]);
      }
      const r = await invoke(operator, m, {}, 300);
      expect([m.name, "operator", !r.ok && r.code === "PERMISSION_DENIED"]).toEqual([
        m.name,
        "operator",
        p.access === "tenant",
      ]);
    }
  });

  it("refuses a revoked token at once and a disabled tenant's tokens", async () => {
    const admin = fx.client(await fx.tenant("revocation"));
    const t = await fx.token("revocation", [Scope.READ]);
    const reader = fx.client(t.secret);
    await expect(reader.tenants.whoAmI({})).resolves.toBeDefined();
    await admin.tenants.revokeApiToken({ tokenId: t.tokenId });
    await expect(reader.tenants.whoAmI({})).rejects.toMatchObject({ codeName: "UNAUTHENTICATED" });
    await fx.client(fx.operatorToken).tenants.updateTenant({ tenantId: "revocation", disabled: true });
    await expect(admin.tenants.whoAmI({})).rejects.toMatchObject({ codeName: "PERMISSION_DENIED" });
  });

  it("rate-limits per tenant with a retry hint, without slowing other tenants", async () => {
    const slow = fx.client(await fx.tenant("slow", { rateLimit: { requestsPerSecond: 1, burst: 3 } }));
    const other = fx.client(await fx.tenant("other"));
    const results: string[] = [];
    let retryAfterMs: number | undefined;
    for (let i = 0; i < 5; i++) {
      try {
        await slow.tenants.whoAmI({});
        results.push("ok");
      } catch (err) {
        results.push((err as ApiCallError).codeName);
        retryAfterMs ??= (err as ApiCallError).retryAfterMs;
      }
    }
    expect(results.slice(0, 3)).toEqual(["ok", "ok", "ok"]);
    expect(results.slice(3)).toEqual(["RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED"]);
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(1000);
    await expect(other.tenants.whoAmI({})).resolves.toBeDefined();
  });
});
