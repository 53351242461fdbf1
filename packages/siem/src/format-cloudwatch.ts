import type { Alert } from "@ctwatch/proto";
import { type EzMonitorRecord, toEzMonitorRecord } from "./record.js";

/** Envelope metadata of CloudWatch events. */
export interface CloudWatchFormatOptions {
  /** Default `EZMonitor`: the seed metric filter tests `$.source = "EZMonitor"`. */
  readonly source?: string;
  /** Default `EZMonitor_Alerts`: the seed metric filter tests `$.sourcetype = "EZMonitor_Alerts"`. */
  readonly sourcetype?: string;
  readonly host?: string;
}

/** The defaults of {@link CloudWatchFormatOptions}. */
export const CLOUDWATCH_DEFAULTS = Object.freeze({ source: "EZMonitor", sourcetype: "EZMonitor_Alerts" });

/** One event in HLC form; also the JSON message stored per log event. */
export interface CloudWatchEnvelope {
  /** Epoch seconds with millisecond decimals. */
  readonly time: number;
  readonly host?: string;
  readonly source: string;
  readonly sourcetype: string;
  readonly event: EzMonitorRecord;
}

/** Accepted window of CloudWatch event timestamps relative to now: 14 days back, 2 hours ahead. */
export const CLOUDWATCH_MAX_AGE_MS = 14 * 24 * 3600_000;
export const CLOUDWATCH_MAX_AHEAD_MS = 2 * 3600_000;
/** Safety margin inside that window, ms. */
const MARGIN_MS = 3600_000;

/**
 * The CloudWatch timestamp of `alert`, ms: its detection time, clamped into the
 * window CloudWatch accepts (an alert re-delivered after 14 days would otherwise be
 * rejected). The true time stays in `event.DetectedAt`.
 */
export function cloudWatchTimestampMs(alert: Alert, nowMs: number): number {
  const detected = Number(alert.detectedAtMs);
  const oldest = nowMs - CLOUDWATCH_MAX_AGE_MS + MARGIN_MS;
  const newest = nowMs + CLOUDWATCH_MAX_AHEAD_MS - MARGIN_MS;
  return Math.min(Math.max(detected, oldest), newest);
}

/**
 * The envelope for `alert`: `{"time", "source":"EZMonitor", "sourcetype":"EZMonitor_Alerts",
 * "event":{"VulnerabilityID":18,…}}`. Stored as the log message, it matches the seed
 * metric filter `{ $.source = "EZMonitor" && $.sourcetype = "EZMonitor_Alerts" && $.event.VulnerabilityID = 18 }`.
 */
export function toCloudWatchEnvelope(
  alert: Alert,
  nowMs: number,
  options: CloudWatchFormatOptions = {},
): CloudWatchEnvelope {
  return {
    time: cloudWatchTimestampMs(alert, nowMs) / 1000,
    ...(options.host ? { host: options.host } : {}),
    source: options.source ?? CLOUDWATCH_DEFAULTS.source,
    sourcetype: options.sourcetype ?? CLOUDWATCH_DEFAULTS.sourcetype,
    event: toEzMonitorRecord(alert),
  };
}

/** Per-event overhead CloudWatch adds when it counts a PutLogEvents batch, bytes. */
export const CLOUDWATCH_EVENT_OVERHEAD_BYTES = 26;

/** One `logEvents` element of PutLogEvents. */
export interface PutLogEventsEvent {
  readonly timestamp: number;
  /** The envelope as JSON: metric filters see the same shape as with the HLC endpoint. */
  readonly message: string;
}

/** The PutLogEvents event for `alert`. */
export function toPutLogEventsEvent(
  alert: Alert,
  nowMs: number,
  options: CloudWatchFormatOptions = {},
): PutLogEventsEvent {
  const envelope = toCloudWatchEnvelope(alert, nowMs, options);
  return { timestamp: Math.round(envelope.time * 1000), message: JSON.stringify(envelope) };
}
