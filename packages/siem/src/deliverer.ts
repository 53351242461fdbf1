import type { Alert } from "@ctwatch/proto";
import type { Counter, Metrics } from "@ctwatch/runtime";
import { type Context, context } from "@opentelemetry/api";
import { type BreakerSnapshot, CircuitBreaker, type CircuitBreakerOptions } from "./circuit-breaker.js";
import type { SiemDestination } from "./destination.js";
import { DeliveryError } from "./errors.js";
import { childLogger, type Logger } from "./logger.js";
import { type RetryClock, type RetryPolicy, retry } from "./retry.js";
import { batchTraceContext } from "./traced-fetch.js";

/** Why a destination's alerts were parked instead of delivered. */
export type ParkReason =
  /** The breaker is open after repeated failures; the SIEM was not contacted. */
  | "circuit-open"
  /** Transient failures outlasted the retry budget. */
  | "retries-exhausted"
  /** The SIEM refused them in a way retrying cannot fix (credentials, missing log group, invalid event). */
  | "rejected";

/** What happened to one destination's share of a {@link Deliverer.deliver} call. */
export type DeliveryOutcome =
  | {
      readonly destinationId: string;
      readonly status: "delivered";
      /** Alerts the SIEM accepted (all of them). */
      readonly deliveredCount: number;
      /** HTTP attempts made, retries and split halves included. */
      readonly attempts: number;
    }
  | {
      readonly destinationId: string;
      readonly status: "parked";
      readonly reason: ParkReason;
      /** The error behind the first parked batch. */
      readonly error: DeliveryError;
      /** Alerts not delivered; the caller stores them for redelivery. Others were delivered. */
      readonly undelivered: readonly Alert[];
      readonly deliveredCount: number;
      readonly attempts: number;
    };

/** Options of {@link Deliverer}. */
export interface DelivererOptions extends RetryClock {
  readonly logger: Logger;
  /** Retry budget of each batch; see {@link RetryPolicy} for defaults. */
  readonly retry?: Partial<RetryPolicy>;
  /** Options of each destination's breaker (created on first use). */
  readonly breaker?: Omit<CircuitBreakerOptions, "now">;
  /**
   * The trace context of an alert's processing, if any: a batch's request span
   * becomes a child of its first alert's context, linked to the others'.
   */
  readonly traceContextOf?: (alert: Alert) => Context | undefined;
  /** Where `ctwatch_sink_delivery_failures_total` is counted; default nowhere. */
  readonly metrics?: Metrics;
}

/**
 * Delivers alerts to several SIEMs at once and reports, per destination, whether
 * they were delivered or parked. It never throws for a SIEM failure; it rejects only
 * when `signal` aborts (then nothing may be committed).
 *
 *   alerts ==> planBatches (per destination) ==> breaker ==> deliver ==> retry ==> 413? split
 *                                                                         └─> delivered | parked
 *
 * Destinations run concurrently and independently: one broken SIEM costs at most one
 * retry budget, after which its breaker opens and it parks immediately, while the
 * others proceed. Within a destination, batches go in order; after a destination-level
 * failure (credentials, unreachable, breaker open) the remaining batches are parked
 * without being tried. The caller commits its Kafka offsets once every destination
 * reported delivered or parked, and keeps parked alerts for later redelivery.
 */
export class Deliverer {
  readonly #options: DelivererOptions;
  readonly #breakers = new Map<string, CircuitBreaker>();
  readonly #now: () => number;
  readonly #failures: Counter | undefined;

