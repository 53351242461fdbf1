import { create, toBinary } from "@bufbuild/protobuf";
import {
  extractTraceContext,
  type InRecord,
  injectTraceHeaders,
  type OutRecord,
  type TypedProducer,
} from "@ctwatch/kafka";
import {
  type Alert,
  AlertSchema,
  type CertificateEntry,
  CertificateEntrySchema,
  CertificateRefSchema,
  CertificateSchema,
} from "@ctwatch/proto";
import { withSpan } from "@ctwatch/telemetry";
import { describe, expect, it } from "@jest/globals";
import { context, propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { alertKey, alertPublisher, withEntrySources } from "./alert-publisher.js";

const exporter = new InMemorySpanExporter();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(
  new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
);

function recorder(): TypedProducer & { sent: OutRecord[] } {
  const sent: OutRecord[] = [];
  return {
    name: "recorder",
    sent,
    async send(_topic, records) {
      sent.push(...records);
    },
    async stop() {},
  };
}

/** An entry record whose headers carry the trace of a tailer-side "publish" span. */
async function entryRecord(sha: number): Promise<{ record: InRecord<CertificateEntry>; traceId: string }> {
  const headers: Record<string, string> = {};
  const traceId = await withSpan("publish entries", {}, async (span) => {
    injectTraceHeaders(headers);
    return span.spanContext().traceId;
  });
  const value = create(CertificateEntrySchema, {
    certificate: create(CertificateSchema, { sha256: new Uint8Array(32).fill(sha) }),
  });
  return {
    traceId,
    record: {
      value,
      key: undefined,
      topic: "entries",
      partition: 0,
      offset: String(sha),
      headers,
      timestampMs: 0,
      traceContext: extractTraceContext(headers),
    },
  };
}

function alertFor(sha: number, id: string): Alert {
  return create(AlertSchema, {
    alertId: id,
    tenantId: "acme",
    dedupKey: `25|${id}.example`,
    eventId: 25,
    detector: "new-subdomain/1",
    certificate: create(CertificateRefSchema, { sha256: new Uint8Array(32).fill(sha) }),
  });
}

describe("alertPublisher", () => {
  it("continues each alert's own source entry trace and puts it in the record's traceparent", async () => {
    exporter.reset();
    const a = await entryRecord(1);
    const b = await entryRecord(2);
    expect(a.traceId).not.toBe(b.traceId);
    const producer = recorder();
    const publish = alertPublisher(producer, "alerts", (x) => toBinary(AlertSchema, x));
    const handle = withEntrySources(async (_records: readonly InRecord<CertificateEntry>[]) => {
      await publish([alertFor(2, "second"), alertFor(1, "first"), alertFor(9, "orphan")]);
    });
    await handle([a.record, b.record]);

    expect(producer.sent.map((r) => r.key)).toEqual([
      "acme/25|second.example",
      "acme/25|first.example",
      "acme/25|orphan.example",
    ]);
    const traceOf = (r: OutRecord) => r.headers?.traceparent?.split("-")[1];
    expect(traceOf(producer.sent[0] as OutRecord)).toBe(b.traceId);
    expect(traceOf(producer.sent[1] as OutRecord)).toBe(a.traceId);
    // No source entry: a trace of its own, not one of the entries'.
    const orphan = traceOf(producer.sent[2] as OutRecord);
    expect(orphan).toMatch(/^[0-9a-f]{32}$/);
    expect([a.traceId, b.traceId]).not.toContain(orphan);

    const spans = exporter.getFinishedSpans().filter((s) => s.name === "alert 25");
    expect(spans).toHaveLength(3);
    const first = spans.find((s) => s.attributes["ctwatch.alert_id"] === "first");
    const publishA = exporter
      .getFinishedSpans()
      .find((s) => s.name === "publish entries" && s.spanContext().traceId === a.traceId);
    expect(first?.parentSpanContext?.spanId).toBe(publishA?.spanContext().spanId);
    // The record's traceparent names the alert span itself.
    expect(producer.sent[1]?.headers?.traceparent?.split("-")[2]).toBe(first?.spanContext().spanId);
  });

  it("keys alerts by tenant and dedup key", () => {
    expect(alertKey(alertFor(1, "x"))).toBe("acme/25|x.example");
  });

  it("ends the spans and rejects when Kafka does not acknowledge", async () => {
    exporter.reset();
    const failing: TypedProducer = {
      name: "failing",
      async send() {
        throw new Error("not acknowledged");
      },
      async stop() {},
    };
    const publish = alertPublisher(failing, "alerts", (x) => toBinary(AlertSchema, x));
    await expect(context.with(ROOT_CONTEXT, () => publish([alertFor(1, "lost")]))).rejects.toThrow(
      "not acknowledged",
    );
    expect(exporter.getFinishedSpans().filter((s) => s.name === "alert 25")).toHaveLength(1);
  });
});
