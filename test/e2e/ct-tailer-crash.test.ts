/**
 * kill -9 of the ct-tailer process in the middle of tailing, then a restart: every entry of the log
 * ends in Kafka at least once, duplicates are bounded by one batch (the one in flight when the
 * process died), and the stored checkpoint is consistent with the log (its collapsed tree has the
 * log's root). Then a SIGTERM mid-run: the batch in flight is published and checkpointed before
 * the process exits 0, so nothing published lies beyond the checkpoint. Real tailer processes, real
 * Kafka and MongoDB-wire server, a local static-ct-api log of generated certificates.
 */
import { ctLogKey, MerkleCollapsedTree } from "@ctwatch/ct";
import { type GeneratedTestLog, startGeneratedTestLog } from "@ctwatch/ct-testlog";
import { connectDatabase, type Database, MongoCheckpointStore } from "@ctwatch/store";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { deleteTopics, eventually, infraEnv, uniqueId } from "../harness/names.js";
import { type RunningService, spawnService } from "../harness/services.js";
import { indexes, readTopic, summarise } from "../integration/ct-support.js";

const ENTRIES = 16_384 + 100;
const BATCH = 4 * 256;

describe("ct-tailer killed with SIGKILL mid-batch, then stopped with SIGTERM", () => {
  const infra = infraEnv();
  const prefix = uniqueId("ctk");
  const dbName = uniqueId("ctk");
  let log: GeneratedTestLog;
  let db: Database;
  let checkpoints: MongoCheckpointStore;
  let logId: string;
  const procs: RunningService[] = [];

  const start = () => {
    const p = spawnService("ct-tailer", {
      KAFKA_BROKERS: infra.kafkaBrokers.join(","),
      MONGODB_URI: infra.mongoUri,
      MONGODB_DB: dbName,
      CTWATCH_TOPIC_PREFIX: prefix,
      CTWATCH_ENTRIES_PARTITIONS: "6",
      CTWATCH_LOG_URL: log.url,
      CTWATCH_LOG_KEY: Buffer.from(log.publicKeyDer).toString("base64"),
      CTWATCH_LOG_ORIGIN: log.origin,
      CTWATCH_TILES_PER_ROUND: String(BATCH / 256),
      CTWATCH_PARTIAL_TILE_MIN_AGE_MS: "0",
      CTWATCH_POLL_INTERVAL_MS: "100",
      CTWATCH_LOG_REQUESTS_PER_SECOND: "500",
      // Small Kafka sends: a batch goes out in ~25 sends, so a kill lands inside one.
      CTWATCH_MAX_SEND_BYTES: "65536",
      CTWATCH_LOG_LEVEL: "info",
    });
    procs.push(p);
    return p;
  };
  const nextIndex = async () => (await checkpoints.load(logId))?.nextIndex ?? -1;
  const reaches = (n: number, p: RunningService) =>
    eventually(async () => ((await nextIndex()) >= n ? true : undefined), 90_000, `checkpoint >= ${n}`).catch(
      (err) => {
        throw new Error(`${(err as Error).message}\n${p.stderr().slice(-3000)}`);
      },
    );

  beforeAll(async () => {
    log = await startGeneratedTestLog({ size: ENTRIES });
    // Slow tiles keep batches in flight long enough for the kill to land in one.
    log.inject({ pathPrefix: "/tile/data/", count: 1_000, delayMs: 40 });
    logId = Buffer.from(ctLogKey(log.publicKeyDer).logId).toString("base64");
    db = await connectDatabase({ uri: infra.mongoUri, dbName });
    checkpoints = new MongoCheckpointStore(db.db);
  });

  afterAll(async () => {
    for (const p of procs) await p.stop(5_000);
    await log?.stop();
    await db?.db.dropDatabase().catch(() => {});
    await db?.close();
    await deleteTopics(infra.kafkaBrokers, prefix);
  });

  it("loses nothing, duplicates at most one batch per kill, and keeps a checkpoint consistent with the log", async () => {
    const KILLS = 3;
    let p = start();
    for (let k = 1; k <= KILLS; k++) {
      await reaches(k * 4 * BATCH, p);
      p.child.kill("SIGKILL");
      expect(await p.exited).toBeNull();
      p = start();
    }
    const second = p;
    await reaches(ENTRIES, second);
    const s = summarise(await readTopic(infra.kafkaBrokers, `${prefix}.ct-entries.v1`), log.url);
    expect(s.distinct).toEqual(indexes(0, ENTRIES));
    expect(s.duplicates).toBeLessThanOrEqual(KILLS * BATCH);
    const cp = await checkpoints.load(logId);
    const tree = MerkleCollapsedTree.fromState(
      cp!.nextIndex,
      cp!.treeHashes.map((h) => Buffer.from(h, "base64")),
    );
    expect(Buffer.from(tree.root())).toEqual(Buffer.from(log.rootHash()));
    expect(cp!.verifiedTreeSize).toBe(ENTRIES);

    // Grow the log and stop the tailer with SIGTERM while it catches up: it drains and exits 0.
    log.grow(6_000);
    await reaches(ENTRIES + BATCH, second);
    expect(await second.stop()).toBe(0);
    const stoppedAt = await nextIndex();
    const after = summarise(await readTopic(infra.kafkaBrokers, `${prefix}.ct-entries.v1`), log.url);
    expect(Math.max(...after.distinct)).toBe(stoppedAt - 1);
    expect(after.duplicates).toBe(s.duplicates);
    expect(second.stderr()).toMatch(/"msg":"shutting down"/);
  });
});
