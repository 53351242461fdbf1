import { gunzipSync } from "node:zlib";
import { type Counter, type Metrics, parseRetryAfter, retry, sleep } from "@ctwatch/runtime";

/** Why a request to a log failed. `retryable` failures are retried by the fetcher itself. */
export class LogHttpError extends Error {
  constructor(
    message: string,
    readonly kind: "status" | "timeout" | "too-large" | "network" | "not-found",
    readonly status?: number,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "LogHttpError";
  }

  /** 429, 5xx, timeouts and network errors are worth another try. */
  get retryable(): boolean {
    return (
      this.kind === "timeout" || this.kind === "network" || this.status === 429 || (this.status ?? 0) >= 500
    );
  }
}

/** Limits of one log's HTTP traffic. */
export interface FetchLimits {
  /** Requests per second (token bucket); default 10. */
  requestsPerSecond?: number;
  /** Requests in flight at once; default 4. */
  maxConcurrency?: number;
  /** Per-request timeout, ms; default 20 000. */
  timeoutMs?: number;
  /** Largest response body accepted (after decompression), bytes; default 16 MiB. */
  maxResponseBytes?: number;
  /** Attempts per request (429/5xx/timeouts), default 8; backoff capped at 60 s. */
  maxAttempts?: number;
}

/** Options of `HttpFetcher`. */
export interface HttpFetcherOptions extends FetchLimits {
  /** Label for metrics and errors: the log's URL prefix or name. */
  logLabel: string;
  metrics: Metrics;
  fetch?: typeof fetch;
  userAgent?: string;
}

/**
 * GETs for one log, bounded in rate, concurrency, time and size, retried with
 * jittered backoff that honours Retry-After. 404 is reported as kind
 * "not-found" (not retried): tiles and entries that do not exist yet.
 */
export class HttpFetcher {
  private readonly rate: number;
  private tokens: number;
  private lastRefill = Date.now();
  private inFlight = 0;
  private readonly waiters: Array<() => void> = [];
  private readonly requests: Counter;
  private readonly throttled: Counter;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly opts: HttpFetcherOptions) {
    this.rate = opts.requestsPerSecond ?? 10;
    this.tokens = this.rate;
    this.fetchImpl = opts.fetch ?? fetch;
    this.requests = opts.metrics.counter(
      "ctwatch_log_requests_total",
      "HTTP requests to CT logs, by log and outcome",
    );
    this.throttled = opts.metrics.counter(
      "ctwatch_log_throttled_total",
      "429/503 answers from CT logs, by log",
    );
  }

  private async acquire(signal?: AbortSignal): Promise<void> {
    const max = this.opts.maxConcurrency ?? 4;
    while (this.inFlight >= max) {
      await new Promise<void>((r) => this.waiters.push(r));
    }
    this.inFlight++;
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(this.rate, this.tokens + ((now - this.lastRefill) / 1000) * this.rate);
      this.lastRefill = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      try {
        await sleep(Math.ceil(((1 - this.tokens) / this.rate) * 1000), signal);
      } catch (err) {
        this.release();
        throw err;
      }
    }
  }

  private release(): void {
    this.inFlight--;
    this.waiters.shift()?.();
  }

  /**
   * GETs `url` and returns the body. With `sniffGzip` a body that starts with the
   * gzip magic is decompressed (data tiles may be stored compressed and served
   * without Content-Encoding; their first byte can never be 0x1f).
   */
  async get(url: string, signal?: AbortSignal, sniffGzip = false): Promise<Uint8Array> {
    return retry(
      async () => {
        await this.acquire(signal);
        try {
          return await this.once(url, signal, sniffGzip);
        } finally {
          this.release();
        }
      },
      {
        maxAttempts: this.opts.maxAttempts ?? 8,
        baseDelayMs: 250,
        maxDelayMs: 60_000,
        ...(signal ? { signal } : {}),
        classify: (err) =>
          err instanceof LogHttpError && err.retryable
            ? { retry: true, ...(err.retryAfterMs !== undefined ? { afterMs: err.retryAfterMs } : {}) }
            : { retry: false },
      },
    );
  }

  private async once(url: string, signal: AbortSignal | undefined, sniffGzip: boolean): Promise<Uint8Array> {
    const timeoutMs = this.opts.timeoutMs ?? 20_000;
    const max = this.opts.maxResponseBytes ?? 16 << 20;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const label = { log: this.opts.logLabel };
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        signal: combined,
        headers: { "user-agent": this.opts.userAgent ?? "ctwatch/0.1", "accept-encoding": "gzip" },
      });
    } catch (cause) {
      if (signal?.aborted) throw signal.reason;
      const kind = timeout.aborted ? "timeout" : "network";
      this.requests.inc({ ...label, outcome: kind });
      throw new LogHttpError(`GET ${url}: ${kind}: ${(cause as Error).message}`, kind, undefined, undefined, {
        cause,
      });
    }
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => {});
      const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"));
      if (res.status === 429 || res.status === 503) this.throttled.inc(label);
      this.requests.inc({ ...label, outcome: String(res.status) });
      throw new LogHttpError(
        `GET ${url}: HTTP ${res.status}`,
        res.status === 404 ? "not-found" : "status",
        res.status,
        retryAfterMs,
      );
    }
    const declared = Number(res.headers.get("content-length") ?? "0");
    if (declared > max) {
      await res.body?.cancel().catch(() => {});
      this.requests.inc({ ...label, outcome: "too-large" });
      throw new LogHttpError(`GET ${url}: body of ${declared} bytes exceeds ${max}`, "too-large");
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for await (const chunk of res.body ?? []) {
        total += chunk.byteLength;
        if (total > max) {
          this.requests.inc({ ...label, outcome: "too-large" });
          throw new LogHttpError(`GET ${url}: body exceeds ${max} bytes`, "too-large");
        }
        chunks.push(chunk);
      }
    } catch (err) {
      if (err instanceof LogHttpError) throw err;
      if (signal?.aborted) throw signal.reason;
      const kind = timeout.aborted ? "timeout" : "network";
      this.requests.inc({ ...label, outcome: kind });
      throw new LogHttpError(`GET ${url}: ${kind} while reading body`, kind, undefined, undefined, {
        cause: err,
      });
    }
    this.requests.inc({ ...label, outcome: "200" });
    let body: Uint8Array = Buffer.concat(chunks, total);
    // Tiles may be stored gzip-compressed and served without Content-Encoding.
    if (sniffGzip && body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b) {
      try {
        body = gunzipSync(body, { maxOutputLength: max });
      } catch (cause) {
        throw new LogHttpError(`GET ${url}: bad or oversized gzip body`, "too-large", undefined, undefined, {
          cause,
        });
      }
    }
    return body;
  }
}
