/**
 * The query API started in-process against the real MongoDB-wire server, for
 * the api-*.test.ts integration tests: its own database per test file, a
 * known operator token, and helpers that create tenants through the API.
 */
import { createHash, randomBytes } from "node:crypto";
import { OperatorCredential } from "@ctwatch/api";
import { type ApiClient, type ApiClientOptions, createApiClient } from "@ctwatch/api-client";
import type { Scope } from "@ctwatch/proto";
import { createLogger, MetricsRegistry, silentLogger } from "@ctwatch/runtime";
import { SecretBox } from "@ctwatch/siem";
import {
  connectDatabase,
  type Database,
  MongoAlertTriageStore,
  MongoApiTokenStore,
  MongoCertificateInventoryStore,
  MongoDestinationAdminStore,
  MongoSubdomainSearch,
  MongoTenantRegistry,
  MongoTenantWatchlist,
  MongoWatchlistStore,
  MongoWatchPinStore,
} from "@ctwatch/store";
import {
  type QueryApi,
  type QueryApiSettings,
  startQueryApi,
} from "../../services/query-api/src/query-api.js";
import { infraEnv, uniqueId } from "../harness/names.js";

/** 32-byte key shared by the API (seals) and tests that play the sink (opens). */
export const SECRET_KEY = Buffer.alloc(32, 9);

/** A running API and its database. */
export interface ApiFixture {
  readonly api: QueryApi;
  readonly db: Database;
  readonly url: string;
  readonly operatorToken: string;
  readonly secretBox: SecretBox;
  readonly metrics: MetricsRegistry;
  /** A client with `token` (none: unauthenticated). Closed by `close()`. */
  client(token?: string, extra?: Partial<ApiClientOptions>): ApiClient;
  /** Creates a tenant through the API; returns its first (admin) token. */
  tenant(
    tenantId: string,
    extra?: { rateLimit?: { requestsPerSecond: number; burst: number } },
  ): Promise<string>;
  /** Creates a token with `scopes` for `tenantId` (operator call). */
  token(tenantId: string, scopes: Scope[]): Promise<{ secret: string; tokenId: string }>;
  close(): Promise<void>;
}

/** Starts the API on a free loopback port with its own database. */
export async function startApiFixture(overrides: Partial<QueryApiSettings> = {}): Promise<ApiFixture> {
  const db = await connectDatabase({ uri: infraEnv().mongoUri, dbName: uniqueId("api") });
  const operatorToken = `ctw_${randomBytes(32).toString("base64url")}`;
  const secretBox = new SecretBox({ currentKeyId: "k1", keys: { k1: SECRET_KEY } });
  const alerts = new MongoAlertTriageStore(db.db);
  const watchItems = new MongoWatchlistStore(db.db);
  const watchPins = new MongoWatchPinStore(db.db);
  const certificates = new MongoCertificateInventoryStore(db.db);
  const tokens = new MongoApiTokenStore(db.db);
  await Promise.all([alerts.init(), watchItems.init(), watchPins.init(), certificates.init(), tokens.init()]);
  const metrics = new MetricsRegistry();
  const api = await startQueryApi(
    {
      listen: "127.0.0.1:0",
      operator: new OperatorCredential(createHash("sha256").update(operatorToken).digest("hex")),
      rate: { requestsPerSecond: 1000, burst: 1000 },
      tokenCacheMs: 5_000,
      watch: { pollMs: 100, lookbackMs: 2_000, heartbeatMs: 500, maxPerPoll: 5_000 },
      maxStreamsPerTenant: 8,
      maxWatchEntriesPerTenant: 10_000,
      maxTokensPerTenant: 100,
      maxRequestBytes: 1 << 20,
      secretBox,
      allowInsecureHttp: true,
      ...overrides,
    },
    {
      stores: {
        alerts,
        watchItems,
        watchPins,
        watchlist: new MongoTenantWatchlist(db.db),
        destinations: new MongoDestinationAdminStore(db.db),
        subdomains: new MongoSubdomainSearch(db.db),
        certificates,
        tenants: new MongoTenantRegistry(db.db),
        tokens,
      },
      // CTWATCH_TEST_API_LOG=debug shows the server's log while debugging a test.
      logger: process.env.CTWATCH_TEST_API_LOG
        ? createLogger({ level: process.env.CTWATCH_TEST_API_LOG as "debug" })
        : silentLogger,
      metrics,
    },
  );
  const url = `grpc://127.0.0.1:${api.port}`;
  const clients: ApiClient[] = [];
  const client = (token?: string, extra: Partial<ApiClientOptions> = {}) => {
    const c = createApiClient({ url, ...(token ? { token } : {}), ...extra });
    clients.push(c);
    return c;
  };
  const operator = client(operatorToken);
  return {
    api,
    db,
    url,
    operatorToken,
    secretBox,
    metrics,
    client,
    async tenant(tenantId, extra = {}) {
      const r = await operator.tenants.createTenant({
        tenantId,
        administrators: [`soc@${tenantId}.example.com`],
        ...extra,
      });
      return r.tokenSecret;
    },
    async token(tenantId, scopes) {
      const r = await operator.tenants.createApiToken({ tenantId, name: `test-${scopes.join("-")}`, scopes });
      return { secret: r.tokenSecret, tokenId: r.token?.tokenId ?? "" };
    },
    async close() {
      for (const c of clients) c.close();
      await api.stop();
      await db.db.dropDatabase().catch(() => {});
      await db.close();
    },
  };
}
