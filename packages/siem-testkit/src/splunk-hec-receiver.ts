import { parseConcatenatedJson } from "./json-stream.js";
import {
  type ReceiverOptions,
  ReceiverServer,
  type RecordedRequest,
  type Reply,
  splitUrl,
} from "./receiver-server.js";

/** How the receiver treats one HEC token. */
export interface HecTokenSettings {
  /** Token disabled in Splunk: code 1 "Token disabled" (403). */
  readonly disabled?: boolean;
  /** Indexer acknowledgement enabled: requests need a channel, responses carry `ackId`. */
  readonly useAck?: boolean;
  /** Indexes the token may write to; others get code 7. Default: any. */
  readonly allowedIndexes?: readonly string[];
  /** Index used when the event names none. Default `main`. */
  readonly defaultIndex?: string;
}

/** An event HEC accepted, with its metadata resolved. */
export interface HecReceivedEvent {
  readonly time?: number;
  readonly host?: string;
  readonly source?: string;
  readonly sourcetype?: string;
  readonly index: string;
  readonly event: unknown;
  readonly fields?: unknown;
  /** Token it came with and the ack channel, if any. */
  readonly token: string;
  readonly channel?: string;
}

/** Options of {@link SplunkHecReceiver}. */
export interface SplunkHecReceiverOptions extends ReceiverOptions {
  /** Known tokens and their settings. */
  readonly tokens: Readonly<Record<string, HecTokenSettings>>;
  /** HEC's `max_content_length`, bytes: larger requests get 413. Default 1 000 000. */
  readonly maxContentLength?: number;
  /** Ack queries that must see an ackId as pending before it reports true. Default 0. */
  readonly ackPendingPolls?: number;
  /** Called with each accepted request's events (the demo prints them). */
  readonly onEvents?: (events: readonly HecReceivedEvent[]) => void;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * A strict Splunk HTTP Event Collector: `/services/collector/event` (also
 * `/services/collector` and `/event/1.0`), `/services/collector/ack` and
 * `/services/collector/health`, answering with HEC's JSON status objects:
 *
 * | HTTP | code | text |
 * |---|---|---|
 * | 200 | 0 | Success |
 * | 403 | 1 | Token disabled |
 * | 401 | 2 | Token is required |
 * | 401 | 3 | Invalid authorization |
 * | 403 | 4 | Invalid token |
 * | 400 | 5 | No data |
 * | 400 | 6 | Invalid data format (+ `invalid-event-number`) |
 * | 400 | 7 | Incorrect index |
 * | 503 | 9 | Server is busy (via {@link SplunkHecReceiver.busy}) |
 * | 400 | 10 | Data channel is missing |
 * | 400 | 11 | Invalid data channel |
 * | 400 | 12 | Event field is required |
 * | 400 | 13 | Event field cannot be blank |
 * | 400 | 14 | ACK is disabled |
 * | 200 | 17 | HEC is healthy |
 *
 * Bodies over `maxContentLength` get HTTP 413.
 */
export class SplunkHecReceiver extends ReceiverServer {
  readonly #options: SplunkHecReceiverOptions;
  readonly #events: HecReceivedEvent[] = [];
  readonly #nextAckId = new Map<string, number>();
  readonly #pendingAcks = new Map<string, Map<number, number>>();
  readonly #withheld = new Set<number>();
  #busyRequests = 0;
  #busyRetryAfter: number | undefined;

  private constructor(options: SplunkHecReceiverOptions) {
    super(options);
    this.#options = options;
  }

  /** Starts a receiver on 127.0.0.1 (random port unless `port`). */
  static async start(options: SplunkHecReceiverOptions, port = 0): Promise<SplunkHecReceiver> {
    return new SplunkHecReceiver(options).listen(port);
  }

  /** Every accepted event, in arrival order. */
  get events(): readonly HecReceivedEvent[] {
    return this.#events;
  }

  /** Answers the next `count` event requests with 503 code 9 "Server is busy" (and `Retry-After` when given). */
  busy(count: number, retryAfterSeconds?: number): void {
    this.#busyRequests = count;
    this.#busyRetryAfter = retryAfterSeconds;
  }

  /** Never acknowledges these ackIds (ack queries keep answering false). */
  withholdAcks(...ackIds: number[]): void {
    for (const id of ackIds) this.#withheld.add(id);
  }

