#!/usr/bin/env node
import { aborted, createLogger, runMain } from "@ctwatch/runtime";
import { openDatabase, serveHealth, serviceBase } from "@ctwatch/service-kit";
import {
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
import { loadConfig } from "./config.js";
import { type ApiStores, startQueryApi } from "./query-api.js";

await runMain({
  name: "query-api",
  proc: process,
  logger: createLogger({ base: { service: "query-api" } }),
  async main(signal) {
    const cfg = loadConfig(process.env);
    // Logger (with trace IDs), metrics (Prometheus + OTLP) and the OTel SDK from OTEL_* variables.
    const base = serviceBase("query-api", process.env, cfg.logLevel);
    const { logger, metrics, life } = base;
    try {
      const db = await openDatabase(base, cfg.mongoUri, cfg.mongoDb);
      const alerts = new MongoAlertTriageStore(db.db);
      const watchItems = new MongoWatchlistStore(db.db);
      const watchPins = new MongoWatchPinStore(db.db);
      const certificates = new MongoCertificateInventoryStore(db.db);
      const tokens = new MongoApiTokenStore(db.db);
      await Promise.all([
        alerts.init(),
        watchItems.init(),
        watchPins.init(),
        certificates.init(),
        tokens.init(),
      ]);
      const stores: ApiStores = {
        alerts,
        watchItems,
        watchPins,
        watchlist: new MongoTenantWatchlist(db.db),
        destinations: new MongoDestinationAdminStore(db.db),
        subdomains: new MongoSubdomainSearch(db.db),
        certificates,
        tenants: new MongoTenantRegistry(db.db),
        tokens,
      };
      const api = life.add(await startQueryApi(cfg, { stores, logger, metrics }));
      const health = await serveHealth(base, cfg.healthPort, () => ({ serving: api.serving() }));
      logger.info("running", { port: api.port, healthPort: health.port });
      await aborted(signal);
    } finally {
      await life.stopAll();
    }
  },
});
