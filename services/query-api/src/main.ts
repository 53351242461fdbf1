#!/usr/bin/env node
import {
  aborted,
  createLogger,
  Lifecycle,
  MetricsRegistry,
  runMain,
  startHealthServer,
} from "@ctwatch/runtime";
import {
  connectDatabase,
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
    const logger = createLogger({ level: cfg.logLevel, base: { service: "query-api" } });
    const metrics = new MetricsRegistry();
    const life = new Lifecycle(logger);
    try {
      const db = await connectDatabase({ uri: cfg.mongoUri, dbName: cfg.mongoDb });
      life.add({ name: "mongodb", stop: () => db.close() });
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
      life.add(
        await startHealthServer({
          port: cfg.healthPort,
          ready: () => ({ serving: api.serving() }),
          metrics: () => metrics.render(),
        }),
      );
      logger.info("running", { port: api.port });
      await aborted(signal);
    } finally {
      await life.stopAll();
    }
  },
});
