import type { InRecord } from "@ctwatch/kafka";
import type { Alert } from "@ctwatch/proto";
import { type Context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";

/**
 * The `sink.alert` span of each alert the consumer hands over: a child of the
 * record's producer context, so an alert's trace runs on from the detector
 * through the sink to the SIEM request (the Deliverer parents a batch's request
 * on its first alert's context and links the others). Attributes carry IDs only.
 * Contexts are held weakly by alert object: nothing outlives the batch.
 */
export class AlertTraces {
  readonly #tracer = trace.getTracer("ctwatch", "0.1.0");
  readonly #contexts = new WeakMap<Alert, Context>();

  /** Starts one span per record; the returned function ends them all (as failed when given an error). */
  begin(records: readonly InRecord<Alert>[]): (error?: unknown) => void {
    const spans: Span[] = [];
    for (const r of records) {
      const a = r.value;
      const span = this.#tracer.startSpan(
        "sink.alert",
        {
          kind: SpanKind.INTERNAL,
          attributes: {
            "ctwatch.tenant": a.tenantId,
            "ctwatch.alert_id": a.alertId,
            "ctwatch.event_id": a.eventId,
            "messaging.kafka.offset": Number(r.offset),
            "messaging.destination.partition.id": String(r.partition),
          },
        },
        r.traceContext,
      );
      spans.push(span);
      this.#contexts.set(a, trace.setSpan(r.traceContext, span));
    }
    return (error) => {
      for (const span of spans) {
        if (error !== undefined) {
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: (error instanceof Error ? error.message : String(error)).slice(0, 200),
          });
        }
        span.end();
      }
    };
  }

  /** The context of the alert's `sink.alert` span, while its batch is in flight. */
  contextOf(alert: Alert): Context | undefined {
    return this.#contexts.get(alert);
  }
}
