import { sleep } from "./lifecycle.js";

/** What the classifier says about one failure. */
export interface RetryDecision {
  retry: boolean;
  /** Server-requested delay (Retry-After), ms; replaces the computed backoff when larger. */
  afterMs?: number;
}

/** Options of `retry`. Defaults: 6 attempts, 200 ms base, 30 s cap, no total budget. */
export interface RetryOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Give up when the next wait would end later than this many ms after the first attempt. */
  budgetMs?: number;
  signal?: AbortSignal;
  /** Decides whether a failure is retried. Default: retry everything. */
  classify?: (err: unknown) => RetryDecision;
  /** Called before each wait (metrics, logging). */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Random source in [0,1) for jitter, for tests. */
  random?: () => number;
}

/**
 * Capped exponential backoff with full jitter: wait = random * min(cap, base * 2^attempt),
 * at least the server's Retry-After. Rejects with the last error when the
 * classifier says no, attempts run out or the budget would be exceeded; rejects
 * with the signal's reason when aborted.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const maxAttempts = opts.maxAttempts ?? 6;
  const base = opts.baseDelayMs ?? 200;
  const cap = opts.maxDelayMs ?? 30_000;
  const random = opts.random ?? Math.random;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      const decision = opts.classify ? opts.classify(err) : { retry: true };
      if (!decision.retry || attempt >= maxAttempts) throw err;
      let delay = Math.floor(random() * Math.min(cap, base * 2 ** (attempt - 1)));
      if (decision.afterMs !== undefined) delay = Math.max(delay, Math.min(decision.afterMs, cap * 4));
      if (opts.budgetMs !== undefined && Date.now() - started + delay > opts.budgetMs) throw err;
      opts.onRetry?.(err, attempt, delay);
      await sleep(delay, opts.signal);
    }
  }
}

/** Parses an HTTP Retry-After value (delta seconds or HTTP-date) into ms; undefined when absent or invalid. */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v), 86_400) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - now);
}
