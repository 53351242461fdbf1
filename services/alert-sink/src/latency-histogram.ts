import type { Counter, Labels, Metrics } from "@ctwatch/runtime";

/** Upper bounds of {@link LatencyHistogram}'s buckets, seconds. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600,
];

/**
 * A Prometheus-style histogram on top of counters (the runtime's `Metrics` has
 * counters and gauges only): `<name>_bucket{le}` (cumulative), `<name>_sum` and
 * `<name>_count`, so `histogram_quantile()` works on the scraped series. Label
 * sets are bounded by the registry's per-metric series cap.
 */
export class LatencyHistogram {
  readonly #buckets: Counter;
  readonly #sum: Counter;
  readonly #count: Counter;

  constructor(metrics: Metrics, name: string, help: string) {
    this.#buckets = metrics.counter(`${name}_bucket`, `${help} (cumulative buckets, le in seconds)`);
    this.#sum = metrics.counter(`${name}_sum`, `${help} (sum, seconds)`);
    this.#count = metrics.counter(`${name}_count`, `${help} (count)`);
  }

  /** Records `count` observations of `seconds` (negative values count as 0). */
  observe(seconds: number, labels: Labels, count = 1): void {
    const v = Math.max(0, seconds);
    // Every bucket is touched (by 0 when above it), so each series exists from the start.
    for (const le of LATENCY_BUCKETS_SECONDS) {
      this.#buckets.inc({ ...labels, le: String(le) }, v <= le ? count : 0);
    }
    this.#buckets.inc({ ...labels, le: "+Inf" }, count);
    this.#sum.inc(labels, v * count);
    this.#count.inc(labels, count);
  }
}
