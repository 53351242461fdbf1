import type { Alert } from "@ctwatch/proto";
import type { AdapterDeps } from "./adapter-deps.js";
import { type BatchLimits, planBatches, utf8Length } from "./batcher.js";
import type { SiemDestination, TestConnectionResult } from "./destination.js";
import { DeliveryError, type DeliveryErrorCode } from "./errors.js";
import { toDataCollectorRecord } from "./format-sentinel.js";
import { excerpt, type HttpResponse, httpCall, tryParseJson } from "./http.js";
import { isRetryableStatus, parseRetryAfter } from "./retry.js";
import { type Secret, scrubSecrets } from "./secret-box.js";
import { dataCollectorAuthorization, rfc1123 } from "./shared-key.js";
import { connectionTestAlert, runConnectionTest } from "./test-connection.js";

/** The Data Collector API version (the only one there is). */
export const DATA_COLLECTOR_API_VERSION = "2016-04-01";
/** The date Microsoft stops accepting Data Collector API calls. */
export const DATA_COLLECTOR_RETIREMENT = "2026-09-14";
/** The warning shown for Data Collector destinations. */
export const DATA_COLLECTOR_DEPRECATION_WARNING = `The HTTP Data Collector API is deprecated and stops working on ${DATA_COLLECTOR_RETIREMENT}; migrate this destination to the Logs Ingestion API (the README describes a DCR that keeps the same table and columns).`;

/** A validated Data Collector destination with its workspace key opened. */
export interface SentinelDataCollectorSettings {
  readonly id: string;
  readonly workspaceId: string;
  readonly workspaceKey: Secret;
  /** Base URL, e.g. `https://<workspaceId>.ods.opinsights.azure.com`. */
  readonly endpoint: URL;
  readonly logType: string;
  readonly timeGeneratedField: string;
  readonly azureResourceId?: string;
  readonly limits: BatchLimits;
  readonly timeoutMs: number;
}

/**
 * Microsoft Sentinel through the legacy HTTP Data Collector API, kept for setups that
 * still use a Workspace ID and key (EZMonitor's original method).
 * `POST /api/logs?api-version=2016-04-01` with `Log-Type: EZMonitor_Alerts`,
 * `x-ms-date`, `time-generated-field: DetectedAt` and
 * `Authorization: SharedKey <workspaceId>:<HMAC-SHA256 signature>`.
 * Deprecated: Microsoft retires the API on 2026-09-14.
 */
export class SentinelDataCollectorDestination implements SiemDestination {
  readonly kind = "sentinel-data-collector" as const;
  readonly id: string;
  readonly #settings: SentinelDataCollectorSettings;
  readonly #deps: AdapterDeps;
  readonly #encoded = new WeakMap<Alert, string>();

  constructor(settings: SentinelDataCollectorSettings, deps: AdapterDeps) {
    this.id = settings.id;
    this.#settings = settings;
    this.#deps = deps;
    deps.logger.warn(DATA_COLLECTOR_DEPRECATION_WARNING, { destination: settings.id });
  }

  maxBatch(): BatchLimits {
    return this.#settings.limits;
  }

  planBatches(alerts: readonly Alert[]): Alert[][] {
    return planBatches(alerts, this.#settings.limits, {
      sizeOf: (a) => utf8Length(this.#encode(a)) + 1,
      fixedBytes: 2,
    });
  }

  async deliver(alerts: readonly Alert[], signal: AbortSignal): Promise<void> {
    if (alerts.length === 0) return;
    const body = Buffer.from(`[${alerts.map((a) => this.#encode(a)).join(",")}]`, "utf8");
    if (
      alerts.length > 1 &&
      (body.length > this.#settings.limits.maxBytes || alerts.length > this.#settings.limits.maxEvents)
    ) {
      throw new DeliveryError(
        `batch of ${alerts.length} records (${body.length} bytes) exceeds the configured limits`,
        {
          code: "payload-too-large",
          retryable: false,
          splittable: true,
        },
      );
    }
    const s = this.#settings;
    const date = rfc1123(new Date(this.#deps.now()));
    const url = new URL(`${s.endpoint.pathname.replace(/\/+$/, "")}/api/logs`, s.endpoint);
    url.searchParams.set("api-version", DATA_COLLECTOR_API_VERSION);
    const headers: Record<string, string> = {
      authorization: dataCollectorAuthorization(s.workspaceId, s.workspaceKey, body.length, date),
      "content-type": "application/json",
      "log-type": s.logType,
      "x-ms-date": date,
      "time-generated-field": s.timeGeneratedField,
    };
    if (s.azureResourceId) headers["x-ms-azureresourceid"] = s.azureResourceId;
    const response = await httpCall({
      url,
      method: "POST",
      headers,
      body: new Uint8Array(body),
      timeoutMs: s.timeoutMs,
      signal,
      fetch: this.#deps.fetch,
    });
    if (response.status < 200 || response.status > 299) throw this.#error(response);
  }

  async testConnection(signal: AbortSignal): Promise<TestConnectionResult> {
    return runConnectionTest(this.kind, signal, this.#deps.now, async () => {
      await this.deliver([connectionTestAlert(this.#deps.now())], signal);
      return {
        message: `Test record accepted for table ${this.#settings.logType}_CL; it can take several minutes to appear.`,
        warnings: [DATA_COLLECTOR_DEPRECATION_WARNING],
      };
    });
  }

  #encode(alert: Alert): string {
    let text = this.#encoded.get(alert);
    if (text === undefined) {
      text = JSON.stringify(toDataCollectorRecord(alert));
      this.#encoded.set(alert, text);
    }
    return text;
  }

  #error(response: HttpResponse): DeliveryError {
    const status = response.status;
    const json = tryParseJson(response.text) as Record<string, unknown> | undefined;
    const siemCode =
      typeof json?.Error === "string" ? json.Error : typeof json?.error === "string" ? json.error : undefined;
    const raw =
      typeof json?.Message === "string"
        ? json.Message
        : typeof json?.message === "string"
          ? json.message
          : "";
    const message = scrubSecrets(excerpt(raw || (json ? "" : response.text)), [this.#settings.workspaceKey]);
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), this.#deps.now());
    const said = `Data Collector API answered HTTP ${status}${siemCode ? ` ${siemCode}` : ""}${message ? `: ${message}` : ""}`;
    const make = (code: DeliveryErrorCode, retryable: boolean, extra = "") =>
      new DeliveryError(`${said}${extra}`, {
        code,
        retryable,
        status,
        ...(siemCode ? { siemCode } : {}),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        ...(status === 413 ? { splittable: true } : {}),
      });
    if (siemCode === "InvalidAuthorization" || status === 403 || status === 401)
      return make("credentials-rejected", false);
    if (siemCode === "InvalidCustomerId" || siemCode === "InactiveCustomer") return make("not-found", false);
    if (status === 404) return make("not-found", false, " (wrong workspace URL, or request too large)");
    if (status === 413) return make("payload-too-large", false);
    if (status === 429) return make("rate-limited", true);
    if (status === 408) return make("timeout", true);
    if (status >= 300 && status < 400) return make("unexpected-redirect", false);
    if (isRetryableStatus(status)) return make(status === 503 ? "server-busy" : "server-error", true);
    return make(status >= 400 && status < 500 ? "invalid-data" : "unknown", false);
  }
}
