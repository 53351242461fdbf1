import { sleep as timerSleep } from "./lifecycle.js";

/** What the classifier says about one failure. */
export interface RetryDecision {
  retry: boolean;
  /** Server-requested delay (Retry-After), ms; replaces the computed backoff when larger. */
  afterMs?: number;
}

/**
 * Options of `retry`. Defaults: 6 attempts, 200 ms base, 30 s cap, no total budget,
 * Retry-After honoured up to 4 × the cap, real clock and timers.
 */
export interface RetryOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /**
   * Time budget from the first attempt, ms: a wait that would end later than this
   * is not begun and the last error is rethrown instead. Default: none.
   */
  budgetMs?: number;
  /** Longest server-requested delay (Retry-After) honoured, ms; longer hints are clamped. Default 4 × `maxDelayMs`. */
  maxRetryAfterMs?: number;
  signal?: AbortSignal;
  /** Decides whether a failure is retried. Default: retry everything. */
  classify?: (err: unknown) => RetryDecision;
  /** Called before each wait (metrics, logging). */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Random source in [0,1) for jitter, for tests. Default `Math.random`. */
  random?: () => number;
  /** Clock, ms, for the budget. Default `Date.now`. */
  now?: () => number;
  /** Waits `ms`, rejecting with the signal's reason when it aborts. Default a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Capped exponential backoff with full jitter: the wait after failed attempt n (1-based)
 * is `floor(random * min(maxDelayMs, baseDelayMs * 2^(n-1)))`, raised to the server's
 * Retry-After (`afterMs`, clamped to `maxRetryAfterMs`) when that is longer.
 */
export function backoffDelayMs(
  attempt: number,
  opts: { baseDelayMs: number; maxDelayMs: number; maxRetryAfterMs?: number },
  random: () => number,
  afterMs?: number,
): number {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  if (afterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(afterMs, opts.maxRetryAfterMs ?? opts.maxDelayMs * 4));
}

/**
 * The one retry helper: runs `fn` until it succeeds; between attempts waits
 * `backoffDelayMs` (full jitter, at least the server's Retry-After). Rejects with the
 * last error when the classifier says no, attempts run out or the next wait would
 * end after `budgetMs`; rejects with the signal's reason when aborted.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const maxAttempts = opts.maxAttempts ?? 6;
  const delays = {
    baseDelayMs: opts.baseDelayMs ?? 200,
    maxDelayMs: opts.maxDelayMs ?? 30_000,
    ...(opts.maxRetryAfterMs === undefined ? {} : { maxRetryAfterMs: opts.maxRetryAfterMs }),
  };
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const wait = opts.sleep ?? timerSleep;
  const started = now();
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      const decision = opts.classify ? opts.classify(err) : { retry: true };
      if (!decision.retry || attempt >= maxAttempts) throw err;
      const delay = backoffDelayMs(attempt, delays, random, decision.afterMs);
      if (opts.budgetMs !== undefined && now() - started + delay > opts.budgetMs) throw err;
      opts.onRetry?.(err, attempt, delay);
      await wait(delay, opts.signal);
    }
  }
}

/**
 * Parses an HTTP Retry-After value (delta seconds or HTTP-date) into ms (0 for a
 * past date), capped at `maxMs` (default one day); undefined when absent or invalid.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
  maxMs = 86_400_000,
): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (v === "") return undefined;
  if (/^\d+$/.test(v)) return Math.min(Number(v) * 1000, maxMs);
  // An HTTP-date has a weekday and month name; "1.5" or "-5" are not dates.
  if (!/[A-Za-z]/.test(v)) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.min(Math.max(0, t - now), maxMs);
}
