import type { Counter, Gauge, Labels, Metrics, MetricsRegistry } from "@ctwatch/runtime";
import { ctwatchMeter } from "./telemetry.js";

/**
 * `Metrics` that feeds both the in-process Prometheus registry (the health
 * endpoint's `/metrics`) and the OpenTelemetry meter (exported over OTLP when
 * the SDK runs; a no-op otherwise). Components keep taking the narrow
 * `Metrics` interface and never know which backends are on.
 */
export class TeeMetrics implements Metrics {
  constructor(private readonly registry: MetricsRegistry) {}

  counter(name: string, help: string): Counter {
    const local = this.registry.counter(name, help);
    const otel = ctwatchMeter().createCounter(name, { description: help });
    return {
      inc(labels?: Labels, by = 1) {
        local.inc(labels, by);
        otel.add(by, labels);
      },
    };
  }

  gauge(name: string, help: string): Gauge {
    const local = this.registry.gauge(name, help);
    const otel = ctwatchMeter().createGauge(name, { description: help });
    return {
      set(value: number, labels?: Labels) {
        local.set(value, labels);
        otel.record(value, labels);
      },
    };
  }
}
