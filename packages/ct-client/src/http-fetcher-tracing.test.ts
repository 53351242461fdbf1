// CLIENT spans of HttpFetcher (separate file: it installs a global tracer provider).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MetricsRegistry } from "@ctwatch/runtime";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { context, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { HttpFetcher, spanSafeUrl } from "./http-fetcher.js";

const exporter = new InMemorySpanExporter();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(
  new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
);
const tracer = trace.getTracer("test");

let server: Server;
let base = "";
let failures = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith("/flaky") && failures-- > 0) {
      res.writeHead(503, { "retry-after": "0" }).end();
      return;
    }
    if (req.url?.startsWith("/missing")) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end("ok");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const fetcher = () =>
  new HttpFetcher({
    logLabel: "log",
    metrics: new MetricsRegistry(),
    requestsPerSecond: 1000,
    maxAttempts: 1,
  });
const inSpan = <T>(fn: () => Promise<T>) =>
  tracer.startActiveSpan("round", (s) => fn().finally(() => s.end()));

describe("HttpFetcher tracing", () => {
  it("makes one CLIENT span per attempt under the active span, with status and resend count", async () => {
    exporter.reset();
    failures = 2;
    await inSpan(() => fetcher().get(`${base}/flaky?start=0&end=9`));
    const spans = exporter.getFinishedSpans();
    const round = spans.find((s) => s.name === "round")!;
    const gets = spans.filter((s) => s.name === "GET");
    expect(gets).toHaveLength(3);
    for (const g of gets) {
      expect(g.kind).toBe(2); // CLIENT
      expect(g.parentSpanContext?.spanId).toBe(round.spanContext().spanId);
      expect(g.attributes["url.full"]).toBe(`${base}/flaky?start=0&end=9`);
      expect(g.attributes["server.address"]).toBe("127.0.0.1");
    }
    expect(gets.map((g) => g.attributes["http.response.status_code"])).toEqual([503, 503, 200]);
    expect(gets.map((g) => g.attributes["http.request.resend_count"])).toEqual([undefined, 1, 2]);
    expect(gets[0]!.status.code).toBe(2); // ERROR
  });

  it("records errors and makes no span without a parent", async () => {
    exporter.reset();
    await expect(inSpan(() => fetcher().get(`${base}/missing`))).rejects.toMatchObject({ kind: "not-found" });
    const get = exporter.getFinishedSpans().find((s) => s.name === "GET");
    expect(get?.attributes).toMatchObject({ "http.response.status_code": 404, "error.type": "404" });
    exporter.reset();
    await context.with(ROOT_CONTEXT, () => fetcher().get(`${base}/ok`));
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it.each([
    [
      "https://ct.example/log/ct/v1/get-entries?start=1&end=2",
      "https://ct.example/log/ct/v1/get-entries?start=1&end=2",
    ],
    ["https://user:pw@ct.example/tile/data/x001/002", "https://ct.example/tile/data/x001/002"],
    ["https://ct.example/log/checkpoint?key=secret", "https://ct.example/log/checkpoint"],
    ["https://ct.example/ct/v1/get-entries?start=1&token=s", "https://ct.example/ct/v1/get-entries"],
  ])("records %s as %s", (url, recorded) => {
    expect(spanSafeUrl(new URL(url))).toBe(recorded);
  });
});
