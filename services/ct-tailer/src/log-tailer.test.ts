import path from "node:path";
import { ctLogKey, MerkleCollapsedTree } from "@ctwatch/ct";
import { HttpFetcher, IssuerCache, Rfc6962Client, StaticCtClient } from "@ctwatch/ct-client";
import {
  type GeneratedTestLog,
  startGeneratedTestLog,
  startStaticCtTestLog,
  type TestLog,
} from "@ctwatch/ct-testlog";
import { protoCodec, topicNames } from "@ctwatch/kafka";
import { CertificateEntrySchema } from "@ctwatch/proto";
import { MetricsRegistry, silentLogger } from "@ctwatch/runtime";
import { afterEach, describe, expect, it } from "@jest/globals";
import type { LogSource } from "./log-source.js";
import { LogTailer, type LogTailerSettings } from "./log-tailer.js";
import { Rfc6962LogSource } from "./rfc6962-log-source.js";
import { StaticLogSource } from "./static-log-source.js";
import { MemoryCheckpointStore, MemoryProducer, MemoryReporter, until } from "./testing/fakes.js";

const navigli = path.resolve(process.cwd(), "test/fixtures/ct/navigli2025h2");
const topics = topicNames("t");
const codec = protoCodec(CertificateEntrySchema);
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

interface Harness {
  log: TestLog;
  tailer: LogTailer;
  producer: MemoryProducer;
  checkpoints: MemoryCheckpointStore;
  reporter: MemoryReporter;
  metrics: MetricsRegistry;
  /** Leaf indexes published on the entries topic, in publish order. */
  indexes(): number[];
  checkpoint(): ReturnType<MemoryCheckpointStore["docs"]["get"]>;
  stop(): Promise<void>;
}

const running: Harness[] = [];
afterEach(async () => {
  for (const h of running.splice(0)) {
    await h.stop();
    await h.log.stop();
  }
});

interface Options {
  api?: "static-ct" | "rfc6962";
  tilesPerBatch?: number;
  entriesPerBatch?: number;
  maxPageSize?: number;
  producer?: MemoryProducer;
  checkpoints?: MemoryCheckpointStore;
  settings?: Partial<LogTailerSettings>;
}