  constructor(options: DelivererOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#failures = options.metrics?.counter(
      "ctwatch_sink_delivery_failures_total",
      "Failed SIEM delivery attempts, by destination kind, HTTP status (none: no answer) and error code",
    );
  }

  /** Delivers `alerts` to each of `destinations`; outcomes are keyed by destination ID. */
  async deliver(
    alerts: readonly Alert[],
    destinations: readonly SiemDestination[],
    signal: AbortSignal,
  ): Promise<ReadonlyMap<string, DeliveryOutcome>> {
    signal.throwIfAborted();
    const outcomes = await Promise.all(destinations.map((d) => this.#deliverTo(d, alerts, signal)));
    signal.throwIfAborted();
    return new Map(outcomes.map((o) => [o.destinationId, o]));
  }

  /** The breaker state of a destination (closed if it has not been used yet). */
  breakerState(destinationId: string): BreakerSnapshot {
    return this.#breaker(destinationId).snapshot();
  }

  #breaker(id: string): CircuitBreaker {
    let breaker = this.#breakers.get(id);
    if (!breaker) {
      breaker = new CircuitBreaker({ ...this.#options.breaker, now: this.#now });
      this.#breakers.set(id, breaker);
    }
    return breaker;
  }

  async #deliverTo(
    destination: SiemDestination,
    alerts: readonly Alert[],
    signal: AbortSignal,
  ): Promise<DeliveryOutcome> {
    const logger = childLogger(this.#options.logger, { destination: destination.id, kind: destination.kind });
    const counters = { attempts: 0 };
    const undelivered: Alert[] = [];
    let deliveredCount = 0;
    let firstError: DeliveryError | undefined;
    let stopped = false;
    for (const batch of destination.planBatches(alerts)) {
      if (stopped) {
        undelivered.push(...batch);
        continue;
      }
      const result = await this.#sendSplitting(destination, batch, signal, logger, counters);
      deliveredCount += result.delivered;
      if (result.failed.length > 0) {
        undelivered.push(...result.failed);
        firstError ??= result.error;
        stopped = result.error?.destinationLevel ?? false;
      }
    }
    if (!firstError) {
      return {
        destinationId: destination.id,
        status: "delivered",
        deliveredCount,
        attempts: counters.attempts,
      };
    }
    const reason: ParkReason =
      firstError.code === "circuit-open"
        ? "circuit-open"
        : firstError.retryable
          ? "retries-exhausted"
          : "rejected";
    logger.warn("alerts parked", {
      reason,
      code: firstError.code,
      status: firstError.status,
      parked: undelivered.length,
      delivered: deliveredCount,
      error: firstError.message,
    });
    return {
      destinationId: destination.id,
      status: "parked",
      reason,
      error: firstError,
      undelivered,
      deliveredCount,
      attempts: counters.attempts,
    };
  }

  /** Sends `batch` with retries; on 413 sends its halves instead. Returns what failed. */
  async #sendSplitting(
    destination: SiemDestination,
    batch: readonly Alert[],
    signal: AbortSignal,
    logger: Logger,
    counters: { attempts: number },
  ): Promise<{ delivered: number; failed: readonly Alert[]; error?: DeliveryError }> {
    try {
      await this.#sendWithRetry(destination, batch, signal, logger, counters);
      return { delivered: batch.length, failed: [] };
    } catch (caught) {
      if (signal.aborted) throw signal.reason;
      const error = asDeliveryError(caught);
      if (error.splittable && batch.length > 1) {
        const middle = Math.ceil(batch.length / 2);
        logger.debug("batch too large, splitting", { events: batch.length, status: error.status });
        const left = await this.#sendSplitting(destination, batch.slice(0, middle), signal, logger, counters);
        if (left.error?.destinationLevel) {
          return {
            delivered: left.delivered,
            failed: [...left.failed, ...batch.slice(middle)],
            error: left.error,
          };
        }
        const right = await this.#sendSplitting(destination, batch.slice(middle), signal, logger, counters);
        const failedError = left.error ?? right.error;
        return {
          delivered: left.delivered + right.delivered,
          failed: [...left.failed, ...right.failed],
          ...(failedError ? { error: failedError } : {}),
        };
      }
      return { delivered: 0, failed: batch, error };
    }
  }

  /**
   * One batch through the breaker and the retry helper. The breaker is asked once per
   * batch: while closed, the batch gets the whole retry budget (each failed attempt
   * still counts towards opening it); when half-open, the batch is the probe and gets
   * a single attempt.
   */
  #traceContextOf(batch: readonly Alert[]): Context | undefined {
    const of = this.#options.traceContextOf;
    if (!of) return undefined;
    const contexts: Context[] = [];
    for (const a of batch) {
      const c = of(a);
      if (c) contexts.push(c);
    }
    return batchTraceContext(contexts);
  }

  async #sendWithRetry(
    destination: SiemDestination,
    batch: readonly Alert[],
    signal: AbortSignal,
    logger: Logger,
    counters: { attempts: number },
  ): Promise<void> {
    const breaker = this.#breaker(destination.id);
    const probing = breaker.state === "half-open";
    if (!breaker.tryAcquire()) {
      throw new DeliveryError(`circuit breaker for ${destination.id} is open after repeated failures`, {
        code: "circuit-open",
        retryable: false,
      });
    }
    const policy = probing ? { ...this.#options.retry, maxAttempts: 1 } : this.#options.retry;
    try {
      await retry(
        async () => {
          counters.attempts++;
          try {
            const traced = this.#traceContextOf(batch);
            await (traced
              ? context.with(traced, () => destination.deliver(batch, signal))
              : destination.deliver(batch, signal));
          } catch (caught) {
            if (signal.aborted) throw signal.reason;
            const error = asDeliveryError(caught);
            this.#failures?.inc({
              kind: destination.kind,
              status: error.status === undefined ? "none" : String(error.status),
              code: error.code,
            });
            // A SIEM that judges the batch is up: only destination-level failures count.
            if (error.destinationLevel) breaker.recordFailure();
            else breaker.recordSuccess();
            throw error;
          }
          breaker.recordSuccess();
        },
        {
          signal,
          ...(policy ? { policy } : {}),
          now: this.#now,
          ...(this.#options.sleep ? { sleep: this.#options.sleep } : {}),
          ...(this.#options.random ? { random: this.#options.random } : {}),
          onRetry: ({ attempt, error, delayMs }) =>
            logger.debug("delivery attempt failed, retrying", {
              attempt,
              delayMs,
              code: (error as DeliveryError).code,
              status: (error as DeliveryError).status,
            }),
        },
      );
    } finally {
      if (signal.aborted) breaker.release();
    }
  }
}

function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const name = error instanceof Error ? error.name : typeof error;
  return new DeliveryError(`unexpected ${name} while delivering`, {
    code: "unknown",
    retryable: false,
    cause: error,
  });
}
