import type { Alert } from "@ctwatch/proto";
import type { AdapterDeps } from "./adapter-deps.js";
import { type BatchLimits, planBatches, utf8Length } from "./batcher.js";
import type { SiemDestination, TestConnectionResult } from "./destination.js";
import { DeliveryError, type DeliveryErrorCode } from "./errors.js";
import { encodeHecEvent, type HecFormatOptions, toHecEvent } from "./format-splunk.js";
import { excerpt, type HttpResponse, httpCall, tryParseJson } from "./http.js";
import { isRetryableStatus, parseRetryAfter } from "./retry.js";
import { type Secret, scrubSecrets } from "./secret-box.js";
import { connectionTestAlert, runConnectionTest } from "./test-connection.js";

/** A validated Splunk HEC destination with its token opened. */
export interface SplunkHecSettings {
  readonly id: string;
  /** Base URL without the `/services/collector…` path. */
  readonly baseUrl: URL;
  readonly token: Secret;
  readonly format: HecFormatOptions;
  readonly limits: BatchLimits;
  readonly timeoutMs: number;
  readonly useAck: boolean;
  readonly ackTimeoutMs: number;
  readonly ackPollIntervalMs: number;
  readonly channel: string;
}

/**
 * Splunk HTTP Event Collector. One request per batch to `/services/collector/event`
 * with `Authorization: Splunk <token>` and the events concatenated. With indexer
 * acknowledgement, the request carries `X-Splunk-Request-Channel` and delivery waits
 * until `/services/collector/ack` reports the batch's `ackId` indexed.
 */
export class SplunkHecDestination implements SiemDestination {
  readonly kind = "splunk-hec" as const;
  readonly id: string;
  readonly #settings: SplunkHecSettings;
  readonly #deps: AdapterDeps;
  readonly #encoded = new WeakMap<Alert, string>();

  constructor(settings: SplunkHecSettings, deps: AdapterDeps) {
    this.id = settings.id;
    this.#settings = settings;
    this.#deps = deps;
  }

  maxBatch(): BatchLimits {
    return this.#settings.limits;
  }

