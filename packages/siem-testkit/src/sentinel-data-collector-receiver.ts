import { createHmac, timingSafeEqual } from "node:crypto";
import { ClassicCustomTable, type LogAnalyticsRow } from "./log-analytics-table.js";
import {
  type ReceiverOptions,
  ReceiverServer,
  type RecordedRequest,
  type Reply,
  splitUrl,
} from "./receiver-server.js";

/** Options of {@link SentinelDataCollectorReceiver}. */
export interface SentinelDataCollectorReceiverOptions extends ReceiverOptions {
  /** The workspace (customer) ID. */
  readonly workspaceId: string;
  /** The workspace's shared key, base64, as the portal shows it. */
  readonly sharedKey: string;
  /** Accepted difference between `x-ms-date` and the receiver's clock, ms. Default 15 minutes. */
  readonly maxClockSkewMs?: number;
  /** Largest post, bytes (API limit 30 MB; beyond it the API answers 404). Default 30 000 000. */
  readonly maxPostBytes?: number;
}

/**
 * The Data Collector signature a request should carry, computed independently of the
 * sender: base64(HMAC-SHA256(base64decode(key), "POST\n<len>\napplication/json\nx-ms-date:<date>\n/api/logs")).
 */
export function expectedSharedKeySignature(
  sharedKey: string,
  contentLength: number,
  xMsDate: string,
): string {
  const stringToSign = [
    "POST",
    String(contentLength),
    "application/json",
    `x-ms-date:${xMsDate}`,
    "/api/logs",
  ].join("\n");
  return createHmac("sha256", Buffer.from(sharedKey, "base64")).update(stringToSign, "utf8").digest("base64");
}

const RESERVED = new Set(["tenant", "timegenerated", "rawdata"]);
const TWO_DAYS_MS = 2 * 24 * 3600_000;
const ONE_DAY_MS = 24 * 3600_000;

/**
 * A strict Azure Monitor HTTP Data Collector endpoint (`POST /api/logs?api-version=2016-04-01`):
 * recomputes and checks the SharedKey signature over the exact body length, checks
 * `x-ms-date` skew, `Log-Type` and `Content-Type`, rejects reserved and invalid
 * property names, and stores rows in `<Log-Type>_CL` with the API's type-suffixed
 * columns, so tests can run the seed query `EZMonitor_Alerts_CL | where VulnerabilityID_d == 18`.
 * Errors are `{"Error": <documented code>, "Message": …}` with the documented status.
 */
export class SentinelDataCollectorReceiver extends ReceiverServer {
  readonly #options: SentinelDataCollectorReceiverOptions;
  readonly #tables = new Map<string, ClassicCustomTable>();

  private constructor(options: SentinelDataCollectorReceiverOptions) {
    super(options);
    this.#options = options;
  }

  /** Starts a receiver on 127.0.0.1 (random port unless `port`). */
  static async start(
    options: SentinelDataCollectorReceiverOptions,
    port = 0,
  ): Promise<SentinelDataCollectorReceiver> {
    return new SentinelDataCollectorReceiver(options).listen(port);
  }

  /** Rows of a table (e.g. `EZMonitor_Alerts_CL`); empty if it does not exist. */
  table(name: string): readonly LogAnalyticsRow[] {
    return this.#tables.get(name)?.rows ?? [];
  }

  /** Column names of a table, as created so far. */
  columns(name: string): readonly string[] {
    return this.#tables.get(name)?.columns ?? [];
  }

