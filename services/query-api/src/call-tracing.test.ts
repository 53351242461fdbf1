// SERVER spans of the API's call guard and the client's traceparent injection, over a real
// loopback gRPC connection (separate file: it installs a global tracer provider and propagator).
import { createHash } from "node:crypto";
import { ApiError, hashTokenSecret, OperatorCredential, TokenBucketLimiter } from "@ctwatch/api";
import { ApiCallError, createApiClient } from "@ctwatch/api-client";
import { TenantService } from "@ctwatch/proto";
import { MetricsRegistry, silentLogger } from "@ctwatch/runtime";
import type { ApiTokenRecord, ApiTokenStore, TenantRegistry, TenantSettings } from "@ctwatch/store";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { context, propagation, SpanKind, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { Authenticator } from "./authenticator.js";
import { bindService, type MethodsOf, type ServiceImpl } from "./bind-service.js";

const exporter = new InMemorySpanExporter();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(
  new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
);

const OPERATOR = `ctw_${"o".repeat(43)}`;
const TENANT_TOKEN = `ctw_${"t".repeat(43)}`;

const token: ApiTokenRecord = {
  tokenId: "tok_0123456789abcdef",
  tenantId: "acme",
  name: "t",
  secretSha256: hashTokenSecret(TENANT_TOKEN),
  scopes: ["read"],
  createdAtMs: 1,
  createdBy: "operator",
};
const tenant = {
  tenantId: "acme",
  name: "Acme",
  administrators: [],
  disabled: false,
} as unknown as TenantSettings;
// Only the lookups the authenticator makes.
const tokens = { findBySecretSha256: async (h: string) => (h === token.secretSha256 ? token : undefined) };
const tenants = { get: async (id: string) => (id === "acme" ? tenant : undefined) };

/** The span active while the handler ran, per call. */
const handlerSpanIds: string[] = [];

function impl(): ServiceImpl<MethodsOf<typeof TenantService>> {
  const out: Record<string, unknown> = {};
  for (const m of TenantService.methods)
    out[m.localName] = async () => {
      throw new ApiError("internal", "not part of this test");
    };
  out.whoAmI = async () => {
    handlerSpanIds.push(trace.getActiveSpan()?.spanContext().spanId ?? "");
    return { operator: true };
  };
  return out as ServiceImpl<MethodsOf<typeof TenantService>>;
}

let server: Server;
let url = "";
beforeAll(async () => {
  server = new Server();
  const metrics = new MetricsRegistry();
  bindService(server, TenantService, impl(), {
    authenticator: new Authenticator(
      tokens as unknown as ApiTokenStore,
      tenants as unknown as TenantRegistry,
      new OperatorCredential(createHash("sha256").update(OPERATOR).digest("hex")),
      1000,
    ),
    limiter: new TokenBucketLimiter({ requestsPerSecond: 1000, burst: 1000 }),
    logger: silentLogger,
    requests: metrics.counter("requests", "r"),
    durationMs: metrics.counter("duration", "d"),
    stopping: new AbortController().signal,
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  url = `grpc://127.0.0.1:${port}`;
});
afterAll(() => {
  server.forceShutdown();
});

describe("API call tracing", () => {
  it("makes a SERVER span per call, child of the caller's span, with RPC attributes and the tenant", async () => {
    exporter.reset();
    handlerSpanIds.length = 0;
    const client = createApiClient({ url, token: TENANT_TOKEN });
    try {
      const tracer = trace.getTracer("test");
      await tracer.startActiveSpan("caller", async (caller) => {
        await client.tenants.whoAmI({});
        caller.end();
      });
    } finally {
      client.close();
    }
    const spans = exporter.getFinishedSpans();
    const caller = spans.find((s) => s.name === "caller");
    const server = spans.find((s) => s.name === "ctwatch.api.v1.TenantService/WhoAmI");
    expect(server?.kind).toBe(SpanKind.SERVER);
    expect(server?.spanContext().traceId).toBe(caller?.spanContext().traceId);
    expect(server?.parentSpanContext?.spanId).toBe(caller?.spanContext().spanId);
    expect(server?.attributes).toEqual({
      "rpc.system": "grpc",
      "rpc.service": "ctwatch.api.v1.TenantService",
      "rpc.method": "WhoAmI",
      "rpc.grpc.status_code": 0,
      "ctwatch.tenant": "acme",
    });
    // The handler (and the store calls it makes) runs inside the SERVER span.
    expect(handlerSpanIds).toEqual([server?.spanContext().spanId]);
    // The token never reaches the span.
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain(TENANT_TOKEN.slice(4));
  });

  it("starts a new trace without a traceparent, and records refusals and server faults", async () => {
    exporter.reset();
    const anonymous = createApiClient({ url, token: `ctw_${"x".repeat(43)}` });
    const operator = createApiClient({ url, token: OPERATOR });
    try {
      await expect(anonymous.tenants.whoAmI({})).rejects.toBeInstanceOf(ApiCallError);
      await expect(operator.tenants.listTenants({})).rejects.toMatchObject({ codeName: "INTERNAL" });
    } finally {
      anonymous.close();
      operator.close();
    }
    const spans = exporter.getFinishedSpans();
    const refused = spans.find((s) => s.name.endsWith("/WhoAmI"));
    const fault = spans.find((s) => s.name.endsWith("/ListTenants"));
    expect(refused?.parentSpanContext).toBeUndefined();
    expect(refused?.attributes["rpc.grpc.status_code"]).toBe(16);
    expect(refused?.attributes["ctwatch.tenant"]).toBeUndefined();
    expect(refused?.status.code).toBe(0); // the caller's error, not the server's: status unset
    expect(fault?.attributes["rpc.grpc.status_code"]).toBe(13);
    expect(fault?.status.code).toBe(2); // ERROR
  });
});
