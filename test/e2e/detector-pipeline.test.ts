/**
 * The domain-detector service as a real process with all four detectors
 * (25, 20, 29, 18), each in its own consumer group, against real Kafka,
 * MongoDB-wire and BIND9 (scripts/infra/dns). Entries are produced to the
 * entries topic as the tailer would; alerts are read back from the alerts topic.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { createKafka, defaultTopics, prepareTopics, topicNames } from "@ctwatch/kafka";
import {
  type Alert,
  AlertSchema,
  CertificateEntrySchema,
  CertificateSchema,
  EntryType,
  LogPositionSchema,
} from "@ctwatch/proto";
import { silentLogger } from "@ctwatch/runtime";
import {
  connectDatabase,
  type Database,
  MongoDomainLearningStore,
  MongoWatchlistStore,
} from "@ctwatch/store";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Consumer, Producer } from "kafkajs";
import { repoRoot } from "../harness/infra.js";
import { deleteTopics, eventually, infraEnv, uniqueId } from "../harness/names.js";
import { pipelineEnv } from "../harness/pipeline.js";
import { type RunningService, spawnService } from "../harness/services.js";

const ISRG_X1 = "96bcec06264976f37460779acf28c5a7cfe8a3c0aae11a8ffcee05c0bddf08c6";
const DIGICERT_G2 = "cb3ccbb76031e5e0138f8dd39a23f9de47ffc35e43c1144cea27d46a5ab1cb5f";
let n = 0;

function entryBytes(names: string[], rootSha256: string, issuerO = "Let's Encrypt"): Buffer {
  n++;
  const e = create(CertificateEntrySchema, {
    position: create(LogPositionSchema, {
      logId: new Uint8Array(32),
      logUrl: "https://log.test/",
      leafIndex: BigInt(n),
    }),
    entryType: EntryType.PRECERT,
    timestampMs: BigInt(Date.now()),
    issuanceKey: new Uint8Array(32).fill(n),
    chainSha256: [new Uint8Array(32).fill(9), new Uint8Array(Buffer.from(rootSha256, "hex"))],
    rootSha256: new Uint8Array(Buffer.from(rootSha256, "hex")),
    certificate: create(CertificateSchema, {
      sha256: new Uint8Array(32).fill(100 + n),
      dnsNames: names,
      subjectCn: names[0] ?? "",
      issuerO,
      issuerCn: "R12",
      issuerDn: `CN=R12,O=${issuerO},C=US`,
    }),
  });
  return Buffer.from(toBinary(CertificateEntrySchema, e));
}

describe("domain-detector with all four detectors: entries -> alerts (25, 20, 29, 18)", () => {
  const prefix = uniqueId("e2e-det");
  const dbName = uniqueId("e2e-det");
  const alerts: Alert[] = [];
  let db: Database;
  let producer: Producer;
  let consumer: Consumer;
  let service: RunningService;

  beforeAll(async () => {
    const infra = infraEnv();
    const { stdout } = await promisify(execFile)("bash", [path.join(repoRoot, "scripts/infra/dns/up.sh")], {
      cwd: repoRoot,
    });
    const dnsServer = /CTWATCH_TEST_DNS_SERVER=(\S+)/.exec(stdout)?.[1] ?? "";
    db = await connectDatabase({ uri: infra.mongoUri, dbName });
    const watch = new MongoWatchlistStore(db.db);
    await watch.init();
    for (const d of ["takeover.test", "deny.test", "bank.test", "estate.test"])
      await watch.add("acme", "owned-domain", d);
    await new MongoDomainLearningStore(db.db).set({
      tenantId: "acme",
      domain: "estate.test",
      learningUntilMs: Date.now() + 3_600_000,
    });
    const topics = topicNames(prefix);
    const kafka = createKafka({
      brokers: infra.kafkaBrokers,
      clientId: "e2e-detectors",
      logger: silentLogger,
    });
    await prepareTopics(kafka, defaultTopics(topics));
    consumer = kafka.consumer({ groupId: `${prefix}.reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.alerts, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value) alerts.push(fromBinary(AlertSchema, message.value));
      },
    });
    producer = kafka.producer();
    await producer.connect();
    service = spawnService("domain-detector", {
      ...pipelineEnv(infra, prefix, dbName),
      CTWATCH_DETECTORS: "new-subdomain,root-ca,caa,takeover",
      CTWATCH_DNS_SERVERS: dnsServer,
      CTWATCH_DNS_SWEEP_MS: "200",
      CTWATCH_WATCHLIST_REFRESH_MS: "500",
    });
  });

  afterAll(async () => {
    await service?.stop();
    await producer?.disconnect();
    await consumer?.disconnect();
    await db?.db.dropDatabase().catch(() => {});
    await db?.close();
    await deleteTopics(infraEnv().kafkaBrokers, prefix);
  });

  it("raises each event once, with the catalogue texts, and stays quiet for a domain in initial sync", async () => {
    const topic = topicNames(prefix).entries;
    const send = (value: Buffer) =>
      producer.send({ topic, messages: [{ key: value.subarray(0, 8), value }] });
    await send(entryBytes(["www.bank.test"], ISRG_X1));
    await send(entryBytes(["dangling.takeover.test", "alive.takeover.test"], ISRG_X1));
    await send(entryBytes(["www.deny.test"], ISRG_X1));
    await send(entryBytes(["a.estate.test", "b.estate.test", "*.estate.test"], ISRG_X1));
    // The root-CA baseline of bank.test is learned from the first certificate; wait for it.
    await eventually(
      async () =>
        (await db.db.collection("root_baselines").countDocuments({ domain: "bank.test" })) > 0
          ? true
          : undefined,
      60_000,
      "bank.test baseline",
    ).catch((err) => {
      throw new Error(`${(err as Error).message}\n${service.stderr().slice(-3000)}`);
    });
    await send(entryBytes(["pay.bank.test"], DIGICERT_G2, "DigiCert Inc"));

    const want = (a: Alert) => `${a.eventId} ${a.subjectDomain}`;
    await eventually(
      async () => {
        const got = new Set(alerts.map(want));
        return [
          "18 dangling.takeover.test",
          "29 www.deny.test",
          "20 pay.bank.test",
          "25 pay.bank.test",
        ].every((k) => got.has(k))
          ? true
          : undefined;
      },
      90_000,
      "alerts 18, 20, 25, 29",
    ).catch((err) => {
      throw new Error(
        `${(err as Error).message}\ngot: ${alerts.map(want).join(", ")}\n${service.stderr().slice(-3000)}`,
      );
    });
    await new Promise((r) => setTimeout(r, 1500));
    const got = alerts.map(want).sort();
    expect(got).toEqual(
      [
        "18 dangling.takeover.test",
        "20 pay.bank.test",
        "25 alive.takeover.test",
        "25 dangling.takeover.test",
        "25 pay.bank.test",
        "25 www.bank.test",
        "25 www.deny.test",
        "29 www.deny.test",
      ].sort(),
    );
    const takeover = alerts.find((a) => a.eventId === 18);
    expect(takeover?.description).toMatch(/^Your DNS record is pointing to an Azure resource/);
    expect(takeover?.detector).toBe("takeover/1");
    const stored = await db.db
      .collection("subdomains")
      .find({ tenantId: "acme", domain: "estate.test" })
      .toArray();
    expect(stored.map((s) => s.name).sort()).toEqual(["*.estate.test", "a.estate.test", "b.estate.test"]);
    expect(stored.every((s) => s.learnedQuietly === true)).toBe(true);
  });

  it("stops cleanly on SIGTERM", async () => {
    expect(await service.stop()).toBe(0);
  });
});
