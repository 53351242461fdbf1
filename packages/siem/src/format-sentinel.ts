import type { Alert } from "@ctwatch/proto";
import { type EzMonitorRecord, toEzMonitorRecord } from "./record.js";

/** Default Data Collector `Log-Type`: Log Analytics appends `_CL`, giving `EZMonitor_Alerts_CL`. */
export const SENTINEL_DEFAULT_LOG_TYPE = "EZMonitor_Alerts";
/** The custom table EZMonitor's seed query reads: `EZMonitor_Alerts_CL | where VulnerabilityID_d == 18`. */
export const SENTINEL_DEFAULT_TABLE = "EZMonitor_Alerts_CL";
/** Default Logs Ingestion stream (declared in the DCR). */
export const SENTINEL_DEFAULT_STREAM = "Custom-EZMonitor_Alerts_CL";

/** A flat Log Analytics record: nested values are JSON strings. */
export type SentinelRecord = Readonly<Record<string, string | number | boolean>>;

/** How one record field lands in Log Analytics. */
export interface SentinelColumn {
  /** Field name in the request (Data Collector property / DCR stream column). */
  readonly field: keyof EzMonitorRecord;
  /** Type in the DCR stream declaration. */
  readonly streamType: "int" | "string" | "boolean" | "datetime";
  /** Column name in the table, as the Data Collector API names it: field + type suffix. */
  readonly column: string;
  /** Type of that table column. */
  readonly columnType: "real" | "string" | "boolean" | "datetime";
}

function col(field: keyof EzMonitorRecord, streamType: SentinelColumn["streamType"]): SentinelColumn {
  switch (streamType) {
    case "int":
      return { field, streamType, column: `${field}_d`, columnType: "real" };
    case "boolean":
      return { field, streamType, column: `${field}_b`, columnType: "boolean" };
    case "datetime":
      return { field, streamType, column: `${field}_t`, columnType: "datetime" };
    default:
      return { field, streamType, column: `${field}_s`, columnType: "string" };
  }
}

/**
 * The column mapping, one source of truth for the Data Collector records, the DCR
 * stream declaration, the DCR transformation and the table schema. Column names are
 * those the legacy Data Collector API derives by type (`_d` double, `_s` string,
 * `_t` datetime, `_b` boolean), so `EZMonitor_Alerts_CL | where VulnerabilityID_d == 18`
 * works whichever API wrote the row.
 */
export const SENTINEL_COLUMNS: readonly SentinelColumn[] = Object.freeze([
  col("VulnerabilityID", "int"),
  col("Summary", "string"),
  col("Description", "string"),
  col("Severity", "string"),
  col("Domain", "string"),
  col("WatchedItem", "string"),
  col("WatchedItemKind", "string"),
  col("CustomerTenant", "string"),
  col("AlertId", "string"),
  col("Detector", "string"),
  col("CertificateSha256", "string"),
  col("CertificateSerial", "string"),
  col("Precertificate", "boolean"),
  col("SubjectCN", "string"),
  col("Issuer", "string"),
  col("DnsNames", "string"),
  col("NotBefore", "datetime"),
  col("NotAfter", "datetime"),
  col("LoggedAt", "datetime"),
  col("LogEntries", "string"),
  col("Details", "string"),
  col("DetectedAt", "datetime"),
]);

/**
 * The record for the Data Collector API: the EZMonitor record with lists and
 * objects as JSON strings. No `TimeGenerated` (a reserved property there): the
 * adapter sends `time-generated-field: DetectedAt` instead.
 */
export function toDataCollectorRecord(alert: Alert): SentinelRecord {
  const record = toEzMonitorRecord(alert) as unknown as Record<string, unknown>;
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(record)) {
    out[key] = typeof value === "object" ? JSON.stringify(value) : (value as string | number | boolean);
  }
  return out;
}

/** The record for the Logs Ingestion API: the Data Collector record plus `TimeGenerated` (= `DetectedAt`). */
export function toLogsIngestionRecord(alert: Alert): SentinelRecord {
  const record = toDataCollectorRecord(alert);
  return { TimeGenerated: record.DetectedAt as string, ...record };
}

/** The DCR `streamDeclarations` entry for the stream. */
export function sentinelStreamDeclaration(streamName: string = SENTINEL_DEFAULT_STREAM): {
  readonly [stream: string]: {
    readonly columns: readonly { readonly name: string; readonly type: string }[];
  };
} {
  return {
    [streamName]: {
      columns: [
        { name: "TimeGenerated", type: "datetime" },
        ...SENTINEL_COLUMNS.map((c) => ({ name: c.field, type: c.streamType })),
      ],
    },
  };
}

/**
 * The DCR `transformKql` that renames the stream's columns to the Data Collector
 * names (`VulnerabilityID` → `VulnerabilityID_d`, …), so the table looks exactly
 * like one the legacy API filled and existing queries run unchanged.
 */
export function sentinelTransformKql(): string {
  const projections = SENTINEL_COLUMNS.map((c) => `${c.column} = ${KQL_CONVERT[c.columnType]}(${c.field})`);
  return `source | project TimeGenerated, ${projections.join(", ")}`;
}

const KQL_CONVERT: Readonly<Record<SentinelColumn["columnType"], string>> = {
  real: "toreal",
  string: "tostring",
  boolean: "tobool",
  datetime: "todatetime",
};

/** Columns of the custom table (`az monitor log-analytics workspace table create --columns`). */
export function sentinelTableColumns(): readonly { readonly name: string; readonly type: string }[] {
  return [
    { name: "TimeGenerated", type: "datetime" },
    ...SENTINEL_COLUMNS.map((c) => ({ name: c.column, type: c.columnType })),
  ];
}

/**
 * A complete DCR body (`kind: Direct`) for the Logs Ingestion destination, to deploy
 * with ARM/`az rest`; fill in the location and workspace resource ID.
 */
export function sentinelDcrTemplate(options: {
  readonly location: string;
  readonly workspaceResourceId: string;
  readonly streamName?: string;
  readonly table?: string;
}): Readonly<Record<string, unknown>> {
  const stream = options.streamName ?? SENTINEL_DEFAULT_STREAM;
  return {
    location: options.location,
    kind: "Direct",
    properties: {
      streamDeclarations: sentinelStreamDeclaration(stream),
      destinations: {
        logAnalytics: [{ workspaceResourceId: options.workspaceResourceId, name: "workspace" }],
      },
      dataFlows: [
        {
          streams: [stream],
          destinations: ["workspace"],
          transformKql: sentinelTransformKql(),
          outputStream: `Custom-${options.table ?? SENTINEL_DEFAULT_TABLE}`,
        },
      ],
    },
  };
}
