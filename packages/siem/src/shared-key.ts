import { createHmac } from "node:crypto";
import type { Secret } from "./secret-box.js";

/**
 * The string the HTTP Data Collector API signs:
 * `POST\n<content-length>\napplication/json\nx-ms-date:<rfc1123 date>\n/api/logs`.
 * `contentLength` is the body's length in bytes (UTF-8), as sent.
 */
export function dataCollectorStringToSign(contentLength: number, rfc1123Date: string): string {
  return `POST\n${contentLength}\napplication/json\nx-ms-date:${rfc1123Date}\n/api/logs`;
}

/**
 * The `Authorization` header of a Data Collector request:
 * `SharedKey <workspaceId>:<base64(HMAC-SHA256(base64decode(workspaceKey), UTF-8(stringToSign)))>`.
 */
export function dataCollectorAuthorization(
  workspaceId: string,
  workspaceKey: Secret,
  contentLength: number,
  rfc1123Date: string,
): string {
  const key = Buffer.from(workspaceKey.reveal(), "base64");
  const signature = createHmac("sha256", key)
    .update(dataCollectorStringToSign(contentLength, rfc1123Date), "utf8")
    .digest("base64");
  return `SharedKey ${workspaceId}:${signature}`;
}

/** RFC 1123 date as `x-ms-date` wants it, e.g. `Mon, 04 Apr 2016 08:00:00 GMT`. */
export function rfc1123(date: Date): string {
  return date.toUTCString();
}
