import { describe, expect, it } from "@jest/globals";
import { TokenBucketLimiter } from "./token-bucket-limiter.js";

describe("TokenBucketLimiter", () => {
  it("allows the burst, then the sustained rate, and says when to retry", () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ requestsPerSecond: 2, burst: 3 }, 10, () => now);
    expect([1, 2, 3].map(() => limiter.take("t").ok)).toEqual([true, true, true]);
    expect(limiter.take("t")).toEqual({ ok: false, retryAfterMs: 500 });
    now = 500;
    expect(limiter.take("t").ok).toBe(true);
    expect(limiter.take("t").ok).toBe(false);
    now = 10_000;
    expect([1, 2, 3, 4].map(() => limiter.take("t").ok)).toEqual([true, true, true, false]);
  });

  it("keeps tenants apart and applies a tenant's own rate", () => {
    const now = 0;
    const limiter = new TokenBucketLimiter({ requestsPerSecond: 1, burst: 1 }, 10, () => now);
    expect(limiter.take("a").ok).toBe(true);
    expect(limiter.take("a").ok).toBe(false);
    expect(limiter.take("b").ok).toBe(true);
    const big = { requestsPerSecond: 100, burst: 5 };
    expect([1, 2, 3, 4, 5].map(() => limiter.take("c", big).ok)).toEqual([true, true, true, true, true]);
    expect(limiter.take("c", big).ok).toBe(false);
  });

  it("holds at most maxKeys buckets", () => {
    const limiter = new TokenBucketLimiter({ requestsPerSecond: 1, burst: 1 }, 3, () => 0);
    for (const k of ["a", "b", "c", "d", "e"]) limiter.take(k);
    expect(limiter.size).toBe(3);
  });
});
