import { describe, expect, it } from "@jest/globals";
import { backoffDelayMs, parseRetryAfter, retry } from "./retry.js";

describe("retry", () => {
  it("retries until success with capped backoff", async () => {
    const delays: number[] = [];
    let calls = 0;
    const v = await retry(
      async () => {
        calls++;
        if (calls < 4) throw new Error("boom");
        return "ok";
      },
      { baseDelayMs: 1, maxDelayMs: 2, random: () => 0.999, onRetry: (_e, _a, d) => delays.push(d) },
    );
    expect(v).toBe("ok");
    expect(calls).toBe(4);
    expect(delays).toEqual([0, 1, 1]);
  });

  it("stops on a non-retryable error and when attempts run out", async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error("fatal");
        },
        { classify: () => ({ retry: false }) },
      ),
    ).rejects.toThrow("fatal");
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error("again");
        },
        { maxAttempts: 3, baseDelayMs: 0 },
      ),
    ).rejects.toThrow("again");
    expect(calls).toBe(3);
  });

  it("honours Retry-After over a shorter backoff", async () => {
    const delays: number[] = [];
    let calls = 0;
    await retry(
      async () => {
        if (calls++ === 0) throw new Error("429");
        return 1;
      },
      {
        baseDelayMs: 1,
        classify: () => ({ retry: true, afterMs: 20 }),
        onRetry: (_e, _a, d) => delays.push(d),
      },
    );
    expect(delays).toEqual([20]);
  });

  it("rejects with the abort reason when cancelled", async () => {
    const ac = new AbortController();
    const p = retry(
      async () => {
        throw new Error("x");
      },
      { baseDelayMs: 10_000, random: () => 0.5, signal: ac.signal },
    );
    ac.abort(new Error("stop"));
    await expect(p).rejects.toThrow("stop");
  });
});

describe("parseRetryAfter", () => {
  it("parses seconds and HTTP dates", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(
      parseRetryAfter("Wed, 21 Oct 2015 07:28:10 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT")),
    ).toBe(10_000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe("retry with an injected clock", () => {
  it("waits through the injected sleep and stops at the budget", async () => {
    let clock = 0;
    const waits: number[] = [];
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error("busy");
        },
        {
          baseDelayMs: 1000,
          maxDelayMs: 8000,
          budgetMs: 5000,
          random: () => 0.999,
          now: () => clock,
          sleep: async (ms) => {
            waits.push(ms);
            clock += ms;
          },
        },
      ),
    ).rejects.toThrow("busy");
    // 999 + 1998 = 2997; the next wait (3996) would end at 6993 > 5000.
    expect(waits).toEqual([999, 1998]);
    expect(calls).toBe(3);
  });

  it("clamps Retry-After to maxRetryAfterMs", () => {
    expect(backoffDelayMs(1, { baseDelayMs: 100, maxDelayMs: 1000 }, () => 0, 60_000)).toBe(4000);
    expect(
      backoffDelayMs(1, { baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 600_000 }, () => 0, 60_000),
    ).toBe(60_000);
  });

  it("rejects non-date, non-integer Retry-After values and caps long ones", () => {
    expect(parseRetryAfter("1.5")).toBeUndefined();
    expect(parseRetryAfter("-5")).toBeUndefined();
    expect(parseRetryAfter("99999", 0, 600_000)).toBe(600_000);
  });
});
