/**
 * kill -9 of the alert sink in the middle of delivering, then a restart: every alert
 * ends delivered (none lost), and duplicates at the SIEM are bounded by what was in
 * flight (delivered but not yet recorded when the process died). Real sink processes,
 * real Kafka and MongoDB-wire server, strict Splunk HEC receiver.
 */
import { writeFileSync } from "node:fs";
import { SecretBox } from "@ctwatch/siem";
import { SplunkHecReceiver } from "@ctwatch/siem-testkit";
import {
  connectDatabase,
  type Database,
  MongoDestinationStore,
  MongoParkedDeliveryStore,
} from "@ctwatch/store";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { deleteTopics, eventually, infraEnv, uniqueId } from "../harness/names.js";
import { type RunningService, spawnService } from "../harness/services.js";
import { newSubdomainAlert, produceAlerts, putDestination } from "./sink-support.js";

const KEY = Buffer.alloc(32, 5).toString("base64");
const TOKEN = "crash-test-hec-token";
const TENANTS = ["t1", "t2", "t3"];
const PER_TENANT = 1_000;

describe("alert-sink killed with SIGKILL mid-delivery", () => {
  const prefix = uniqueId("sinkc");
  const dbName = uniqueId("sinkc");
  const infra = infraEnv();
  let db: Database;
  let hec: SplunkHecReceiver;
  const received = new Map<string, number>();
  const sinks: RunningService[] = [];

  const env = () => ({
    KAFKA_BROKERS: infra.kafkaBrokers.join(","),
    MONGODB_URI: infra.mongoUri,
    MONGODB_DB: dbName,
    CTWATCH_TOPIC_PREFIX: prefix,
    CTWATCH_GROUP_PREFIX: prefix,
    CTWATCH_LOG_LEVEL: process.env.CTWATCH_TEST_LOG_LEVEL ?? "info",
    CTWATCH_SECRET_KEYS: `k1:${KEY}`,
    CTWATCH_ALLOW_INSECURE_HTTP: "true",
    CTWATCH_REDELIVERY_INTERVAL_MS: "1000",
    ...(process.env.H6_HOOK
      ? { NODE_OPTIONS: "--require /tmp/h6/mongo-hook.cjs", H6_MONGO_LOG: `/tmp/h6/mongo-${Date.now()}.log` }
      : {}),
  });
  const running = (s: RunningService) =>
    eventually(
      async () => (s.stderr().includes('"msg":"running"') ? true : undefined),
      60_000,
      "sink running",
    ).catch((err) => {
      throw new Error(`${(err as Error).message} (exit ${s.child.exitCode})\n${s.stderr().slice(-3000)}`);
    });

  beforeAll(async () => {
    db = await connectDatabase({ uri: infra.mongoUri, dbName });
    hec = await SplunkHecReceiver.start({
      tokens: { [TOKEN]: {} },
      onEvents: (events) => {
        for (const e of events) {
          const id = (e.event as { AlertId: string }).AlertId;
          received.set(id, (received.get(id) ?? 0) + 1);
        }
      },
    });
    // Slow SIEM: every request takes 150 ms, so the kill lands mid-delivery.
    hec.injectFault(100_000, { kind: "delay", delayMs: 150 });
    const box = new SecretBox({ currentKeyId: "k1", keys: { k1: Buffer.from(KEY, "base64") } });
    const destinations = new MongoDestinationStore(db.db);
    await destinations.init();
    for (const t of TENANTS) {
      await putDestination(destinations, box, t, {
        kind: "splunk-hec",
        id: `${prefix}-${t}`,
        url: hec.url,
        token: TOKEN,
      });
    }
  });

  afterAll(async () => {
    for (const s of sinks) await s.stop();
    await hec?.close();
    await db?.db.dropDatabase().catch(() => {});
    await db?.close();
    await deleteTopics(infra.kafkaBrokers, prefix);
  });

  it("loses nothing and bounds duplicates", async () => {
    const first = spawnService("alert-sink", env());
    sinks.push(first);
    await running(first);
    const alerts = TENANTS.flatMap((t) =>
      Array.from({ length: PER_TENANT }, (_, i) => newSubdomainAlert(t, i)),
    );
    await produceAlerts(infra.kafkaBrokers, `${prefix}.alerts.v1`, alerts);
    await eventually(async () => (received.size >= 600 ? true : undefined), 60_000, "600 alerts delivered");
    first.child.kill("SIGKILL");
    expect(await first.exited).toBeNull();
    const atKill = received.size;

    const progress: string[] = [];
    const t0 = Date.now();
    const ticker = setInterval(() => progress.push(`${Date.now() - t0}:${received.size}`), 2000);
    const second = spawnService("alert-sink", env());
    sinks.push(second);
    await running(second);
    await eventually(
      async () => (alerts.every((a) => received.has(a.alertId)) ? true : undefined),
      120_000,
      "every alert delivered after the restart",
    ).catch(async (err) => {
      clearInterval(ticker);
      const coll = db.db.collection("alerts");
      const diag = {
        stored: await coll.countDocuments({}),
        done: await coll.countDocuments({ deliveryState: "done" }),
        pending: await coll.countDocuments({ deliveryState: "pending" }),
      };
      const { Kafka } = await import("kafkajs");
      const admin = new Kafka({ brokers: infra.kafkaBrokers, clientId: "diag" }).admin();
      await admin.connect();
      const committed = await admin.fetchOffsets({
        groupId: `${prefix}.alert-sink`,
        topics: [`${prefix}.alerts.v1`],
      });
      const ends = await admin.fetchTopicOffsets(`${prefix}.alerts.v1`);
      const group = await admin.describeGroups([`${prefix}.alert-sink`]);
      await admin.disconnect();
      process.stderr.write(
        `DIAG ${JSON.stringify({ diag, committed, ends, group: group.groups.map((g) => ({ state: g.state, members: g.members.map((m) => m.clientId + m.memberId) })) })}\n`,
      );
      if (process.env.CTWATCH_TEST_KEEP_LOGS) {
        writeFileSync(`${process.env.CTWATCH_TEST_KEEP_LOGS}.1`, first.stderr());
        writeFileSync(`${process.env.CTWATCH_TEST_KEEP_LOGS}.2`, second.stderr());
      }
      throw new Error(
        `progress ${progress.join(" ")}\n${(err as Error).message}: ${received.size} of ${alerts.length} (${atKill} at the kill)\n${second
          .stderr()
          .slice(-4000)
          .replace(/.{1200}/g, (l) => `${l}\n`)}`,
      );
    });
    clearInterval(ticker);
    process.stderr.write(`progress ${progress.join(" ")}\n`);
    await new Promise((r) => setTimeout(r, 2_000));
    const total = [...received.values()].reduce((a, b) => a + b, 0);
    const duplicates = total - received.size;
    process.stderr.write(
      `kill -9 after ${atKill} of ${alerts.length} delivered: all delivered, ${duplicates} duplicates at the SIEM\n`,
    );
    expect(received.size).toBe(alerts.length);
    // At most what the killed process had delivered but not yet recorded: one
    // consumer batch per partition in flight (bounded by the 1 MiB fetch size).
    expect(duplicates).toBeLessThanOrEqual(alerts.length - atKill + PER_TENANT);
    const docs = await db.db.collection("alerts").find({}).toArray();
    expect(docs).toHaveLength(alerts.length);
    expect(
      docs.every(
        (d) => d.deliveryState === "done" && d.delivery[`${prefix}-${d.tenantId}`]?.status === "delivered",
      ),
    ).toBe(true);
    expect(await new MongoParkedDeliveryStore(db.db).count({})).toBe(0);
  }, 240_000);
});