  planBatches(alerts: readonly Alert[]): Alert[][] {
    return planBatches(alerts, this.#settings.limits, { sizeOf: (a) => utf8Length(this.#encode(a)) });
  }

  async deliver(alerts: readonly Alert[], signal: AbortSignal): Promise<void> {
    if (alerts.length === 0) return;
    const body = alerts.map((a) => this.#encode(a)).join("");
    const bytes = utf8Length(body);
    if (
      alerts.length > 1 &&
      (bytes > this.#settings.limits.maxBytes || alerts.length > this.#settings.limits.maxEvents)
    ) {
      throw new DeliveryError(
        `batch of ${alerts.length} events (${bytes} bytes) exceeds the configured limits`,
        {
          code: "payload-too-large",
          retryable: false,
          splittable: true,
        },
      );
    }
    const response = await httpCall({
      url: this.#url("event"),
      method: "POST",
      headers: this.#headers(),
      body,
      timeoutMs: this.#settings.timeoutMs,
      signal,
      fetch: this.#deps.fetch,
    });
    const answer = parseHecAnswer(response.text);
    if (response.status !== 200 || (answer.code !== undefined && answer.code !== 0)) {
      throw this.#error(response, answer);
    }
    if (!this.#settings.useAck) return;
    if (answer.ackId === undefined) {
      this.#deps.logger.warn(
        "HEC returned no ackId although useAck is on; the token has indexer acknowledgement disabled",
        {
          destination: this.id,
        },
      );
      return;
    }
    await this.#awaitAck(answer.ackId, signal);
  }

  async testConnection(signal: AbortSignal): Promise<TestConnectionResult> {
    return runConnectionTest(this.kind, signal, this.#deps.now, async () => {
      await this.deliver([connectionTestAlert(this.#deps.now())], signal);
      const where = this.#settings.format.index
        ? `index ${this.#settings.format.index}`
        : "the token's default index";
      const acked = this.#settings.useAck ? ", indexing acknowledged" : "";
      return {
        message: `Test event written to ${where} with sourcetype ${this.#settings.format.sourcetype}${acked}.`,
      };
    });
  }

  #encode(alert: Alert): string {
    let text = this.#encoded.get(alert);
    if (text === undefined) {
      text = encodeHecEvent(toHecEvent(alert, this.#settings.format));
      this.#encoded.set(alert, text);
    }
    return text;
  }

  #url(endpoint: "event" | "ack"): URL {
    const base = this.#settings.baseUrl;
    const prefix = base.pathname.replace(/\/+$/, "");
    return new URL(`${prefix}/services/collector/${endpoint}`, base);
  }

  #headers(): Record<string, string> {
    const headers: Record<string, string> = {
      authorization: `Splunk ${this.#settings.token.reveal()}`,
      "content-type": "application/json",
    };
    if (this.#settings.useAck) headers["x-splunk-request-channel"] = this.#settings.channel;
    return headers;
  }

  async #awaitAck(ackId: number, signal: AbortSignal): Promise<void> {
    const deadline = this.#deps.now() + this.#settings.ackTimeoutMs;
    for (;;) {
      const response = await httpCall({
        url: this.#url("ack"),
        method: "POST",
        headers: this.#headers(),
        body: JSON.stringify({ acks: [ackId] }),
        timeoutMs: this.#settings.timeoutMs,
        signal,
        fetch: this.#deps.fetch,
      });
      const answer = parseHecAnswer(response.text);
      if (response.status !== 200) throw this.#error(response, answer);
      const acks = (tryParseJson(response.text) as { acks?: Record<string, unknown> } | undefined)?.acks;
      if (acks?.[String(ackId)] === true) return;
      if (this.#deps.now() + this.#settings.ackPollIntervalMs > deadline) {
        throw new DeliveryError(
          `HEC accepted the batch but did not acknowledge indexing of ackId ${ackId} within ${this.#settings.ackTimeoutMs} ms`,
          { code: "ack-timeout", retryable: true },
        );
      }
      await this.#deps.sleep(this.#settings.ackPollIntervalMs, signal);
    }
  }

  #error(response: HttpResponse, answer: HecAnswer): DeliveryError {
    const status = response.status;
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), this.#deps.now());
    const text = answer.text === undefined ? excerpt(response.text) : answer.text;
    const said = scrubSecrets(
      `Splunk HEC answered HTTP ${status}${answer.code === undefined ? "" : ` code ${answer.code}`}${text ? ` "${text}"` : ""}`,
      [this.#settings.token],
    );
    const siemCode = answer.code === undefined ? undefined : String(answer.code);
    const make = (code: DeliveryErrorCode, retryable: boolean, extra = "") =>
      new DeliveryError(`${said}${extra}`, {
        code,
        retryable,
        status,
        ...(siemCode === undefined ? {} : { siemCode }),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        ...(status === 413 ? { splittable: true } : {}),
      });
    switch (answer.code) {
      case 1:
        return make("token-disabled", false);
      case 2:
        return make("token-required", false);
      case 3:
      case 4:
        return make("credentials-rejected", false);
      case 5:
      case 6:
      case 12:
      case 13:
      case 15: {
        const n = answer.invalidEventNumber;
        return make("invalid-data", false, n === undefined ? "" : ` (event ${n} of the batch)`);
      }
      case 7:
        return make("incorrect-index", false);
      case 10:
      case 11:
      case 14:
        return make("ack-misconfigured", false);
      case 8:
        return make("server-error", true);
      case 9:
      case 18:
      case 19:
      case 20:
        return make("server-busy", true);
    }
    if (status >= 300 && status < 400) {
      return make("unexpected-redirect", false, ` (to ${response.headers.get("location") ?? "?"})`);
    }
    if (status === 401) return make("credentials-rejected", false);
    if (status === 403) return make("forbidden", false);
    if (status === 404) return make("not-found", false);
    if (status === 413) return make("payload-too-large", false);
    if (status === 429) return make("rate-limited", true);
    if (status === 408) return make("timeout", true);
    if (isRetryableStatus(status)) return make(status === 503 ? "server-busy" : "server-error", true);
    return make(status >= 400 && status < 500 ? "invalid-data" : "unknown", false);
  }
}

interface HecAnswer {
  readonly text?: string;
  readonly code?: number;
  readonly ackId?: number;
  readonly invalidEventNumber?: number;
}

function parseHecAnswer(body: string): HecAnswer {
  const json = tryParseJson(body);
  if (!json || typeof json !== "object") return {};
  const o = json as Record<string, unknown>;
  return {
    ...(typeof o.text === "string" ? { text: excerpt(o.text) } : {}),
    ...(typeof o.code === "number" ? { code: o.code } : {}),
    ...(typeof o.ackId === "number" ? { ackId: o.ackId } : {}),
    ...(typeof o["invalid-event-number"] === "number"
      ? { invalidEventNumber: o["invalid-event-number"] }
      : {}),
  };
}
