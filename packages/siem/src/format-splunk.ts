import type { Alert } from "@ctwatch/proto";
import { type EzMonitorRecord, toEzMonitorRecord } from "./record.js";

/** Envelope metadata of HEC events. */
export interface HecFormatOptions {
  /** Default `ezmonitor_alerts`: the seed search is `sourcetype="ezmonitor_alerts" VulnerabilityID=18`. */
  readonly sourcetype?: string;
  /** Default `ctwatch`. */
  readonly source?: string;
  /** Target index; omitted means the token's default index. */
  readonly index?: string;
  /** Host field; omitted means Splunk uses the sender's address. */
  readonly host?: string;
}

/** The defaults of {@link HecFormatOptions}. */
export const HEC_DEFAULTS = Object.freeze({ sourcetype: "ezmonitor_alerts", source: "ctwatch" });

/** One event of the HEC `/services/collector/event` JSON protocol. */
export interface HecEvent {
  /** Epoch seconds with millisecond decimals. */
  readonly time: number;
  readonly host?: string;
  readonly source: string;
  readonly sourcetype: string;
  readonly index?: string;
  readonly event: EzMonitorRecord;
}

/**
 * The HEC event for `alert`. The record sits under `event` as a JSON object, so
 * Splunk's default search-time JSON extraction (`AUTO_KV_JSON = true`) makes
 * `VulnerabilityID` a field and the EZMonitor search matches unchanged.
 */
export function toHecEvent(alert: Alert, options: HecFormatOptions = {}): HecEvent {
  const event = toEzMonitorRecord(alert);
  return {
    time: Number(alert.detectedAtMs) / 1000,
    ...(options.host ? { host: options.host } : {}),
    source: options.source ?? HEC_DEFAULTS.source,
    sourcetype: options.sourcetype ?? HEC_DEFAULTS.sourcetype,
    ...(options.index ? { index: options.index } : {}),
    event,
  };
}

/**
 * Serialises one HEC event. JSON.stringify escapes newlines inside strings, so the
 * result is a single line; a batch is the plain concatenation of such objects.
 */
export function encodeHecEvent(event: HecEvent): string {
  return JSON.stringify(event);
}

/** The request body of a batch: the events' JSON concatenated, no separators, no newlines. */
export function encodeHecBatch(events: readonly HecEvent[]): string {
  return events.map(encodeHecEvent).join("");
}
