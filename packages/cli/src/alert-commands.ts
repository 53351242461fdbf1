import { toJsonString } from "@bufbuild/protobuf";
import { ApiCallError } from "@ctwatch/api-client";
import {
  type AlertRecord,
  AlertRecordSchema,
  AlertState,
  GetAlertResponseSchema,
  ListAlertsResponseSchema,
  Severity,
} from "@ctwatch/proto";
import { retry } from "@ctwatch/runtime";
import { flag, intOpt, many, opt, parse, positionals, timeOpt } from "./args.js";
import { UsageError } from "./cli-io.js";
import { type CommandContext, show } from "./command-context.js";
import { enumName, isoTime, severityName, table } from "./format.js";

const STATES: Record<string, AlertState> = {
  open: AlertState.OPEN,
  acknowledged: AlertState.ACKNOWLEDGED,
  resolved: AlertState.RESOLVED,
  suppressed: AlertState.SUPPRESSED,
};

const SEVERITIES: Record<string, Severity> = {
  info: Severity.INFO,
  low: Severity.LOW,
  medium: Severity.MEDIUM,
  high: Severity.HIGH,
  critical: Severity.CRITICAL,
};

/** gRPC codes worth reconnecting on: UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL, UNKNOWN. */
const RETRYABLE = new Set([14, 4, 8, 13, 2]);

/** Most alert IDs `follow` remembers to drop repeats after a reconnect. */
const MAX_SEEN = 10_000;

function stateName(s: AlertState): string {
  return enumName(AlertState as unknown as Record<number, string>, s);
}

function words<T>(values: readonly string[], table: Record<string, T>, what: string): T[] {
  return values.map((v) => {
    const hit = table[v.toLowerCase()];
    if (hit === undefined)
      throw new UsageError(`unknown ${what} ${v}: expected ${Object.keys(table).join(", ")}`);
    return hit;
  });
}

function eventIds(values: readonly string[]): number[] {
  return values.map((v) => {
    if (!/^\d{1,4}$/.test(v)) throw new UsageError(`--event ${v}: expected an event ID such as 25`);
    return Number(v);
  });
}

/** One alert as one line: time, ID, event, severity, state, subject, summary. */
export function alertLine(r: AlertRecord): string {
  const a = r.alert;
  return [
    isoTime(r.firstSeenAtMs),
    a?.alertId ?? "-",
    `event=${a?.eventId ?? "?"}`,
    severityName(a?.severity ?? Severity.UNSPECIFIED),
    stateName(r.state),
    a?.subjectDomain || "-",
    a?.summary ?? "",
  ].join("  ");
}

async function list(ctx: CommandContext, args: readonly string[]): Promise<void> {
  const p = parse(args, {
    event: { type: "string", multiple: true },
    domain: { type: "string" },
    state: { type: "string", multiple: true },
    severity: { type: "string", multiple: true },
    since: { type: "string" },
    until: { type: "string" },
    limit: { type: "string" },
    all: { type: "boolean" },
  });
  const now = ctx.io.now();
  const request = {
    eventIds: eventIds(many(p, "event")),
    domain: opt(p, "domain") ?? "",
    states: words(many(p, "state"), STATES, "state"),
    severities: words(many(p, "severity"), SEVERITIES, "severity"),
    sinceMs: BigInt(timeOpt(p, "since", now) ?? 0),
    untilMs: BigInt(timeOpt(p, "until", now) ?? 0),
    pageSize: intOpt(p, "limit") ?? 50,
  };
  let pageToken = "";
  let header = true;
  do {
    const r = await ctx.client.alerts.listAlerts({ ...request, pageToken });
    show(ctx, ListAlertsResponseSchema, r, () => {
      const lines = r.alerts.map(alertLine);
      if (header && lines.length === 0) return ["no alerts"];
      return lines;
    });
    header = false;
    pageToken = flag(p, "all") ? r.nextPageToken : "";
    if (!flag(p, "all") && r.nextPageToken && !ctx.json)
      ctx.io.err("more alerts: use --all or narrow the filters");
  } while (pageToken);
}

