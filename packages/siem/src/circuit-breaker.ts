/** State of a {@link CircuitBreaker}. */
export type BreakerState = "closed" | "open" | "half-open";

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failed calls that open the breaker. Default 5. */
  readonly failureThreshold?: number;
  /** How long the breaker stays open before letting a probe through, ms. Default 30 000. */
  readonly openMs?: number;
  /** Each failed probe doubles the open time, up to this cap, ms. Default 300 000. */
  readonly maxOpenMs?: number;
  /** Clock, ms. Default `Date.now`. */
  readonly now?: () => number;
}

/** A point-in-time view of a breaker, for health endpoints and logs. */
export interface BreakerSnapshot {
  readonly state: BreakerState;
  readonly consecutiveFailures: number;
  /** When an open breaker lets its next probe through, ms since epoch; undefined unless open. */
  readonly retryAtMs: number | undefined;
}

/**
 * A circuit breaker for one destination.
 *
 *   closed --(failureThreshold consecutive failures)--> open
 *   open --(openMs elapsed; one caller gets the probe)--> half-open
 *   half-open --(probe succeeds)--> closed
 *   half-open --(probe fails)--> open, for twice as long (capped at maxOpenMs)
 *
 * Callers ask {@link CircuitBreaker.tryAcquire} before each call and report the
 * outcome with exactly one of `recordSuccess`, `recordFailure` or `release`.
 * "Failure" means the destination is unusable (auth rejected, unreachable, 5xx);
 * a SIEM that answers "this batch is invalid" is working and counts as success.
 */
export class CircuitBreaker {
  readonly #failureThreshold: number;
  readonly #baseOpenMs: number;
  readonly #maxOpenMs: number;
  readonly #now: () => number;
  #state: BreakerState = "closed";
  #failures = 0;
  #openMs: number;
  #retryAtMs = 0;
  #probeInFlight = false;

  constructor(options: CircuitBreakerOptions = {}) {
    this.#failureThreshold = Math.max(1, options.failureThreshold ?? 5);
    this.#baseOpenMs = Math.max(0, options.openMs ?? 30_000);
    this.#maxOpenMs = Math.max(this.#baseOpenMs, options.maxOpenMs ?? 300_000);
    this.#openMs = this.#baseOpenMs;
    this.#now = options.now ?? Date.now;
  }

  /** Current state; an open breaker whose time is up reads as half-open. */
  get state(): BreakerState {
    if (this.#state === "open" && this.#now() >= this.#retryAtMs) return "half-open";
    return this.#state;
  }

  /**
   * True when a call may go ahead. Closed: always. Open: no, until `openMs` has
   * passed; then the first caller gets the single probe. Half-open: no while the
   * probe is in flight.
   */
  tryAcquire(): boolean {
    if (this.#state === "closed") return true;
    if (this.#state === "open") {
      if (this.#now() < this.#retryAtMs) return false;
      this.#state = "half-open";
    }
    if (this.#probeInFlight) return false;
    this.#probeInFlight = true;
    return true;
  }

  /** The call reached a working destination. Closes the breaker. */
  recordSuccess(): void {
    this.#failures = 0;
    this.#probeInFlight = false;
    this.#state = "closed";
    this.#openMs = this.#baseOpenMs;
  }

  /** The destination failed. Opens the breaker at the threshold, or again after a failed probe. */
  recordFailure(): void {
    this.#failures++;
    if (this.#state === "half-open") {
      this.#probeInFlight = false;
      this.#openMs = Math.min(this.#maxOpenMs, this.#openMs * 2);
      this.#open();
      return;
    }
    if (this.#state === "closed" && this.#failures >= this.#failureThreshold) this.#open();
  }

  /** The call ended without a verdict (cancelled): frees the probe slot, changes nothing else. */
  release(): void {
    this.#probeInFlight = false;
  }

  /** A snapshot for health reporting. */
  snapshot(): BreakerSnapshot {
    const state = this.state;
    return {
      state,
      consecutiveFailures: this.#failures,
      retryAtMs: state === "open" ? this.#retryAtMs : undefined,
    };
  }

  #open(): void {
    this.#state = "open";
    this.#retryAtMs = this.#now() + this.#openMs;
  }
}
