import { describe, expect, it } from "@jest/globals";
import { DeliveryError } from "./errors.js";
import { isRetryableStatus, MAX_RETRY_AFTER_MS, nextDelayMs, parseRetryAfter, retry } from "./retry.js";

const NOW = Date.UTC(2015, 9, 21, 7, 28, 0);

describe("parseRetryAfter", () => {
  it.each([
    ["120", 120_000],
    ["0", 0],
    [" 3 ", 3_000],
    ["Wed, 21 Oct 2015 07:28:30 GMT", 30_000],
    ["Wed, 21 Oct 2015 07:27:00 GMT", 0],
    ["99999", MAX_RETRY_AFTER_MS],
  ])("%j -> %i ms", (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });

  it.each([[null], [undefined], [""], ["-5"], ["1.5"], ["soon"]])("ignores %j", (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe("isRetryableStatus", () => {
  it.each([
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [501, false],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [413, false],
  ])("%i -> %s", (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });
});

describe("nextDelayMs", () => {
  const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1_000, maxElapsedMs: 60_000 };

  it("uses full jitter over the capped exponential", () => {
    expect(nextDelayMs(1, policy, () => 0.999)).toBe(99);
    expect(nextDelayMs(3, policy, () => 0.5)).toBe(200);
    expect(nextDelayMs(8, policy, () => 0.999)).toBe(999);
    expect(nextDelayMs(8, policy, () => 0)).toBe(0);
  });

  it("never waits less than Retry-After", () => {
    expect(nextDelayMs(1, policy, () => 0.1, 5_000)).toBe(5_000);
  });
});

function transient(retryAfterMs?: number): DeliveryError {
  return new DeliveryError("busy", {
    code: "server-busy",
    retryable: true,
    ...(retryAfterMs ? { retryAfterMs } : {}),
  });
}

describe("retry", () => {
  it("retries retryable errors until success, waiting the computed delays", async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await retry(
      async () => {
        if (++calls < 3) throw transient();
        return "ok";
      },
      {
        signal: new AbortController().signal,
        random: () => 0.5,
        sleep: async (ms) => void waits.push(ms),
        policy: { baseDelayMs: 100 },
      },
    );
    expect(result).toBe("ok");
    expect(waits).toEqual([50, 100]);
  });

  it("does not retry a non-retryable error", async () => {
    let calls = 0;
    const error = new DeliveryError("no", { code: "credentials-rejected", retryable: false });
    await expect(
      retry(
        async () => {
          calls++;
          throw error;
        },
        { signal: new AbortController().signal, sleep: async () => {} },
      ),
    ).rejects.toBe(error);
    expect(calls).toBe(1);
  });

  it("stops after maxAttempts and rethrows the last error", async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw transient();
        },
        { signal: new AbortController().signal, sleep: async () => {}, policy: { maxAttempts: 4 } },
      ),
    ).rejects.toMatchObject({ code: "server-busy" });
    expect(calls).toBe(4);
  });

  it("honours Retry-After and gives up when it exceeds the time budget", async () => {
    let clock = 0;
    const waits: number[] = [];
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw transient(calls === 1 ? 2_000 : 50_000);
        },
        {
          signal: new AbortController().signal,
          now: () => clock,
          random: () => 0,
          sleep: async (ms) => {
            waits.push(ms);
            clock += ms;
          },
          policy: { maxElapsedMs: 30_000 },
        },
      ),
    ).rejects.toMatchObject({ retryAfterMs: 50_000 });
    expect(waits).toEqual([2_000]);
    expect(calls).toBe(2);
  });

  it("rejects with the abort reason when cancelled while waiting", async () => {
    const controller = new AbortController();
    const reason = new Error("shutdown");
    const pending = retry(
      async () => {
        throw transient(10_000);
      },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(reason), 10);
    await expect(pending).rejects.toBe(reason);
  });
});
