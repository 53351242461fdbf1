/**
 * One trace per alert path: ct-tailer -> Kafka -> domain-detector -> Kafka ->
 * alert-sink -> SIEM request, exported over OTLP/HTTP (JSON) by the real
 * services to a strict OTLP receiver, with parent/child links across Kafka.
 */
import path from "node:path";
import { type StaticCtTestLog, startStaticCtTestLog } from "@ctwatch/ct-testlog";
import { SplunkHecReceiver } from "@ctwatch/siem-testkit";
import { connectDatabase, type Database, MongoWatchlistStore } from "@ctwatch/store";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { repoRoot } from "../harness/infra.js";
import { deleteTopics, eventually, infraEnv, uniqueId } from "../harness/names.js";
import { OtlpReceiver, type ReceivedSpan } from "../harness/otlp-receiver.js";
import { addSplunkDestination, pipelineEnv, sinkEnv, tailerEnv } from "../harness/pipeline.js";
import { type RunningService, spawnService } from "../harness/services.js";

describe("OpenTelemetry across every hop", () => {
  let log: StaticCtTestLog;
  let hec: SplunkHecReceiver;
  let otlp: OtlpReceiver;
  let db: Database;
  const services: RunningService[] = [];
  const prefix = uniqueId("otel");

  beforeAll(async () => {
    const infra = infraEnv();
    otlp = await new OtlpReceiver().start();
    log = await startStaticCtTestLog({ dir: path.join(repoRoot, "test/fixtures/ct/navigli2025h2") });
    hec = await SplunkHecReceiver.start({ tokens: { "otel-token": {} } });
    db = await connectDatabase({ uri: infra.mongoUri, dbName: prefix });
    const watch = new MongoWatchlistStore(db.db);
    await watch.init();
    await watch.add("acme", "owned-domain", "gamen.net");
    await addSplunkDestination(db, {
      tenantId: "acme",
      id: `${prefix}-hec`,
      url: hec.url,
      token: "otel-token",
    });
    const common = {
      ...pipelineEnv(infra, prefix, prefix),
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_METRICS_EXPORTER: "otlp",
      OTEL_METRIC_EXPORT_INTERVAL: "1000",
      OTEL_BSP_SCHEDULE_DELAY: "200",
    };
    services.push(spawnService("alert-sink", { ...common, ...sinkEnv() }));
    services.push(spawnService("domain-detector", { ...common, CTWATCH_WATCHLIST_REFRESH_MS: "500" }));
    services.push(spawnService("ct-tailer", { ...common, ...tailerEnv(log) }));
  });

  afterAll(async () => {
    for (const s of services.reverse()) await s.stop();
    await hec?.close();
    await log?.stop();
    await otlp?.stop();
    await db?.db.dropDatabase().catch(() => {});
    await db?.close();
    await deleteTopics(infraEnv().kafkaBrokers, prefix);
  });

  it("links tailer, detector, sink and the SIEM request in one trace", async () => {
    await eventually(async () => (hec.events.length > 0 ? true : undefined), 90_000, "an alert at the SIEM");
    // Stop the services so their exporters flush everything.
    for (const s of [...services].reverse()) expect(await s.stop()).toBe(0);
    const siemSpan = await eventually(
      async () =>
        otlp.spans.find(
          (s) => s.service === "ctwatch-alert-sink" && s.kind === 3 && /POST|siem/i.test(s.name),
        ),
      30_000,
      "the SIEM request span",
    );
    const chain: ReceivedSpan[] = [siemSpan, ...otlp.ancestors(siemSpan)];
    const services_ = chain.map((s) => s.service);
    // The chain crosses both Kafka hops back to the tailer's publish span.
    expect(services_).toContain("ctwatch-alert-sink");
    expect(services_).toContain("ctwatch-domain-detector");
    expect(services_).toContain("ctwatch-ct-tailer");
    // The detector's per-alert span sits between the entry and the sink.
    expect(chain.some((s) => s.service === "ctwatch-domain-detector" && s.name === "alert 25")).toBe(true);
    expect(new Set(chain.map((s) => s.traceId)).size).toBe(1);
    const publishEntries = chain.find(
      (s) => s.service === "ctwatch-ct-tailer" && s.name.startsWith("publish "),
    );
    expect(publishEntries?.name).toBe(`publish ${prefix}.ct-entries.v1`);
    // The trace starts at the tailer's round and passes through the sink's per-alert span.
    expect(chain[chain.length - 1]?.name).toBe("ct.round");
    expect(chain.some((s) => s.service === "ctwatch-alert-sink" && s.name === "sink.alert")).toBe(true);
    // MongoDB commands are traced too, and metrics went out over OTLP.
    expect(otlp.spans.some((s) => s.name.startsWith("mongodb.") && s.service === "ctwatch-alert-sink")).toBe(
      true,
    );
    expect(otlp.metricsRequests).toBeGreaterThan(0);
  });
});
