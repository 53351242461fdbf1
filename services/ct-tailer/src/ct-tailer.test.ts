import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { ctLogKey } from "@ctwatch/ct";
import { parseLogList } from "@ctwatch/ct-client";
import { startGeneratedTestLog, startStaticCtTestLog, type TestLog } from "@ctwatch/ct-testlog";
import { protoCodec, topicNames } from "@ctwatch/kafka";
import { CertificateEntrySchema } from "@ctwatch/proto";
import { ConfigError, MetricsRegistry, silentLogger } from "@ctwatch/runtime";
import { afterAll, describe, expect, it } from "@jest/globals";
import { loadConfig } from "./config.js";
import { startCtTailer } from "./ct-tailer.js";
import { buildCatalog } from "./log-catalog.js";
import { parseLogsConfig } from "./logs-config.js";
import { MemoryCheckpointStore, MemoryProducer, until } from "./testing/fakes.js";

const navigli = path.resolve(process.cwd(), "test/fixtures/ct/navigli2025h2");
const chromeList = parseLogList(
  gunzipSync(
    readFileSync(path.resolve(process.cwd(), "packages/ct-client/testdata/google_v3_log_list.json.gz")),
  ),
);
const base = { KAFKA_BROKERS: "127.0.0.1:9092", MONGODB_URI: "mongodb://x/" };
const keyB64 = (log: TestLog) => Buffer.from(log.publicKeyDer).toString("base64");
const logIdOf = (log: TestLog) => Buffer.from(ctLogKey(log.publicKeyDer).logId).toString("base64");

