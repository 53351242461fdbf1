import { describe, expect, it } from "@jest/globals";
import { CircuitBreaker } from "./circuit-breaker.js";

function breaker() {
  const clock = { now: 0 };
  const b = new CircuitBreaker({
    failureThreshold: 3,
    openMs: 1_000,
    maxOpenMs: 4_000,
    now: () => clock.now,
  });
  return { b, clock };
}

describe("CircuitBreaker", () => {
  it("opens after the threshold of consecutive failures", () => {
    const { b } = breaker();
    for (let i = 0; i < 2; i++) {
      expect(b.tryAcquire()).toBe(true);
      b.recordFailure();
    }
    expect(b.state).toBe("closed");
    b.tryAcquire();
    b.recordFailure();
    expect(b.state).toBe("open");
    expect(b.tryAcquire()).toBe(false);
  });

  it("a success resets the failure count", () => {
    const { b } = breaker();
    b.recordFailure();
    b.recordFailure();
    b.recordSuccess();
    b.recordFailure();
    b.recordFailure();
    expect(b.state).toBe("closed");
  });

  it("lets exactly one probe through after openMs and closes when it succeeds", () => {
    const { b, clock } = breaker();
    for (let i = 0; i < 3; i++) b.recordFailure();
    clock.now = 999;
    expect(b.tryAcquire()).toBe(false);
    clock.now = 1_000;
    expect(b.state).toBe("half-open");
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    b.recordSuccess();
    expect(b.state).toBe("closed");
    expect(b.tryAcquire()).toBe(true);
  });

  it("reopens for twice as long when the probe fails, capped", () => {
    const { b, clock } = breaker();
    for (let i = 0; i < 3; i++) b.recordFailure();
    const reopen = (at: number) => {
      clock.now = at;
      expect(b.tryAcquire()).toBe(true);
      b.recordFailure();
      expect(b.state).toBe("open");
    };
    reopen(1_000);
    expect(b.snapshot().retryAtMs).toBe(3_000);
    reopen(3_000);
    expect(b.snapshot().retryAtMs).toBe(7_000);
    reopen(7_000);
    expect(b.snapshot().retryAtMs).toBe(11_000);
  });

  it("release frees the probe slot without a verdict", () => {
    const { b, clock } = breaker();
    for (let i = 0; i < 3; i++) b.recordFailure();
    clock.now = 1_000;
    expect(b.tryAcquire()).toBe(true);
    b.release();
    expect(b.state).toBe("half-open");
    expect(b.tryAcquire()).toBe(true);
  });
});
