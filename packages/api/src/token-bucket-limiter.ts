/** A token-bucket rate: `requestsPerSecond` sustained, up to `burst` at once. */
export interface Rate {
  readonly requestsPerSecond: number;
  readonly burst: number;
}

/** Outcome of {@link TokenBucketLimiter.take}. */
export type TakeResult = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  atMs: number;
  rate: Rate;
}

/**
 * Per-key token buckets (one per tenant): each call takes one token; tokens
 * refill continuously at the key's rate up to its burst. In memory, per server
 * process: with N replicas behind a balancer a tenant gets up to N times the
 * rate. At most `maxKeys` buckets are kept (least recently used dropped first;
 * a dropped key starts again with a full bucket).
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly defaultRate: Rate,
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes `cost` tokens from `key`'s bucket (rate `rate`, or the default). */
  take(key: string, rate: Rate = this.defaultRate, cost = 1): TakeResult {
    const nowMs = this.now();
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key);
      if (b.rate.requestsPerSecond !== rate.requestsPerSecond || b.rate.burst !== rate.burst) {
        b.rate = rate;
        b.tokens = Math.min(b.tokens, rate.burst);
      }
      const elapsedMs = Math.max(0, nowMs - b.atMs);
      b.tokens = Math.min(rate.burst, b.tokens + (elapsedMs * rate.requestsPerSecond) / 1000);
      b.atMs = nowMs;
    } else {
      b = { tokens: rate.burst, atMs: nowMs, rate };
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next();
        if (!oldest.done) this.buckets.delete(oldest.value);
      }
    }
    this.buckets.set(key, b);
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return { ok: true };
    }
    const missing = cost - b.tokens;
    return { ok: false, retryAfterMs: Math.ceil((missing * 1000) / rate.requestsPerSecond) };
  }

  /** Number of buckets held (tests, metrics). */
  get size(): number {
    return this.buckets.size;
  }
}