describe("loadConfig", () => {
  it("names every missing or bad variable at once", () => {
    const err = (() => {
      try {
        loadConfig({ KAFKA_BROKERS: "nope", MONGODB_URI: "mongodb://x/", CTWATCH_START: "soon" });
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    const text = err.problems.join("\n");
    expect(text).toMatch(/KAFKA_BROKERS="nope" is invalid/);
    expect(text).toMatch(/CTWATCH_START="soon" is invalid: expected "now", "first" or "index:N"/);
    expect(text).toMatch(/CTWATCH_LOG_URL is required/);
    expect(text).toMatch(/CTWATCH_LOG_KEY is required/);
  });

  it("reads one log from the environment, with start and backfills", async () => {
    const log = await startGeneratedTestLog({ size: 2 });
    try {
      const cfg = loadConfig({
        ...base,
        CTWATCH_LOG_URL: log.url,
        CTWATCH_LOG_KEY: keyB64(log),
        CTWATCH_LOG_API: "rfc6962",
        CTWATCH_START: "now",
        CTWATCH_BACKFILL: "0-100,200-300",
      });
      expect(cfg.single).toMatchObject({
        api: "rfc6962",
        url: log.url,
        start: { kind: "now" },
        backfills: [
          { from: 0, to: 100 },
          { from: 200, to: 300 },
        ],
      });
      expect(cfg.eventsTopic).toBe("ctwatch.ct-log-events.v1");
      expect(loadConfig({ ...base, CTWATCH_LOGS_CONFIG: "/x.json" }).single).toBeUndefined();
      expect(() => loadConfig({ ...base, CTWATCH_LOG_URL: log.url, CTWATCH_BACKFILL: "5-5" })).toThrow(
        /from < to/,
      );
    } finally {
      await log.stop();
    }
  });
});

describe("parseLogsConfig", () => {
  it("names each problem with its JSON path", () => {
    expect(() =>
      parseLogsConfig(
        JSON.stringify({
          logLists: [{ url: "ftp://x" }],
          states: ["usable", "zombie"],
          add: [{ api: "grpc", url: "https://x/", key: "AAAA" }],
          defaults: { requestsPerSecond: 0, start: "later" },
          surprise: 1,
        }),
        "/etc/logs.json",
      ),
    ).toThrow(
      /surprise: unknown field[\s\S]*logLists\[0\]\.url: expected an http\(s\) URL[\s\S]*states: unknown zombie[\s\S]*add\[0\]\.api[\s\S]*add\[0\]\.key[\s\S]*defaults\.requestsPerSecond[\s\S]*defaults\.start/,
    );
  });
});

describe("buildCatalog over the real Chrome list", () => {
  const envDefaults = {
    requestsPerSecond: 10,
    maxConcurrency: 4,
    timeoutMs: 20_000,
    pollIntervalMs: 1000,
    partialTileMinAgeMs: 10_000,
    tilesPerBatch: 16,
    entriesPerBatch: 4096,
    maxPageSize: 1024,
  };
  const nowMs = Date.parse("2026-05-29T13:42:48Z");

  it("tails usable/qualified/readonly logs of both APIs from now, with layered settings", () => {
    const argon = "https://ct.googleapis.com/logs/us1/argon2026h2/";
    const file = parseLogsConfig(
      JSON.stringify({
        exclude: ["https://ct.googleapis.com/logs/eu1/xenon2026h1/"],
        defaults: { requestsPerSecond: 5 },
        overrides: { [argon]: { requestsPerSecond: 2, backfill: ["10-20"] } },
      }),
      "/etc/logs.json",
    );
    const cat = buildCatalog({
      envDefaults,
      envStart: undefined,
      single: undefined,
      file,
      lists: [chromeList],
      nowMs,
    });
    expect(cat.problems).toEqual([]);
    expect(cat.logs.length).toBe(51);
    expect(cat.logs.some((l) => l.url.includes("xenon2026h1"))).toBe(false);
    const a = cat.logs.find((l) => l.url === argon)!;
    expect(a).toMatchObject({
      api: "rfc6962",
      start: { kind: "now" },
      requestsPerSecond: 2,
      backfills: [{ from: 10, to: 20 }],
    });
    const syc = cat.logs.find((l) => l.name === "Let's Encrypt 'Sycamore2026h1'")!;
    expect(syc).toMatchObject({
      api: "static-ct",
      url: "https://mon.sycamore.ct.letsencrypt.org/2026h1/",
      origin: "log.sycamore.ct.letsencrypt.org/2026h1",
      requestsPerSecond: 5,
      maxConcurrency: 4,
    });
    const only = buildCatalog({
      envDefaults,
      envStart: { kind: "index", index: 0 },
      single: undefined,
      file: parseLogsConfig(
        JSON.stringify({ only: [argon], overrides: { [argon]: { disabled: false } } }),
        "/x",
      ),
      lists: [chromeList],
      nowMs,
    });
    expect(only.logs.map((l) => [l.url, l.start])).toEqual([[argon, { kind: "index", index: 0 }]]);
  });
});

describe("startCtTailer (supervisor over a log list)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "ct-tailer-"));
  const logs: TestLog[] = [];
  afterAll(async () => {
    for (const l of logs) await l.stop();
  });

  it("tails every listed log, reloads the list without a restart and stops cleanly", async () => {
    const staticLog = await startStaticCtTestLog({ dir: navigli });
    const rfcLog = await startGeneratedTestLog({ size: 300 });
    logs.push(staticLog, rfcLog);
    const listKey = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const writeList = (withRfc: boolean) => {
      const state = { usable: { timestamp: "2025-01-01T00:00:00Z" } };
      const list = {
        version: "1",
        log_list_timestamp: "2026-01-01T00:00:00Z",
        operators: [
          {
            name: "Local",
            email: [],
            logs: withRfc
              ? [
                  {
                    description: "rfc",
                    log_id: logIdOf(rfcLog),
                    key: keyB64(rfcLog),
                    url: `${rfcLog.url}/`,
                    mmd: 60,
                    state,
                  },
                ]
              : [],
            tiled_logs: [
              {
                description: "tiled",
                log_id: logIdOf(staticLog),
                key: keyB64(staticLog),
                submission_url: `http://${staticLog.origin}/`,
                monitoring_url: staticLog.url,
                mmd: 60,
                state,
              },
            ],
          },
        ],
      };
      const bytes = Buffer.from(JSON.stringify(list));
      writeFileSync(path.join(dir, "list.json"), bytes);
      writeFileSync(path.join(dir, "list.sig"), sign("sha256", bytes, listKey.privateKey));
    };
    writeList(true);
    writeFileSync(path.join(dir, "key.pem"), listKey.publicKey.export({ type: "spki", format: "pem" }));
    writeFileSync(
      path.join(dir, "logs.json"),
      JSON.stringify({
        logLists: [{ file: "list.json", signatureFile: "list.sig", publicKey: "@key.pem" }],
        defaults: { start: "first", partialTileMinAgeMs: 0, pollIntervalMs: 50 },
      }),
    );
    const cfg = loadConfig({ ...base, CTWATCH_LOGS_CONFIG: path.join(dir, "logs.json") });
    const producer = new MemoryProducer();
    const checkpoints = new MemoryCheckpointStore();
    const metrics = new MetricsRegistry();
    const tailer = await startCtTailer(cfg, {
      producer,
      checkpoints,
      topics: topicNames("ctwatch"),
      logger: silentLogger,
      metrics,
    });
    try {
      expect(
        tailer
          .status()
          .map((s) => s.name)
          .sort(),
      ).toEqual(["rfc", "tiled"]);
      await until(
        () =>
          checkpoints.docs.get(logIdOf(staticLog))?.nextIndex === 1024 &&
          checkpoints.docs.get(logIdOf(rfcLog))?.nextIndex === 300,
        20_000,
        "both logs published",
      );
      expect(producer.records("ctwatch.ct-entries.v1")).toHaveLength(1324);
      expect(tailer.readiness()).toEqual({ catalog: true, "log:rfc": true, "log:tiled": true });
      expect(metrics.value("ctwatch_log_next_index", { log: staticLog.url })).toBe(1024);
      expect(metrics.value("ctwatch_logs_tailed")).toBe(2);

      // The list drops the RFC 6962 log: it is stopped on reload, the other one keeps running.
      writeList(false);
      await tailer.reload();
      expect(tailer.status().map((s) => s.name)).toEqual(["tiled"]);

      // A list whose signature no longer verifies is refused; the running set stays.
      writeFileSync(path.join(dir, "list.json"), "{}");
      await expect(tailer.reload()).rejects.toMatchObject({ code: "bad-signature" });
      expect(tailer.status().map((s) => s.name)).toEqual(["tiled"]);
      expect(metrics.value("ctwatch_log_catalog_errors_total")).toBe(1);

      // Misbehaviour is reported on the events topic as JSON.
      staticLog.misbehave("wrong-root");
      staticLog.setTreeSize(1024);
      await until(() => producer.records("ctwatch.ct-log-events.v1").length > 0, 10_000, "event");
      const ev = JSON.parse(Buffer.from(producer.records("ctwatch.ct-log-events.v1")[0]!.value).toString());
      expect(ev).toMatchObject({ type: "log-misbehaviour", kind: "fork", logName: "tiled" });
      expect(tailer.readiness()["log:tiled"]).toBe(false);
    } finally {
      await tailer.stop();
    }
    const codec = protoCodec(CertificateEntrySchema);
    const urls = new Set(
      producer.records("ctwatch.ct-entries.v1").map((r) => codec.decode(r.value).position?.logUrl),
    );
    expect(urls).toEqual(new Set([staticLog.url, `${rfcLog.url}/`]));
  }, 30_000);
});
