import { createHash } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import {
  type Alert,
  AlertSchema,
  type CertificateEntry,
  type CertificateRef,
  CertificateRefSchema,
  EntryType,
  type Severity,
  type WatchItem,
} from "@ctwatch/proto";
import { eventDefinition } from "./catalogue.js";

/** What a detector says; the factory adds the catalogue texts and identity. */
export interface AlertInput {
  eventId: number;
  tenantId: string;
  /** Stable key of the condition, unique per tenant (e.g. "25|www.example.com"). */
  dedupKey: string;
  subjectDomain: string;
  watchItem: WatchItem;
  certificate?: CertificateRef;
  /** "<detector>/<version>". */
  detector: string;
  detectedAtMs: number;
  /** Overrides the catalogue's default severity. */
  severity?: Severity;
  details?: Alert["details"];
}

/** Deterministic alert ID: first 128 bits of SHA-256(tenant "/" dedupKey), hex. */
export function alertIdFor(tenantId: string, dedupKey: string): string {
  return createHash("sha256").update(`${tenantId}/${dedupKey}`).digest("hex").slice(0, 32);
}

/** Builds an alert carrying the catalogue's summary and description verbatim. Throws RangeError for an unknown event. */
export function newAlert(input: AlertInput): Alert {
  const def = eventDefinition(input.eventId);
  return create(AlertSchema, {
    alertId: alertIdFor(input.tenantId, input.dedupKey),
    dedupKey: input.dedupKey,
    tenantId: input.tenantId,
    eventId: def.id,
    summary: def.summary,
    description: def.description,
    severity: input.severity ?? def.defaultSeverity,
    subjectDomain: input.subjectDomain,
    watchItem: input.watchItem,
    ...(input.certificate ? { certificate: input.certificate } : {}),
    detector: input.detector,
    detectedAtMs: BigInt(input.detectedAtMs),
    details: input.details ?? { case: undefined },
  });
}

/** The evidence part of an alert, from the entry that triggered it. */
export function certificateRefFromEntry(entry: CertificateEntry): CertificateRef {
  const c = entry.certificate;
  return create(CertificateRefSchema, {
    sha256: c?.sha256 ?? new Uint8Array(),
    tbsSha256: c?.tbsSha256 ?? new Uint8Array(),
    issuanceKey: entry.issuanceKey,
    precertificate: entry.entryType === EntryType.PRECERT,
    positions: entry.position ? [entry.position] : [],
    dnsNames: c?.dnsNames.slice(0, 100) ?? [],
    subjectCn: c?.subjectCn ?? "",
    issuerDn: c?.issuerDn ?? "",
    serialHex: c?.serialHex ?? "",
    notBeforeMs: c?.notBeforeMs ?? 0n,
    notAfterMs: c?.notAfterMs ?? 0n,
    loggedAtMs: entry.timestampMs,
  });
}
