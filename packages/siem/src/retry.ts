import {
  backoffDelayMs,
  type RetryDecision,
  parseRetryAfter as runtimeParseRetryAfter,
  retry as runtimeRetry,
  sleep,
} from "@ctwatch/runtime";
import { DeliveryError } from "./errors.js";

/** Bounds of one retried operation. */
export interface RetryPolicy {
  /** Attempts in total, including the first. Default 6. */
  readonly maxAttempts: number;
  /** Backoff base: attempt n waits up to `baseDelayMs * 2^(n-1)`, ms. Default 500. */
  readonly baseDelayMs: number;
  /** Cap of one backoff wait, ms. Default 30 000. */
  readonly maxDelayMs: number;
  /**
   * Time budget from the first attempt: no attempt starts, and no wait is begun,
   * that would end after it, ms. Default 60 000.
   */
  readonly maxElapsedMs: number;
}

/** The defaults named in {@link RetryPolicy}. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxElapsedMs: 60_000,
});

/** Clock, sleep and randomness of the retry helper, injectable for tests. */
export interface RetryClock {
  /** Current time, ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Waits `ms`, rejecting with the signal's reason when it aborts. Default {@link abortableSleep}. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Uniform in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

/** What {@link retry} is told after each failed attempt, for logging. */
export interface RetryAttemptInfo {
  readonly attempt: number;
  readonly error: unknown;
  readonly delayMs: number;
}

/** Options of {@link retry}. */
export interface RetryOptions extends RetryClock {
  readonly policy?: Partial<RetryPolicy>;
  readonly signal: AbortSignal;
  /** Called before each wait; the logger hook. */
  readonly onRetry?: (info: RetryAttemptInfo) => void;
}

/**
 * Runs `operation` until it succeeds, a non-retryable error occurs, or the policy's
 * attempts or time budget run out; then rethrows the last error unchanged.
 *
 * Only a {@link DeliveryError} with `retryable: true` is retried: adapters decide
 * (5xx, 408, 429, network errors and timeouts are; other 4xx are not). The wait
 * before attempt n+1 is full jitter, `random() * min(maxDelayMs, baseDelayMs * 2^(n-1))`,
 * but never less than the server's `Retry-After` (up to {@link MAX_RETRY_AFTER_MS}).
 * A `Retry-After` beyond the remaining budget ends the retries at once rather than
 * sleeping past it. Cancellation via `signal` rejects with the signal's reason.
 *
 * This is @ctwatch/runtime's `retry` (the project's one retry helper) with the
 * SIEM policy and classifier filled in.
 */
export async function retry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  const { onRetry, sleep: wait, signal } = options;
  return runtimeRetry(operation, {
    maxAttempts: policy.maxAttempts,
    baseDelayMs: policy.baseDelayMs,
    maxDelayMs: policy.maxDelayMs,
    budgetMs: policy.maxElapsedMs,
    maxRetryAfterMs: MAX_RETRY_AFTER_MS,
    signal,
    classify: classifyDeliveryError,
    ...(options.now ? { now: options.now } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(wait ? { sleep: (ms: number) => wait(ms, signal) } : {}),
    ...(onRetry ? { onRetry: (error, attempt, delayMs) => onRetry({ attempt, error, delayMs }) } : {}),
  });
}

/** Retries exactly the {@link DeliveryError}s marked retryable, waiting at least their `Retry-After`. */
export function classifyDeliveryError(error: unknown): RetryDecision {
  if (!(error instanceof DeliveryError) || !error.retryable) return { retry: false };
  return error.retryAfterMs === undefined ? { retry: true } : { retry: true, afterMs: error.retryAfterMs };
}

/**
 * The wait after failed attempt `attempt` (1-based): full jitter over the capped
 * exponential, raised to `retryAfterMs` when the server asked for longer.
 */
export function nextDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs?: number,
): number {
  return backoffDelayMs(attempt, { ...policy, maxRetryAfterMs: MAX_RETRY_AFTER_MS }, random, retryAfterMs);
}

/** Longest `Retry-After` honoured, ms; longer values are clamped (a day-long hint is a misconfiguration). */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * Parses an HTTP `Retry-After` value: delta-seconds (`"120"`) or an HTTP-date
 * (`"Wed, 21 Oct 2015 07:28:00 GMT"`). Returns the wait in ms (0 for a past date),
 * clamped to {@link MAX_RETRY_AFTER_MS}, or undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  return runtimeParseRetryAfter(value, nowMs, MAX_RETRY_AFTER_MS);
}

/**
 * True for HTTP statuses worth retrying: 408, 429 and 5xx except 501 and 505.
 * Every other 4xx means the request itself is wrong and would fail again.
 */
export function isRetryableStatus(status: number): boolean {
  if (status === 408 || status === 429) return true;
  return status >= 500 && status !== 501 && status !== 505;
}

/** Resolves after `ms`, or rejects with `signal.reason` as soon as the signal aborts (runtime's `sleep`). */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, signal);
}
