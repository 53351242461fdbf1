import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { type Counter, type Gauge, type Metrics, parseRetryAfter, retry, sleep } from "@ctwatch/runtime";
import { context, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";

const gunzipAsync = promisify(gunzip);

/** Why a request to a log failed. `retryable` failures are retried by the fetcher itself. */
export class LogHttpError extends Error {
  constructor(
    message: string,
    readonly kind: "status" | "timeout" | "too-large" | "network" | "not-found" | "bad-body",
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

  /** 429 and 503: the log asks us to slow down. */
  get throttled(): boolean {
    return this.status === 429 || this.status === 503;
  }
}

/** Limits of one log's HTTP traffic. */
export interface FetchLimits {
  /**
   * Requests per second (token bucket, burst of one second); default 10. This is the ceiling: the
   * fetcher lowers its own rate when the log answers 429/503 and climbs back on success.
   */
  requestsPerSecond?: number;
  /** Requests in flight at once; default 4. */
  maxConcurrency?: number;
  /** Per-request timeout, ms; default 20 000. */
  timeoutMs?: number;
  /** Largest response body accepted (after decompression), bytes; default 16 MiB. */
  maxResponseBytes?: number;
  /** Attempts per request for 5xx, timeouts and network errors, default 8; backoff capped at 60 s. */
  maxAttempts?: number;
  /**
   * Throttled answers (429/503) one request rides out before failing, default 50: each waits out
   * the log's shared cool-down (Retry-After, else 1 s doubling to 60 s), so 50 is a storm of tens
   * of minutes.
   */
  maxThrottledAttempts?: number;
}

/** Options of `HttpFetcher`. */
export interface HttpFetcherOptions extends FetchLimits {
  /** Label for metrics and errors: the log's URL prefix or name. */
  logLabel: string;
  metrics: Metrics;
  fetch?: typeof fetch;
  userAgent?: string;
  /** Clock, ms (tests). */
  now?: () => number;
  /** Random source in [0, 1) for jitter (tests). */
  random?: () => number;
  /**
   * Tracer of the CLIENT span each HTTP request gets; default the global "ctwatch" tracer (a no-op
   * until telemetry is started). Spans are only made under an active span (e.g. a tailing round):
   * idle tree-head polls and log-list loads make no trace of their own.
   */
  tracer?: Tracer;
}

/** Lowest adaptive rate: 1/16 of the configured one, and never below one request every 5 s. */
const MIN_RATE_FRACTION = 1 / 16;
const MIN_RATE = 0.2;
/** Cool-down after a 429/503 without Retry-After: base and cap, ms. */
const THROTTLE_BASE_MS = 1_000;
const THROTTLE_CAP_MS = 60_000;

/**
 * GETs for one log, bounded in rate, concurrency, time and size, retried with jittered backoff that
 * honours Retry-After. 404 is reported as kind "not-found" (not retried): tiles and entries that do
 * not exist yet.
 *
 * Rate limiting adapts (AIMD): a 429 or 503 halves the request rate (at most once per cool-down)
 * and pauses *every* request to the log until the cool-down ends (Retry-After when given, else
 * jittered exponential); each success adds back 1/20 of the configured rate. So a throttled log
 * sees one coordinated slow-down instead of each in-flight request retrying on its own schedule,
 * and the fetcher settles just under the log's real limit instead of oscillating into 429 storms
 * that waste its request budget.
 */
export class HttpFetcher {
  private readonly maxRate: number;
  private rate: number;
  private tokens: number;
  private lastRefill: number;
  private pausedUntil = 0;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  private consecutiveThrottles = 0;
  private inFlight = 0;
  private readonly waiters: Array<() => void> = [];
  private readonly requests: Counter;
  private readonly throttled: Counter;
  private readonly rateGauge: Gauge;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly label: { log: string };
  private readonly tracer: Tracer;

  constructor(private readonly opts: HttpFetcherOptions) {
    this.maxRate = opts.requestsPerSecond ?? 10;
    this.rate = this.maxRate;
    this.tokens = Math.max(1, this.maxRate);
    this.fetchImpl = opts.fetch ?? fetch;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.lastRefill = this.now();
    this.label = { log: opts.logLabel };
    this.tracer = opts.tracer ?? trace.getTracer("ctwatch", "0.1.0");
    this.requests = opts.metrics.counter(
      "ctwatch_log_requests_total",
      "HTTP requests to CT logs, by log and outcome",
    );
    this.throttled = opts.metrics.counter(
      "ctwatch_log_throttled_total",
      "429/503 answers from CT logs, by log",
    );
    this.rateGauge = opts.metrics.gauge(
      "ctwatch_log_request_rate",
      "Current adaptive request-rate limit per log, requests/s (lowered on 429/503)",
    );
    this.rateGauge.set(this.rate, this.label);
  }

  /** The current adaptive rate limit, requests per second. */
  get currentRate(): number {
    return this.rate;
  }

  private async acquire(signal?: AbortSignal): Promise<void> {
    const max = this.opts.maxConcurrency ?? 4;
    while (this.inFlight >= max) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.waiters.indexOf(wake);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal?.reason);
        };
        this.waiters.push(wake);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    }
    this.inFlight++;
    try {
      for (;;) {
        const now = this.now();
        if (now < this.pausedUntil) {
          await sleep(this.pausedUntil - now, signal);
          continue;
        }
        this.tokens = Math.min(
          Math.max(1, this.rate),
          this.tokens + ((now - this.lastRefill) / 1000) * this.rate,
        );
        this.lastRefill = now;
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return;
        }
        await sleep(Math.ceil(((1 - this.tokens) / this.rate) * 1000), signal);
      }
    } catch (err) {
      this.release();
      throw err;
    }
  }

  private release(): void {
    this.inFlight--;
    this.waiters.shift()?.();
  }

  /** A 429/503: halve the rate (once per cool-down) and pause every request until the cool-down ends. */
  private onThrottled(retryAfterMs: number | undefined): void {
    const now = this.now();
    this.consecutiveThrottles++;
    if (now >= this.lastDecreaseAt + 1_000 && now >= this.pausedUntil) {
      this.rate = Math.max(MIN_RATE, this.maxRate * MIN_RATE_FRACTION, this.rate / 2);
      this.lastDecreaseAt = now;
      this.rateGauge.set(this.rate, this.label);
    }
    const backoff = Math.min(THROTTLE_CAP_MS, THROTTLE_BASE_MS * 2 ** (this.consecutiveThrottles - 1));
    // "Equal jitter": at least half the backoff, so a storm really thins out.
    const delay = retryAfterMs ?? backoff / 2 + this.random() * (backoff / 2);
    this.pausedUntil = Math.max(this.pausedUntil, now + Math.min(delay, 10 * THROTTLE_CAP_MS));
    this.tokens = 0;
  }

  private onSuccess(): void {
    this.consecutiveThrottles = 0;
    if (this.rate < this.maxRate) {
      this.rate = Math.min(this.maxRate, this.rate + this.maxRate / 20);
      this.rateGauge.set(this.rate, this.label);
    }
  }

  /**
   * GETs `url` and returns the body. With `sniffGzip` a body that starts with the gzip magic is
   * decompressed (off the main thread; data tiles may be stored compressed and served without
   * Content-Encoding; their first byte can never be 0x1f).
   */
  async get(url: string, signal?: AbortSignal, sniffGzip = false): Promise<Uint8Array> {
    const maxThrottled = this.opts.maxThrottledAttempts ?? 50;
    let attempt = 0;
    return retry(
      async () => {
        // 429/503 are answered by the shared cool-down in `acquire` (Retry-After or jittered
        // exponential, for every request of the log at once), not by this request's own backoff:
        // a throttled log is paced, never given up on, within `maxThrottledAttempts`.
        for (let throttled = 0; ; throttled++) {
          await this.acquire(signal);
          try {
            return await this.traced(url, attempt++, () => this.once(url, signal, sniffGzip));
          } catch (err) {
            if (err instanceof LogHttpError && err.throttled && throttled + 1 < maxThrottled) continue;
            throw err;
          } finally {
            this.release();
          }
        }
      },
      {
        maxAttempts: this.opts.maxAttempts ?? 8,
        baseDelayMs: 250,
        maxDelayMs: 60_000,
        random: this.random,
        ...(signal ? { signal } : {}),
        classify: (err) =>
          err instanceof LogHttpError && err.retryable
            ? { retry: true, ...(err.retryAfterMs !== undefined ? { afterMs: err.retryAfterMs } : {}) }
            : { retry: false },
      },
    );
  }

  /**
   * GETs `url` and parses the body as JSON (bounded by `maxResponseBytes`). A body that is not JSON
   * is a `LogHttpError` of kind "bad-body" (not retried here: the caller decides whether garbage
   * from the log is worth another round).
   */
  async getJson(url: string, signal?: AbortSignal): Promise<unknown> {
    const body = await this.get(url, signal);
    try {
      return JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
    } catch (cause) {
      throw new LogHttpError(`GET ${url}: body is not JSON`, "bad-body", 200, undefined, { cause });
    }
  }

  /**
   * Runs one HTTP attempt in a CLIENT span (OpenTelemetry HTTP semantic conventions) when a span is
   * active. `resendCount` is the number of earlier attempts of the same logical request (retries
   * after errors and waits out of throttling).
   */
  private async traced(url: string, resendCount: number, fn: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const parent = context.active();
    if (!trace.getSpan(parent)) return fn();
    const u = new URL(url);
    const span: Span = this.tracer.startSpan(
      "GET",
      {
        kind: SpanKind.CLIENT,
        attributes: {
          "http.request.method": "GET",
          "url.full": spanSafeUrl(u),
          "server.address": u.hostname,
          ...(u.port ? { "server.port": Number(u.port) } : {}),
          "ct.log": this.opts.logLabel,
          ...(resendCount > 0 ? { "http.request.resend_count": resendCount } : {}),
        },
      },
      parent,
    );
    try {
      const body = await context.with(trace.setSpan(parent, span), fn);
      span.setAttributes({ "http.response.status_code": 200, "http.response.body.size": body.length });
      return body;
    } catch (err) {
      if (err instanceof LogHttpError) {
        if (err.status !== undefined) span.setAttribute("http.response.status_code", err.status);
        span.setAttribute("error.type", err.status !== undefined ? String(err.status) : err.kind);
      } else {
        span.setAttribute("error.type", (err as Error)?.name ?? "Error");
      }
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message?.slice(0, 200) });
      throw err;
    } finally {
      span.end();
    }
  }

  private async once(url: string, signal: AbortSignal | undefined, sniffGzip: boolean): Promise<Uint8Array> {
    const timeoutMs = this.opts.timeoutMs ?? 20_000;
    const max = this.opts.maxResponseBytes ?? 16 << 20;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const label = this.label;
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
      const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"), this.now());
      this.requests.inc({ ...label, outcome: String(res.status) });
      if (res.status === 429 || res.status === 503) {
        this.throttled.inc(label);
        this.onThrottled(retryAfterMs);
      }
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
    this.onSuccess();
    let body: Uint8Array = Buffer.concat(chunks, total);
    // Tiles may be stored gzip-compressed and served without Content-Encoding.
    if (sniffGzip && body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b) {
      try {
        // 256 KiB output chunks: a data tile inflates in one or two steps, not ~25 callbacks of 16 KiB.
        body = await gunzipAsync(body, { maxOutputLength: max, chunkSize: 256 << 10 });
      } catch (cause) {
        throw new LogHttpError(`GET ${url}: bad or oversized gzip body`, "bad-body", 200, undefined, {
          cause,
        });
      }
    }
    return body;
  }
}

/** Query parameters of the CT read APIs: safe to record. Anything else may be a credential. */
const CT_QUERY_PARAMS = new Set(["start", "end", "first", "second", "tree_size", "hash", "leaf_index"]);

/**
 * The URL as recorded in spans: never user info, and the query only when every parameter is one of
 * the CT APIs' own (a URL prefix with e.g. an API key in its query is recorded by path only).
 */
export function spanSafeUrl(u: URL): string {
  const keys = [...u.searchParams.keys()];
  const query = keys.length > 0 && keys.every((k) => CT_QUERY_PARAMS.has(k)) ? u.search : "";
  return `${u.protocol}//${u.host}${u.pathname}${query}`;
}
