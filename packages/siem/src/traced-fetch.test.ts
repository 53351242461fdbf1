import { describe, expect, it } from "@jest/globals";
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { batchTraceContext, MAX_BATCH_LINKS, tracedFetch } from "./traced-fetch.js";

const exporter = new InMemorySpanExporter();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(
  new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
);
const tracer = trace.getTracer("test");

const answer = (status: number) => async () => new Response("{}", { status });

describe("tracedFetch", () => {
  it("records a CLIENT span without query string or headers, as a child of the active span", async () => {
    exporter.reset();
    const fetch = tracedFetch(answer(200), { destinationKind: "sentinel-data-collector", tenantId: "acme" });
    const parent = tracer.startSpan("sink.alert");
    await context.with(trace.setSpan(ROOT_CONTEXT, parent), () =>
      fetch("https://ws.ods.opinsights.azure.com:8443/api/logs?api-version=2016-04-01&sig=SECRET", {
        method: "post",
        headers: { authorization: "SharedKey ws:SECRET" },
      }),
    );
    parent.end();
    const span = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CLIENT);
    expect(span?.name).toBe("POST sentinel-data-collector");
    expect(span?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(span?.attributes).toEqual({
      "http.request.method": "POST",
      "server.address": "ws.ods.opinsights.azure.com",
      "server.port": 8443,
      "url.path": "/api/logs",
      "http.response.status_code": 200,
      "ctwatch.destination.kind": "sentinel-data-collector",
      "ctwatch.tenant": "acme",
    });
    expect(JSON.stringify(span?.attributes)).not.toContain("SECRET");
  });

  it("marks 4xx/5xx answers and network failures as errors", async () => {
    exporter.reset();
    await tracedFetch(answer(503), { destinationKind: "splunk-hec" })("https://hec.example/x", {
      method: "POST",
    });
    const failing = tracedFetch(
      async () => {
        throw new TypeError("fetch failed");
      },
      { destinationKind: "cloudwatch-logs" },
    );
    await expect(failing("https://logs.example/", { method: "POST" })).rejects.toThrow("fetch failed");
    const [busy, broken] = exporter.getFinishedSpans();
    expect(busy?.status.code).toBe(SpanStatusCode.ERROR);
    expect(busy?.attributes["error.type"]).toBe("503");
    expect(broken?.status.code).toBe(SpanStatusCode.ERROR);
    expect(broken?.attributes["error.type"]).toBe("TypeError");
    expect(broken?.attributes["http.response.status_code"]).toBeUndefined();
  });

  it("parents a batch on its first alert and links the others, at most MAX_BATCH_LINKS", async () => {
    exporter.reset();
    const alertSpans = Array.from({ length: MAX_BATCH_LINKS + 10 }, (_, i) => tracer.startSpan(`alert ${i}`));
    const contexts = alertSpans.map((s) => trace.setSpan(ROOT_CONTEXT, s));
    const batch = batchTraceContext(contexts);
    expect(batch).toBeDefined();
    await context.with(batch ?? ROOT_CONTEXT, () =>
      tracedFetch(answer(200), { destinationKind: "splunk-hec" })(
        "https://hec.example/services/collector/event",
        {
          method: "POST",
        },
      ),
    );
    const span = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CLIENT);
    expect(span?.parentSpanContext?.spanId).toBe(alertSpans[0]?.spanContext().spanId);
    expect(span?.links).toHaveLength(MAX_BATCH_LINKS);
    expect(span?.links[0]?.context.spanId).toBe(alertSpans[1]?.spanContext().spanId);
    expect(batchTraceContext([])).toBeUndefined();
  });
});
