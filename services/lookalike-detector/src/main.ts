#!/usr/bin/env node
import { createKafka, createProducer, defaultTopics, prepareTopics } from "@ctwatch/kafka";
import {
  aborted,
  createLogger,
  Lifecycle,
  MetricsRegistry,
  runMain,
  startHealthServer,
} from "@ctwatch/runtime";
import { connectDatabase, MongoWatchlistStore } from "@ctwatch/store";
import { loadConfig } from "./config.js";
import { startLookalikeDetector } from "./lookalike-detector.js";

const bootLogger = createLogger({ base: { service: "lookalike-detector" } });

await runMain({
  name: "lookalike-detector",
  proc: process,
  logger: bootLogger,
  async main(signal) {
    const cfg = loadConfig(process.env);
    const logger = createLogger({ level: cfg.logLevel, base: { service: "lookalike-detector" } });
    const metrics = new MetricsRegistry();
    const life = new Lifecycle(logger);
    try {
      const db = await connectDatabase({ uri: cfg.mongoUri, dbName: cfg.mongoDb });
      life.add({ name: "mongodb", stop: () => db.close() });
      const watchlist = new MongoWatchlistStore(db.db);
      await watchlist.init();
      const kafka = createKafka({
        brokers: cfg.kafkaBrokers,
        clientId: "ctwatch-lookalike-detector",
        logger,
      });
      await prepareTopics(kafka, defaultTopics(cfg.topics));
      const producer = life.add(await createProducer(kafka));
      const detector = life.add(
        await startLookalikeDetector(cfg, { kafka, producer, watchlist, logger, metrics }),
      );
      const health = life.add(
        await startHealthServer({
          port: cfg.healthPort,
          ready: () => ({ kafka: true, index: detector.indexReady() }),
          metrics: () => metrics.render(),
        }),
      );
      await detector.ready;
      logger.info("running", { group: cfg.groupId, preset: cfg.preset, healthPort: health.port });
      await aborted(signal);
    } finally {
      await life.stopAll();
    }
  },
});
