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
import { connectDatabase, MongoCheckpointStore } from "@ctwatch/store";
import { loadConfig } from "./config.js";
import { eventsTopicSpec, startCtTailer } from "./ct-tailer.js";

await runMain({
  name: "ct-tailer",
  proc: process,
  logger: createLogger({ base: { service: "ct-tailer" } }),
  async main(signal) {
    const cfg = loadConfig(process.env);
    const logger = createLogger({ level: cfg.logLevel, base: { service: "ct-tailer" } });
    const metrics = new MetricsRegistry();
    const life = new Lifecycle(logger);
    try {
      const db = await connectDatabase({ uri: cfg.mongoUri, dbName: cfg.mongoDb });
      life.add({ name: "mongodb", stop: () => db.close() });
      const kafka = createKafka({ brokers: cfg.kafkaBrokers, clientId: "ctwatch-ct-tailer", logger });
      await prepareTopics(kafka, [
        ...defaultTopics(cfg.topics, { entriesPartitions: cfg.entriesPartitions }),
        ...(cfg.eventsTopic ? [eventsTopicSpec(cfg.eventsTopic)] : []),
      ]);
      const producer = life.add(await createProducer(kafka, { compression: cfg.compression }));
      const checkpoints = new MongoCheckpointStore(db.db);
      let tailer: Awaited<ReturnType<typeof startCtTailer>> | undefined;
      life.add(
        await startHealthServer({
          port: cfg.healthPort,
          ready: () => ({ running: tailer !== undefined, ...tailer?.readiness() }),
          metrics: () => metrics.render(),
        }),
      );
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
