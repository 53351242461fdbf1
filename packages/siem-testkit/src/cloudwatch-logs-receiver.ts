import { parseConcatenatedJson } from "./json-stream.js";
import { compileMetricFilter } from "./metric-filter.js";
import {
  type ReceiverOptions,
  ReceiverServer,
  type RecordedRequest,
  type Reply,
  splitUrl,
} from "./receiver-server.js";
import { verifySigV4 } from "./sigv4-verify.js";

/** A log group the receiver hosts. */
export interface TestLogGroup {
  readonly streams: readonly string[];
  /** Bearer token authentication enabled on the group (PutBearerTokenAuthentication). Default true. */
  readonly bearerTokenAuthentication?: boolean;
}

/** A stored CloudWatch log event. */
export interface StoredLogEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
}

/** Options of {@link CloudWatchLogsReceiver}. */
export interface CloudWatchLogsReceiverOptions extends ReceiverOptions {
  /** Region the receiver signs for (SigV4 scope). */
  readonly region: string;
  /** Valid API keys (bearer tokens) for the HLC endpoint. */
  readonly apiKeys?: readonly string[];
  /** Valid SigV4 credentials: access key ID to secret access key. */
  readonly accessKeys?: Readonly<Record<string, string>>;
  readonly logGroups: Readonly<Record<string, TestLogGroup>>;
}

/** PutLogEvents batch limits (also applied to HLC requests). */
const MAX_BATCH_BYTES = 1_048_576;
const MAX_BATCH_EVENTS = 10_000;
const EVENT_OVERHEAD = 26;
const MAX_EVENT_BYTES = 1_048_576;
const DAY_MS = 24 * 3600_000;

/**
 * A strict CloudWatch Logs ingestion endpoint for both paths ctwatch uses:
 *
 * - HLC, `POST /services/collector/event`: `Authorization: Bearer <API key>`,
 *   `x-aws-log-group`/`x-aws-log-stream` headers or `logGroup`/`logStream` query (not
 *   both), `Content-Type: application/json`, events as one object, an array or
 *   concatenated objects; objects without `event` are skipped; `time` in epoch seconds
 *   (number or numeric string, else server time). Success: 200 `{}`.
 * - PutLogEvents, `POST /` with `X-Amz-Target: Logs_20140328.PutLogEvents`: SigV4
 *   (verified independently), AWS JSON 1.1 errors, and the documented batch rules
 *   (10 000 events, 1 048 576 bytes counting 26 per event, chronological, 24 h span,
 *   14 days back / 2 hours ahead → `rejectedLogEventsInfo`).
 *
 * Stored messages are the JSON each event was sent as, so tests can evaluate metric
 * filters on them ({@link CloudWatchLogsReceiver.metricFilterMatches}).
 *
 * Modelled, not documented: the HLC status/body for an unknown log group or stream
 * (400 ResourceNotFoundException), a bad API key (401) and a log group without bearer
 * token authentication (403 AccessDeniedException "Bearer token authentication is not
 * enabled …"). Check these against the real service before relying on the wording.
 */
export class CloudWatchLogsReceiver extends ReceiverServer {
  readonly #options: CloudWatchLogsReceiverOptions;
  readonly #events = new Map<string, StoredLogEvent[]>();
  #sequence = 0;

  private constructor(options: CloudWatchLogsReceiverOptions) {
    super(options);
    this.#options = options;
  }

  /** Starts a receiver on 127.0.0.1 (random port unless `port`). */
  static async start(options: CloudWatchLogsReceiverOptions, port = 0): Promise<CloudWatchLogsReceiver> {
    return new CloudWatchLogsReceiver(options).listen(port);
  }

  /** Events stored in a stream, in arrival order. */
  events(logGroup: string, logStream: string): readonly StoredLogEvent[] {
    return this.#events.get(`${logGroup}\u0000${logStream}`) ?? [];
  }

