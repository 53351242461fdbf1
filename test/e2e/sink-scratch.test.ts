import { SecretBox } from "@ctwatch/siem";
import { SplunkHecReceiver } from "@ctwatch/siem-testkit";
import { connectDatabase, type Database, MongoAlertStore, MongoDestinationStore } from "@ctwatch/store";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { deleteTopics, eventually, infraEnv, uniqueId } from "../harness/names.js";
import { type RunningService, spawnService } from "../harness/services.js";
import { newSubdomainAlert, produceAlerts, putDestination } from "./sink-support.js";

const KEY = Buffer.alloc(32, 5).toString("base64");
const TOKEN = "crash-test-hec-token";
const TENANTS = ["t1", "t2", "t3"];
const PER_TENANT = Number(process.env.SCRATCH_N ?? 300);

describe("scratch: restart over stored pending alerts", () => {
  const prefix = uniqueId("sinks");
  const dbName = uniqueId("sinks");
  const infra = infraEnv();
  let db: Database;
  let hec: SplunkHecReceiver;
  const received = new Map<string, number>();
  const sinks: RunningService[] = [];
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
  it("delivers", async () => {
    const alerts = TENANTS.flatMap((t) =>
      Array.from({ length: PER_TENANT }, (_, i) => newSubdomainAlert(t, i)),
    );
    const store = new MongoAlertStore(db.db);
    await store.init();
    await store.upsertMany(alerts);
    const s = spawnService("alert-sink", {
      KAFKA_BROKERS: infra.kafkaBrokers.join(","),
      MONGODB_URI: infra.mongoUri,
      MONGODB_DB: dbName,
      CTWATCH_TOPIC_PREFIX: prefix,
      CTWATCH_GROUP_PREFIX: prefix,
      CTWATCH_SECRET_KEYS: `k1:${KEY}`,
      CTWATCH_ALLOW_INSECURE_HTTP: "true",
      CTWATCH_REDELIVERY_INTERVAL_MS: process.env.SCRATCH_REDELIVERY ?? "1000",
    });
    sinks.push(s);
    await eventually(
      async () => (s.stderr().includes('"msg":"running"') ? true : undefined),
      60_000,
      "running",
    );
    const t0 = Date.now();
    await produceAlerts(infra.kafkaBrokers, `${prefix}.alerts.v1`, alerts);
    const progress: string[] = [];
    const ticker = setInterval(() => progress.push(`${Date.now() - t0}:${received.size}`), 2000);
    try {
      await eventually(
        async () => (alerts.every((a) => received.has(a.alertId)) ? true : undefined),
        60_000,
        "all",
      );
    } finally {
      clearInterval(ticker);
      process.stderr.write(`progress ${progress.join(" ")} db ${dbName}\n${s.stderr().slice(-2000)}\n`);
    }
    expect(received.size).toBe(alerts.length);
  }, 150_000);
});
