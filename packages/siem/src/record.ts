import { type Alert, Severity, WatchItem_Kind } from "@ctwatch/proto";

/** A JSON value as the SIEM formats emit it. */
export type RecordValue =
  | string
  | number
  | boolean
  | readonly RecordValue[]
  | { readonly [key: string]: RecordValue };

/**
 * One alert as the SIEMs see it: the EZMonitor field names, flat at the top so
 * customers' rules (`VulnerabilityID == 18`) keep working, nested detail below
 * `Details` and `LogEntries`. Fields without a value are omitted (Log Analytics
 * drops nulls anyway, and an empty string would create a column of the wrong type).
 */
export interface EzMonitorRecord {
  /** The EZMonitor event ID ("Vulnerability ID" in EZMonitor's SIEM rules). */
  readonly VulnerabilityID: number;
  readonly Summary: string;
  readonly Description: string;
  /** `Critical`, `High`, `Medium`, `Low`, `Informational` or `Unspecified`. */
  readonly Severity: string;
  /** The name the alert is about (new subdomain, lookalike domain). */
  readonly Domain?: string;
  /** The watch-list entry that matched. */
  readonly WatchedItem?: string;
  /** `OwnedDomain` or `Brand`. */
  readonly WatchedItemKind?: string;
  /**
   * The ctwatch tenant the alert belongs to. Not named `Tenant`: the Data Collector
   * API rejects the reserved property `tenant`, and `TenantId` is a reserved Log
   * Analytics column.
   */
  readonly CustomerTenant?: string;
  /** Deterministic alert ID: a re-sent alert carries the same one, so SIEM searches can dedup. */
  readonly AlertId?: string;
  /** Detector and version, e.g. `new-subdomain/1`. */
  readonly Detector?: string;
  /** SHA-256 of the certificate (or precertificate), lowercase hex. */
  readonly CertificateSha256?: string;
  /** Serial number as colon-separated lowercase hex bytes (`04:a1:…`), as `openssl x509 -text` shows it. */
  readonly CertificateSerial?: string;
  readonly Precertificate?: boolean;
  readonly SubjectCN?: string;
  readonly Issuer?: string;
  readonly DnsNames?: readonly string[];
  /** ISO 8601 UTC. */
  readonly NotBefore?: string;
  readonly NotAfter?: string;
  /** When the CT log timestamped the entry (SCT time), ISO 8601 UTC. */
  readonly LoggedAt?: string;
  /** Where the certificate was seen: `{LogUrl, LogId (base64), LeafIndex}` per log. */
  readonly LogEntries?: readonly { readonly [key: string]: RecordValue }[];
  /** Event-specific evidence (lookalike technique, CAA records, CNAME chain, …). */
  readonly Details?: { readonly [key: string]: RecordValue };
  /** When ctwatch raised the alert, ISO 8601 UTC. */
  readonly DetectedAt: string;
}

/** Longest string value emitted, characters; longer ones are cut and end in `…`. */
export const MAX_FIELD_CHARS = 4096;
/** Most elements of a list emitted (DNS names, log entries, CAA records). */
export const MAX_LIST_ITEMS = 100;

const SEVERITY_NAMES: Readonly<Record<Severity, string>> = {
  [Severity.UNSPECIFIED]: "Unspecified",
  [Severity.INFO]: "Informational",
  [Severity.LOW]: "Low",
  [Severity.MEDIUM]: "Medium",
  [Severity.HIGH]: "High",
  [Severity.CRITICAL]: "Critical",
};

/** The display name of `severity` used in every SIEM format. */
export function severityName(severity: Severity): string {
  return SEVERITY_NAMES[severity] ?? "Unspecified";
}

/**
 * Converts an alert to the EZMonitor record. Pure; every string and list is bounded
 * ({@link MAX_FIELD_CHARS}, {@link MAX_LIST_ITEMS}) so one record stays well under
 * every SIEM's per-field and per-event limits.
 */