async function get(ctx: CommandContext, args: readonly string[]): Promise<void> {
  const [id] = positionals(parse(args, {}), ["alert-id"]);
  const r = await ctx.client.alerts.getAlert({ alertId: id });
  show(ctx, GetAlertResponseSchema, r, () => {
    const rec = r.alert;
    const a = rec?.alert;
    if (!rec || !a) return [];
    const cert = a.certificate;
    return [
      `alert:        ${a.alertId}`,
      `event:        ${a.eventId}  ${a.summary}`,
      `severity:     ${severityName(a.severity)}`,
      `state:        ${stateName(rec.state)}`,
      `subject:      ${a.subjectDomain}`,
      `watched:      ${a.watchItem?.value ?? "-"}`,
      `first seen:   ${isoTime(rec.firstSeenAtMs)}   last seen: ${isoTime(rec.lastSeenAtMs)}   occurrences: ${rec.occurrences}`,
      `certificate:  ${cert ? Buffer.from(cert.sha256).toString("hex") : "-"}`,
      `issuer:       ${cert?.issuerDn ?? "-"}`,
      `names:        ${cert?.dnsNames.join(", ") ?? "-"}`,
      `delivery:     ${rec.deliveryDone ? "done" : "pending"} ${rec.deliveries.map((d) => `${d.destination}=${d.status}`).join(" ")}`,
      `description:  ${a.description}`,
      ...(r.history.length > 0
        ? [
            "history:",
            ...table(
              r.history.map((h) => [
                `  ${isoTime(h.changedAtMs)}`,
                `${stateName(h.fromState)} -> ${stateName(h.toState)}`,
                h.actor,
                h.reason,
              ]),
            ),
          ]
        : []),
    ];
  });
}

async function transition(
  ctx: CommandContext,
  verb: "ack" | "resolve" | "suppress",
  args: readonly string[],
) {
  const p = parse(args, { reason: { type: "string", short: "r" } });
  const [id] = positionals(p, ["alert-id"]);
  const reason = opt(p, "reason");
  if (!reason) throw new UsageError(`alerts ${verb} needs --reason "why"`);
  const request = { alertId: id ?? "", reason };
  const r =
    verb === "ack"
      ? await ctx.client.alerts.acknowledgeAlert(request)
      : verb === "resolve"
        ? await ctx.client.alerts.resolveAlert(request)
        : await ctx.client.alerts.suppressAlert(request);
  if (ctx.json) {
    if (r.alert) ctx.io.out(toJsonString(AlertRecordSchema, r.alert));
    return;
  }
  ctx.io.out(
    r.changed ? `${id}: now ${stateName(r.alert?.state ?? AlertState.UNSPECIFIED)}` : `${id}: unchanged`,
  );
}

/**
 * `alerts follow`: prints alerts as they are stored, resuming from the last
 * cursor after a dropped connection (capped backoff), dropping repeats.
 * Ends on Ctrl-C, or after `--max` alerts.
 */
async function follow(ctx: CommandContext, args: readonly string[]): Promise<void> {
  const p = parse(args, {
    event: { type: "string", multiple: true },
    severity: { type: "string", multiple: true },
    since: { type: "string" },
    cursor: { type: "string" },
    max: { type: "string" },
  });
  const max = intOpt(p, "max");
  const request = {
    eventIds: eventIds(many(p, "event")),
    severities: words(many(p, "severity"), SEVERITIES, "severity"),
    sinceMs: BigInt(timeOpt(p, "since", ctx.io.now()) ?? 0),
  };
  let cursor = opt(p, "cursor") ?? "";
  const seen = new Set<string>();
  let printed = 0;
  const signal = ctx.io.signal;
  for (;;) {
    let progressed = false;
    try {
      await retry(
        async () => {
          progressed = false;
          const stream = ctx.client.alerts.watchAlerts({ ...request, cursor }, { signal });
          for await (const msg of stream) {
            progressed = true;
            if (msg.cursor) cursor = msg.cursor;
            if (msg.event.case !== "alert") continue;
            const id = msg.event.value.alert?.alertId ?? "";
            if (seen.has(id)) continue;
            seen.add(id);
            if (seen.size > MAX_SEEN) seen.delete(seen.values().next().value as string);
            ctx.io.out(
              ctx.json ? toJsonString(AlertRecordSchema, msg.event.value) : alertLine(msg.event.value),
            );
            printed += 1;
            if (max !== undefined && printed >= max) return;
          }
        },
        {
          signal,
          maxAttempts: 8,
          maxDelayMs: 15_000,
          classify: (err) => ({
            retry: !progressed && err instanceof ApiCallError && RETRYABLE.has(err.code),
          }),
          onRetry: (err, attempt, delayMs) =>
            ctx.io.err(
              `stream interrupted (${(err as Error).message}); reconnecting in ${delayMs} ms (attempt ${attempt})`,
            ),
        },
      );
      return;
    } catch (err) {
      if (signal.aborted) return;
      if (progressed && err instanceof ApiCallError && RETRYABLE.has(err.code)) {
        ctx.io.err(`stream interrupted (${err.message}); reconnecting`);
        continue;
      }
      throw err;
    }
  }
}

/** `ctwatch alerts <list|get|follow|ack|resolve|suppress>`. */
export async function alertsCommand(ctx: CommandContext, args: readonly string[]): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "list":
      return list(ctx, rest);
    case "get":
      return get(ctx, rest);
    case "follow":
      return follow(ctx, rest);
    case "ack":
    case "resolve":
    case "suppress":
      return transition(ctx, sub, rest);
    default:
      throw new UsageError("alerts <list|get|follow|ack|resolve|suppress>");
  }
}
