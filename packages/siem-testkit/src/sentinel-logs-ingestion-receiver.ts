import { randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { compileTransformKql, type KqlRow } from "./dcr-transform.js";
import type { LogAnalyticsRow } from "./log-analytics-table.js";
import {
  type ReceiverOptions,
  ReceiverServer,
  type RecordedRequest,
  type Reply,
  splitUrl,
} from "./receiver-server.js";

/** A stream declaration as in a DCR's `streamDeclarations`. */
export interface StreamDeclaration {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
}

/** One data collection rule the receiver hosts. */
export interface TestDcr {
  /** `streamDeclarations` of the DCR, e.g. `sentinelStreamDeclaration()` from @ctwatch/siem. */
  readonly streamDeclarations: Readonly<Record<string, StreamDeclaration>>;
  /** The data flow's `transformKql` (subset: see `compileTransformKql`). */
  readonly transformKql: string;
  /** The data flow's `outputStream`, e.g. `Custom-EZMonitor_Alerts_CL`. */
  readonly outputStream: string;
  /** Client IDs holding "Monitoring Metrics Publisher" on this DCR. */
  readonly publishers: readonly string[];
}

/** Options of {@link SentinelLogsIngestionReceiver}. */
export interface SentinelLogsIngestionReceiverOptions extends ReceiverOptions {
  /** Directory (tenant) ID. */
  readonly tenantId: string;
  /** Registered applications: client ID to client secret. */
  readonly clients: Readonly<Record<string, string>>;
  /** Scope the token endpoint accepts. Default `https://monitor.azure.com//.default`. */
  readonly scope?: string;
  /** Lifetime of issued tokens, seconds. Default 3599. */
  readonly tokenLifetimeSeconds?: number;
  /** Hosted DCRs by immutable ID. */
  readonly dcrs: Readonly<Record<string, TestDcr>>;
  /** Largest call, bytes (compressed or not). Default 1 048 576. */
  readonly maxCallBytes?: number;
}

const TYPE_CHECK: Readonly<Record<string, (v: unknown) => boolean>> = {
  string: (v) => typeof v === "string",
  int: (v) => typeof v === "number" && Number.isInteger(v),
  long: (v) => typeof v === "number" && Number.isInteger(v),
  real: (v) => typeof v === "number",
  boolean: (v) => typeof v === "boolean",
  datetime: (v) => typeof v === "string" && !Number.isNaN(Date.parse(v)),
  dynamic: () => true,
};

/**
 * A strict Entra ID token endpoint plus Azure Monitor Logs Ingestion endpoint on one
 * port (use its URL as both `authorityHost` and `endpoint`):
 *
 * - `POST /{tenant}/oauth2/v2.0/token`: client credentials only; checks tenant,
 *   client ID, secret and scope, answering AADSTS errors (90002, 700016, 7000215, 70011).
 * - `POST /dataCollectionRules/{dcr}/streams/{stream}?api-version=2023-01-01`: checks the
 *   bearer token (issued here, unexpired), the DCR role assignment, api-version, JSON
 *   array body (gzip allowed), 1 MB, and each record against the stream declaration;
 *   then runs the DCR's `transformKql` and stores the rows in the output table.
 *   Answers 204 on success.
 */
export class SentinelLogsIngestionReceiver extends ReceiverServer {
  readonly #options: SentinelLogsIngestionReceiverOptions;
  readonly #tokens = new Map<string, { clientId: string; expiresAtMs: number }>();
  readonly #tables = new Map<string, LogAnalyticsRow[]>();
  readonly #transforms = new Map<string, (row: KqlRow) => KqlRow>();
  #tokensIssued = 0;

  private constructor(options: SentinelLogsIngestionReceiverOptions) {
    super(options);
    this.#options = options;
    for (const [id, dcr] of Object.entries(options.dcrs))
      this.#transforms.set(id, compileTransformKql(dcr.transformKql));
  }

  /** Starts a receiver on 127.0.0.1 (random port unless `port`). */
  static async start(
    options: SentinelLogsIngestionReceiverOptions,
    port = 0,
  ): Promise<SentinelLogsIngestionReceiver> {
    return new SentinelLogsIngestionReceiver(options).listen(port);
  }

  /** Rows stored in a table (e.g. `EZMonitor_Alerts_CL`). */
  table(name: string): readonly LogAnalyticsRow[] {
    return this.#tables.get(name) ?? [];
  }

  /** How many tokens the token endpoint has issued. */
  get tokensIssued(): number {
    return this.#tokensIssued;
  }

  /** Makes every issued token invalid (as after revocation); the next call gets 401. */
  revokeTokens(): void {
    this.#tokens.clear();
  }

  protected handle(request: RecordedRequest): Reply {
    const { path, query } = splitUrl(request.url);
    const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
    if (tokenPath) return this.#token(request, decodeURIComponent(tokenPath[1]!));
    const ingest = /^\/dataCollectionRules\/([^/]+)\/streams\/([^/]+)$/.exec(path);
    if (ingest)
      return this.#ingest(request, query, decodeURIComponent(ingest[1]!), decodeURIComponent(ingest[2]!));
    return { status: 404, body: { error: { code: "NotFound", message: "Unknown path." } } };
  }

  #token(request: RecordedRequest, tenant: string): Reply {
    const aad = (status: number, error: string, code: number, description: string): Reply => ({
      status,
      body: {
        error,
        error_description: `AADSTS${code}: ${description}\r\nTrace ID: 00000000-0000-0000-0000-000000000000\r\nCorrelation ID: 00000000-0000-0000-0000-000000000000`,
        error_codes: [code],
      },
    });
    if (request.method !== "POST")
      return aad(400, "invalid_request", 900561, "The endpoint only accepts POST requests.");
    if (!(request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
      return aad(
        400,
        "invalid_request",
        900144,
        "The request body must be application/x-www-form-urlencoded.",
      );
    }
    if (tenant !== this.#options.tenantId)
      return aad(400, "invalid_request", 90002, `Tenant '${tenant}' not found.`);
    const form = new URLSearchParams(request.body.toString("utf8"));
    if (form.get("grant_type") !== "client_credentials") {
      return aad(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
    }
    const clientId = form.get("client_id") ?? "";
    const expectedSecret = this.#options.clients[clientId];
    if (expectedSecret === undefined) {
      return aad(
        400,
        "unauthorized_client",
        700016,
        `Application with identifier '${clientId}' was not found in the directory.`,
      );
    }
    if (form.get("client_secret") !== expectedSecret) {
      return aad(
        401,
        "invalid_client",
        7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
      );
    }
    if (form.get("scope") !== (this.#options.scope ?? "https://monitor.azure.com//.default")) {
      return aad(
        400,
        "invalid_scope",
        70011,
        "The provided value for the input parameter 'scope' is not valid.",
      );
    }
    const lifetime = this.#options.tokenLifetimeSeconds ?? 3599;
    const token = randomBytes(24).toString("base64url");
    this.#tokens.set(token, { clientId, expiresAtMs: this.now() + lifetime * 1000 });
    this.#tokensIssued++;
    return {
      status: 200,
      body: { token_type: "Bearer", expires_in: lifetime, ext_expires_in: lifetime, access_token: token },
    };
  }

  #ingest(request: RecordedRequest, query: URLSearchParams, dcrId: string, stream: string): Reply {
    const fail = (status: number, code: string, message: string): Reply => ({
      status,
      body: { error: { code, message } },
    });
    if (request.method !== "POST") return fail(405, "MethodNotAllowed", "Use POST.");
    const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? "")?.[1];
    const grant = bearer === undefined ? undefined : this.#tokens.get(bearer);
    if (!grant || grant.expiresAtMs <= this.now()) {
      return fail(401, "InvalidToken", "The provided authentication token is missing, invalid or expired.");
    }
    const apiVersion = query.get("api-version");
    if (apiVersion !== "2023-01-01")
      return fail(400, "InvalidApiVersion", `Unsupported api-version '${apiVersion ?? ""}'.`);
    const dcr = this.#options.dcrs[dcrId];
    if (!dcr) return fail(404, "NotFound", `Data collection rule with immutable Id '${dcrId}' not found.`);
    if (!dcr.publishers.includes(grant.clientId)) {
      return fail(
        403,
        "OperationFailed",
        `The authentication token provided does not have access to ingest data for the data collection rule with immutable Id '${dcrId}'.`,
      );
    }
    const declaration = dcr.streamDeclarations[stream];
    if (!declaration)
      return fail(400, "InvalidStream", `Stream '${stream}' is not declared in the data collection rule.`);
    if (!(request.headers["content-type"] ?? "").startsWith("application/json")) {
      return fail(415, "UnsupportedMediaType", "Content-Type must be application/json.");
    }
    if (request.body.length > (this.#options.maxCallBytes ?? 1_048_576)) {
      return fail(413, "ContentLengthLimitExceeded", "The request body exceeds the 1 MB limit.");
    }
    let text: string;
    try {
      text = (
        request.headers["content-encoding"] === "gzip" ? gunzipSync(request.body) : request.body
      ).toString("utf8");
    } catch {
      return fail(400, "InvalidContentEncoding", "The body is not valid gzip.");
    }
    let records: unknown;
    try {
      records = JSON.parse(text);
    } catch {
      return fail(400, "InvalidPayload", "The body is not valid JSON.");
    }
    if (!Array.isArray(records))
      return fail(400, "InvalidPayload", "The body must be a JSON array of records.");
    const columns = new Map(declaration.columns.map((c) => [c.name, c.type]));
    const rows: KqlRow[] = [];
    for (const [n, record] of records.entries()) {
      if (record === null || typeof record !== "object" || Array.isArray(record)) {
        return fail(400, "InvalidPayload", `Record ${n} is not a JSON object.`);
      }
      const row: KqlRow = {};
      for (const [name, value] of Object.entries(record as Record<string, unknown>)) {
        const type = columns.get(name);
        if (type === undefined || value === null) continue; // undeclared columns are dropped
        if (!(TYPE_CHECK[type] ?? (() => false))(value)) {
          return fail(400, "InvalidPayload", `Record ${n}: column '${name}' is not of type ${type}.`);
        }
        row[name] = type === "datetime" ? new Date(value as string).toISOString() : value;
      }
      rows.push(row);
    }
    const transform = this.#transforms.get(dcrId)!;
    const table = dcr.outputStream.replace(/^Custom-/, "");
    let stored = this.#tables.get(table);
    if (!stored) {
      stored = [];
      this.#tables.set(table, stored);
    }
    const outputs = rows.map(transform);
    if (outputs.some((out) => typeof out.TimeGenerated !== "string")) {
      return fail(400, "InvalidTransformOutput", "The transformation produced a row without TimeGenerated.");
    }
    stored.push(...outputs.map((out) => ({ ...out, Type: table })));
    return { status: 204 };
  }
}
