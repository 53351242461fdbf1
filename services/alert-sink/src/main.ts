#!/usr/bin/env node
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { describeSmtpUrl, IncidentNotifier, SmtpMailer } from "@ctwatch/notify";
import { aborted, createLogger, runMain } from "@ctwatch/runtime";
import { openDatabase, openKafka, serveHealth, serviceBase } from "@ctwatch/service-kit";
import {
  MongoAlertStore,
  MongoDestinationStore,
  MongoIncidentStore,
  MongoLeaseStore,
  MongoParkedDeliveryStore,
  MongoTenantStore,
} from "@ctwatch/store";
import { startAlertSink } from "./alert-sink.js";
import { loadConfig } from "./config.js";
import { formatAlertLine } from "./format-alert-line.js";

await runMain({
  name: "alert-sink",
  proc: process,
  logger: createLogger({ base: { service: "alert-sink" } }),
  async main(signal) {
    const cfg = loadConfig(process.env);
    const base = serviceBase("alert-sink", process.env, cfg.logLevel);
    const { logger, metrics, life } = base;
    try {
      const db = await openDatabase(base, cfg.mongoUri, cfg.mongoDb);
      const alerts = new MongoAlertStore(db.db);
      const destinations = new MongoDestinationStore(db.db);
      const parked = new MongoParkedDeliveryStore(db.db);
      const incidentStore = new MongoIncidentStore(db.db);
      await Promise.all([alerts.init(), destinations.init(), parked.init(), incidentStore.init()]);
      let incidents: IncidentNotifier | undefined;
      if (cfg.email) {
        const mailer = life.add(
          new SmtpMailer({ url: cfg.email.smtpUrl, from: cfg.email.from, timeoutMs: cfg.email.timeoutMs }),
        );
        incidents = new IncidentNotifier({
          ledger: incidentStore,
          admins: new MongoTenantStore(db.db),
          mailer,
          logger,
          metrics,
          minEmailIntervalMs: cfg.email.minIntervalMs,
        });
        logger.info("incident emails on", { smtp: describeSmtpUrl(cfg.email.smtpUrl) });
      } else {
        logger.warn("incident emails off: CTWATCH_SMTP_URL is not set");
      }
      const { kafka, producer } = await openKafka(base, { brokers: cfg.kafkaBrokers, topics: cfg.topics });
      const sink = life.add(
        await startAlertSink(cfg, {
          kafka,
          producer,
          alerts,
          destinations,
          parked,
          leases: new MongoLeaseStore(db.db),
          ...(incidents ? { incidents } : {}),
          owner: `${hostname()}/${process.pid}/${randomBytes(4).toString("hex")}`,
          logger,
          metrics,
          ...(cfg.printAlerts ? { onStored: (a) => process.stdout.write(`${formatAlertLine(a)}\n`) } : {}),
        }),
      );
      const health = await serveHealth(base, cfg.healthPort, () => ({ kafka: true }));
      await sink.ready;
      logger.info("running", { group: cfg.groupId, healthPort: health.port });
      await aborted(signal);
    } finally {
      await life.stopAll();
    }
  },
});
