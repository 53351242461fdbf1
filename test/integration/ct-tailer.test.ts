/**
 * ct-tailer (services/ct-tailer, in process) against real servers: Kafka for the entries and the
 * misbehaviour events, the MongoDB-wire server for checkpoints, and local CT logs (the real Navigli
 * tiles, and generated certificates over RFC 6962) that inject faults: 429 storms, slow answers,
 * truncated, garbled and cut bodies, bad signatures, a forked root, a shrinking tree.
 */
import path from "node:path";
import { ctLogKey, MerkleCollapsedTree } from "@ctwatch/ct";
import { startGeneratedTestLog, startStaticCtTestLog, type TestLog } from "@ctwatch/ct-testlog";
import {
  createKafka,
  createProducer,
  defaultTopics,
  prepareTopics,
  type TopicNames,
  type TypedProducer,
  topicNames,
} from "@ctwatch/kafka";
import { MetricsRegistry, silentLogger } from "@ctwatch/runtime";
import { connectDatabase, type Database, MongoCheckpointStore } from "@ctwatch/store";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { loadConfig } from "../../services/ct-tailer/src/config.js";
import { type CtTailer, eventsTopicSpec, startCtTailer } from "../../services/ct-tailer/src/ct-tailer.js";
import { repoRoot } from "../harness/infra.js";
import { deleteTopics, eventually, infraEnv, uniqueId } from "../harness/names.js";
import { indexes, readTopic, summarise } from "./ct-support.js";

const navigli = path.join(repoRoot, "test/fixtures/ct/navigli2025h2");

