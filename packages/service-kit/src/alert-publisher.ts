import type { InRecord, TypedProducer } from "@ctwatch/kafka";
import { injectTraceHeaders } from "@ctwatch/kafka";
import type { Alert, CertificateEntry } from "@ctwatch/proto";
import { ctwatchTracer } from "@ctwatch/telemetry";
import { type Context, context, createContextKey, type Span, SpanKind, trace } from "@opentelemetry/api";

const SOURCES = createContextKey("ctwatch.alert-sources");

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

/**
 * Wraps a detector's batch handler so that alerts it publishes (through
 * `alertPublisher`) continue the trace of the certificate entry they came from:
 * the entries' trace contexts, keyed by certificate SHA-256, ride in the active
 * OpenTelemetry context for the duration of `handle`. Without a context manager
 * (telemetry off) this is a plain call.
 */
export function withEntrySources<R extends InRecord<CertificateEntry>>(
  handle: (records: readonly R[]) => Promise<void>,
): (records: readonly R[]) => Promise<void> {
  return (records) => {
    const sources = new Map<string, Context>();
    for (const r of records) {
      // Only traced records matter: with telemetry off this loop does no hashing.
      if (!trace.getSpanContext(r.traceContext)) continue;
      const sha = r.value.certificate?.sha256;
      if (sha && sha.length > 0) {
        const k = hex(sha);
        if (!sources.has(k)) sources.set(k, r.traceContext);
      }
    }
    return context.with(context.active().setValue(SOURCES, sources), () => handle(records));
  };
}

/** Kafka key of an alert: tenant and dedup key, so one condition stays on one partition. */
export function alertKey(a: Alert): string {
  return `${a.tenantId}/${a.dedupKey}`;
}

/**
 * Returns `publish(alerts)`: sends the alerts to `topic` keyed by `alertKey`
 * and resolves when Kafka acknowledged all of them. Each alert gets its own span
 * `alert <eventId>` whose parent is the trace of its source entry (see
 * `withEntrySources`; else the active context), and its record's `traceparent`
 * header is that span, so the sink and the SIEM request continue one trace per
 * alert path. Span attributes carry IDs only, never alert content.
 */
export function alertPublisher(
  producer: TypedProducer,
  topic: string,
  encode: (a: Alert) => Uint8Array,
): (alerts: Alert[]) => Promise<void> {
  const tracer = ctwatchTracer();
  return async (alerts) => {
    const active = context.active();
    const sources = active.getValue(SOURCES) as Map<string, Context> | undefined;
    const spans: Span[] = [];
    const records = alerts.map((a) => {
      const sha = a.certificate?.sha256;
      const parent = (sha && sha.length > 0 ? sources?.get(hex(sha)) : undefined) ?? active;
      const span = tracer.startSpan(
        `alert ${a.eventId}`,
        {
          kind: SpanKind.INTERNAL,
          attributes: {
            "ctwatch.event_id": a.eventId,
            "ctwatch.tenant": a.tenantId,
            "ctwatch.alert_id": a.alertId,
            "ctwatch.detector": a.detector,
          },
        },
        parent,
      );
      spans.push(span);
      return {
        key: alertKey(a),
        value: encode(a),
        headers: injectTraceHeaders({}, trace.setSpan(parent, span)),
      };
    });
    try {
      await producer.send(topic, records);
    } finally {
      for (const s of spans) s.end();
    }
  };
}
