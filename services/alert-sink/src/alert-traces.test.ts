import { create } from "@bufbuild/protobuf";
import type { InRecord } from "@ctwatch/kafka";
import { type Alert, AlertSchema } from "@ctwatch/proto";
import { MetricsRegistry, silentLogger } from "@ctwatch/runtime";
import { createDestination, Deliverer, SecretBox, sealDestinationConfig } from "@ctwatch/siem";
import { SplunkHecReceiver } from "@ctwatch/siem-testkit";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { context, ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { AlertTraces } from "./alert-traces.js";
import { sinkHandler } from "./sink-handler.js";
import { TenantDelivery } from "./tenant-delivery.js";
import { MemoryAlertStore, MemoryParkedStore } from "./testing/memory-stores.js";
import { gatedAlertStore, gatedParkedStore, WriteGate } from "./write-gate.js";

const exporter = new InMemorySpanExporter();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(
  new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
);
const box = new SecretBox({ currentKeyId: "k1", keys: { k1: new Uint8Array(32).fill(4) } });
const TOKEN = "trace-test-token";

function alert(i: number): Alert {
  return create(AlertSchema, {
    alertId: `acme-${i}`,
    dedupKey: `25|h${i}.acme.example`,
    tenantId: "acme",
    eventId: 25,
    subjectDomain: `h${i}.acme.example`,
    detectedAtMs: BigInt(Date.now() - 1_500),
  });
}

describe("alert traces and delivery metrics through the sink handler", () => {
  let hec: SplunkHecReceiver;
  beforeAll(async () => {
    hec = await SplunkHecReceiver.start({ tokens: { [TOKEN]: {} } });
  });
  afterAll(async () => hec.close());

  it("continues each alert's trace: sink.alert under the producer, one POST per batch under the first alert", async () => {
    exporter.reset();
    const metrics = new MetricsRegistry();
    const traces = new AlertTraces();
    const gate = new WriteGate();
    const alerts = gatedAlertStore(new MemoryAlertStore(), gate);
    const parked = gatedParkedStore(new MemoryParkedStore(), gate);
    const deliverer = new Deliverer({
      logger: silentLogger,
      metrics,
      traceContextOf: (a) => traces.contextOf(a),
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    });
    const destination = createDestination(
      sealDestinationConfig({ kind: "splunk-hec", id: "acme-hec", url: hec.url, token: TOKEN }, box, {
        allowInsecureHttp: true,
      }),
      { secretBox: box, logger: silentLogger, allowInsecureHttp: true, tenantId: "acme" },
    );
    const delivery = new TenantDelivery({
      deliverer,
      alerts,
      parked,
      deadLetter: async () => {},
      encode: () => new Uint8Array(),
      logger: silentLogger,
      metrics,
    });
    const handle = sinkHandler({
      store: alerts,
      destinationsFor: async () => [destination],
      delivery,
      deadLetter: async () => {},
      encode: () => new Uint8Array(),
      traces,
      logger: silentLogger,
      metrics,
    });
    // Each record carries its own detector span as the producer context.
    const producers = Array.from({ length: 3 }, (_, i) => trace.getTracer("t").startSpan(`alert ${i}`));
    const records: InRecord<Alert>[] = producers.map((p, i) => ({
      value: alert(i),
      key: undefined,
      topic: "alerts",
      partition: 0,
      offset: String(i),
      headers: {},
      timestampMs: 0,
      traceContext: trace.setSpan(ROOT_CONTEXT, p),
    }));
    hec.injectFault(1, { kind: "reply", reply: { status: 503, body: { text: "busy", code: 9 } } });
    await handle(records, new AbortController().signal);

    const spans = exporter.getFinishedSpans();
    const sinkSpans = spans.filter((s) => s.name === "sink.alert");
    expect(sinkSpans).toHaveLength(3);
    sinkSpans.forEach((s, i) => {
      expect(s.parentSpanContext?.spanId).toBe(producers[i]?.spanContext().spanId);
      expect(s.attributes["ctwatch.alert_id"]).toBe(`acme-${i}`);
    });
    const requests = spans.filter((s) => s.kind === SpanKind.CLIENT);
    // One batch, retried once after the 503: two request spans, both under alert 0.
    expect(requests.map((s) => s.name)).toEqual(["POST splunk-hec", "POST splunk-hec"]);
    for (const r of requests) {
      expect(r.parentSpanContext?.spanId).toBe(sinkSpans[0]?.spanContext().spanId);
      expect(r.links.map((l) => l.context.spanId)).toEqual(
        sinkSpans.slice(1).map((s) => s.spanContext().spanId),
      );
      expect(r.attributes["url.path"]).toBe("/services/collector/event");
      expect(r.attributes["ctwatch.tenant"]).toBe("acme");
      expect(JSON.stringify(r.attributes)).not.toContain(TOKEN);
    }
    expect(requests.map((r) => r.attributes["http.response.status_code"])).toEqual([503, 200]);

    const text = metrics.render();
    expect(text).toContain(
      'ctwatch_sink_delivery_failures_total{kind="splunk-hec",status="503",code="server-busy"} 1',
    );
    expect(text).toMatch(/ctwatch_sink_delivery_latency_seconds_count\{kind="splunk-hec",mode="live"\} 3/);
    expect(text).toMatch(
      /ctwatch_sink_delivery_latency_seconds_bucket\{kind="splunk-hec",mode="live",le="1"\} 0/,
    );
    expect(text).toMatch(
      /ctwatch_sink_delivery_latency_seconds_bucket\{kind="splunk-hec",mode="live",le="2.5"\} 3/,
    );
  });
});

describe("WriteGate", () => {
  it("runs writes one at a time in call order and survives a failed one", async () => {
    const gate = new WriteGate();
    const log: string[] = [];
    let inFlight = 0;
    const write = (name: string, ms: number, fail = false) =>
      gate.run(async () => {
        inFlight++;
        expect(inFlight).toBe(1);
        log.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, ms));
        inFlight--;
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([write("a", 20), write("b", 1, true), write("c", 5)]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(log).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
  });
});
