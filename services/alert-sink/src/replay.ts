#!/usr/bin/env node
/**
 * Redelivers a destination's parked alerts from the store, now, whatever their
 * retry schedule, and prints a JSON report:
 *
 *   node services/alert-sink/dist/replay.js --tenant acme --destination acme-splunk [--since 2026-05-01T00:00:00Z] [--limit N] [--dry-run]
 *
 * Same environment as the sink (MONGODB_URI, MONGODB_DB, CTWATCH_SECRET_KEYS, …; Kafka
 * is not used). Exit codes: 0 everything selected was delivered, 3 some remain parked,
 * 2 bad arguments or configuration, 1 other failure.
 */
import { parseArgs } from "node:util";
import { createLogger, MetricsRegistry, runMain } from "@ctwatch/runtime";
import {
  connectDatabase,
  MongoAlertStore,
  MongoDestinationStore,
  MongoLeaseStore,
  MongoParkedDeliveryStore,
} from "@ctwatch/store";
import { createDeliverer } from "./alert-sink.js";
import { Redeliverer } from "./redeliverer.js";
import { loadReplayConfig, parseReplayArgs } from "./replay-config.js";
import { TenantDelivery } from "./tenant-delivery.js";
import { TenantDestinations } from "./tenant-destinations.js";

let someRemainParked = false;
await runMain({
  name: "replay",
  proc: process,
  logger: createLogger({ base: { service: "alert-sink-replay" } }),
  async main(signal) {
    const { values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        tenant: { type: "string" },
        destination: { type: "string" },
        since: { type: "string" },
        limit: { type: "string" },
        "dry-run": { type: "boolean", default: false },
      },
      strict: true,
    });
    const args = parseReplayArgs(values, Date.now());
    const cfg = loadReplayConfig(process.env);
    const logger = createLogger({ level: cfg.logLevel, base: { service: "alert-sink-replay" } });
    const metrics = new MetricsRegistry();
    const db = await connectDatabase({ uri: cfg.mongoUri, dbName: cfg.mongoDb });
    try {
      const parked = new MongoParkedDeliveryStore(db.db);
      const selection = {
        destinationId: args.destinationId,
        tenantId: args.tenantId,
        ...(args.sinceMs !== undefined ? { sinceMs: args.sinceMs } : {}),
        ...(args.limit !== undefined ? { maxAlerts: args.limit } : {}),
      };
      if (args.dryRun) {
        const waiting = await parked.list({ ...selection, limit: args.limit ?? 10_000 });
        process.stdout.write(
          `${JSON.stringify({ dryRun: true, destinationId: args.destinationId, tenantId: args.tenantId, parked: waiting.length, oldestParkedAt: waiting[0] ? new Date(waiting[0].parkedAtMs).toISOString() : null })}\n`,
        );
        return;
      }
      const alerts = new MongoAlertStore(db.db);
      const destinations = new TenantDestinations(
        new MongoDestinationStore(db.db),
        cfg.secretBox,
        logger,
        0,
        cfg.allowInsecureHttp,
        () => {},
      );
      const destination = await destinations.byId(args.tenantId, args.destinationId);
      if (!destination) {
        throw new Error(
          `tenant ${args.tenantId} has no enabled, valid destination ${args.destinationId} (see the log for why)`,
        );
      }
      const deliverer = createDeliverer(cfg.delivery, logger);
      const delivery = new TenantDelivery({
        deliverer,
        alerts,
        parked,
        deadLetter: async () => {},
        encode: () => new Uint8Array(),
        logger,
        metrics,
      });
      const redeliverer = new Redeliverer(
        {
          parked,
          alerts,
          leases: new MongoLeaseStore(db.db),
          delivery,
          deliverer,
          destination: async (t, id) =>
            t === args.tenantId && id === destination.id ? destination : undefined,
          logger,
          metrics,
          owner: `replay/${process.pid}`,
        },
        { intervalMs: 0, batchSize: cfg.batchSize },
      );
      const report = await redeliverer.redeliver(selection, signal);
      const remaining = await parked.count({ destinationId: args.destinationId, tenantId: args.tenantId });
      process.stdout.write(`${JSON.stringify({ ...report, tenantId: args.tenantId, remaining })}\n`);
      someRemainParked = report.parked > 0;
    } finally {
      await db.close();
    }
  },
});
if (someRemainParked && process.exitCode === 0) process.exitCode = 3;
