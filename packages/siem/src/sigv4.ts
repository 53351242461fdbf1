import { createHash, createHmac } from "node:crypto";
import type { Secret } from "./secret-box.js";

/** AWS credentials for Signature Version 4. */
export interface SigV4Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: Secret;
  /** For temporary (STS) credentials. */
  readonly sessionToken?: Secret;
}

/** The request to sign. Header names are matched case-insensitively. */
export interface SigV4Request {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array;
}

/** Region, service and time of the signature. */
export interface SigV4Scope {
  readonly region: string;
  /** The signing name, e.g. `logs` for CloudWatch Logs. */
  readonly service: string;
  readonly date: Date;
}

/**
 * Signs `request` with AWS Signature Version 4 (AWS4-HMAC-SHA256) and returns the
 * headers to add: `authorization`, `x-amz-date`, and `x-amz-security-token` for
 * temporary credentials. Signs `host` (from the URL) and every header given, so pass
 * exactly the headers that will be sent. Canonical path and query encoding follow
 * the rules for services other than S3.
 */
export function signSigV4(
  request: SigV4Request,
  credentials: SigV4Credentials,
  scope: SigV4Scope,
): Record<string, string> {
  const amzDate = toAmzDate(scope.date);
  const day = amzDate.slice(0, 8);
  const added: Record<string, string> = { "x-amz-date": amzDate };
  if (credentials.sessionToken) added["x-amz-security-token"] = credentials.sessionToken.reveal();

  const headers = new Map<string, string>();
  headers.set("host", request.url.host);
  for (const [name, value] of Object.entries({ ...request.headers, ...added })) {
    headers.set(name.toLowerCase(), value.trim().replace(/\s+/g, " "));
  }
  const names = [...headers.keys()].sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers.get(n)}\n`).join("");
  const signedHeaders = names.join(";");
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath(request.url.pathname),
    canonicalQuery(request.url.searchParams),
    canonicalHeaders,
    signedHeaders,
    sha256Hex(request.body),
  ].join("\n");
  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, credentialScope, sha256Hex(canonicalRequest)].join("\n");

  let key: Buffer = hmac(`AWS4${credentials.secretAccessKey.reveal()}`, day);
  key = hmac(key, scope.region);
  key = hmac(key, scope.service);
  key = hmac(key, "aws4_request");
  const signature = hmac(key, stringToSign).toString("hex");
  return {
    ...added,
    authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

/** `YYYYMMDDTHHMMSSZ` of `date` in UTC. */
export function toAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

function canonicalPath(path: string): string {
  if (path === "" || path === "/") return "/";
  return path
    .split("/")
    .map((segment) => rfc3986(rfc3986(decodeURIComponent(segment))))
    .join("/");
}

function canonicalQuery(params: URLSearchParams): string {
  const pairs = [...params.entries()].map(([k, v]) => [rfc3986(k), rfc3986(v)] as const);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}