export function toEzMonitorRecord(alert: Alert): EzMonitorRecord {
  const out: Record<string, RecordValue> = {
    VulnerabilityID: alert.eventId,
    Summary: bound(alert.summary),
    Description: bound(alert.description),
    Severity: severityName(alert.severity),
  };
  put(out, "Domain", alert.subjectDomain);
  put(out, "WatchedItem", alert.watchItem?.value);
  if (alert.watchItem && alert.watchItem.kind !== WatchItem_Kind.UNSPECIFIED) {
    out.WatchedItemKind = alert.watchItem.kind === WatchItem_Kind.BRAND ? "Brand" : "OwnedDomain";
  }
  put(out, "CustomerTenant", alert.tenantId);
  put(out, "AlertId", alert.alertId);
  put(out, "Detector", alert.detector);
  const cert = alert.certificate;
  if (cert) {
    if (cert.sha256.length > 0) out.CertificateSha256 = hex(cert.sha256);
    put(out, "CertificateSerial", serialWithColons(cert.serialHex));
    out.Precertificate = cert.precertificate;
    put(out, "SubjectCN", cert.subjectCn);
    put(out, "Issuer", cert.issuerDn);
    if (cert.dnsNames.length > 0) out.DnsNames = boundList(cert.dnsNames);
    putTime(out, "NotBefore", cert.notBeforeMs);
    putTime(out, "NotAfter", cert.notAfterMs);
    putTime(out, "LoggedAt", cert.loggedAtMs);
    if (cert.positions.length > 0) {
      out.LogEntries = cert.positions.slice(0, MAX_LIST_ITEMS).map((p) => ({
        LogUrl: bound(p.logUrl),
        LogId: Buffer.from(p.logId).toString("base64"),
        LeafIndex: safeNumber(p.leafIndex),
      }));
    }
  }
  const details = detailsOf(alert);
  if (details) out.Details = details;
  out.DetectedAt = isoTime(alert.detectedAtMs) ?? new Date(0).toISOString();
  return out as unknown as EzMonitorRecord;
}

function detailsOf(alert: Alert): Record<string, RecordValue> | undefined {
  const d = alert.details;
  switch (d.case) {
    case "newSubdomain":
      return { Name: bound(d.value.name), Wildcard: d.value.wildcard };
    case "lookalike":
      return {
        Techniques: bound(d.value.techniques),
        Skeleton: bound(d.value.skeleton),
        Distance: d.value.distance,
        RegistrableDomain: bound(d.value.registrableDomain),
      };
    case "rootCa":
      return {
        RootOwner: bound(d.value.rootOwner),
        RootSha256: hex(d.value.rootSha256),
        ExpectedOwners: boundList(d.value.expectedOwners),
      };
    case "caa":
      return {
        RelevantDomain: bound(d.value.relevantDomain),
        Records: boundList(d.value.records),
        CaIdentifiers: boundList(d.value.caIdentifiers),
        Reason: bound(d.value.reason),
      };
    case "takeover":
      return {
        CnameChain: boundList(d.value.cnameChain),
        AzureSuffix: bound(d.value.azureSuffix),
        Remedy: bound(d.value.remedy),
        AsuidProtected: d.value.asuidProtected,
      };
    default:
      return undefined;
  }
}

function put(out: Record<string, RecordValue>, key: string, value: string | undefined): void {
  if (value !== undefined && value !== "") out[key] = bound(value);
}

function putTime(out: Record<string, RecordValue>, key: string, ms: bigint): void {
  const iso = isoTime(ms);
  if (iso) out[key] = iso;
}

/** ISO 8601 of `ms`, or undefined for 0 (unset) and out-of-range values. */
export function isoTime(ms: bigint | number): string | undefined {
  const n = Number(ms);
  if (n === 0 || !Number.isFinite(n) || Math.abs(n) > 8.64e15) return undefined;
  return new Date(n).toISOString();
}

function bound(text: string): string {
  return text.length <= MAX_FIELD_CHARS ? text : `${text.slice(0, MAX_FIELD_CHARS - 1)}…`;
}

function boundList(items: readonly string[]): string[] {
  return items.slice(0, MAX_LIST_ITEMS).map(bound);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

function safeNumber(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

function serialWithColons(serialHex: string): string | undefined {
  const clean = serialHex.toLowerCase().replace(/[^0-9a-f]/g, "");
  if (clean === "") return undefined;
  const even = clean.length % 2 === 1 ? `0${clean}` : clean;
  return even.match(/../g)!.join(":");
}
