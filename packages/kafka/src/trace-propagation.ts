import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type TextMapGetter,
  type TextMapSetter,
} from "@opentelemetry/api";

const setter: TextMapSetter<Record<string, string>> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

const getter: TextMapGetter<Record<string, string>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/**
 * Adds the W3C trace context of `ctx` (default: the active one) to Kafka
 * headers, unless they already carry one. A no-op when no propagator is
 * registered (telemetry off).
 */
export function injectTraceHeaders(
  headers: Record<string, string>,
  ctx: Context = context.active(),
): Record<string, string> {
  if (headers.traceparent === undefined) propagation.inject(ctx, headers, setter);
  return headers;
}

/** The trace context carried in a record's headers (the root context when none). */
export function extractTraceContext(headers: Record<string, string>): Context {
  return propagation.extract(ROOT_CONTEXT, headers, getter);
}
