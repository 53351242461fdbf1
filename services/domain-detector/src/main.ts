#!/usr/bin/env node
import { CaaIssuerTable, RootOwnerMap } from "@ctwatch/ca-data";
import { DnsResolver, systemDnsServers } from "@ctwatch/dns";
import { aborted, createLogger, runMain } from "@ctwatch/runtime";
import { openDatabase, openKafka, serveHealth, serviceBase } from "@ctwatch/service-kit";
import {
  MongoCaaHistoryStore,
  MongoCertificateInventoryStore,
  MongoDnsCheckQueue,
  MongoDomainLearningStore,
  MongoRootBaselineStore,
  MongoSubdomainStore,
  MongoTakeoverStateStore,
  MongoWatchlistStore,
  MongoWatchPinStore,
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
    const base = serviceBase("domain-detector", process.env, cfg.logLevel);
    const { logger, metrics, life } = base;
    try {
      const db = await openDatabase(base, cfg.mongoUri, cfg.mongoDb);
      const watchlist = new MongoWatchlistStore(db.db);
      const subdomains = new MongoSubdomainStore(db.db);
      const learning = new MongoDomainLearningStore(db.db);
      const baselines = new MongoRootBaselineStore(db.db);
      const caaHistory = new MongoCaaHistoryStore(db.db);
      const dnsChecks = new MongoDnsCheckQueue(db.db);
      const takeoverState = new MongoTakeoverStateStore(db.db);
      const pins = new MongoWatchPinStore(db.db);
      const inventory = new MongoCertificateInventoryStore(db.db);
      await Promise.all([
        watchlist.init(),
        subdomains.init(),
        baselines.init(),
        caaHistory.init(),
        dnsChecks.init(),
        takeoverState.init(),
        pins.init(),
        inventory.init(),
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
      const { kafka, producer } = await openKafka(base, { brokers: cfg.kafkaBrokers, topics: cfg.topics });
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
          pins,
          inventory,
          ...(resolver ? { resolver } : {}),
          logger,
          metrics,
        }),
      );
      const health = await serveHealth(base, cfg.healthPort, () => ({ kafka: true }));
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
