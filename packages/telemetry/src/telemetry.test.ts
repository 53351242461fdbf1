import { extractTraceContext, injectTraceHeaders } from "@ctwatch/kafka";
import { MetricsRegistry, silentLogger } from "@ctwatch/runtime";
import { describe, expect, it } from "@jest/globals";
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { TeeMetrics } from "./otel-metrics.js";
import { startTelemetry, traceFields, withSpan } from "./telemetry.js";

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(provider);

describe("trace propagation through Kafka headers", () => {
  it("continues the producer's trace in the consumer as a child span", async () => {
    exporter.reset();
    const headers: Record<string, string> = {};
    await withSpan("publish", {}, async () => {
      injectTraceHeaders(headers);
    });
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await withSpan("detect", {}, async () => {}, { parent: extractTraceContext(headers) });
    const [publish, detect] = exporter.getFinishedSpans();
    expect(detect?.spanContext().traceId).toBe(publish?.spanContext().traceId);
    expect(detect?.parentSpanContext?.spanId).toBe(publish?.spanContext().spanId);
  });

  it("keeps a record's own trace context and records failures", async () => {
    exporter.reset();
    const own = { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
    await withSpan("x", {}, async () => {
      expect(injectTraceHeaders({ ...own }).traceparent).toBe(own.traceparent);
    });
    await expect(
      withSpan("fails", {}, async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const failed = exporter.getFinishedSpans().find((s) => s.name === "fails");
    expect(failed?.status.code).toBe(2);
  });

  it("puts trace and span IDs into log fields inside a span", async () => {
    expect(traceFields()).toEqual({});
    await withSpan("logged", {}, async (span) => {
      expect(traceFields()).toEqual({
        trace_id: span.spanContext().traceId,
        span_id: span.spanContext().spanId,
      });
    });
  });
});

describe("startTelemetry", () => {
  it("stays off without an exporter configured, or when disabled", async () => {
    expect(startTelemetry({ serviceName: "t", env: {}, logger: silentLogger }).enabled).toBe(false);
    const off = startTelemetry({
      serviceName: "t",
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:1", OTEL_SDK_DISABLED: "true" },
      logger: silentLogger,
    });
    expect(off.enabled).toBe(false);
    await off.stop();
  });
});

describe("TeeMetrics", () => {
  it("feeds the Prometheus registry", () => {
    const reg = new MetricsRegistry();
    const m = new TeeMetrics(reg);
    m.counter("ctwatch_x_total", "x").inc({ a: "1" }, 2);
    m.gauge("ctwatch_g", "g").set(5);
    expect(reg.value("ctwatch_x_total", { a: "1" })).toBe(2);
    expect(reg.render()).toContain("ctwatch_g 5");
  });
});