  /** How many stored events of `logGroup` (all streams) a JSON metric filter pattern matches. */
  metricFilterMatches(pattern: string, logGroup: string): number {
    const matches = compileMetricFilter(pattern);
    let count = 0;
    for (const [key, events] of this.#events) {
      if (!key.startsWith(`${logGroup}\u0000`)) continue;
      count += events.filter((e) => matches(e.message)).length;
    }
    return count;
  }

  protected handle(request: RecordedRequest): Reply {
    const { path, query } = splitUrl(request.url);
    if (request.method === "POST" && path === "/services/collector/event") return this.#hlc(request, query);
    if (request.method === "POST" && path === "/" && request.headers["x-amz-target"] !== undefined) {
      return this.#putLogEvents(request);
    }
    return awsError(404, "UnknownOperationException", "Unknown operation.");
  }

  #hlc(request: RecordedRequest, query: URLSearchParams): Reply {
    const key = /^Bearer (\S+)$/.exec(request.headers.authorization ?? "")?.[1];
    if (key === undefined || !(this.#options.apiKeys ?? []).includes(key)) {
      return awsError(401, "UnauthorizedException", "The bearer token is missing, invalid or expired.");
    }
    const headerGroup = request.headers["x-aws-log-group"];
    const headerStream = request.headers["x-aws-log-stream"];
    if (
      (headerGroup !== undefined && query.has("logGroup")) ||
      (headerStream !== undefined && query.has("logStream"))
    ) {
      return awsError(
        400,
        "ValidationException",
        "Specify the log group and stream either as headers or as query parameters, not both.",
      );
    }
    const group = headerGroup ?? query.get("logGroup") ?? undefined;
    const stream = headerStream ?? query.get("logStream") ?? undefined;
    if (!group || !stream)
      return awsError(400, "ValidationException", "Log group and log stream are required.");
    const target = this.#target(group, stream);
    if (target) return target;
    if (this.#options.logGroups[group]!.bearerTokenAuthentication === false) {
      return awsError(
        403,
        "AccessDeniedException",
        `Bearer token authentication is not enabled for log group ${group}.`,
      );
    }
    if (!(request.headers["content-type"] ?? "").startsWith("application/json")) {
      return awsError(400, "ValidationException", "Content-Type must be application/json.");
    }
    if (request.body.length > MAX_BATCH_BYTES) {
      return awsError(413, "RequestEntityTooLargeException", "The request entity is too large.");
    }
    const items = parseConcatenatedJson(request.body.toString("utf8"));
    const now = this.now();
    const accepted: StoredLogEvent[] = [];
    for (const item of items) {
      if (!item.ok) return awsError(400, "ValidationException", "The body is not valid JSON.");
      const values = Array.isArray(item.value) ? item.value : [item.value];
      for (const value of values) {
        if (value === null || typeof value !== "object" || Array.isArray(value) || !("event" in value))
          continue;
        const o = value as Record<string, unknown>;
        const seconds =
          typeof o.time === "number" || typeof o.time === "string" ? Number(o.time) : Number.NaN;
        const timestamp = Number.isFinite(seconds) ? Math.round(seconds * 1000) : now;
        const message = JSON.stringify(o);
        if (Buffer.byteLength(message) > MAX_EVENT_BYTES) {
          return awsError(400, "ValidationException", "A log event exceeds the maximum event size.");
        }
        accepted.push({ timestamp, message, ingestionTime: now });
      }
    }
    this.#store(group, stream, accepted);
    return { status: 200, body: {} };
  }

