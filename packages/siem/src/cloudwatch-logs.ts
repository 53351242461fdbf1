import type { Alert } from "@ctwatch/proto";
import type { AdapterDeps } from "./adapter-deps.js";
import { type BatchLimits, planBatches, utf8Length } from "./batcher.js";
import type { SiemDestination, TestConnectionResult } from "./destination.js";
import { DeliveryError, type DeliveryErrorCode } from "./errors.js";
import {
  CLOUDWATCH_EVENT_OVERHEAD_BYTES,
  type CloudWatchFormatOptions,
  type PutLogEventsEvent,
  toPutLogEventsEvent,
} from "./format-cloudwatch.js";
import { excerpt, type HttpResponse, httpCall, tryParseJson } from "./http.js";
import { isRetryableStatus, parseRetryAfter } from "./retry.js";
import { type Secret, scrubSecrets } from "./secret-box.js";
import { type SigV4Credentials, signSigV4 } from "./sigv4.js";
import { connectionTestAlert, runConnectionTest } from "./test-connection.js";

/** Largest time span of one batch, ms: CloudWatch's 24 h, less a minute of slack. */
export const CLOUDWATCH_MAX_SPAN_MS = 24 * 3600_000 - 60_000;

/** A validated CloudWatch Logs destination with its credentials opened. */
export interface CloudWatchLogsSettings {
  readonly id: string;
  readonly region: string;
  readonly endpoint: URL;
  readonly logGroup: string;
  readonly logStream: string;
  readonly auth:
    | { readonly type: "api-key"; readonly apiKey: Secret }
    | ({ readonly type: "sigv4" } & SigV4Credentials);
  readonly format: CloudWatchFormatOptions;
  readonly limits: BatchLimits;
  readonly timeoutMs: number;
}

/** `https://logs.<region>.amazonaws.com`, or `.amazonaws.com.cn` for the China regions. */
export function cloudWatchLogsEndpoint(region: string): URL {
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return new URL(`https://logs.${region}.${suffix}`);
}

/**
 * Amazon CloudWatch Logs. With an API key: `POST /services/collector/event` (the HLC
 * endpoint) with `Authorization: Bearer <key>`, `x-aws-log-group` and
 * `x-aws-log-stream`. With SigV4 keys: the `Logs_20140328.PutLogEvents` JSON API.
 * Either way each log event's message is the EZMonitor envelope
 * `{"source":"EZMonitor","sourcetype":"EZMonitor_Alerts","event":{…}}`, and batches
 * are chronological, span at most 24 h and count 26 bytes of overhead per event.
 */
export class CloudWatchLogsDestination implements SiemDestination {
  readonly kind = "cloudwatch-logs" as const;
  readonly id: string;
  readonly #settings: CloudWatchLogsSettings;
  readonly #deps: AdapterDeps;
  readonly #encoded = new WeakMap<Alert, PutLogEventsEvent>();

  constructor(settings: CloudWatchLogsSettings, deps: AdapterDeps) {
    this.id = settings.id;
    this.#settings = settings;
    this.#deps = deps;
  }

