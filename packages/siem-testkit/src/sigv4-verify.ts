import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** The parts of a received request a SigV4 check needs (header names lowercase). */
export interface ReceivedRequest {
  readonly method: string;
  /** Path and query as sent. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array | string;
}

/** Why a SigV4 check failed, in AWS's terms. */
export type SigV4Failure =
  | { readonly type: "MissingAuthenticationToken"; readonly message: string }
  | { readonly type: "IncompleteSignatureException"; readonly message: string }
  | { readonly type: "UnrecognizedClientException"; readonly message: string }
  | { readonly type: "InvalidSignatureException"; readonly message: string };

/**
 * Verifies an AWS Signature Version 4 `Authorization` header, written apart from the
 * sender's signer so the two check each other: rebuilds the canonical request from
 * what was received (method, path, sorted query, the signed headers' values, SHA-256
 * of the body), derives the signing key for the credential scope and compares.
 * Returns undefined when the signature is valid.
 */
export function verifySigV4(
  request: ReceivedRequest,
  secrets: Readonly<Record<string, string>>,
  options: {
    readonly service: string;
    readonly region: string;
    readonly nowMs: number;
    readonly maxSkewMs?: number;
  },
): SigV4Failure | undefined {
  const auth = request.headers.authorization;
  if (!auth) return { type: "MissingAuthenticationToken", message: "Missing Authentication Token" };
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m)
    return {
      type: "IncompleteSignatureException",
      message: "Authorization header requires Credential, SignedHeaders and Signature.",
    };
  const [, accessKeyId, day, region, service, signedHeaders, signature] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const secret = secrets[accessKeyId];
  if (secret === undefined) {
    return {
      type: "UnrecognizedClientException",
      message: "The security token included in the request is invalid.",
    };
  }
  if (region !== options.region || service !== options.service) {
    return {
      type: "InvalidSignatureException",
      message: `Credential should be scoped to region '${options.region}' and service '${options.service}'.`,
    };
  }
  const amzDate = request.headers["x-amz-date"];
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== day) {
    return {
      type: "IncompleteSignatureException",
      message: "X-Amz-Date is missing or does not match the credential date.",
    };
  }
  const at = Date.UTC(
    Number(amzDate.slice(0, 4)),
    Number(amzDate.slice(4, 6)) - 1,
    Number(amzDate.slice(6, 8)),
    Number(amzDate.slice(9, 11)),
    Number(amzDate.slice(11, 13)),
    Number(amzDate.slice(13, 15)),
  );
  if (Math.abs(options.nowMs - at) > (options.maxSkewMs ?? 15 * 60_000)) {
    return {
      type: "InvalidSignatureException",
      message: "Signature expired: the request time is too far from the server time.",
    };
  }
  const names = signedHeaders.split(";");
  if (!names.includes("host") || !names.includes("x-amz-date")) {
    return { type: "IncompleteSignatureException", message: "host and x-amz-date must be signed." };
  }
  for (const name of names) {
    if (request.headers[name] === undefined) {
      return { type: "IncompleteSignatureException", message: `Signed header '${name}' is missing.` };
    }
  }
  const [rawPath, rawQuery = ""] = request.url.split("?", 2) as [string, string | undefined];
  const canonicalUri =
    rawPath === ""
      ? "/"
      : rawPath
          .split("/")
          .map((s) => encode(encode(decodeURIComponent(s))))
          .join("/");
  const canonicalQuery = rawQuery
    .split("&")
    .filter((p) => p !== "")
    .map((p) => {
      const [k, v = ""] = p.split("=", 2) as [string, string | undefined];
      return [
        encode(decodeURIComponent(k.replace(/\+/g, " "))),
        encode(decodeURIComponent(v.replace(/\+/g, " "))),
      ] as const;
    })
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonicalHeaders = names
    .map((n) => `${n}:${request.headers[n]!.trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const payloadHash = createHash("sha256").update(request.body).digest("hex");
  const canonicalRequest = [
    request.method,
    canonicalUri,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash("sha256").update(canonicalRequest).digest("hex")}`;
  const kDate = createHmac("sha256", `AWS4${secret}`).update(day).digest();
  const kRegion = createHmac("sha256", kDate).update(region).digest();
  const kService = createHmac("sha256", kRegion).update(service).digest();
  const kSigning = createHmac("sha256", kService).update("aws4_request").digest();
  const expected = createHmac("sha256", kSigning).update(stringToSign).digest();
  const actual = Buffer.from(signature, "hex");
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return {
      type: "InvalidSignatureException",
      message: "The request signature we calculated does not match the signature you provided.",
    };
  }
  return undefined;
}

function encode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
