// Tracing of a tailing round: one root span per round, parent of its downloads and Kafka sends.
import { ctLogKey } from "@ctwatch/ct";
import { HttpFetcher, IssuerCache, StaticCtClient } from "@ctwatch/ct-client";
import { startGeneratedTestLog } from "@ctwatch/ct-testlog";
import { protoCodec, topicNames } from "@ctwatch/kafka";
import { CertificateEntrySchema } from "@ctwatch/proto";
import { MetricsRegistry, silentLogger } from "@ctwatch/runtime";
import { describe, expect, it } from "@jest/globals";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { LogTailer } from "./log-tailer.js";
import { StaticLogSource } from "./static-log-source.js";
import { MemoryCheckpointStore, MemoryProducer, MemoryReporter, until } from "./testing/fakes.js";

const exporter = new InMemorySpanExporter();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(
  new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
);

/** Records the span active at each send (the Kafka producer parents its PRODUCER span on it). */
class TracingProducer extends MemoryProducer {
  readonly activeSpanIds: Array<string | undefined> = [];
  override async send(topic: string, records: Parameters<MemoryProducer["send"]>[1]): Promise<void> {
    this.activeSpanIds.push(trace.getActiveSpan()?.spanContext().spanId);
    await super.send(topic, records);
  }
}

describe("LogTailer tracing", () => {
  it("makes each round with work a root span `ct.round` over its downloads and sends; idle polls make none", async () => {
    const log = await startGeneratedTestLog({ size: 600 });
    const metrics = new MetricsRegistry();
    const http = new HttpFetcher({ logLabel: log.url, metrics, requestsPerSecond: 1000 });
    const key = ctLogKey(log.publicKeyDer);
    const source = new StaticLogSource(
      { url: log.url, key, origin: log.origin, partialTileMinAgeMs: 0, tilesPerBatch: 1 },
      {
        client: new StaticCtClient(log.url, http),
        issuers: new IssuerCache(),
        logger: silentLogger,
        metrics,
      },
    );
    const producer = new TracingProducer();
    const tailer = new LogTailer(
      {
        checkpointKey: "k",
        logId: key.logId,
        url: log.url,
        name: "traced",
        start: { kind: "index", index: 0 },
        pollIntervalMs: 20,
      },
      {
        source,
        producer,
        topics: topicNames("t"),
        codec: protoCodec(CertificateEntrySchema),
        checkpoints: new MemoryCheckpointStore(),
        reporter: new MemoryReporter(),
        logger: silentLogger,
        metrics,
      },
    );
    const ac = new AbortController();
    const done = tailer.run(ac.signal);
    try {
      await until(() => tailer.status().nextIndex === 600, 10_000, "600 entries");
      const spansAfterRound = exporter.getFinishedSpans().length;
      await new Promise((r) => setTimeout(r, 200)); // ~10 idle polls
      expect(exporter.getFinishedSpans()).toHaveLength(spansAfterRound);

      const spans = exporter.getFinishedSpans();
      const rounds = spans.filter((s) => s.name === "ct.round");
      expect(rounds.length).toBeGreaterThanOrEqual(1);
      const round = rounds[0]!;
      expect(round.parentSpanContext).toBeUndefined();
      expect(round.attributes).toMatchObject({
        "ct.log.url": new URL(log.url).href,
        "ct.log.id": Buffer.from(key.logId).toString("base64"),
        "ct.round.start_index": 0,
        "ct.tree_size": 600,
      });
      expect(rounds.at(-1)!.attributes["ct.round.end_index"]).toBe(600);
      const roundIds = new Set(rounds.map((r) => r.spanContext().spanId));
      // Every Kafka send ran inside a round span.
      expect(producer.activeSpanIds.length).toBeGreaterThan(0);
      for (const id of producer.activeSpanIds) expect(roundIds.has(id ?? "")).toBe(true);
      // Data tiles were fetched in CLIENT spans under the round, with the HTTP attributes.
      const gets = spans.filter((s) => s.name === "GET" && roundIds.has(s.parentSpanContext?.spanId ?? ""));
      const tile = gets.find((s) => String(s.attributes["url.full"]).includes("/tile/data/"));
      expect(tile?.attributes).toMatchObject({
        "http.request.method": "GET",
        "http.response.status_code": 200,
        "server.address": "127.0.0.1",
      });
    } finally {
      ac.abort(new Error("test over"));
      await done;
      await log.stop();
    }
  });
});