  #putLogEvents(request: RecordedRequest): Reply {
    if (request.headers["x-amz-target"] !== "Logs_20140328.PutLogEvents") {
      return awsError(400, "UnknownOperationException", "Only PutLogEvents is implemented.");
    }
    const failure = verifySigV4(request, this.#options.accessKeys ?? {}, {
      service: "logs",
      region: this.#options.region,
      nowMs: this.now(),
    });
    if (failure) {
      const status =
        failure.type === "InvalidSignatureException" || failure.type === "MissingAuthenticationToken"
          ? 403
          : 400;
      return awsError(status, failure.type, failure.message);
    }
    if (request.headers["content-type"] !== "application/x-amz-json-1.1") {
      return awsError(400, "SerializationException", "Content-Type must be application/x-amz-json-1.1.");
    }
    let input: { logGroupName?: unknown; logStreamName?: unknown; logEvents?: unknown };
    try {
      input = JSON.parse(request.body.toString("utf8"));
    } catch {
      return awsError(400, "SerializationException", "The body is not valid JSON.");
    }
    if (
      typeof input.logGroupName !== "string" ||
      typeof input.logStreamName !== "string" ||
      !Array.isArray(input.logEvents)
    ) {
      return awsError(
        400,
        "InvalidParameterException",
        "logGroupName, logStreamName and logEvents are required.",
      );
    }
    const target = this.#target(input.logGroupName, input.logStreamName);
    if (target) return target;
    const events = input.logEvents as { timestamp?: unknown; message?: unknown }[];
    if (events.length === 0 || events.length > MAX_BATCH_EVENTS) {
      return awsError(400, "InvalidParameterException", "logEvents must hold 1 to 10000 events.");
    }
    let bytes = 0;
    for (const e of events) {
      if (typeof e.timestamp !== "number" || typeof e.message !== "string" || e.message === "") {
        return awsError(
          400,
          "InvalidParameterException",
          "Each log event needs a numeric timestamp and a non-empty message.",
        );
      }
      bytes += Buffer.byteLength(e.message) + EVENT_OVERHEAD;
    }
    if (bytes > MAX_BATCH_BYTES)
      return awsError(400, "InvalidParameterException", "Upload too large: the batch exceeds 1048576 bytes.");
    for (let i = 1; i < events.length; i++) {
      if ((events[i]!.timestamp as number) < (events[i - 1]!.timestamp as number)) {
        return awsError(
          400,
          "InvalidParameterException",
          "Log events in a single PutLogEvents request must be in chronological order.",
        );
      }
    }
    const first = events[0]!.timestamp as number;
    const last = events[events.length - 1]!.timestamp as number;
    if (last - first > DAY_MS) {
      return awsError(
        400,
        "InvalidParameterException",
        "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
      );
    }
    const now = this.now();
    const accepted: StoredLogEvent[] = [];
    const rejected: Record<string, number> = {};
    events.forEach((e, i) => {
      const t = e.timestamp as number;
      if (t > now + 2 * 3600_000) rejected.tooNewLogEventStartIndex ??= i;
      else if (t < now - 14 * DAY_MS) rejected.tooOldLogEventEndIndex = i;
      else accepted.push({ timestamp: t, message: e.message as string, ingestionTime: now });
    });
    this.#store(input.logGroupName, input.logStreamName, accepted);
    return {
      status: 200,
      headers: { "content-type": "application/x-amz-json-1.1" },
      body: {
        nextSequenceToken: String(++this.#sequence).padStart(56, "0"),
        ...(Object.keys(rejected).length > 0 ? { rejectedLogEventsInfo: rejected } : {}),
      },
    };
  }

  #target(group: string, stream: string): Reply | undefined {
    const logGroup = this.#options.logGroups[group];
    if (!logGroup)
      return awsError(400, "ResourceNotFoundException", "The specified log group does not exist.");
    if (!logGroup.streams.includes(stream))
      return awsError(400, "ResourceNotFoundException", "The specified log stream does not exist.");
    return undefined;
  }

  #store(group: string, stream: string, events: readonly StoredLogEvent[]): void {
    const key = `${group}\u0000${stream}`;
    let stored = this.#events.get(key);
    if (!stored) {
      stored = [];
      this.#events.set(key, stored);
    }
    stored.push(...events);
  }
}

function awsError(status: number, type: string, message: string): Reply {
  return {
    status,
    headers: { "x-amzn-errortype": `${type}:`, "content-type": "application/x-amz-json-1.1" },
    body: JSON.stringify({ __type: type, message }),
  };
}
