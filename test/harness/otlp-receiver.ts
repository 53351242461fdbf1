import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A span as received over OTLP/HTTP (JSON encoding), flattened. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  links: Array<{ traceId: string; spanId: string }>;
  attributes: Record<string, unknown>;
}

interface OtlpJsonValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpJsonAttr {
  key: string;
  value: OtlpJsonValue;
}
interface OtlpJsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  links?: Array<{ traceId: string; spanId: string }>;
  attributes?: OtlpJsonAttr[];
}
interface OtlpJsonTraces {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpJsonAttr[] };
    scopeSpans?: Array<{ spans?: OtlpJsonSpan[] }>;
  }>;
}

function attrValue(v: OtlpJsonValue): unknown {
  return (
    v.stringValue ??
    (v.intValue !== undefined ? Number(v.intValue) : undefined) ??
    v.boolValue ??
    v.doubleValue
  );
}

/**
 * A strict OTLP/HTTP receiver for tests: accepts `POST /v1/traces` and
 * `/v1/metrics` with `Content-Type: application/json` (the OTLP JSON encoding,
 * `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`), rejects anything else with 415/404,
 * and keeps the spans it received. Bodies are bounded to 16 MiB.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  metricsRequests = 0;
  private server: Server | undefined;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size > 16 << 20) req.destroy();
        else chunks.push(c);
      });
      req.on("end", () => {
        if (req.method !== "POST" || (req.url !== "/v1/traces" && req.url !== "/v1/metrics")) {
          res.writeHead(404).end();
          return;
        }
        if (!(req.headers["content-type"] ?? "").startsWith("application/json")) {
          res.writeHead(415).end();
          return;
        }
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as OtlpJsonTraces;
          if (req.url === "/v1/metrics") this.metricsRequests++;
          else this.collect(body);
          res.writeHead(200, { "content-type": "application/json" }).end("{}");
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private collect(body: OtlpJsonTraces): void {
    for (const rs of body.resourceSpans ?? []) {
      const service = String(
        attrValue(rs.resource?.attributes?.find((a) => a.key === "service.name")?.value ?? {}) ?? "",
      );
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          const attributes: Record<string, unknown> = {};
          for (const a of s.attributes ?? []) attributes[a.key] = attrValue(a.value);
          this.spans.push({
            service,
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId ?? "",
            name: s.name,
            kind: s.kind ?? 0,
            links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
            attributes,
          });
        }
      }
    }
  }

  /** The chain of ancestors of `span` (nearest first) among received spans. */
  ancestors(span: ReceivedSpan): ReceivedSpan[] {
    const byId = new Map(this.spans.map((s) => [s.spanId, s]));
    const out: ReceivedSpan[] = [];
    let cur = byId.get(span.parentSpanId);
    while (cur && out.length < 100) {
      out.push(cur);
      cur = byId.get(cur.parentSpanId);
    }
    return out;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) resolve();
      else this.server.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }
}
