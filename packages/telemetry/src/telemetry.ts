import type { Logger, Stoppable } from "@ctwatch/runtime";
import {
  type Attributes,
  type Context,
  context,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { startNodeSdk } from "@opentelemetry/sdk-node";

/** The tracer every ctwatch component uses (instrumentation scope "ctwatch"). */
export function ctwatchTracer(): Tracer {
  return trace.getTracer("ctwatch", "0.1.0");
}

/** A started (or disabled) telemetry pipeline. `stop()` flushes pending spans and metrics. */
export interface Telemetry extends Stoppable {
  readonly enabled: boolean;
}

/**
 * Starts the OpenTelemetry SDK from the standard `OTEL_*` variables
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_PROTOCOL`,
 * `OTEL_TRACES_EXPORTER`, `OTEL_METRICS_EXPORTER`, `OTEL_TRACES_SAMPLER`,
 * `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_SERVICE_NAME`, ...). It stays off unless an
 * exporter is configured (an OTLP endpoint or an explicit exporter choice), so
 * an unconfigured service never sprays connection errors; `OTEL_SDK_DISABLED=true`
 * forces it off. OTel log export is not used: logs go to stderr as JSON lines
 * carrying `trace_id`/`span_id` (see `traceFields`).
 */
export function startTelemetry(opts: {
  serviceName: string;
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
}): Telemetry {
  const env = opts.env;
  const configured =
    Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT) ||
    Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ||
    (env.OTEL_TRACES_EXPORTER !== undefined && env.OTEL_TRACES_EXPORTER !== "none");
  if (env.OTEL_SDK_DISABLED === "true" || !configured) {
    return { name: "telemetry", enabled: false, stop: async () => {} };
  }
  const sdk = startNodeSdk({
    resourceAttributes: {
      "service.name": env.OTEL_SERVICE_NAME ?? opts.serviceName,
      "service.namespace": "ctwatch",
    },
    logRecordProcessors: [],
  });
  opts.logger.info("OpenTelemetry enabled", {
    endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? "",
    protocol: env.OTEL_EXPORTER_OTLP_PROTOCOL ?? "http/protobuf",
  });
  let stopping: Promise<void> | undefined;
  return {
    name: "telemetry",
    enabled: true,
    stop() {
      stopping ??= sdk
        .shutdown()
        .catch((err: unknown) => opts.logger.warn("telemetry shutdown failed", { err }));
      return stopping;
    },
  };
}

/**
 * Runs `fn` inside a new span (child of `parent`, default the active context),
 * recording an exception and error status when it throws. The span ends when
 * `fn` settles.
 */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  opts: { parent?: Context; kind?: SpanKind; tracer?: Tracer } = {},
): Promise<T> {
  const tracer = opts.tracer ?? ctwatchTracer();
  return tracer.startActiveSpan(
    name,
    { attributes, kind: opts.kind ?? SpanKind.INTERNAL },
    opts.parent ?? context.active(),
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message?.slice(0, 200) });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/** `trace_id` and `span_id` of the active span, for log lines (empty when none). */
export function traceFields(ctx: Context = context.active()): { trace_id?: string; span_id?: string } {
  const sc = trace.getSpanContext(ctx);
  if (!sc || !trace.isSpanContextValid(sc)) return {};
  return { trace_id: sc.traceId, span_id: sc.spanId };
}

/** The global OTel meter for ctwatch (a no-op until the SDK starts). */
export function ctwatchMeter() {
  return metrics.getMeter("ctwatch", "0.1.0");
}
