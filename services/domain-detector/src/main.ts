#!/usr/bin/env node
import { CaaIssuerTable, RootOwnerMap } from "@ctwatch/ca-data";
import { DnsResolver, systemDnsServers } from "@ctwatch/dns";
import { createKafka, createProducer, defaultTopics, prepareTopics } from "@ctwatch/kafka";
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
  MongoCaaHistoryStore,
  MongoDnsCheckQueue,
  MongoDomainLearningStore,
  MongoRootBaselineStore,
  MongoSubdomainStore,
  MongoTakeoverStateStore,
  MongoWatchlistStore,
} from "@ctwatch/store";
import { loadConfig } from "./config.js";
import { startDomainDetector } from "./domain-detector.js";

const bootLogger = createLogger({ base: { service: "domain-detector" } });

await runMain({
  name: "domain-detector",
  proc: process,
  logger: bootLogger,
  async main(signal) {
    const cfg = loadConfig(process.env);
    const logger = createLogger({ level: cfg.logLevel, base: { service: "domain-detector" } });
    const metrics = new MetricsRegistry();
    const life = new Lifecycle(logger);
    try {
      const db = await connectDatabase({ uri: cfg.mongoUri, dbName: cfg.mongoDb });
      life.add({ name: "mongodb", stop: () => db.close() });
      const watchlist = new MongoWatchlistStore(db.db);
      const subdomains = new MongoSubdomainStore(db.db);
      const learning = new MongoDomainLearningStore(db.db);
      const baselines = new MongoRootBaselineStore(db.db);
      const caaHistory = new MongoCaaHistoryStore(db.db);
      const dnsChecks = new MongoDnsCheckQueue(db.db);
      const takeoverState = new MongoTakeoverStateStore(db.db);
      await Promise.all([
        watchlist.init(),
        subdomains.init(),
        baselines.init(),
        caaHistory.init(),
        dnsChecks.init(),
        takeoverState.init(),
      ]);
      const usesDns = cfg.detectors.includes("caa") || cfg.detectors.includes("takeover");
      const resolver = usesDns
        ? new DnsResolver({
            servers: cfg.dns.servers === "system" ? systemDnsServers() : cfg.dns.servers,
            timeoutMs: cfg.dns.timeoutMs,
            queriesPerSecond: cfg.dns.queriesPerSecond,
            maxInFlight: cfg.dns.maxInFlight,
            metrics,
          })
        : undefined;
      const kafka = createKafka({ brokers: cfg.kafkaBrokers, clientId: "ctwatch-domain-detector", logger });
      await prepareTopics(kafka, defaultTopics(cfg.topics));
      const producer = life.add(await createProducer(kafka));
      const detector = life.add(
        await startDomainDetector(cfg, {
          kafka,
          producer,
          watchlist,
          subdomains,
          learning,
          baselines,
          roots: RootOwnerMap.bundled(),
          caaHistory,
          caaIssuers: new CaaIssuerTable(),
          dnsChecks,
          takeoverState,
          ...(resolver ? { resolver } : {}),
          logger,
          metrics,
        }),
      );
      const health = life.add(
        await startHealthServer({
          port: cfg.healthPort,
          ready: () => ({ kafka: true }),
          metrics: () => metrics.render(),
        }),
      );
      await detector.ready;
      logger.info("running", {
        detectors: cfg.detectors,
        groupPrefix: cfg.groupPrefix,
        healthPort: health.port,
      });
      await aborted(signal);
    } finally {
      await life.stopAll();
    }
  },
});
