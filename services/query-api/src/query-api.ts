import { randomBytes } from "node:crypto";
import { type OperatorCredential, type Rate, TokenBucketLimiter } from "@ctwatch/api";
import {
  AlertService,
  DestinationService,
  InventoryService,
  TenantService,
  WatchlistService,
} from "@ctwatch/proto";
import type { Logger, Metrics, Stoppable } from "@ctwatch/runtime";
import type { SecretBox } from "@ctwatch/siem";
import type {
  AlertTriageStore,
  ApiTokenStore,
  CertificateInventoryStore,
  DestinationAdminStore,
  SubdomainSearch,
  TenantRegistry,
  TenantWatchlist,
  WatchlistStore,
  WatchPinStore,
} from "@ctwatch/store";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import { alertHandlers, type WatchSettings } from "./alert-handlers.js";
import { Authenticator } from "./authenticator.js";
import { bindService, type CallGuard } from "./bind-service.js";
import { destinationHandlers } from "./destination-handlers.js";
import { inventoryHandlers } from "./inventory-handlers.js";
import { reflectionService } from "./reflection.js";
import { StreamSlots } from "./stream-slots.js";
import { tenantHandlers } from "./tenant-handlers.js";
import { watchlistHandlers } from "./watchlist-handlers.js";

/** TLS material, PEM. With `clientCaPem`, clients must present a certificate it signed (mutual TLS). */
export interface ApiTls {
  readonly certPem: Buffer;
  readonly keyPem: Buffer;
  readonly clientCaPem?: Buffer;
}

/** Settings of the API server (parsed config). */
export interface QueryApiSettings {
  /** `host:port` to listen on; port 0 picks a free one. */
  readonly listen: string;
  /** Undefined: plaintext (keep it on loopback or behind a TLS-terminating proxy). */
  readonly tls?: ApiTls;
  /** The operator's bootstrap credential; undefined: no operator (tenants cannot be created). */
  readonly operator?: OperatorCredential;
  /** Default per-tenant rate. */
  readonly rate: Rate;
  /** How long authentications are cached, ms (revocation delay on other replicas). */
  readonly tokenCacheMs: number;
  readonly watch: WatchSettings;
  readonly maxStreamsPerTenant: number;
  readonly maxWatchEntriesPerTenant: number;
  readonly maxTokensPerTenant: number;
  /** Largest request accepted, bytes. */
  readonly maxRequestBytes: number;
  readonly secretBox: SecretBox;
  readonly allowInsecureHttp: boolean;
}

/** The repositories the API reads and writes (all bound to a tenant per call). */
export interface ApiStores {
  readonly alerts: AlertTriageStore;
  readonly watchItems: WatchlistStore;
  readonly watchPins: WatchPinStore;
  readonly watchlist: TenantWatchlist;
  readonly destinations: DestinationAdminStore;
  readonly subdomains: SubdomainSearch;
  readonly certificates: CertificateInventoryStore;
  readonly tenants: TenantRegistry;
  readonly tokens: ApiTokenStore;
}

/** Collaborators of the server. */
export interface QueryApiDeps {
  readonly stores: ApiStores;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** The running server. */
export interface QueryApi extends Stoppable {
  /** The port it listens on (the chosen one when `listen` asked for 0). */
  readonly port: number;
  /** True until stopping began (readiness). */
  serving(): boolean;
}

/** The API's services, in the order they are registered. */
export const API_SERVICE_DESCRIPTORS = [
  AlertService,
  WatchlistService,
  DestinationService,
  InventoryService,
  TenantService,
] as const;

/**
 *   gRPC (HTTP/2, TLS or mTLS optional)
 *     ├─ ctwatch.api.v1.{Alert,Watchlist,Destination,Inventory,Tenant}Service ── bindService guard ── stores
 *     ├─ grpc.health.v1.Health   ("" and each service: SERVING until stop)
 *     └─ grpc.reflection.v1(alpha).ServerReflection
 */
export async function startQueryApi(s: QueryApiSettings, deps: QueryApiDeps): Promise<QueryApi> {
  const { stores, logger, metrics } = deps;
  const stopping = new AbortController();
  const authenticator = new Authenticator(stores.tokens, stores.tenants, s.operator, s.tokenCacheMs);
  const guard: CallGuard = {
    authenticator,
    limiter: new TokenBucketLimiter(s.rate),
    logger,
    requests: metrics.counter("ctwatch_api_requests_total", "API calls by method and gRPC status code"),
    durationMs: metrics.counter(
      "ctwatch_api_request_duration_ms_total",
      "Time spent in API calls by method, ms",
    ),
    stopping: stopping.signal,
  };
  const streams = new StreamSlots(s.maxStreamsPerTenant);
  const server = new Server({
    "grpc.max_receive_message_length": s.maxRequestBytes,
    "grpc.max_concurrent_streams": 1000,
  });
  bindService(server, AlertService, alertHandlers(stores.alerts, streams, s.watch), guard);
  bindService(
    server,
    WatchlistService,
    watchlistHandlers(stores.watchItems, stores.watchPins, stores.watchlist, s.maxWatchEntriesPerTenant),
    guard,
  );
  bindService(
    server,
    DestinationService,
    destinationHandlers(stores.destinations, {
      secretBox: s.secretBox,
      allowInsecureHttp: s.allowInsecureHttp,
      logger: logger.child({ component: "siem" }),
    }),
    guard,
  );
  bindService(server, InventoryService, inventoryHandlers(stores.subdomains, stores.certificates), guard);
  bindService(
    server,
    TenantService,
    tenantHandlers(stores.tenants, stores.tokens, {
      maxTokensPerTenant: s.maxTokensPerTenant,
      randomBytes: (n) => randomBytes(n),
      onAuthChange: () => authenticator.forget(),
    }),
    guard,
  );
  const health = new HealthImplementation({
    "": "SERVING",
    ...Object.fromEntries(API_SERVICE_DESCRIPTORS.map((d) => [d.typeName, "SERVING" as const])),
  });
  health.addToServer(server);
  reflectionService(API_SERVICE_DESCRIPTORS).addToServer(server);

  const credentials = s.tls
    ? ServerCredentials.createSsl(
        s.tls.clientCaPem ?? null,
        [{ private_key: s.tls.keyPem, cert_chain: s.tls.certPem }],
        s.tls.clientCaPem !== undefined,
      )
    : ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(s.listen, credentials, (err, p) => (err ? reject(err) : resolve(p)));
  });
  logger.info("listening", {
    address: s.listen.replace(/:\d+$/, `:${port}`),
    tls: s.tls ? (s.tls.clientCaPem ? "mutual" : "server") : "none",
    operator: s.operator !== undefined,
  });
  const openStreams = metrics.gauge("ctwatch_api_open_streams", "Open WatchAlerts streams");
  const gaugeTimer = setInterval(() => openStreams.set(streams.total), 5_000);
  gaugeTimer.unref();

  let stopped: Promise<void> | undefined;
  return {
    name: "query-api",
    port,
    serving: () => !stopping.signal.aborted,
    stop() {
      stopped ??= (async () => {
        clearInterval(gaugeTimer);
        health.setStatus("", "NOT_SERVING");
        for (const d of API_SERVICE_DESCRIPTORS) health.setStatus(d.typeName, "NOT_SERVING");
        // Streams end with UNAVAILABLE (clients resume elsewhere); unary calls in flight finish.
        stopping.abort();
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => {
            server.forceShutdown();
            resolve();
          }, 10_000);
          server.tryShutdown(() => {
            clearTimeout(force);
            resolve();
          });
        });
      })();
      return stopped;
    },
  };
}
