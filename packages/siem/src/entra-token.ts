import { DeliveryError } from "./errors.js";
import { excerpt, type FetchLike, httpCall, tryParseJson } from "./http.js";
import { isRetryableStatus, parseRetryAfter } from "./retry.js";
import { Secret, scrubSecrets } from "./secret-box.js";

/** Entra ID authority and Azure Monitor token scope of each Azure cloud. */
export const AZURE_CLOUDS = Object.freeze({
  public: {
    authorityHost: "https://login.microsoftonline.com",
    monitorScope: "https://monitor.azure.com//.default",
    odsDomain: "ods.opinsights.azure.com",
  },
  usgov: {
    authorityHost: "https://login.microsoftonline.us",
    monitorScope: "https://monitor.azure.us//.default",
    odsDomain: "ods.opinsights.azure.us",
  },
  china: {
    authorityHost: "https://login.chinacloudapi.cn",
    monitorScope: "https://monitor.azure.cn//.default",
    odsDomain: "ods.opinsights.azure.cn",
  },
});

/** Options of {@link EntraTokenProvider}. */
export interface EntraTokenProviderOptions {
  /** Authority base URL, e.g. `https://login.microsoftonline.com`. */
  readonly authorityHost: URL;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: Secret;
  /** e.g. `https://monitor.azure.com//.default` (the double slash is what Azure Monitor expects). */
  readonly scope: string;
  readonly fetch: FetchLike;
  readonly now: () => number;
  readonly timeoutMs: number;
  /** Refresh this long before expiry, ms. Default 300 000 (capped at half the token's lifetime). */
  readonly refreshMarginMs?: number;
}

/** A token and whether it was just issued (a cached token may have been revoked since). */
export interface AccessToken {
  readonly token: Secret;
  readonly fresh: boolean;
}

/**
 * OAuth 2.0 client-credentials tokens from Entra ID
 * (`POST {authority}/{tenant}/oauth2/v2.0/token`), cached until shortly before they
 * expire. Concurrent callers share one request. Failures become DeliveryErrors with
 * the AADSTS code and its meaning, never the secret.
 */
export class EntraTokenProvider {
  readonly #options: EntraTokenProviderOptions;
  #cached: { token: Secret; refreshAtMs: number } | undefined;
  #pending: Promise<Secret> | undefined;

  constructor(options: EntraTokenProviderOptions) {
    this.#options = options;
  }

  /** A valid token, from cache when it has not reached its refresh time. */
  async getToken(signal: AbortSignal): Promise<AccessToken> {
    if (this.#cached && this.#options.now() < this.#cached.refreshAtMs)
      return { token: this.#cached.token, fresh: false };
    if (!this.#pending) {
      this.#pending = this.#request(signal).finally(() => {
        this.#pending = undefined;
      });
    }
    return { token: await this.#pending, fresh: true };
  }

  /** Forgets the cached token (after the API rejected it). */
  invalidate(): void {
    this.#cached = undefined;
  }

  async #request(signal: AbortSignal): Promise<Secret> {
    const o = this.#options;
    const base = o.authorityHost.pathname.replace(/\/+$/, "");
    const url = new URL(`${base}/${encodeURIComponent(o.tenantId)}/oauth2/v2.0/token`, o.authorityHost);
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: o.clientId,
      client_secret: o.clientSecret.reveal(),
      scope: o.scope,
    }).toString();
    const issuedAt = o.now();
    const response = await httpCall({
      url,
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body,
      timeoutMs: o.timeoutMs,
      signal,
      fetch: o.fetch,
    });
    const json = tryParseJson(response.text) as Record<string, unknown> | undefined;
    if (response.status === 200 && typeof json?.access_token === "string") {
      const lifetimeMs =
        (typeof json.expires_in === "number" ? json.expires_in : Number(json.expires_in ?? 3599)) * 1000;
      const margin = Math.min(o.refreshMarginMs ?? 300_000, lifetimeMs / 2);
      const token = new Secret(json.access_token);
      this.#cached = { token, refreshAtMs: issuedAt + lifetimeMs - margin };
      return token;
    }
    throw tokenError(response.status, json, response.text, response.headers.get("retry-after"), o);
  }
}

/** What the common AADSTS codes of a client-credentials request mean. */
const AADSTS_MEANING: Readonly<Record<string, string>> = {
  "7000215": "the client secret is wrong",
  "7000222": "the client secret has expired",
  "700016": "the application (client) ID is not found in this tenant",
  "90002": "the tenant is not found",
  "900023": "the tenant ID is not valid",
  "700027": "the client assertion is not valid",
  "70011": "the scope is not valid",
  "500011": "the resource (Azure Monitor) is not found in this tenant",
};

function tokenError(
  status: number,
  json: Record<string, unknown> | undefined,
  text: string,
  retryAfter: string | null,
  o: EntraTokenProviderOptions,
): DeliveryError {
  const error = typeof json?.error === "string" ? json.error : undefined;
  const description = typeof json?.error_description === "string" ? json.error_description : excerpt(text);
  const aadsts = /AADSTS(\d+)/.exec(description)?.[1];
  const meaning = aadsts ? AADSTS_MEANING[aadsts] : undefined;
  const firstLine = scrubSecrets(description.split(/\r?\n|Trace ID:/)[0] ?? "", [o.clientSecret]).trim();
  const message = `Entra ID refused the token request (HTTP ${status}${error ? ` ${error}` : ""}${
    aadsts ? `, AADSTS${aadsts}` : ""
  }): ${meaning ?? excerpt(firstLine)}`;
  const retryable = isRetryableStatus(status);
  const retryAfterMs = parseRetryAfter(retryAfter, o.now());
  return new DeliveryError(message, {
    code: retryable ? (status === 429 ? "rate-limited" : "server-error") : "credentials-rejected",
    retryable,
    status,
    ...(aadsts ? { siemCode: `AADSTS${aadsts}` } : error ? { siemCode: error } : {}),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}