  /**
   * Accepted events matching every term, as a Splunk search would find them:
   * `source`, `sourcetype`, `host` and `index` match the metadata, other names match
   * the event's JSON fields as search-time extraction (`AUTO_KV_JSON`) names them
   * (`Details.Name` for nested keys). Values compare case-insensitively, like Splunk.
   * `search({ sourcetype: "ezmonitor_alerts", VulnerabilityID: 18 })` is the seed query.
   */
  search(terms: Readonly<Record<string, string | number | boolean>>): HecReceivedEvent[] {
    return this.#events.filter((e) => {
      const fields = extractJsonFields(e.event);
      return Object.entries(terms).every(([name, wanted]) => {
        const meta = name === "source" || name === "sourcetype" || name === "host" || name === "index";
        const actual = meta ? (e as unknown as Record<string, unknown>)[name] : fields.get(name);
        return actual !== undefined && String(actual).toLowerCase() === String(wanted).toLowerCase();
      });
    });
  }

  protected handle(request: RecordedRequest): Reply {
    const { path, query } = splitUrl(request.url);
    if (path === "/services/collector/health" || path === "/services/collector/health/1.0") {
      return hec(200, 17, "HEC is healthy");
    }
    const isEvent =
      path === "/services/collector/event" ||
      path === "/services/collector" ||
      path === "/services/collector/event/1.0";
    const isAck = path === "/services/collector/ack";
    if (!isEvent && !isAck)
      return { status: 404, body: { text: "The requested URL was not found on this server.", code: 404 } };
    if (request.method !== "POST") return { status: 405, body: { text: "Method Not Allowed", code: 405 } };

    const auth = request.headers.authorization;
    if (auth === undefined || auth === "") return hec(401, 2, "Token is required");
    const match = /^Splunk (\S+)$/.exec(auth);
    if (!match) return hec(401, 3, "Invalid authorization");
    const token = match[1]!;
    const settings = this.#options.tokens[token];
    if (!settings) return hec(403, 4, "Invalid token");
    if (settings.disabled) return hec(403, 1, "Token disabled");

    const channel = request.headers["x-splunk-request-channel"] ?? query.get("channel") ?? undefined;
    if (isAck) return this.#ack(request, settings, channel);
    if (settings.useAck) {
      if (channel === undefined) return hec(400, 10, "Data channel is missing");
      if (!GUID.test(channel)) return hec(400, 11, "Invalid data channel");
    }
    if (request.body.length > (this.#options.maxContentLength ?? 1_000_000)) {
      return {
        status: 413,
        body: { text: "Content-Length of request exceeds max_content_length", code: 413 },
      };
    }
    if (this.#busyRequests > 0) {
      this.#busyRequests--;
      return {
        ...hec(503, 9, "Server is busy"),
        ...(this.#busyRetryAfter === undefined
          ? {}
          : { headers: { "retry-after": String(this.#busyRetryAfter) } }),
      };
    }
    const text = request.body.toString("utf8");
    if (text.trim() === "") return hec(400, 5, "No data");
    const items = parseConcatenatedJson(text);
    const accepted: HecReceivedEvent[] = [];
    for (const [n, item] of items.entries()) {
      if (!item.ok || item.value === null || typeof item.value !== "object" || Array.isArray(item.value)) {
        return hec(400, 6, "Invalid data format", n);
      }
      const e = item.value as Record<string, unknown>;
      if (!("event" in e)) return hec(400, 12, "Event field is required", n);
      if (e.event === null || e.event === "") return hec(400, 13, "Event field cannot be blank", n);
      const time = e.time === undefined ? undefined : Number(e.time);
      if (time !== undefined && (typeof e.time === "boolean" || !Number.isFinite(time))) {
        return hec(400, 6, "Invalid data format", n);
      }
      for (const meta of ["host", "source", "sourcetype", "index"] as const) {
        if (e[meta] !== undefined && typeof e[meta] !== "string")
          return hec(400, 6, "Invalid data format", n);
      }
      const index = (e.index as string | undefined) ?? settings.defaultIndex ?? "main";
      if (settings.allowedIndexes && !settings.allowedIndexes.includes(index))
        return hec(400, 7, "Incorrect index", n);
      accepted.push({
        ...(time === undefined ? {} : { time }),
        ...(typeof e.host === "string" ? { host: e.host } : {}),
        ...(typeof e.source === "string" ? { source: e.source } : {}),
        ...(typeof e.sourcetype === "string" ? { sourcetype: e.sourcetype } : {}),
        index,
        event: e.event,
        ...(e.fields === undefined ? {} : { fields: e.fields }),
        token,
        ...(channel === undefined ? {} : { channel }),
      });
    }
    this.#events.push(...accepted);
    this.#options.onEvents?.(accepted);
    if (!settings.useAck || channel === undefined) return hec(200, 0, "Success");
    const ackId = this.#nextAckId.get(channel) ?? 0;
    this.#nextAckId.set(channel, ackId + 1);
    let pending = this.#pendingAcks.get(channel);
    if (!pending) {
      pending = new Map();
      this.#pendingAcks.set(channel, pending);
    }
    pending.set(ackId, this.#options.ackPendingPolls ?? 0);
    return { status: 200, body: { text: "Success", code: 0, ackId } };
  }

  #ack(request: RecordedRequest, settings: HecTokenSettings, channel: string | undefined): Reply {
    if (!settings.useAck) return hec(400, 14, "ACK is disabled");
    if (channel === undefined) return hec(400, 10, "Data channel is missing");
    if (!GUID.test(channel)) return hec(400, 11, "Invalid data channel");
    let ids: unknown;
    try {
      ids = (JSON.parse(request.body.toString("utf8")) as { acks?: unknown }).acks;
    } catch {
      return hec(400, 6, "Invalid data format");
    }
    if (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id)))
      return hec(400, 6, "Invalid data format");
    const pending = this.#pendingAcks.get(channel) ?? new Map<number, number>();
    const acks: Record<string, boolean> = {};
    for (const id of ids as number[]) {
      const polls = pending.get(id);
      if (polls === undefined || this.#withheld.has(id)) {
        acks[String(id)] = false;
      } else if (polls > 0) {
        pending.set(id, polls - 1);
        acks[String(id)] = false;
      } else {
        pending.delete(id);
        acks[String(id)] = true;
      }
    }
    return { status: 200, body: { acks } };
  }
}

function hec(status: number, code: number, text: string, invalidEventNumber?: number): Reply {
  return {
    status,
    body:
      invalidEventNumber === undefined
        ? { text, code }
        : { text, code, "invalid-event-number": invalidEventNumber },
  };
}

/** Field names as Splunk's search-time JSON extraction produces them: `a`, `a.b`, `list{}`. */
function extractJsonFields(event: unknown): Map<string, unknown> {
  const fields = new Map<string, unknown>();
  const walk = (value: unknown, prefix: string) => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v, `${prefix}{}`);
    } else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else if (prefix && !fields.has(prefix)) {
      fields.set(prefix, value);
    }
  };
  walk(event, "");
  return fields;
}
