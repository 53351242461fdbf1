import type { Alert } from "@ctwatch/proto";
import type { AdapterDeps } from "./adapter-deps.js";
import { type BatchLimits, planBatches, utf8Length } from "./batcher.js";
import type { SiemDestination, TestConnectionResult } from "./destination.js";
import type { EntraTokenProvider } from "./entra-token.js";
import { DeliveryError, type DeliveryErrorCode } from "./errors.js";
import { toLogsIngestionRecord } from "./format-sentinel.js";
import { excerpt, type HttpResponse, httpCall, tryParseJson } from "./http.js";
import { isRetryableStatus, parseRetryAfter } from "./retry.js";
import { type Secret, scrubSecrets } from "./secret-box.js";
import { connectionTestAlert, runConnectionTest } from "./test-connection.js";

/** The Logs Ingestion API version used. */
export const LOGS_INGESTION_API_VERSION = "2023-01-01";

/** A validated Logs Ingestion destination with its token provider. */
export interface SentinelLogsIngestionSettings {
  readonly id: string;
  readonly endpoint: URL;
  readonly dcrImmutableId: string;
  readonly streamName: string;
  readonly tokens: EntraTokenProvider;
  readonly clientSecret: Secret;
  readonly limits: BatchLimits;
  readonly timeoutMs: number;
}

/**
 * Microsoft Sentinel through the Azure Monitor Logs Ingestion API:
 * `POST {endpoint}/dataCollectionRules/{dcr}/streams/{stream}?api-version=2023-01-01`
 * with a JSON array of records and an Entra ID bearer token (client credentials).
 * The DCR's transformation (see README) writes them to `EZMonitor_Alerts_CL` with the
 * Data Collector column names, so `VulnerabilityID_d == 18` keeps working.
 */
export class SentinelLogsIngestionDestination implements SiemDestination {
  readonly kind = "sentinel-logs-ingestion" as const;
  readonly id: string;
  readonly #settings: SentinelLogsIngestionSettings;
  readonly #deps: AdapterDeps;
  readonly #encoded = new WeakMap<Alert, string>();

  constructor(settings: SentinelLogsIngestionSettings, deps: AdapterDeps) {
    this.id = settings.id;
    this.#settings = settings;
    this.#deps = deps;
  }

  maxBatch(): BatchLimits {
    return this.#settings.limits;
  }

  planBatches(alerts: readonly Alert[]): Alert[][] {
    // Body is `[` + records joined by `,` + `]`: 2 fixed bytes, one comma per record (over-counted by one).
    return planBatches(alerts, this.#settings.limits, {
      sizeOf: (a) => utf8Length(this.#encode(a)) + 1,
      fixedBytes: 2,
    });
  }

  async deliver(alerts: readonly Alert[], signal: AbortSignal): Promise<void> {
    if (alerts.length === 0) return;
    const body = `[${alerts.map((a) => this.#encode(a)).join(",")}]`;
    const bytes = utf8Length(body);
    if (
      alerts.length > 1 &&
      (bytes > this.#settings.limits.maxBytes || alerts.length > this.#settings.limits.maxEvents)
    ) {
      throw new DeliveryError(
        `batch of ${alerts.length} records (${bytes} bytes) exceeds the 1 MB call limit`,
        {
          code: "payload-too-large",
          retryable: false,
          splittable: true,
        },
      );
    }
    let { token, fresh } = await this.#settings.tokens.getToken(signal);
    let response = await this.#post(body, token, signal);
    if (response.status === 401 && !fresh) {
      // A cached token can be revoked or rotated out early: fetch a new one once.
      this.#settings.tokens.invalidate();
      ({ token, fresh } = await this.#settings.tokens.getToken(signal));
      response = await this.#post(body, token, signal);
    }
    if (response.status !== 204 && response.status !== 200) throw this.#error(response, token);
  }

  async testConnection(signal: AbortSignal): Promise<TestConnectionResult> {
    return runConnectionTest(this.kind, signal, this.#deps.now, async () => {
      await this.deliver([connectionTestAlert(this.#deps.now())], signal);
      return {
        message: `Token obtained and test record accepted by ${this.#settings.dcrImmutableId} / ${this.#settings.streamName}; it can take several minutes to appear in the table.`,
      };
    });
  }

  #encode(alert: Alert): string {
    let text = this.#encoded.get(alert);
    if (text === undefined) {
      text = JSON.stringify(toLogsIngestionRecord(alert));
      this.#encoded.set(alert, text);
    }
    return text;
  }

  #post(body: string, token: Secret, signal: AbortSignal): Promise<HttpResponse> {
    const s = this.#settings;
    const prefix = s.endpoint.pathname.replace(/\/+$/, "");
    const url = new URL(
      `${prefix}/dataCollectionRules/${encodeURIComponent(s.dcrImmutableId)}/streams/${encodeURIComponent(s.streamName)}`,
      s.endpoint,
    );
    url.searchParams.set("api-version", LOGS_INGESTION_API_VERSION);
    return httpCall({
      url,
      method: "POST",
      headers: {
        authorization: `Bearer ${token.reveal()}`,
        "content-type": "application/json",
        "x-ms-client-request-id": this.#deps.randomUUID(),
      },
      body,
      timeoutMs: s.timeoutMs,
      signal,
      fetch: this.#deps.fetch,
    });
  }

  #error(response: HttpResponse, token: Secret): DeliveryError {
    const status = response.status;
    const json = tryParseJson(response.text) as { error?: { code?: unknown; message?: unknown } } | undefined;
    const siemCode = typeof json?.error?.code === "string" ? json.error.code : undefined;
    const raw = typeof json?.error?.message === "string" ? json.error.message : excerpt(response.text);
    const message = scrubSecrets(excerpt(raw), [token, this.#settings.clientSecret]);
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), this.#deps.now());
    const said = `Logs Ingestion API answered HTTP ${status}${siemCode ? ` ${siemCode}` : ""}${message ? `: ${message}` : ""}`;
    const make = (code: DeliveryErrorCode, retryable: boolean) =>
      new DeliveryError(said, {
        code,
        retryable,
        status,
        ...(siemCode ? { siemCode } : {}),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        ...(status === 413 ? { splittable: true } : {}),
      });
    if (status === 401) return make("credentials-rejected", false);
    if (status === 403) return make("forbidden", false);
    if (status === 404 || /NotFound|InvalidStream|InvalidDataCollectionRule/i.test(siemCode ?? "")) {
      return make("not-found", false);
    }
    if (status === 413) return make("payload-too-large", false);
    if (status === 429) return make("rate-limited", true);
    if (status === 408) return make("timeout", true);
    if (status >= 300 && status < 400) return make("unexpected-redirect", false);
    if (isRetryableStatus(status)) return make(status === 503 ? "server-busy" : "server-error", true);
    return make(status >= 400 && status < 500 ? "invalid-data" : "unknown", false);
  }
}