function tail(log: TestLog, o: Options = {}): Harness {
  const metrics = new MetricsRegistry();
  const http = new HttpFetcher({
    logLabel: log.url,
    metrics,
    requestsPerSecond: 1000,
    maxConcurrency: 4,
    timeoutMs: 1000,
    maxAttempts: 3,
  });
  const key = ctLogKey(log.publicKeyDer);
  const source: LogSource =
    o.api === "rfc6962"
      ? new Rfc6962LogSource(
          {
            url: log.url,
            key,
            maxPageSize: o.maxPageSize ?? 1024,
            entriesPerBatch: o.entriesPerBatch ?? 256,
          },
          { client: new Rfc6962Client(log.url, http), metrics },
        )
      : new StaticLogSource(
          {
            url: log.url,
            key,
            origin: log.origin,
            partialTileMinAgeMs: 0,
            tilesPerBatch: o.tilesPerBatch ?? 2,
          },
          {
            client: new StaticCtClient(log.url, http),
            issuers: new IssuerCache(),
            logger: silentLogger,
            metrics,
          },
        );
  const producer = o.producer ?? new MemoryProducer();
  const checkpoints = o.checkpoints ?? new MemoryCheckpointStore();
  const reporter = new MemoryReporter();
  const tailer = new LogTailer(
    {
      checkpointKey: b64(key.logId),
      logId: key.logId,
      url: log.url,
      name: "test log",
      start: { kind: "index", index: 0 },
      pollIntervalMs: 20,
      verifyAttempts: 2,
      pauseRecheckMs: 60_000,
      ...o.settings,
    },
    { source, producer, topics, codec, checkpoints, reporter, logger: silentLogger, metrics },
  );
  const ac = new AbortController();
  const done = tailer.run(ac.signal);
  const h: Harness = {
    log,
    tailer,
    producer,
    checkpoints,
    reporter,
    metrics,
    indexes: () =>
      producer.records(topics.entries).map((r) => Number(codec.decode(r.value).position!.leafIndex)),
    checkpoint: () => checkpoints.docs.get(o.settings?.checkpointKey ?? b64(key.logId)),
    async stop() {
      ac.abort(new Error("test over"));
      await done;
    },
  };
  running.push(h);
  return h;
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const rootOf = (cp: { nextIndex: number; treeHashes: string[] } | undefined) =>
  cp
    ? MerkleCollapsedTree.fromState(
        cp.nextIndex,
        cp.treeHashes.map((h) => Buffer.from(h, "base64")),
      ).root()
    : undefined;

describe("LogTailer over static-ct-api", () => {
  it("publishes every entry of the real Navigli tiles once, each batch verified against the checkpoint", async () => {
    const log = await startStaticCtTestLog({ dir: navigli });
    const h = tail(log, { tilesPerBatch: 1 });
    await until(() => h.checkpoint()?.nextIndex === 1024, 20_000, "checkpoint at 1024");
    expect(h.indexes()).toEqual(range(0, 1024));
    expect(rootOf(h.checkpoint())).toEqual(log.rootHash());
    expect(h.checkpoint()?.verifiedTreeSize).toBe(1024);
    // Batches short of the tree size were checked with hash tiles from the right edge before publishing.
    expect(log.requests.some((r) => r.startsWith("/tile/1/000.p/4") || r.startsWith("/tile/0/"))).toBe(true);
    expect(h.reporter.events).toEqual([]);
    const first = codec.decode(h.producer.records(topics.entries)[0]!.value);
    expect(first.position?.logUrl).toBe(log.url);
    await until(() => h.tailer.status().state === "following", 5000, "following");
  });

  it("follows a growing log, fetching the edge partial tile and then the full one", async () => {
    const log = await startStaticCtTestLog({ dir: navigli, treeSize: 300 });
    const h = tail(log, { tilesPerBatch: 4 });
    await until(() => h.checkpoint()?.nextIndex === 300, 10_000, "300");
    log.setTreeSize(778);
    await until(() => h.checkpoint()?.nextIndex === 778, 10_000, "778");
    log.setTreeSize(1024);
    await until(() => h.checkpoint()?.nextIndex === 1024, 10_000, "1024");
    expect(h.indexes()).toEqual(range(0, 1024));
    expect(log.requests).toContain("/tile/data/001.p/44");
    expect(log.requests).toContain("/tile/data/003.p/10");
  });

  it.each([
    ["now", { kind: "now" } as const, 778],
    ["an index", { kind: "index", index: 333 } as const, 333],
  ])("starts from %s with the collapsed tree rebuilt from hash tiles", async (_name, start, from) => {
    const log = await startStaticCtTestLog({ dir: navigli, treeSize: 778 });
    const h = tail(log, { settings: { start } });
    await until(() => h.checkpoint()?.nextIndex === 778, 10_000, "778");
    log.setTreeSize(1024);
    await until(() => h.checkpoint()?.nextIndex === 1024, 10_000, "1024");
    expect(h.indexes()).toEqual(range(from, 1024));
    expect(rootOf(h.checkpoint())).toEqual(log.rootHash(1024));
  });

  it("backfills a range with its own checkpoint and stops", async () => {
    const log = await startStaticCtTestLog({ dir: navigli });
    const h = tail(log, {
      settings: { checkpointKey: "backfill-key", start: { kind: "index", index: 100 }, endIndex: 600 },
    });
    await until(() => h.tailer.status().state === "done", 10_000, "done");
    expect(h.indexes()).toEqual(range(100, 600));
    expect(h.checkpoints.docs.get("backfill-key")?.nextIndex).toBe(600);
  });

  it("rides out garbled, truncated and cut responses without publishing anything unverified", async () => {
    const log = await startStaticCtTestLog({ dir: navigli });
    log.inject({ pathPrefix: "/tile/data/001", count: 1, garble: true });
    log.inject({ pathPrefix: "/tile/data/002", count: 1, truncateTo: 5000 });
    log.inject({ pathPrefix: "/tile/data/003", count: 1, cutConnection: true });
    log.inject({ pathPrefix: "/tile/1/", count: 1, garble: true });
    const h = tail(log, { tilesPerBatch: 1, settings: { verifyAttempts: 3 } });
    await until(() => h.checkpoint()?.nextIndex === 1024, 20_000, "1024");
    expect(h.indexes()).toEqual(range(0, 1024));
    expect(h.reporter.events).toEqual([]);
    expect(h.metrics.total("ctwatch_log_errors_total")).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it.each([
    ["bad-signature", "bad-signature"],
    ["wrong-key", "bad-signature"],
    ["wrong-root", "root-mismatch"],
  ] as const)(
    "pauses a log whose checkpoint is %s, publishing nothing past the verified point",
    async (mode, kind) => {
      const log = await startStaticCtTestLog({ dir: navigli, treeSize: 512 });
      const h = tail(log);
      await until(() => h.checkpoint()?.nextIndex === 512, 10_000, "512");
      log.setTreeSize(1024);
      log.misbehave(mode);
      await until(() => h.reporter.events.length > 0, 10_000, "a report");
      expect(h.reporter.events[0]).toMatchObject({ kind, logUrl: log.url, attempts: 2 });
      expect(h.tailer.status()).toMatchObject({ state: "paused", pausedFor: kind });
      expect(h.checkpoint()?.nextIndex).toBe(512);
      expect(Math.max(...h.indexes())).toBe(511);
      expect(h.metrics.value("ctwatch_log_paused", { log: log.url })).toBe(1);
    },
  );

  it("reports a shrinking tree at once: a newer signed head smaller than the verified one", async () => {
    const log = await startStaticCtTestLog({ dir: navigli });
    const h = tail(log);
    await until(() => h.checkpoint()?.nextIndex === 1024, 10_000, "1024");
    log.setTreeSize(700);
    await until(() => h.reporter.events.length > 0, 10_000, "a report");
    expect(h.reporter.events[0]).toMatchObject({ kind: "shrinking-tree", attempts: 1 });
    expect(h.reporter.events[0]!.evidence.current).toMatch(/^ctwatch\.test\/navigli2025h2\n700\n/);
  });

  it("does not advance the checkpoint when Kafka fails, and re-publishes at most the failed batch", async () => {
    const log = await startStaticCtTestLog({ dir: navigli });
    const producer = new MemoryProducer();
    producer.failNext = 2;
    const h = tail(log, { tilesPerBatch: 1, producer });
    await until(() => h.checkpoint()?.nextIndex === 1024, 20_000, "1024");
    const idx = h.indexes();
    expect(new Set(idx).size).toBe(1024);
    expect(idx.length - 1024).toBeLessThanOrEqual(256);
  });
});

describe("LogTailer over RFC 6962", () => {
  let log: GeneratedTestLog;

  it("learns the page size, verifies with consistency proofs and publishes precert/final pairs", async () => {
    log = await startGeneratedTestLog({ size: 1000, maxGetEntries: 64 });
    const h = tail(log, { api: "rfc6962", entriesPerBatch: 300, maxPageSize: 256 });
    await until(() => h.checkpoint()?.nextIndex === 1000, 20_000, "1000");
    expect(h.indexes()).toEqual(range(0, 1000));
    expect(h.metrics.value("ctwatch_log_page_size", { log: log.url })).toBe(64);
    expect(log.requests.some((r) => r.startsWith("/ct/v1/get-sth-consistency?first=300&second=1000"))).toBe(
      true,
    );
    const recs = h.producer.records(topics.entries);
    expect(
      Buffer.compare(Buffer.from(recs[0]!.key as Uint8Array), Buffer.from(recs[1]!.key as Uint8Array)),
    ).toBe(0);
    log.grow(500);
    await until(() => h.checkpoint()?.nextIndex === 1500, 20_000, "1500");
    expect(rootOf(h.checkpoint())).toEqual(log.rootHash());
  });

  it.each([
    ["now", { kind: "now" } as const, 600],
    ["an index", { kind: "index", index: 251 } as const, 251],
  ])("starts from %s with the collapsed tree from an inclusion proof", async (_n, start, from) => {
    log = await startGeneratedTestLog({ size: 600 });
    const h = tail(log, { api: "rfc6962", settings: { start } });
    await until(() => h.checkpoint()?.nextIndex === 600, 10_000, "600");
    log.grow(100);
    await until(() => h.checkpoint()?.nextIndex === 700, 10_000, "700");
    expect(h.indexes()).toEqual(range(from, 700));
    expect(log.requests.some((r) => r.startsWith("/ct/v1/get-proof-by-hash"))).toBe(true);
  });

  it("survives a 429 storm and slow answers, slowing down instead of failing", async () => {
    log = await startGeneratedTestLog({ size: 800, maxGetEntries: 100 });
    log.inject({ pathPrefix: "/ct/v1/get-entries", count: 6, status: 429, retryAfter: "0" });
    log.inject({ pathPrefix: "/ct/v1/get-sth", count: 1, delayMs: 1500 });
    const h = tail(log, { api: "rfc6962", entriesPerBatch: 400 });
    await until(() => h.checkpoint()?.nextIndex === 800, 30_000, "800");
    expect(h.indexes()).toEqual(range(0, 800));
    expect(h.metrics.value("ctwatch_log_throttled_total", { log: log.url })).toBe(6);
    expect(h.reporter.events).toEqual([]);
  });

  it("pauses at once on a forked root (two roots signed for one size)", async () => {
    log = await startGeneratedTestLog({ size: 200 });
    const h = tail(log, { api: "rfc6962" });
    await until(() => h.checkpoint()?.nextIndex === 200, 10_000, "200");
    log.misbehave("wrong-root");
    log.grow(0);
    await until(() => h.reporter.events.length > 0, 10_000, "a report");
    expect(h.reporter.events[0]?.kind).toBe("fork");
    expect(h.checkpoint()?.nextIndex).toBe(200);
  });
});
