import { DeliveryError, type DeliveryErrorCode } from "./errors.js";

/** The subset of `fetch` this package uses; inject a different one for proxies or tests. */
export type FetchLike = (input: string | URL, init: RequestInit) => Promise<Response>;

/** Largest SIEM response body read, bytes; the rest is discarded (answers are small JSON). */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/** One HTTP request to a SIEM. */
export interface HttpRequest {
  readonly url: URL;
  readonly method: "GET" | "POST";
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Whole-request deadline (connect, send, response, body), ms. */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly fetch: FetchLike;
}

/** A SIEM's answer: status, headers and the first {@link MAX_RESPONSE_BYTES} of the body. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/**
 * Sends `request` and reads the answer. Resolves for every HTTP status (adapters
 * interpret them); rejects with a {@link DeliveryError} for timeouts and network or
 * TLS failures, and with the signal's reason when the caller cancels. Redirects are
 * not followed: ingestion APIs never redirect, and following one could send the
 * credentials elsewhere.
 */
export async function httpCall(request: HttpRequest): Promise<HttpResponse> {
  request.signal.throwIfAborted();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error("request timed out"));
  }, request.timeoutMs);
  const onAbort = () => controller.abort(request.signal.reason);
  request.signal.addEventListener("abort", onAbort, { once: true });
  try {
    const response = await request.fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      redirect: "manual",
      signal: controller.signal,
    });
    const text = await readBounded(response);
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    if (request.signal.aborted) throw request.signal.reason;
    if (timedOut) {
      throw new DeliveryError(`no complete answer from ${request.url.host} within ${request.timeoutMs} ms`, {
        code: "timeout",
        retryable: true,
        cause: error,
      });
    }
    throw networkError(error, request.url);
  } finally {
    clearTimeout(timer);
    request.signal.removeEventListener("abort", onAbort);
  }
}

async function readBounded(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = MAX_RESPONSE_BYTES - total;
    chunks.push(value.length > room ? value.subarray(0, room) : value);
    total += Math.min(value.length, room);
    if (total >= MAX_RESPONSE_BYTES) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return Buffer.concat(chunks).toString("utf8");
}

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL", "EAI_NODATA"]);
const TLS_CODE =
  /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_|EPROTO$|HOSTNAME_MISMATCH|ERR_OSSL_)/;
const CONNECT_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ECONNABORTED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/** The first `code` found along an error's `cause` chain (Node/undici network errors nest it). */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Maps a network-level failure of a request to `url` onto a {@link DeliveryError}. */
export function networkError(error: unknown, url: URL): DeliveryError {
  const code = errorCode(error) ?? "";
  const host = url.host;
  let kind: DeliveryErrorCode = "connection-failed";
  let message = `connection to ${host} failed${code ? ` (${code})` : ""}`;
  let retryable = true;
  if (DNS_CODES.has(code)) {
    kind = "dns-failure";
    message = `could not resolve ${url.hostname} (${code})`;
  } else if (TLS_CODE.test(code)) {
    kind = "tls-failure";
    message = `TLS handshake with ${host} failed (${code})`;
    retryable = false;
  } else if (code === "ECONNREFUSED") {
    kind = "connection-refused";
    message = `${host} refused the connection (ECONNREFUSED)`;
  } else if (!CONNECT_CODES.has(code) && code !== "") {
    message = `request to ${host} failed (${code})`;
  }
  return new DeliveryError(message, { code: kind, retryable, cause: error });
}

/** Parses `text` as JSON, or undefined when it is not JSON. */
export function tryParseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A short, single-line excerpt of a SIEM answer for error messages (at most 200 characters). */
export function excerpt(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length <= 200 ? oneLine : `${oneLine.slice(0, 199)}…`;
}
