import {
  type Context,
  context,
  createContextKey,
  type Link,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import type { DestinationKind } from "./destination.js";
import type { FetchLike } from "./http.js";

/** Most span links one batched SIEM request carries (one per further alert in the batch). */
export const MAX_BATCH_LINKS = 128;

const BATCH_LINKS = createContextKey("ctwatch.siem.batch-links");

/**
 * The trace context for one request that covers several alerts: the first
 * alert's context (the request's span becomes its child), carrying links to the
 * others' spans (at most {@link MAX_BATCH_LINKS}; contexts without a span are
 * skipped). Undefined when `contexts` is empty. Run the request inside it with
 * `context.with`; {@link tracedFetch} reads the links from the active context.
 */
export function batchTraceContext(contexts: readonly Context[]): Context | undefined {
  const [first, ...others] = contexts;
  if (!first) return undefined;
  const links: Link[] = [];
  for (const c of others) {
    if (links.length >= MAX_BATCH_LINKS) break;
    const sc = trace.getSpanContext(c);
    if (sc) links.push({ context: sc });
  }
  return links.length > 0 ? first.setValue(BATCH_LINKS, links) : first;
}

/** What a SIEM request span says about its destination. */
export interface SiemSpanInfo {
  readonly destinationKind: DestinationKind;
  /** The ctwatch tenant the destination belongs to, when known. */
  readonly tenantId?: string;
}

/**
 * Wraps `fetch` so that every SIEM request gets an OpenTelemetry CLIENT span
 * `<METHOD> <destination kind>`, child of the active context (and linked to the
 * other alerts of a batch, see {@link batchTraceContext}), with
 * `http.request.method`, `server.address`, `server.port`, `url.path`,
 * `http.response.status_code`, `ctwatch.destination.kind` and `ctwatch.tenant`.
 * Never the query string, headers or body: they can carry credentials (a SAS
 * token, an API key). A 4xx/5xx answer or a network failure marks the span as an
 * error. Without a registered tracer provider the spans are no-ops.
 */
export function tracedFetch(fetch: FetchLike, info: SiemSpanInfo): FetchLike {
  const tracer = trace.getTracer("ctwatch", "0.1.0");
  return async (input, init) => {
    const url = typeof input === "string" ? new URL(input) : input;
    const method = (init.method ?? "GET").toUpperCase();
    const active = context.active();
    const links = active.getValue(BATCH_LINKS) as Link[] | undefined;
    const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
    const span = tracer.startSpan(
      `${method} ${info.destinationKind}`,
      {
        kind: SpanKind.CLIENT,
        ...(links ? { links } : {}),
        attributes: {
          "http.request.method": method,
          "server.address": url.hostname,
          "server.port": port,
          "url.path": url.pathname,
          "ctwatch.destination.kind": info.destinationKind,
          ...(info.tenantId ? { "ctwatch.tenant": info.tenantId } : {}),
        },
      },
      active,
    );
    try {
      const response = await context.with(trace.setSpan(active, span), () => fetch(input, init));
      span.setAttribute("http.response.status_code", response.status);
      if (response.status >= 400) {
        span.setAttribute("error.type", String(response.status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      return response;
    } catch (error) {
      const name = error instanceof Error ? error.name : "Error";
      span.setAttribute("error.type", name);
      // The message of a network error names the host at most; never the headers.
      span.setStatus({ code: SpanStatusCode.ERROR, message: name });
      throw error;
    } finally {
      span.end();
    }
  };
}
