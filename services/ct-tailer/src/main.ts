#!/usr/bin/env node
import { prepareTopics } from "@ctwatch/kafka";
import { aborted, createLogger, runMain } from "@ctwatch/runtime";
import { openDatabase, openKafka, serveHealth, serviceBase } from "@ctwatch/service-kit";
import { MongoCheckpointStore } from "@ctwatch/store";
import { loadConfig } from "./config.js";
import { type CtTailer, eventsTopicSpec, startCtTailer } from "./ct-tailer.js";

await runMain({
  name: "ct-tailer",
  proc: process,
  logger: createLogger({ base: { service: "ct-tailer" } }),
  async main(signal) {
    const cfg = loadConfig(process.env);
    const base = serviceBase("ct-tailer", process.env, cfg.logLevel);
    const { logger, metrics, life } = base;
    try {
      const db = await openDatabase(base, cfg.mongoUri, cfg.mongoDb);
      const { kafka, producer } = await openKafka(base, {
        brokers: cfg.kafkaBrokers,
        topics: cfg.topics,
        entriesPartitions: cfg.entriesPartitions,
        producer: { compression: cfg.compression },
      });
      if (cfg.eventsTopic) await prepareTopics(kafka, [eventsTopicSpec(cfg.eventsTopic)]);
      const checkpoints = new MongoCheckpointStore(db.db);
      let tailer: CtTailer | undefined;
      await serveHealth(base, cfg.healthPort, () => ({
        running: tailer !== undefined,
        ...tailer?.readiness(),
      }));
      // Registered last, so stopped first: intake stops and batches in flight are published and
      // checkpointed before the producer flushes and MongoDB closes.
      tailer = life.add(
        await startCtTailer(cfg, { producer, checkpoints, topics: cfg.topics, logger, metrics }),
      );
      logger.info("ct-tailer running", { logs: tailer.status().map((s) => s.url) });
      await aborted(signal);
    } finally {
      await life.stopAll();
    }
  },
});
