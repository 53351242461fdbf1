#!/usr/bin/env node
import { aborted, createLogger, runMain } from "@ctwatch/runtime";
import { openDatabase, openKafka, serveHealth, serviceBase } from "@ctwatch/service-kit";
import { MongoWatchlistStore } from "@ctwatch/store";
import { loadConfig } from "./config.js";
import { startLookalikeDetector } from "./lookalike-detector.js";

const bootLogger = createLogger({ base: { service: "lookalike-detector" } });

await runMain({
  name: "lookalike-detector",
  proc: process,
  logger: bootLogger,
  async main(signal) {
    const cfg = loadConfig(process.env);
    const base = serviceBase("lookalike-detector", process.env, cfg.logLevel);
    const { logger, metrics, life } = base;
    try {
      const db = await openDatabase(base, cfg.mongoUri, cfg.mongoDb);
      const watchlist = new MongoWatchlistStore(db.db);
      await watchlist.init();
      const { kafka, producer } = await openKafka(base, { brokers: cfg.kafkaBrokers, topics: cfg.topics });
      const detector = life.add(
        await startLookalikeDetector(cfg, { kafka, producer, watchlist, logger, metrics }),
      );
      const health = await serveHealth(base, cfg.healthPort, () => ({
        kafka: true,
        index: detector.indexReady(),
      }));
      await detector.ready;
      logger.info("running", {
        group: cfg.groupId,
        preset: cfg.preset,
        minScore: cfg.minScore,
        maxEdits: cfg.maxEdits,
        healthPort: health.port,
      });
      await aborted(signal);
    } finally {
      await life.stopAll();
    }
  },
});