  protected handle(request: RecordedRequest): Reply {
    const { path, query } = splitUrl(request.url);
    if (path !== "/api/logs" || request.method !== "POST") return { status: 404 };
    const apiVersion = query.get("api-version");
    if (apiVersion === null) return fail(400, "MissingApiVersion", "The API version wasn't specified.");
    if (apiVersion !== "2016-04-01")
      return fail(400, "InvalidApiVersion", "The API version was not recognized.");
    const contentType = request.headers["content-type"];
    if (contentType === undefined)
      return fail(400, "MissingContentType", "The content type wasn't specified.");
    if (contentType !== "application/json") {
      return fail(400, "UnsupportedContentType", "The content type wasn't set to application/json.");
    }
    const logType = request.headers["log-type"];
    if (logType === undefined || logType === "")
      return fail(400, "MissingLogType", "The log type wasn't specified.");
    if (!/^[A-Za-z0-9_]{1,100}$/.test(logType)) {
      return fail(400, "InvalidLogType", "The specified log type contained special characters or numerics.");
    }
    const authFailure = this.#checkSignature(request);
    if (authFailure) return authFailure;
    if (request.body.length > (this.#options.maxPostBytes ?? 30_000_000)) {
      return {
        status: 404,
        body: { Error: "", Message: "Either the provided URL is incorrect or the request is too large." },
      };
    }

    let parsed: unknown;
    try {
      parsed = JSON.parse(request.body.toString("utf8"));
    } catch {
      return fail(400, "InvalidDataFormat", "An invalid JSON was submitted.");
    }
    const records = Array.isArray(parsed) ? parsed : [parsed];
    for (const record of records) {
      if (record === null || typeof record !== "object" || Array.isArray(record)) {
        return fail(400, "InvalidDataFormat", "Each record must be a JSON object.");
      }
      for (const name of Object.keys(record)) {
        if (!/^[A-Za-z0-9_]+$/.test(name))
          return fail(400, "InvalidDataFormat", `Invalid property name '${name}'.`);
        if (name.length > 43) return fail(400, "InvalidDataFormat", `Property name '${name}' is too long.`);
        if (RESERVED.has(name.toLowerCase()))
          return fail(400, "InvalidDataFormat", `'${name}' is a reserved property.`);
      }
    }

    const tableName = `${logType}_CL`;
    let table = this.#tables.get(tableName);
    if (!table) {
      table = new ClassicCustomTable(tableName);
      this.#tables.set(tableName, table);
    }
    const received = this.now();
    const timeField = request.headers["time-generated-field"];
    for (const record of records as Record<string, unknown>[]) {
      let timeGenerated = new Date(received).toISOString();
      const candidate = timeField ? record[timeField] : undefined;
      if (typeof candidate === "string") {
        const at = Date.parse(candidate);
        if (!Number.isNaN(at) && at >= received - TWO_DAYS_MS && at <= received + ONE_DAY_MS) {
          timeGenerated = new Date(at).toISOString();
        }
      }
      table.ingest(record, {
        TimeGenerated: timeGenerated,
        Type: tableName,
        ...(request.headers["x-ms-azureresourceid"]
          ? { _ResourceId: request.headers["x-ms-azureresourceid"] }
          : {}),
      });
    }
    return { status: 200 };
  }

  #checkSignature(request: RecordedRequest): Reply | undefined {
    const denied = (why: string) =>
      fail(403, "InvalidAuthorization", `The service failed to authenticate the request. ${why}`);
    const date = request.headers["x-ms-date"];
    if (!date) return denied("x-ms-date is missing.");
    const at = Date.parse(date);
    if (Number.isNaN(at) || !/GMT$/.test(date)) return denied("x-ms-date is not an RFC 1123 date.");
    if (Math.abs(this.now() - at) > (this.#options.maxClockSkewMs ?? 15 * 60_000))
      return denied("x-ms-date is too far off.");
    const match = /^SharedKey ([^:\s]+):(\S+)$/.exec(request.headers.authorization ?? "");
    if (!match) return denied("The Authorization header is not 'SharedKey <workspaceId>:<signature>'.");
    if (match[1] !== this.#options.workspaceId) return denied("Unknown workspace ID.");
    const expected = Buffer.from(
      expectedSharedKeySignature(this.#options.sharedKey, request.body.length, date),
    );
    const actual = Buffer.from(match[2]!);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual))
      return denied("Signature mismatch.");
    return undefined;
  }
}

function fail(status: number, code: string, message: string): Reply {
  return { status, body: { Error: code, Message: message } };
}