  maxBatch(): BatchLimits {
    return { ...this.#settings.limits, maxSpanMs: CLOUDWATCH_MAX_SPAN_MS };
  }

  planBatches(alerts: readonly Alert[]): Alert[][] {
    const sorted = [...alerts].sort((a, b) => this.#encode(a).timestamp - this.#encode(b).timestamp);
    return planBatches(sorted, this.maxBatch(), {
      sizeOf: (a) => utf8Length(this.#encode(a).message) + CLOUDWATCH_EVENT_OVERHEAD_BYTES,
      timeOf: (a) => this.#encode(a).timestamp,
    });
  }

  async deliver(alerts: readonly Alert[], signal: AbortSignal): Promise<void> {
    if (alerts.length === 0) return;
    const events = alerts.map((a) => this.#encode(a)).sort((a, b) => a.timestamp - b.timestamp);
    const bytes = events.reduce((n, e) => n + utf8Length(e.message) + CLOUDWATCH_EVENT_OVERHEAD_BYTES, 0);
    const first = events[0]!.timestamp;
    const last = events[events.length - 1]!.timestamp;
    const limits = this.#settings.limits;
    if (
      events.length > 1 &&
      (bytes > limits.maxBytes || events.length > limits.maxEvents || last - first > CLOUDWATCH_MAX_SPAN_MS)
    ) {
      throw new DeliveryError(
        `batch of ${events.length} events (${bytes} bytes) exceeds CloudWatch batch limits`,
        {
          code: "payload-too-large",
          retryable: false,
          splittable: true,
        },
      );
    }
    const auth = this.#settings.auth;
    const response =
      auth.type === "api-key"
        ? await this.#postHlc(events, auth.apiKey, signal)
        : await this.#putLogEvents(events, auth, signal);
    if (response.status !== 200) throw this.#error(response);
    if (auth.type === "sigv4") {
      const answer = tryParseJson(response.text) as
        | { rejectedLogEventsInfo?: Record<string, unknown> }
        | undefined;
      const rejected = answer?.rejectedLogEventsInfo;
      if (rejected && Object.keys(rejected).length > 0) {
        throw new DeliveryError(`CloudWatch rejected some log events: ${excerpt(JSON.stringify(rejected))}`, {
          code: "events-rejected",
          retryable: false,
          status: 200,
        });
      }
    }
  }

  async testConnection(signal: AbortSignal): Promise<TestConnectionResult> {
    return runConnectionTest(this.kind, signal, this.#deps.now, async () => {
      await this.deliver([connectionTestAlert(this.#deps.now())], signal);
      const via = this.#settings.auth.type === "api-key" ? "HLC endpoint, API key" : "PutLogEvents, SigV4";
      return {
        message: `Test event written to ${this.#settings.logGroup} / ${this.#settings.logStream} in ${this.#settings.region} (${via}); it can take a few minutes to show in the console.`,
      };
    });
  }

  #encode(alert: Alert): PutLogEventsEvent {
    let event = this.#encoded.get(alert);
    if (event === undefined) {
      event = toPutLogEventsEvent(alert, this.#deps.now(), this.#settings.format);
      this.#encoded.set(alert, event);
    }
    return event;
  }

  #postHlc(events: readonly PutLogEventsEvent[], apiKey: Secret, signal: AbortSignal): Promise<HttpResponse> {
    const url = new URL("/services/collector/event", this.#settings.endpoint);
    return httpCall({
      url,
      method: "POST",
      headers: {
        authorization: `Bearer ${apiKey.reveal()}`,
        "content-type": "application/json",
        "x-aws-log-group": this.#settings.logGroup,
        "x-aws-log-stream": this.#settings.logStream,
      },
      body: events.map((e) => e.message).join(""),
      timeoutMs: this.#settings.timeoutMs,
      signal,
      fetch: this.#deps.fetch,
    });
  }

  #putLogEvents(
    events: readonly PutLogEventsEvent[],
    credentials: SigV4Credentials,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    const url = new URL("/", this.#settings.endpoint);
    const body = JSON.stringify({
      logGroupName: this.#settings.logGroup,
      logStreamName: this.#settings.logStream,
      logEvents: events,
    });
    const headers = {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "Logs_20140328.PutLogEvents",
    };
    const signed = signSigV4({ method: "POST", url, headers, body }, credentials, {
      region: this.#settings.region,
      service: "logs",
      date: new Date(this.#deps.now()),
    });
    return httpCall({
      url,
      method: "POST",
      headers: { ...headers, ...signed },
      body,
      timeoutMs: this.#settings.timeoutMs,
      signal,
      fetch: this.#deps.fetch,
    });
  }

  #secrets(): (Secret | undefined)[] {
    const auth = this.#settings.auth;
    return auth.type === "api-key" ? [auth.apiKey] : [auth.secretAccessKey, auth.sessionToken];
  }

  #error(response: HttpResponse): DeliveryError {
    const status = response.status;
    const json = tryParseJson(response.text) as Record<string, unknown> | undefined;
    const headerType = response.headers.get("x-amzn-errortype")?.split(":")[0];
    const bodyType =
      typeof json?.__type === "string" ? json.__type : typeof json?.code === "string" ? json.code : undefined;
    const type = (headerType ?? bodyType ?? "").split("#").pop() ?? "";
    const rawMessage = json ? String(json.message ?? json.Message ?? "") : excerpt(response.text);
    const message = scrubSecrets(excerpt(rawMessage), this.#secrets());
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), this.#deps.now());
    const said = `CloudWatch Logs answered HTTP ${status}${type ? ` ${type}` : ""}${message ? `: ${message}` : ""}`;
    const make = (code: DeliveryErrorCode, retryable: boolean) =>
      new DeliveryError(said, {
        code,
        retryable,
        status,
        ...(type ? { siemCode: type } : {}),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        ...(status === 413 ? { splittable: true } : {}),
      });
    if (/ResourceNotFound/i.test(type) || (status === 404 && /log (group|stream)/i.test(message))) {
      return make(/stream/i.test(message) ? "log-stream-not-found" : "log-group-not-found", false);
    }
    if (/bearer/i.test(message) && /not (been )?enabled|disabled/i.test(message))
      return make("bearer-auth-disabled", false);
    if (/AccessDenied/i.test(type)) return make("forbidden", false);
    if (
      /UnrecognizedClient|InvalidSignature|IncompleteSignature|SignatureDoesNotMatch|ExpiredToken|InvalidClientTokenId|MissingAuthenticationToken|NotAuthorized|RequestExpired/i.test(
        type,
      ) ||
      status === 401
    ) {
      return make("credentials-rejected", false);
    }
    if (/Throttling/i.test(type) || status === 429) return make("rate-limited", true);
    if (/ServiceUnavailable|InternalFailure/i.test(type)) return make("server-error", true);
    if (status === 413) return make("payload-too-large", false);
    if (status >= 300 && status < 400) return make("unexpected-redirect", false);
    if (status === 403) return make("forbidden", false);
    if (status === 404) return make("not-found", false);
    if (status === 408) return make("timeout", true);
    if (isRetryableStatus(status)) return make(status === 503 ? "server-busy" : "server-error", true);
    return make(status >= 400 && status < 500 ? "invalid-data" : "unknown", false);
  }
}
