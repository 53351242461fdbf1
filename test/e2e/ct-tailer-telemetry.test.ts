/**
 * The ct-tailer process exports its traces over OTLP: each tailing round with work is a root span
 * `ct.round` (log ID, URL, start and end index), parent of its CLIENT spans to the log and of the
 * Kafka PRODUCER spans `publish <prefix>.ct-entries.v1` (whose context rides in every entry's
 * `traceparent`). Idle tree-head polls make no spans. Real process, real Kafka and MongoDB-wire.
 */
import { type GeneratedTestLog, startGeneratedTestLog } from "@ctwatch/ct-testlog";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { deleteTopics, eventually, infraEnv, uniqueId } from "../harness/names.js";
import { OtlpReceiver } from "../harness/otlp-receiver.js";
import { type RunningService, spawnService } from "../harness/services.js";

describe("ct-tailer telemetry", () => {
  const infra = infraEnv();
  const prefix = uniqueId("ctotel");
  let log: GeneratedTestLog;
  let otlp: OtlpReceiver;
  let tailer: RunningService | undefined;

  beforeAll(async () => {
    log = await startGeneratedTestLog({ size: 700 });
    otlp = await new OtlpReceiver().start();
  });

  afterAll(async () => {
    await tailer?.stop(5_000);
    await log?.stop();
    await otlp?.stop();
    await deleteTopics(infra.kafkaBrokers, prefix);
  });

  it("traces each round as a root span over its downloads and Kafka sends", async () => {
    tailer = spawnService("ct-tailer", {
      KAFKA_BROKERS: infra.kafkaBrokers.join(","),
      MONGODB_URI: infra.mongoUri,
      MONGODB_DB: prefix,
      CTWATCH_TOPIC_PREFIX: prefix,
      CTWATCH_ENTRIES_PARTITIONS: "2",
      CTWATCH_LOG_URL: log.url,
      CTWATCH_LOG_KEY: Buffer.from(log.publicKeyDer).toString("base64"),
      CTWATCH_LOG_ORIGIN: log.origin,
      CTWATCH_PARTIAL_TILE_MIN_AGE_MS: "0",
      CTWATCH_POLL_INTERVAL_MS: "100",
      CTWATCH_LOG_LEVEL: "warn",
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "200",
    });
    const proc = tailer;
    await eventually(
      async () =>
        otlp.spans.some((s) => s.name === "ct.round" && s.attributes["ct.round.end_index"] === 700)
          ? true
          : undefined,
      60_000,
      "a round ending at 700",
    ).catch((err) => {
      throw new Error(`${(err as Error).message}\n${proc.stderr().slice(-3000)}`);
    });
    // Idle for a while (polls every 100 ms), then stop so the exporter flushes.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await proc.stop()).toBe(0);

    const mine = otlp.spans.filter((s) => s.service === "ctwatch-ct-tailer");
    const rounds = mine.filter((s) => s.name === "ct.round");
    expect(rounds.length).toBeGreaterThanOrEqual(1);
    for (const r of rounds) {
      expect(r.parentSpanId).toBeFalsy();
      expect(r.attributes["ct.log.url"]).toBe(new URL(log.url).href);
      expect(typeof r.attributes["ct.log.id"]).toBe("string");
      expect(typeof r.attributes["ct.round.start_index"]).toBe("number");
    }
    const roundIds = new Set(rounds.map((r) => r.spanId));
    const publishes = mine.filter((s) => s.name === `publish ${prefix}.ct-entries.v1`);
    expect(publishes.length).toBeGreaterThan(0);
    for (const p of publishes) expect(roundIds.has(p.parentSpanId)).toBe(true);
    const gets = mine.filter((s) => s.name === "GET");
    expect(gets.some((g) => String(g.attributes["url.full"]).includes("/tile/data/"))).toBe(true);
    for (const g of gets) {
      expect(roundIds.has(g.parentSpanId)).toBe(true);
      expect(g.attributes["http.request.method"]).toBe("GET");
    }
    // Idle polls (about ten after the last round) made no traces of their own; the checkpoint
    // saves of a round are its children (the start-up load and first save are roots).
    expect(mine.filter((s) => !s.parentSpanId && s.name === "GET")).toHaveLength(0);
    expect(mine.some((s) => s.name === "mongodb.update" && roundIds.has(s.parentSpanId))).toBe(true);
  });
});