describe("ct-tailer against real Kafka and MongoDB-wire, with misbehaving logs", () => {
  const infra = infraEnv();
  const prefix = uniqueId("ctt");
  const dbName = uniqueId("ctt");
  const topics: TopicNames = topicNames(prefix);
  const eventsTopic = `${prefix}.ct-log-events.v1`;
  let producer: TypedProducer;
  let db: Database;
  let checkpoints: MongoCheckpointStore;
  const cleanup: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    const kafka = createKafka({
      brokers: infra.kafkaBrokers,
      clientId: "it-ct-tailer",
      logger: silentLogger,
    });
    await prepareTopics(kafka, [
      ...defaultTopics(topics, { entriesPartitions: 4 }),
      eventsTopicSpec(eventsTopic),
    ]);
    producer = await createProducer(kafka, { compression: "gzip" });
    db = await connectDatabase({ uri: infra.mongoUri, dbName });
    checkpoints = new MongoCheckpointStore(db.db);
  });

  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
    await producer?.stop();
    await db?.db.dropDatabase().catch(() => {});
    await db?.close();
    await deleteTopics(infra.kafkaBrokers, prefix);
  });

  async function tail(
    log: TestLog,
    env: Record<string, string> = {},
  ): Promise<{ tailer: CtTailer; metrics: MetricsRegistry }> {
    const cfg = loadConfig({
      KAFKA_BROKERS: infra.kafkaBrokers.join(","),
      MONGODB_URI: infra.mongoUri,
      CTWATCH_TOPIC_PREFIX: prefix,
      CTWATCH_LOG_URL: log.url,
      CTWATCH_LOG_KEY: Buffer.from(log.publicKeyDer).toString("base64"),
      CTWATCH_LOG_ORIGIN: log.origin,
      CTWATCH_PARTIAL_TILE_MIN_AGE_MS: "0",
      CTWATCH_POLL_INTERVAL_MS: "100",
      CTWATCH_LOG_TIMEOUT_MS: "1000",
      CTWATCH_LOG_REQUESTS_PER_SECOND: "200",
      CTWATCH_VERIFY_ATTEMPTS: "2",
      CTWATCH_PAUSE_RECHECK_MS: "600000",
      ...env,
    });
    const metrics = new MetricsRegistry();
    const tailer = await startCtTailer(cfg, { producer, checkpoints, topics, logger: silentLogger, metrics });
    cleanup.push(() => tailer.stop());
    return { tailer, metrics };
  }

  const logIdOf = (log: TestLog) => Buffer.from(ctLogKey(log.publicKeyDer).logId).toString("base64");
  const checkpointOf = (log: TestLog, key = logIdOf(log)) => checkpoints.load(key);
  const at = (log: TestLog, n: number, key?: string) =>
    eventually(
      async () => ((await checkpointOf(log, key))?.nextIndex === n ? true : undefined),
      60_000,
      `checkpoint at ${n}`,
    );

  it("publishes every real Navigli entry once through a 429 storm, slow answers and broken bodies", async () => {
    const log = await startStaticCtTestLog({ dir: navigli });
    cleanup.push(() => log.stop());
    log.inject({ pathPrefix: "/tile/data/", count: 6, status: 429, retryAfter: "1" });
    log.inject({ pathPrefix: "/checkpoint", count: 2, status: 503 });
    log.inject({ pathPrefix: "/tile/data/001", count: 1, delayMs: 1500 });
    log.inject({ pathPrefix: "/tile/data/002", count: 1, garble: true });
    log.inject({ pathPrefix: "/tile/data/003", count: 1, truncateTo: 10_000 });
    log.inject({ pathPrefix: "/tile/0/", count: 1, cutConnection: true });
    const { metrics } = await tail(log, { CTWATCH_TILES_PER_ROUND: "1", CTWATCH_VERIFY_ATTEMPTS: "3" });
    await at(log, 1024);
    const cp = await checkpointOf(log);
    const root = MerkleCollapsedTree.fromState(
      cp!.nextIndex,
      cp!.treeHashes.map((h) => Buffer.from(h, "base64")),
    ).root();
    expect(Buffer.from(root)).toEqual(Buffer.from(log.rootHash()));
    const s = summarise(await readTopic(infra.kafkaBrokers, topics.entries), log.url);
    expect(s.distinct).toEqual(indexes(0, 1024));
    expect(s.duplicates).toBe(0);
    expect(metrics.value("ctwatch_log_throttled_total", { log: log.url })).toBe(8);
    expect(
      metrics.value("ctwatch_log_misbehaviour_total", { log: log.url, kind: "root-mismatch" }),
    ).toBeUndefined();
    expect(metrics.total("ctwatch_log_errors_total")).toBeGreaterThanOrEqual(2);
  });

  it("tails an RFC 6962 log of generated certificates: short pages, 429s, precert and final cert on one partition", async () => {
    const log = await startGeneratedTestLog({ size: 2000, maxGetEntries: 50 });
    cleanup.push(() => log.stop());
    log.inject({ pathPrefix: "/ct/v1/get-entries", count: 10, status: 429, retryAfter: "0" });
    const { metrics } = await tail(log, { CTWATCH_LOG_API: "rfc6962", CTWATCH_ENTRIES_PER_BATCH: "500" });
    await at(log, 2000);
    const s = summarise(await readTopic(infra.kafkaBrokers, topics.entries), `${log.url}`);
    expect(s.distinct).toEqual(indexes(0, 2000));
    for (let i = 0; i < 2000; i += 2) {
      expect(s.keyOf.get(i)).toBe(s.keyOf.get(i + 1));
      expect(s.partitionOf.get(i)).toBe(s.partitionOf.get(i + 1));
    }
    expect(new Set(s.partitionOf.values()).size).toBe(4);
    expect(metrics.value("ctwatch_log_page_size", { log: log.url })).toBe(50);
    expect(metrics.value("ctwatch_log_throttled_total", { log: log.url })).toBe(10);
  });

  it("starts from now and backfills a range, each with its own checkpoint", async () => {
    const log = await startStaticCtTestLog({ dir: navigli, treeSize: 700 });
    cleanup.push(() => log.stop());
    await tail(log, { CTWATCH_START: "now", CTWATCH_BACKFILL: "100-300" });
    await at(log, 700);
    await at(log, 300, `${logIdOf(log)}#backfill:100-300`);
    log.setTreeSize(1024);
    await at(log, 1024);
    const s = summarise(await readTopic(infra.kafkaBrokers, topics.entries), log.url);
    expect(s.distinct).toEqual(new Set([...indexes(100, 300), ...indexes(700, 1024)]));
  });

  it.each([
    ["a bad signature", "bad-signature" as const, "bad-signature"],
    ["a forked root", "wrong-root" as const, "root-mismatch"],
    ["a shrinking tree", "shrink" as const, "shrinking-tree"],
  ])("pauses on %s: event on the events topic, checkpoint not advanced", async (_what, mode, kind) => {
    const log = await startGeneratedTestLog({ size: 512 });
    cleanup.push(() => log.stop());
    const { tailer } = await tail(log);
    await at(log, 512);
    log.source.grow(512);
    if (mode === "shrink") log.setTreeSize(300);
    else {
      log.misbehave(mode);
      log.setTreeSize(1024);
    }
    const event = await eventually(
      async () =>
        (await readTopic(infra.kafkaBrokers, eventsTopic))
          .map((r) => JSON.parse(r.value.toString()) as { logUrl: string; kind: string; evidence: unknown })
          .find((e) => e.logUrl === log.url),
      30_000,
      "misbehaviour event",
    );
    expect(event.kind).toBe(kind);
    expect(JSON.stringify(event.evidence)).toMatch(/ctwatch\.test\/generated/);
    expect((await checkpointOf(log))?.nextIndex).toBe(512);
    expect(tailer.readiness()[`log:${log.url}`]).toBe(false);
    const s = summarise(await readTopic(infra.kafkaBrokers, topics.entries), log.url);
    expect(Math.max(...s.distinct)).toBe(511);
  });
});
